import Foundation
@testable import Information
import XCTest

/// The grid series for rows on a line (`KDEEstimator.Line`): its error bound's ingredients, when
/// it is used, and the bounds with it against an all-pairs Double evaluation on lines in one to
/// four dimensions, duplicates, far clusters, sparse and dense rows, many classes and tiny σ.
final class KDELineTests: XCTestCase {
    typealias Reference = LayerEstimatorFastPathTests

    /// Each row's sums are within 1e-7 (series) + 1.1e-7 (skipped terms) relative, so each I(X;T)
    /// bound is within 2.1e-7 nats and each I(T;Y) bound, a difference of two, within 4.2e-7.
    func assertWithinLineBound(_ a: KDEEstimator.Bounds, _ b: KDEEstimator.Bounds, _ message: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.ixtUpper, b.ixtUpper, accuracy: 2.2e-7, "ixtUpper " + message, file: file, line: line)
        XCTAssertEqual(a.ixtLower, b.ixtLower, accuracy: 2.2e-7, "ixtLower " + message, file: file, line: line)
        XCTAssertEqual(a.ityUpper, b.ityUpper, accuracy: 4.4e-7, "ityUpper " + message, file: file, line: line)
        XCTAssertEqual(a.ityLower, b.ityLower, accuracy: 4.4e-7, "ityLower " + message, file: file, line: line)
    }

    /// Whether the grid is used for these rows of one coordinate (which are their own rotation),
    /// as distinct (value, label) units with counts like the estimator's.
    func usesLine(_ x: [Double], labels: [Int], s2: Double) -> Bool {
        var count: [Pair: Int] = [:]
        for (v, l) in zip(x, labels) { count[Pair(value: v, label: l), default: 0] += 1 }
        let units = Array(count.keys)
        let classes = Array(Set(labels)).sorted()
        let skip = (log(Double(x.count)) + KDEEstimator.skipMargin) * 8 * s2
        return units.map(\.value).withUnsafeBufferPointer {
            KDEEstimator.Line(exact: $0, units: units.count, width: 1, multiplicity: units.map { count[$0]! },
                              classIndex: units.map { classes.firstIndex(of: $0.label)! }, classes: classes.count,
                              noiseVariance: s2, skipDistance: skip) != nil
        }
    }

    struct Pair: Hashable {
        var value: Double, label: Int
    }

    func testCellsMeetTheTolerance() {
        // |u|, |v| ≤ w/2 (rounded up as generously as the grid's arithmetic could): 8 terms.
        let half = KDEEstimator.Line.cellWidth / 2 * (1 + 1e-6)
        let order = KDEEstimator.Expansion.order(half * half, KDEEstimator.Line.tolerance)
        XCTAssertNotNil(order)
        XCTAssertLessThanOrEqual(order ?? 99, 8)
    }

    func testExponentialMatchesLibm() {
        var x = -700.0
        while x <= 700 {
            let v = SIMD8<Double>((0..<8).map { x + Double($0) * 0.0123 })
            let e = KDEEstimator.Line.exponential(v)
            for k in 0..<8 {
                XCTAssertEqual(e[k], exp(v[k]), accuracy: 4e-16 * exp(v[k]), "x \(v[k])")
            }
            x += 0.7
        }
    }

    func testGridIsUsedOnlyWhereRowsAreDense() {
        var random = Reference.Stream(state: 53)
        let labels = (0..<1500).map { $0 % 2 }
        // 1500 rows over 32σ: hundreds of neighbours each.
        XCTAssertTrue(usesLine((0..<1500).map { _ in random.next() }, labels: labels, s2: 1e-3))
        // Over 1900σ: tens of neighbours, fewer than the grid's steps.
        XCTAssertFalse(usesLine((0..<1500).map { _ in 60 * random.next() }, labels: labels, s2: 1e-3))
        // Not on a line: the second coordinate spreads over 0.1σ.
        let plane = (0..<1500).flatMap { _ in [random.next(), 0.003 * random.next()] }
        XCTAssertNil(plane.withUnsafeBufferPointer {
            KDEEstimator.Line(exact: $0, units: 1500, width: 2, multiplicity: Array(repeating: 1, count: 1500), classIndex: labels,
                              classes: 2, noiseVariance: 1e-3, skipDistance: (log(1500.0) + 16) * 8e-3)
        })
    }

    /// Rows on a line in one to four dimensions (a random direction, so that the rotation finds
    /// it and Float rounding leaves the rows a little off it), two classes.
    func testLinesMatchAllPairs() {
        var random = Reference.Stream(state: 59)
        for width in 1...4 {
            let n = 1500
            let direction = (0..<width).map { _ in random.next() - 0.5 }
            let norm = direction.map { $0 * $0 }.reduce(0, +).squareRoot()
            var h: [Float] = [], labels: [Int] = []
            for _ in 0..<n {
                let t = random.next() < 0.3 ? 0.2 + 0.01 * random.next() : random.next()
                for c in 0..<width { h.append(Float(0.1 + t * direction[c] / norm)) }
                labels.append(t > 0.5 ? (random.next() < 0.8 ? 1 : 0) : (random.next() < 0.8 ? 0 : 1))
            }
            let reference = Reference.referenceKDE(h, width: width, labels: labels, s2: 1e-3)
            let bounds = Reference.kde(h, width: width, labels: labels, s2: 1e-3)
            assertWithinLineBound(bounds, reference, "width \(width)")
            XCTAssertNotEqual(bounds, Reference.kde(h, width: width, labels: labels, s2: 1e-3, expands: false), "width \(width): no grid")
        }
    }

    /// Duplicates (few distinct values, high counts), clusters far apart with empty cells between
    /// them, ten classes, and a tiny σ over a short line.
    func testAdversarialLinesMatchAllPairs() {
        var random = Reference.Stream(state: 61)
        let n = 1400
        var cases: [(String, [Float], [Int], Double)] = []
        let values = (0..<60).map { _ in Float(random.next()) }
        cases.append(("duplicates", (0..<n).map { _ in values[Int(random.next() * 60)] }, (0..<n).map { $0 % 3 }, 1e-3))
        let centres: [Double] = [0, 0.5, 0.95]
        cases.append(("clusters", (0..<n).map { _ in Float(centres[Int(random.next() * 3)] + 0.01 * random.next()) },
                      (0..<n).map { _ in Int(random.next() * 2) }, 1e-3))
        cases.append(("ten classes", (0..<n).map { _ in Float(random.next()) }, (0..<n).map { _ in Int(random.next() * 10) }, 1e-3))
        cases.append(("tiny sigma", (0..<n).map { _ in Float(0.3 + 0.01 * random.next()) }, (0..<n).map { $0 % 2 }, 1e-7))
        for (name, h, labels, s2) in cases {
            XCTAssertTrue(usesLine(h.map(Double.init), labels: labels, s2: s2), name)
            assertWithinLineBound(Reference.kde(h, width: 1, labels: labels, s2: s2), Reference.referenceKDE(h, width: 1, labels: labels, s2: s2), name)
        }
    }

    /// Softmax outputs (p, 1 − p) as Floats, spread and saturated, and rows near a line (off it by
    /// 1e-5σ: the grid; by 0.03σ: the tree).
    func testNearLinesMatchAllPairs() {
        var random = Reference.Stream(state: 67)
        for (offLine, concentration) in [(0.0, 2.0), (0.0, 30.0), (1e-5, 2.0), (0.03, 2.0)] {
            var h: [Float] = [], labels: [Int] = []
            for _ in 0..<1500 {
                let label = random.next() < 0.5 ? 0 : 1
                let p = 1 / (1 + exp(-concentration * (Double(2 * label - 1) + 0.7 * (random.next() - 0.5))))
                let off = offLine * 0.0316 * (random.next() - 0.5)
                h += [Float(p + off), Float(1 - p + off)]
                labels.append(random.next() < 0.9 ? label : 1 - label)
            }
            let bounds = Reference.kde(h, width: 2, labels: labels, s2: 1e-3), reference = Reference.referenceKDE(h, width: 2, labels: labels, s2: 1e-3)
            if offLine < 0.01 {
                assertWithinLineBound(bounds, reference, "off the line \(offLine)σ, concentration \(concentration)")
            } else {
                Reference.assertClose(bounds, reference)
            }
        }
    }
}
