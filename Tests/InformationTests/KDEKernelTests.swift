import Foundation
@testable import Information
import XCTest

/// The pieces of the KDE fast path (the vector 2^t, the principal-component projection used for
/// pruning, the leaf kernel's rotation) and the bounds on layers shaped like the Tishby net's,
/// against an all-pairs Double evaluation.
final class KDEKernelTests: XCTestCase {
    func testExp2IsWithinItsStatedErrorOfLibm() {
        var worst = 0.0
        var t: Float = 0
        while t > -125 {
            // Eight neighbouring values a vector, down to the clamp.
            let v = SIMD8<Float>((0..<8).map { t - Float($0) * 0.000_37 })
            let r = KDEEstimator.exp2(v)
            for k in 0..<8 {
                let exact = Foundation.exp2(Double(v[k]))
                worst = max(worst, abs(Double(r[k]) - exact) / exact)
            }
            t -= 0.0123
        }
        XCTAssertLessThan(worst, 1.5e-7)
        XCTAssertEqual(KDEEstimator.exp2(.zero), SIMD8(repeating: 1))
        // Below the clamp: 2^−125, a normal Float, not a subnormal or garbage.
        XCTAssertEqual(KDEEstimator.exp2(SIMD8(repeating: -1e6))[0], 0x1p-125)
        XCTAssertEqual(KDEEstimator.exp2(SIMD8(repeating: -.infinity))[0], 0x1p-125)
        XCTAssertEqual(KDEEstimator.exp2(SIMD8(repeating: .nan))[0], 0x1p-125)
        XCTAssertEqual(KDEEstimator.fourthPower(SIMD8(repeating: 0x1p-10))[0], 0x1p-40)
        XCTAssertEqual(KDEEstimator.fourthPower(SIMD8(repeating: 0x1p-125))[0], 0)
    }

    /// 2^t as the portable path of CVectorMath computes it (2^k added to the exponent bits),
    /// written in Swift: whichever path this machine compiles must give the same bits.
    func portableExp2(_ t: Float) -> Float {
        let c = t >= -125 ? t : -125
        let shifted = c + 12_582_912
        let f = c - (shifted - 12_582_912)
        var p: Float = 0.000_153_458_080_603_741_1
        for coefficient: Float in [0.001_339_993_206_784_129_1, 0.009_618_489_071_726_799, 0.055_503_286_421_298_98,
                                   0.240_226_462_483_406_07, 0.693_147_182_464_599_6, 1] {
            p = coefficient.addingProduct(p, f)
        }
        return Float(bitPattern: p.bitPattern &+ (shifted.bitPattern &<< 23))
    }

    func testExp2PathsAgreeBitForBit() {
        var t: Float = 0.5, mismatches = 0
        while t > -130 {
            // Ties (half-integers) included: both round them to even.
            let v = SIMD16<Float>((0..<16).map { t - Float($0) * 0.03125 })
            let r16 = KDEEstimator.exp2(v), r8 = KDEEstimator.exp2(v.lowHalf)
            for k in 0..<16 where r16[k].bitPattern != portableExp2(v[k]).bitPattern { mismatches += 1 }
            for k in 0..<8 where r8[k].bitPattern != r16[k].bitPattern { mismatches += 1 }
            t -= 0.377
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testProjectionShortensEveryDistanceAndKeepsTheMain() {
        // Points near a tilted plane in 7 dimensions: the 4 leading directions carry almost
        // everything, and no projected distance exceeds the true one.
        var random = LayerEstimatorFastPathTests.Stream(state: 23)
        let m = 300, width = 7
        var x: [Float] = []
        for _ in 0..<m {
            let a = random.next() * 2 - 1, b = random.next() * 2 - 1
            for c in 0..<width { x.append(Float(a * Double(c + 1) / 7 + b * (c % 2 == 0 ? 0.5 : -0.5) + 0.01 * random.next())) }
        }
        let projection = KDEEstimator.Projection(x, units: m, width: width, dimensions: 4, against: 0.2)
        XCTAssertEqual(projection.dimensions, 4)
        var largestRatio = 0.0, smallestRatio = Double.infinity
        for i in 0..<m {
            for j in 0..<i {
                var d = 0.0, p = 0.0
                for c in 0..<width { let t = Double(x[i * width + c]) - Double(x[j * width + c]); d += t * t }
                for c in 0..<4 { let t = Double(projection.values[i * 4 + c]) - Double(projection.values[j * 4 + c]); p += t * t }
                XCTAssertLessThanOrEqual(p, d + projection.margin)
                if d > 0.01 {
                    largestRatio = max(largestRatio, p / d)
                    smallestRatio = min(smallestRatio, p / d)
                }
            }
        }
        XCTAssertLessThanOrEqual(largestRatio, 1 + 1e-5)
        XCTAssertGreaterThan(smallestRatio, 0.95)  // the plane is kept
    }

    func testJacobiEigenvectorsAreOrthonormalAndOrdered() {
        // A symmetric matrix with known eigenvalues 5, 3, 1, 0 (Q diag Qᵀ, Q a rotation product).
        let n = 4
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n { q[i * n + i] = 1 }
        for (p, r, angle) in [(0, 1, 0.3), (1, 3, 1.1), (0, 2, -0.7), (2, 3, 0.4)] {
            let c = cos(angle), s = sin(angle)
            for k in 0..<n {
                let a = q[k * n + p], b = q[k * n + r]
                q[k * n + p] = c * a - s * b
                q[k * n + r] = s * a + c * b
            }
        }
        let values = [1.0, 5, 0, 3]
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { a[i * n + j] += q[i * n + k] * values[k] * q[j * n + k] } } }
        let original = a
        let v = KDEEstimator.Projection.eigenvectors(&a, size: n)
        for p in 0..<n {
            for r in 0..<n {
                var dot = 0.0
                for k in 0..<n { dot += v[k * n + p] * v[k * n + r] }
                XCTAssertEqual(dot, p == r ? 1 : 0, accuracy: 1e-12)
            }
        }
        // Column p is an eigenvector of eigenvalue 5, 3, 1, 0 in turn.
        for (p, lambda) in [5.0, 3, 1, 0].enumerated() {
            for i in 0..<n {
                var av = 0.0
                for k in 0..<n { av += original[i * n + k] * v[k * n + p] }
                XCTAssertEqual(av, lambda * v[i * n + p], accuracy: 1e-10)
            }
        }
    }

    /// Layers shaped like the Tishby net's late in training, 2048 rows: saturated tanh units
    /// (rows piling up near the corners of the cube, many exact duplicates) in 3 and 10 units,
    /// a ReLU layer of 7 units, and a 2-class softmax output, with the published noise.
    func testKDEMatchesAllPairsOnLayerLikeData() {
        var random = LayerEstimatorFastPathTests.Stream(state: 31)
        let n = 2048
        let labels = (0..<n).map { _ in random.next() < 0.52 ? 1 : 0 }
        func gaussian() -> Double { (0..<4).map { _ in random.next() }.reduce(0, +) - 2 }
        var layers: [(width: Int, values: [Float])] = []
        for width in [3, 10] {
            // tanh of large pre-activations around a few prototypes: near ±1, often equal in Float.
            let prototypes = (0..<(12 * width)).map { _ in 6 * gaussian() }
            var h: [Float] = []
            for r in 0..<n {
                let p = (r * 7 + labels[r]) % 12
                for c in 0..<width { h.append(Float(tanh(prototypes[p * width + c] + 0.8 * gaussian()))) }
            }
            layers.append((width, h))
        }
        let relu = (0..<(n * 7)).map { _ in Float(max(0, 0.6 * gaussian())) }
        layers.append((7, relu))
        var softmax: [Float] = []
        for r in 0..<n {
            let z = (labels[r] == 1 ? 1 : -1) * 9 * random.next() + gaussian()
            let p = Float(1 / (1 + exp(-z)))
            softmax += [p, 1 - p]
        }
        layers.append((2, softmax))
        for (width, h) in layers {
            let fast = h.withUnsafeBufferPointer { KDEEstimator(noiseVariance: 1e-3).bounds($0, rows: n, width: width, labels: labels) }
            LayerEstimatorFastPathTests.assertClose(fast, LayerEstimatorFastPathTests.referenceKDE(h, width: width, labels: labels, s2: 1e-3))
        }
    }
}
