import Foundation
@testable import Information
import XCTest

/// The Taylor expansion of tight node pairs (`KDEEstimator.Expansion`): its per-term bound, and
/// the bounds with it against an all-pairs Double evaluation on clustered rows (where it is used)
/// and on spread rows.
final class KDEExpansionTests: XCTestCase {
    typealias Reference = LayerEstimatorFastPathTests

    func testOrderMeetsTheRemainderBound() {
        for tau in [0.0, 1e-6, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0] {
            for epsilon in [1e-7, 5e-8, 1e-9] {
                guard let p = KDEEstimator.Expansion.order(tau, epsilon) else {
                    XCTAssertGreaterThan(tau, 0.25, "no order for τ \(tau)")
                    continue
                }
                var bound = tau == 0 ? 0 : exp(2 * tau)
                for k in 1...p { bound *= tau / Double(k) }
                XCTAssertLessThanOrEqual(bound, epsilon, "τ \(tau) p \(p)")
                if p > 1 {  // and the least such order
                    var previous = exp(2 * tau)
                    for k in 1..<p { previous *= tau / Double(k) }
                    XCTAssertGreaterThan(previous, epsilon, "τ \(tau) p \(p)")
                }
            }
        }
    }

    /// Every term of a replaced node pair within the stated relative tolerance: the expansion's
    /// row sums against the same rows' direct Double sums, for both kernels, on node pairs as
    /// loose as the orders allow (up to 16 terms), near and far apart.
    func testExpandedSumsWithinTolerance() {
        var random = Reference.Stream(state: 23)
        let s2 = 1e-3, sigma = s2.squareRoot()
        for (width, spread, distance) in [(1, 0.1, 0.0), (2, 0.05, 3.0), (2, 0.01, 8.0), (3, 0.02, 0.5), (4, 0.005, 5.0), (2, 0.3, 1.0)] {
            // Two clusters of 64 rows, `spread` σ wide in every coordinate, `distance` σ apart.
            var x: [Float] = []
            for cluster in 0..<2 {
                for _ in 0..<64 {
                    for c in 0..<width {
                        let centre = c == 0 ? Double(cluster) * distance * sigma : 0.3
                        x.append(Float(centre + spread * sigma * (random.next() - 0.5)))
                    }
                }
            }
            let exact = x.map(Double.init)
            var tree = KDEEstimator.Tree(width: width)
            let a = tree.build(x, units: Array(0..<64), leafSize: 8), b = tree.build(x, units: Array(64..<128), leafSize: 8)
            let expansion = KDEEstimator.Expansion(width: width, noiseVariance: s2)
            let half = { (n: Int) in (SIMD4<Double>(tree.high[n]) - SIMD4<Double>(tree.low[n])) / 2 }
            guard let orders = expansion.orders(half(a), half(b)) else {
                XCTAssertGreaterThan(spread, 0.1, "width \(width) spread \(spread): expected orders")
                continue
            }
            let weights = (0..<128).map { $0 % 5 + 1 }
            var sums = [SIMD8<Double>](repeating: .zero, count: 4 * tree.leafUnits.count)
            exact.withUnsafeBufferPointer { coordinates in
                weights.withUnsafeBufferPointer { weights in
                    sums.withUnsafeMutableBufferPointer { sums in
                        let evaluator = KDEEstimator.ExpansionEvaluator(
                            expansion: expansion, tree: tree, coordinates: coordinates.baseAddress!,
                            multiplicity: weights.baseAddress!, sums: sums.baseAddress!, capacity: 128)
                        evaluator.evaluate(a, b, sameClass: true, orders: orders)
                        evaluator.evaluate(a, a, sameClass: false, orders: expansion.orders(half(a), half(a))!)
                        evaluator.deallocate()
                    }
                }
            }
            for (l, leaf) in tree.leafUnits.enumerated() {
                for (k, u) in leaf.enumerated() {
                    let others = u < 64 ? Array(64..<128) : Array(0..<64)
                    // Slots 0, 1: the pair (a, b); slots 2, 3: (a, a), rows of a only.
                    for (slot, sources) in [(0, others), (2, u < 64 ? Array(0..<64) : [])] {
                        var upper = 0.0, lower = 0.0
                        for j in sources {
                            var d = 0.0
                            for c in 0..<width { let t = exact[u * width + c] - exact[j * width + c]; d += t * t }
                            upper += Double(weights[j]) * exp(-d / (2 * s2))
                            lower += Double(weights[j]) * exp(-d / (8 * s2))
                        }
                        let tolerance = 1.01 * KDEEstimator.Expansion.tolerance
                        XCTAssertLessThanOrEqual(abs(sums[4 * l + slot][k] - upper), tolerance * upper + 1e-300,
                                                 "width \(width) spread \(spread) distance \(distance) row \(u) upper")
                        XCTAssertLessThanOrEqual(abs(sums[4 * l + slot + 1][k] - lower), tolerance * lower + 1e-300,
                                                 "width \(width) spread \(spread) distance \(distance) row \(u) lower")
                    }
                }
            }
        }
    }

    /// Clustered rows as in saturated and softmax layers: exact duplicates, near duplicates (a
    /// few Float steps apart) and tight clusters. Expansions are used (the bits differ from the
    /// pair-by-pair bounds), and both stay within 1e-6 nats of all pairs in Double.
    func testClusteredRowsMatchAllPairs() {
        var random = Reference.Stream(state: 29)
        let s2 = 1e-3
        for width in [1, 2, 3, 4] {
            let n = 2000
            // Cluster widths: 0.13σ, or 0.013σ in 3 and 4 dimensions (at most 16 terms a pair).
            let spread = width <= 2 ? 0.004 : 0.0004
            var h: [Float] = [], labels: [Int] = []
            let centres = (0..<(3 * width)).map { _ in Float(random.next() < 0.6 ? (random.next() < 0.5 ? -0.999 : 0.999) : 2 * random.next() - 1) }
            for r in 0..<n {
                let cluster = Int(random.next() * 3)
                let kind = random.next()
                var row: [Float] = []
                for c in 0..<width {
                    let centre = centres[cluster * width + c]
                    if kind < 0.15 {
                        row.append(centre)  // exact duplicates
                    } else if kind < 0.3 {
                        row.append(centre.nextUp.nextUp)  // near duplicates
                    } else {
                        row.append(centre + Float(spread * (random.next() - 0.5)))
                    }
                }
                if width == 2 && r % 3 == 0 { row[1] = 1 - row[0] }  // on the softmax line
                h += row
                labels.append(cluster == 0 ? Int(random.next() * 2) : cluster - 1)
            }
            let reference = Reference.referenceKDE(h, width: width, labels: labels, s2: s2)
            let expanded = Reference.kde(h, width: width, labels: labels, s2: s2)
            let direct = Reference.kde(h, width: width, labels: labels, s2: s2, expands: false)
            Reference.assertClose(expanded, reference)
            Reference.assertClose(direct, reference)
            XCTAssertNotEqual(expanded, direct, "width \(width): no node pair was expanded")
        }
    }

    /// A tight cluster (one class) next to rows spread over the whole range (the other): the
    /// tight node must not be expanded against the wide one, whose factors would overflow.
    func testTightClusterBesideSpreadRowsStaysFinite() {
        var random = Reference.Stream(state: 41)
        for width in [1, 2, 3] {
            var h: [Float] = [], labels: [Int] = []
            for r in 0..<1600 {
                let tight = r % 2 == 0
                for _ in 0..<width { h.append(tight ? Float(0.99 + 1e-6 * random.next()) : Float(2 * random.next() - 1)) }
                labels.append(tight ? 1 : 0)
            }
            let bounds = Reference.kde(h, width: width, labels: labels, s2: 1e-3)
            XCTAssertTrue([bounds.ixtUpper, bounds.ixtLower, bounds.ityUpper, bounds.ityLower].allSatisfy(\.isFinite), "width \(width): \(bounds)")
            Reference.assertClose(bounds, Reference.referenceKDE(h, width: width, labels: labels, s2: 1e-3))
        }
    }

    /// Two-unit softmax outputs: rows on the line p + q = 1 (up to rounding), spread and clustered.
    func testSoftmaxLineMatchesAllPairs() {
        var random = Reference.Stream(state: 31)
        for concentration in [1.0, 8.0, 40.0] {
            var h: [Float] = [], labels: [Int] = []
            for _ in 0..<1500 {
                let label = random.next() < 0.5 ? 0 : 1
                let z = concentration * (Double(2 * label - 1) + 0.7 * (random.next() - 0.5))
                let p = Float(1 / (1 + exp(-z)))
                h += [p, 1 - p]
                labels.append(random.next() < 0.9 ? label : 1 - label)
            }
            Reference.assertClose(Reference.kde(h, width: 2, labels: labels, s2: 1e-3),
                                  Reference.referenceKDE(h, width: 2, labels: labels, s2: 1e-3))
        }
    }

    /// Spread rows (no tight nodes): the same bound; widths up to 10 compute leaf blocks whole,
    /// wider ones test pairs first.
    func testSpreadRowsMatchAllPairs() {
        var random = Reference.Stream(state: 37)
        for width in [2, 3, 4, 7, 12] {
            let n = 900
            let h = (0..<(n * width)).map { _ in Float(tanh(2 * (random.next() + random.next() - 1))) }
            let labels = (0..<n).map { _ in random.next() < 0.5 ? 1 : 0 }
            Reference.assertClose(Reference.kde(h, width: width, labels: labels, s2: 1e-3),
                                  Reference.referenceKDE(h, width: width, labels: labels, s2: 1e-3))
        }
    }
}
