import Information
import XCTest

final class LayerEstimatorTests: XCTestCase {
    func binning(_ values: [Float], width: Int, labels: [Int], bins: Int = 30, range: ClosedRange<Double> = -1...1) -> BinningEstimator.Estimate {
        values.withUnsafeBufferPointer { BinningEstimator(bins: bins).estimate($0, rows: labels.count, width: width, labels: labels, range: range) }
    }

    func testBinningOnHandMadeLayers() {
        // Four distinct patterns, two classes of two: I(X;T) = log 4, I(T;Y) = H(Y) = log 2.
        let distinct = binning([-0.9, -0.9, -0.9, 0.9, 0.9, -0.9, 0.9, 0.9], width: 2, labels: [0, 0, 1, 1])
        XCTAssertEqual(distinct.ixt, log(4), accuracy: 1e-12)
        XCTAssertEqual(distinct.ity, log(2), accuracy: 1e-12)
        // One pattern: nothing is known.
        let same = binning([0.1, 0.1, 0.1, 0.1], width: 1, labels: [0, 1, 0, 1])
        XCTAssertEqual(same.ixt, 0, accuracy: 1e-12)
        XCTAssertEqual(same.ity, 0, accuracy: 1e-12)
        // Two patterns that follow the labels exactly.
        let aligned = binning([-0.5, -0.5, 0.5, 0.5], width: 1, labels: [0, 0, 1, 1])
        XCTAssertEqual(aligned.ixt, log(2), accuracy: 1e-12)
        XCTAssertEqual(aligned.ity, log(2), accuracy: 1e-12)
        // Patterns that ignore the labels: I(T;Y) = 0 while I(X;T) = log 2.
        let unrelated = binning([-0.5, 0.5, -0.5, 0.5], width: 1, labels: [0, 0, 1, 1])
        XCTAssertEqual(unrelated.ixt, log(2), accuracy: 1e-12)
        XCTAssertEqual(unrelated.ity, 0, accuracy: 1e-12)
    }

    func testBinsAndClipping() {
        // With 2 bins on [−1, 1], −0.1 and −0.9 share a bin; values beyond the range are clipped in.
        XCTAssertEqual(binning([-0.1, -0.9, 5, 0.2], width: 1, labels: [0, 0, 0, 0], bins: 2).ixt, log(2), accuracy: 1e-12)
        // With 30 bins they are apart.
        XCTAssertEqual(binning([-0.1, -0.9, 5, 0.2], width: 1, labels: [0, 0, 0, 0], bins: 30).ixt,
                       -(0.25 * log(0.25) * 4), accuracy: 1e-12)
    }

    func testWideLayersMatchAPatternCount() {
        // 20 units × 5 bits does not fit 64 bits: the exact pattern table is used.
        var values: [Float] = []
        var labels: [Int] = []
        var state: UInt64 = 12345
        for r in 0..<300 {
            for _ in 0..<20 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                values.append(Float(Int(state >> 61)) / 4 - 0.9)  // a few levels
            }
            labels.append(r % 3)
        }
        let estimate = binning(values, width: 20, labels: labels)
        // Reference: count distinct rows of bin indices by string keys.
        func key(_ r: Int) -> String { (0..<20).map { String(min(29, max(0, Int(((values[r * 20 + $0] + 1) * 15).rounded(.down))))) }.joined(separator: ",") }
        func h(_ rows: [Int]) -> Double {
            let counts = Dictionary(grouping: rows, by: key).values.map(\.count)
            return -counts.map { Double($0) / Double(rows.count) * log(Double($0) / Double(rows.count)) }.reduce(0, +)
        }
        let all = Array(0..<300)
        XCTAssertEqual(estimate.ixt, h(all), accuracy: 1e-12)
        let conditional = (0..<3).map { c in Double(all.filter { labels[$0] == c }.count) / 300 * h(all.filter { labels[$0] == c }) }.reduce(0, +)
        XCTAssertEqual(estimate.ity, h(all) - conditional, accuracy: 1e-12)
    }

    func testKDEBoundsAgainstTheirFormula() {
        let s2 = 0.01
        let d = 0.3  // two points at distance d, one per class
        let values: [Float] = [0, Float(d)]
        let bounds = values.withUnsafeBufferPointer { KDEEstimator(noiseVariance: s2).bounds($0, rows: 2, width: 1, labels: [0, 1]) }
        let upper = -log((1 + exp(-d * d / (2 * s2))) / 2)
        let lower = -log((1 + exp(-d * d / (8 * s2))) / 2)
        XCTAssertEqual(bounds.ixtUpper, upper, accuracy: 1e-6)
        XCTAssertEqual(bounds.ixtLower, lower, accuracy: 1e-6)
        // Within a class of one point the term is 0, so I(T;Y) equals the bound on H(T).
        XCTAssertEqual(bounds.ityUpper, upper, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(bounds.ixtLower, bounds.ixtUpper)
    }

    func testKDELimits() {
        // Far-apart points: both bounds reach log n. Identical points: 0.
        let far: [Float] = [0, 10, 20, 30]
        let b = far.withUnsafeBufferPointer { KDEEstimator(noiseVariance: 1e-3).bounds($0, rows: 4, width: 1, labels: [0, 0, 1, 1]) }
        // Kernels are summed in Float: agreement to 1e-6.
        XCTAssertEqual(b.ixtUpper, log(4), accuracy: 1e-6)
        XCTAssertEqual(b.ixtLower, log(4), accuracy: 1e-6)
        XCTAssertEqual(b.ityUpper, log(2), accuracy: 1e-6)
        let same: [Float] = [1, 1, 1, 1, 1, 1]
        let z = same.withUnsafeBufferPointer { KDEEstimator(noiseVariance: 1e-3).bounds($0, rows: 3, width: 2, labels: [0, 1, 1]) }
        XCTAssertEqual(z.ixtUpper, 0, accuracy: 1e-12)
        XCTAssertEqual(z.ityLower, 0, accuracy: 1e-12)
    }
}
