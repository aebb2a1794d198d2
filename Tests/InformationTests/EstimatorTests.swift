import Information
import Learning
import NumericCore
import XCTest

final class EstimatorTests: XCTestCase {
    func testGaussianPairsCarryTheirMutualInformation() {
        for (mi, dx, dy) in [(0.5, 1, 1), (2.0, 3, 2), (5.0, 5, 5)] {
            let pairs = GaussianPairs(mutualInformation: mi, xDimension: dx, yDimension: dy)
            let k = Double(min(dx, dy))
            XCTAssertEqual(-k / 2 * log(1 - pairs.correlation * pairs.correlation), mi, accuracy: 1e-12)
        }
        let (x, y) = GaussianPairs(mutualInformation: 1, xDimension: 2, yDimension: 3).sample(count: 10, seed: 1)
        XCTAssertEqual([x.rows, x.columns, y.rows, y.columns], [10, 2, 10, 3])
        XCTAssertEqual(GaussianPairs(mutualInformation: 1).sample(count: 50, seed: 5).x, GaussianPairs(mutualInformation: 1).sample(count: 50, seed: 5).x)
    }

    func testGaussianEstimatorAgainstClosedForm() throws {
        for (mi, d) in [(0.1, 1), (1.0, 1), (5.0, 1), (1.0, 5), (5.0, 5), (2.0, 20)] {
            let (x, y) = GaussianPairs(mutualInformation: mi, xDimension: d, yDimension: d).sample(count: 20_000, seed: 11)
            let estimate = try GaussianEstimator().mutualInformation(x, y)
            // Bias of the plug-in estimate is about d²/(2n) nats; sampling error is smaller still.
            XCTAssertEqual(estimate, mi, accuracy: 0.02 + Double(d * d) / 20_000, "mi \(mi), d \(d)")
        }
    }

    func testKSGAgainstClosedFormInLowDimension() throws {
        for (mi, d) in [(0.1, 1), (1.0, 1), (2.0, 1), (1.0, 2)] {
            let (x, y) = GaussianPairs(mutualInformation: mi, xDimension: d, yDimension: d).sample(count: 3000, seed: 21)
            let estimate = try KSGEstimator(k: 3).mutualInformation(x, y)
            XCTAssertEqual(estimate, mi, accuracy: 0.06, "mi \(mi), d \(d)")
        }
    }

    func testKSGOnIndependentDataIsNearZero() throws {
        let (x, y) = GaussianPairs(mutualInformation: 0, xDimension: 2, yDimension: 2).sample(count: 3000, seed: 4)
        XCTAssertEqual(try KSGEstimator(k: 5).mutualInformation(x, y), 0, accuracy: 0.03)
    }

    /// The fast loop must equal a literal transcription of the formula.
    func testKSGMatchesANaiveReference() throws {
        let (x, y) = GaussianPairs(mutualInformation: 1, xDimension: 2, yDimension: 1).sample(count: 200, seed: 8)
        for k in [1, 3, 7] {
            let n = x.rows
            var total = 0.0
            for i in 0..<n {
                func dist(_ m: Matrix, _ a: Int, _ b: Int) -> Double { (0..<m.columns).map { abs(m[a, $0] - m[b, $0]) }.max()! }
                let joint = (0..<n).filter { $0 != i }.map { max(dist(x, i, $0), dist(y, i, $0)) }.sorted()
                let eps = joint[k - 1]
                let nx = (0..<n).filter { $0 != i && dist(x, i, $0) < eps }.count
                let ny = (0..<n).filter { $0 != i && dist(y, i, $0) < eps }.count
                total += SpecialFunctions.digamma(Double(nx + 1)) + SpecialFunctions.digamma(Double(ny + 1))
            }
            let reference = SpecialFunctions.digamma(Double(k)) + SpecialFunctions.digamma(Double(n)) - total / Double(n)
            XCTAssertEqual(try KSGEstimator(k: k).mutualInformation(x, y), reference, accuracy: 1e-12)
        }
    }

    func testKSGRefusesTooFewSamples() {
        let x = Matrix(rows: 3, columns: 1, values: [1, 2, 3])
        XCTAssertThrowsError(try KSGEstimator(k: 3).mutualInformation(x, x))
    }

    func testUnits() {
        XCTAssertEqual(InformationUnit.bits.fromNats(log(2)), 1, accuracy: 1e-15)
        XCTAssertEqual(InformationUnit.nats.fromNats(0.7), 0.7)
    }
}

final class EntropyAndKernelTests: XCTestCase {
    func testKozachenkoLeonenkoAgainstClosedForms() throws {
        // Gaussian N(0, I_d): h = d/2 · log(2πe). Uniform on [0, 1]^d: h = 0.
        var random = RandomStream(seed: 3, stream: "kl")
        for d in [1, 3] {
            let n = 3000
            let gaussian = Matrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in random.normal() })
            XCTAssertEqual(try KozachenkoLeonenko(k: 5).entropy(gaussian), Double(d) / 2 * log(2 * .pi * exp(1)), accuracy: 0.05 * Double(d), "d \(d)")
            let uniform = Matrix(rows: n, columns: d, values: (0..<(n * d)).map { _ in random.uniform() })
            XCTAssertEqual(try KozachenkoLeonenko(k: 5).entropy(uniform), 0, accuracy: 0.05 * Double(d), "d \(d)")
        }
    }

    func testKozachenkoLeonenkoMutualInformation() throws {
        let (x, y) = GaussianPairs(mutualInformation: 1, xDimension: 2, yDimension: 2).sample(count: 3000, seed: 4)
        XCTAssertEqual(try KozachenkoLeonenko(k: 5).mutualInformation(x, y), 1, accuracy: 0.1)
        XCTAssertThrowsError(try KozachenkoLeonenko(k: 5).entropy(Matrix(rows: 3, columns: 1, values: [1, 2, 3])))
        XCTAssertThrowsError(try KozachenkoLeonenko(k: 1).entropy(Matrix(rows: 4, columns: 1, values: [1, 1, 2, 2])))
    }

    /// Two samples with Gram off-diagonals a and b: I_CS = log(2(1 + ab) / ((1 + a)(1 + b))).
    func testCauchySchwarzOnTwoSamples() {
        let x = Matrix(rows: 2, columns: 1, values: [0, 1]), y = Matrix(rows: 2, columns: 1, values: [0, 2])
        let k = GaussianGram(x, width: 1), q = GaussianGram(y, width: 1)
        let a = exp(-0.5), b = exp(-2.0)
        XCTAssertEqual(k.values[1], a, accuracy: 1e-15)
        XCTAssertEqual(CauchySchwarzInformation().estimate(k, q), log(2 * (1 + a * b) / ((1 + a) * (1 + b))), accuracy: 1e-12)
        // Far-apart samples: identity Grams, I_CS = log 2.
        let far = GaussianGram(Matrix(rows: 2, columns: 1, values: [0, 100]), width: 1)
        XCTAssertEqual(CauchySchwarzInformation().estimate(far, far), log(2), accuracy: 1e-12)
    }

    /// Two samples: A = K/2 has eigenvalues (1 ± a)/2.
    func testMatrixRenyiOnTwoSamples() throws {
        let alpha = 2.0
        let renyi = MatrixRenyiInformation(alpha: alpha)
        func s(_ a: Double) -> Double { log(pow((1 + a) / 2, alpha) + pow((1 - a) / 2, alpha)) / (1 - alpha) }
        let x = Matrix(rows: 2, columns: 1, values: [0, 1]), y = Matrix(rows: 2, columns: 1, values: [0, 2])
        let k = GaussianGram(x, width: 1), q = GaussianGram(y, width: 1)
        let a = exp(-0.5), b = exp(-2.0)
        XCTAssertEqual(try renyi.entropy(k.values, count: 2), s(a), accuracy: 1e-12)
        XCTAssertEqual(try renyi.mutualInformation(k, q), s(a) + s(b) - s(a * b), accuracy: 1e-12)
    }

    func testKernelMeasuresSeeDependence() throws {
        let (x, y) = GaussianPairs(mutualInformation: 1.5).sample(count: 400, seed: 2)
        let (u, v) = GaussianPairs(mutualInformation: 0).sample(count: 400, seed: 2)
        let dependent = CauchySchwarzInformation().estimate(GaussianGram(x), GaussianGram(y))
        let independent = CauchySchwarzInformation().estimate(GaussianGram(u), GaussianGram(v))
        XCTAssertGreaterThan(dependent, 5 * abs(independent))
        let r1 = try MatrixRenyiInformation().mutualInformation(GaussianGram(x), GaussianGram(y))
        let r0 = try MatrixRenyiInformation().mutualInformation(GaussianGram(u), GaussianGram(v))
        XCTAssertGreaterThan(r1, 3 * abs(r0))
    }
}

final class KSGEdgeCaseTests: XCTestCase {
    /// Repeated samples make ε = 0 for some points: the estimate stays finite, no crash.
    func testRepeatedSamplesDoNotCrash() throws {
        let x = Matrix(rows: 8, columns: 1, values: [1, 1, 1, 1, 2, 2, 2, 2])
        let y = Matrix(rows: 8, columns: 1, values: [0, 0, 0, 0, 5, 5, 5, 5])
        XCTAssertTrue(try KSGEstimator(k: 3).mutualInformation(x, y).isFinite)
    }
}
