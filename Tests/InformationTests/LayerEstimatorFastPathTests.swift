import Foundation
@testable import Information
import XCTest

/// The fast paths of the layer estimators (distinct rows with counts, skipped far leaf pairs,
/// hashed pattern counts) against straightforward all-pairs and sort-everything references.
final class LayerEstimatorFastPathTests: XCTestCase {
    /// A small deterministic generator (LCG), uniform in [0, 1).
    struct Stream {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// The estimator's bounds, with or without its series (`expands`).
    static func kde(_ h: [Float], width: Int, labels: [Int], s2: Double, expands: Bool = true) -> KDEEstimator.Bounds {
        var estimator = KDEEstimator(noiseVariance: s2)
        estimator.expands = expands
        return h.withUnsafeBufferPointer { estimator.bounds($0, rows: labels.count, width: width, labels: labels) }
    }

    /// The bounds by their formula: every pair, Double distances, libm exp, class runs by label.
    static func referenceKDE(_ h: [Float], width: Int, labels: [Int], s2: Double) -> KDEEstimator.Bounds {
        let n = labels.count
        var upper = 0.0, lower = 0.0, classUpper = 0.0, classLower = 0.0
        let sizes = Dictionary(grouping: labels, by: { $0 }).mapValues { Double($0.count) }
        for i in 0..<n {
            var all = (0.0, 0.0), own = (0.0, 0.0)
            for j in 0..<n {
                var d = 0.0
                for c in 0..<width { let t = Double(h[i * width + c]) - Double(h[j * width + c]); d += t * t }
                let ku = exp(-d / (2 * s2)), kl = exp(-d / (8 * s2))
                all.0 += ku; all.1 += kl
                if labels[j] == labels[i] { own.0 += ku; own.1 += kl }
            }
            upper -= log(all.0 / Double(n)) / Double(n)
            lower -= log(all.1 / Double(n)) / Double(n)
            classUpper += log(own.0 / sizes[labels[i]]!) / Double(n)
            classLower += log(own.1 / sizes[labels[i]]!) / Double(n)
        }
        return .init(ixtUpper: upper, ixtLower: lower, ityUpper: upper + classUpper, ityLower: lower + classLower)
    }

    static func assertClose(_ a: KDEEstimator.Bounds, _ b: KDEEstimator.Bounds, _ tolerance: Double = 1e-6,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.ixtUpper, b.ixtUpper, accuracy: tolerance, "ixtUpper", file: file, line: line)
        XCTAssertEqual(a.ixtLower, b.ixtLower, accuracy: tolerance, "ixtLower", file: file, line: line)
        XCTAssertEqual(a.ityUpper, b.ityUpper, accuracy: tolerance, "ityUpper", file: file, line: line)
        XCTAssertEqual(a.ityLower, b.ityLower, accuracy: tolerance, "ityLower", file: file, line: line)
    }

    func kde(_ h: [Float], width: Int, labels: [Int], s2: Double) -> KDEEstimator.Bounds {
        h.withUnsafeBufferPointer { KDEEstimator(noiseVariance: s2).bounds($0, rows: labels.count, width: width, labels: labels) }
    }

    func testKDEMatchesAllPairsOnRandomRows() {
        var random = Stream(state: 7)
        for (width, s2) in [(1, 1e-3), (2, 1e-3), (3, 1e-2), (5, 1e-3), (10, 0.05)] {
            let n = 500
            // tanh of Gaussian-ish values: spread over (−1, 1), denser near the ends.
            let h = (0..<(n * width)).map { _ in Float(tanh(3 * (random.next() + random.next() - 1))) }
            let labels = (0..<n).map { _ in random.next() < 0.4 ? 1 : 0 }
            Self.assertClose(kde(h, width: width, labels: labels, s2: s2), Self.referenceKDE(h, width: width, labels: labels, s2: s2))
        }
    }

    func testKDEMatchesAllPairsOnDuplicateHeavyRows() {
        var random = Stream(state: 11)
        for width in [1, 2, 3, 7] {
            // 25 prototype rows (some saturated at ±1) repeated, plus a few distinct rows;
            // identical rows carry different labels, and there are three unevenly labelled classes.
            let prototypes = (0..<(25 * width)).map { _ in Float(random.next() < 0.3 ? (random.next() < 0.5 ? -1 : 1) : 2 * random.next() - 1) }
            var h: [Float] = [], labels: [Int] = []
            for r in 0..<700 {
                if r % 50 == 0 {
                    for _ in 0..<width { h.append(Float(2 * random.next() - 1)) }
                } else {
                    let p = Int(random.next() * 25)
                    h += prototypes[(p * width)..<((p + 1) * width)]
                }
                labels.append([-3, 5, 9][Int(random.next() * 3)])
            }
            Self.assertClose(kde(h, width: width, labels: labels, s2: 1e-3), Self.referenceKDE(h, width: width, labels: labels, s2: 1e-3))
            Self.assertClose(kde(h, width: width, labels: labels, s2: 0.1), Self.referenceKDE(h, width: width, labels: labels, s2: 0.1))
        }
    }

    func testKDESkipsFarClustersExactly() {
        // Tight clusters 10 apart: most leaf pairs are skipped, and nothing changes.
        var random = Stream(state: 3)
        let width = 2, n = 800
        var h: [Float] = [], labels: [Int] = []
        for r in 0..<n {
            let cluster = r % 4
            h.append(Float(10 * Double(cluster) + 0.05 * random.next()))
            h.append(Float(0.05 * random.next()))
            labels.append(cluster % 2 == 0 ? Int(random.next() * 2) : 1)
        }
        Self.assertClose(kde(h, width: width, labels: labels, s2: 1e-3), Self.referenceKDE(h, width: width, labels: labels, s2: 1e-3))
    }

    func testKDEOnSoftmaxOutputsWithTinyProbabilities() {
        // Late softmax outputs: p and 1 − p with p down to 1e-40 (subnormal), many nearly equal.
        var random = Stream(state: 17)
        var h: [Float] = [], labels: [Int] = []
        for r in 0..<600 {
            let p = Float(pow(10, -45 * random.next()))
            if r % 2 == 0 { h += [p, 1 - p] } else { h += [1 - p, p] }
            labels.append(r % 2 == 0 ? 0 : (random.next() < 0.9 ? 1 : 0))
        }
        Self.assertClose(kde(h, width: 2, labels: labels, s2: 1e-3), Self.referenceKDE(h, width: 2, labels: labels, s2: 1e-3))
    }

    /// Row order changes only the order of Float sums (the k-d split sees the rows in another order).
    func testKDEDoesNotDependOnRowOrder() {
        var random = Stream(state: 5)
        let n = 400, width = 3
        let h = (0..<(n * width)).map { _ in Float((20 * random.next()).rounded() / 20) }  // many duplicates
        let labels = (0..<n).map { $0 % 2 }
        let permutation = (0..<n).reversed().map { $0 }
        let shuffled = permutation.flatMap { h[($0 * width)..<(($0 + 1) * width)] }
        Self.assertClose(kde(h, width: width, labels: labels, s2: 1e-3),
                    kde(shuffled, width: width, labels: permutation.map { labels[$0] }, s2: 1e-3), 1e-7)
    }

    /// Binning by sorting every row's packed code, summing −p log p in ascending code order,
    /// and adding the classes in ascending label order.
    func referenceBinning(_ h: [Float], width: Int, labels: [Int], bins: Int, range: ClosedRange<Double>) -> BinningEstimator.Estimate {
        var bits = 1
        while (1 << bits) < bins { bits += 1 }
        let low = Float(range.lowerBound), scale = Float(bins) / Float(range.upperBound - range.lowerBound)
        let codes = labels.indices.map { r -> UInt64 in
            var code: UInt64 = 0
            for u in 0..<width {
                let b = min(max(Int(((h[r * width + u] - low) * scale).rounded(.down)), 0), bins - 1)
                code = code << UInt64(bits) | UInt64(b)
            }
            return code
        }
        func entropy(_ codes: [UInt64]) -> Double {
            let sorted = codes.sorted()
            var h = 0.0, run = 1
            for i in 1...sorted.count {
                if i < sorted.count && sorted[i] == sorted[i - 1] { run += 1 } else {
                    let p = Double(run) / Double(sorted.count)
                    h -= p * log(p)
                    run = 1
                }
            }
            return h
        }
        let total = entropy(codes)
        var conditional = 0.0
        for c in Set(labels).sorted() {
            let members = labels.indices.filter { labels[$0] == c }.map { codes[$0] }
            conditional += Double(members.count) / Double(labels.count) * entropy(members)
        }
        return .init(ixt: total, ity: total - conditional)
    }

    func testBinningMatchesSortedReference() {
        var random = Stream(state: 13)
        for (width, classes) in [(1, 2), (3, 2), (6, 3), (12, 2)] {
            let n = 2000
            // Saturated, duplicate-heavy rows.
            let h = (0..<(n * width)).map { _ in Float(tanh(4 * (random.next() - 0.5) * (random.next() < 0.5 ? 1 : 5))) }
            let labels = (0..<n).map { _ in Int(random.next() * Double(classes)) * 3 - 2 }
            let fast = h.withUnsafeBufferPointer { BinningEstimator(bins: 30).estimate($0, rows: n, width: width, labels: labels, range: -1...1) }
            let reference = referenceBinning(h, width: width, labels: labels, bins: 30, range: -1...1)
            // The same counts, summed in another order and form (log n − Σ c log c / n).
            XCTAssertEqual(fast.ixt, reference.ixt, accuracy: 1e-12)
            XCTAssertEqual(fast.ity, reference.ity, accuracy: 1e-12)
            XCTAssertGreaterThan(fast.ixt, 0.5)
        }
    }

    func testBinningClipsNaNAndHugeValuesWithoutTrapping() {
        // Once (bins one value at a time) and repeated 8 times (16 values at a time).
        for copies in [1, 8] {
            let values = [[Float]](repeating: [.nan, 1e30, -.infinity, 0.5], count: copies).flatMap { $0 }
            let labels = [[Int]](repeating: [0, 0, 1, 1], count: copies).flatMap { $0 }
            let estimate = values.withUnsafeBufferPointer {
                BinningEstimator(bins: 4).estimate($0, rows: values.count, width: 1, labels: labels, range: 0...1)
            }
            // NaN and −∞ fall in bin 0, 1e30 in bin 3, 0.5 in bin 2: three patterns, shares 1/2, 1/4, 1/4.
            XCTAssertEqual(estimate.ixt, -(0.5 * log(0.5) + 2 * 0.25 * log(0.25)), accuracy: 1e-12)
        }
    }
}
