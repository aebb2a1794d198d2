import Foundation
@testable import Information
import XCTest

/// KDE bounds along a chain of epochs (principal directions and k-d trees carried from epoch
/// to epoch, boxes refitted) against the same bounds computed afresh and against all pairs.
final class KDEChainTests: XCTestCase {
    typealias Fast = LayerEstimatorFastPathTests

    /// Rows that drift from epoch to epoch, except that in epoch `collapsed` they fall onto a
    /// coarse grid (many rows equal in value and class).
    func epochs(width: Int, rows n: Int, count: Int, collapsed: Int, random: inout Fast.Stream) -> [[Float]] {
        let start = (0..<(n * width)).map { _ in random.next() * 2 - 1 }
        let drift = (0..<(n * width)).map { _ in random.next() - 0.5 }
        return (0..<count).map { e in
            (0..<(n * width)).map { i in
                let v = Float(tanh(1.5 * (start[i] + 0.06 * Double(e) * drift[i])))
                return e == collapsed ? (v * 2).rounded() / 2 : v
            }
        }
    }

    func testChainedBoundsMatchFreshOnesAndAllPairs() {
        var random = Fast.Stream(state: 41)
        for (width, s2) in [(2, 1e-3), (3, 1e-3), (4, 2e-3), (7, 1e-3), (10, 0.02)] {
            let n = 700
            let labels = (0..<n).map { _ in random.next() < 0.45 ? 1 : 0 }
            // Epoch 3 has rows alike in mid-chain: they are summed as separate units.
            let layers = epochs(width: width, rows: n, count: 9, collapsed: 3, random: &random)
            var chain = KDEEstimator.Chain()
            for (e, h) in layers.enumerated() {
                let chained = h.withUnsafeBufferPointer {
                    KDEEstimator(noiseVariance: s2).bounds($0, rows: n, width: width, labels: labels, chain: &chain)
                }
                let fresh = Fast.kde(h, width: width, labels: labels, s2: s2)
                // Both within 1e-6 nats of all pairs; between them, the terms go to other Float
                // block sums (about 1e-9 nats apart here).
                Fast.assertClose(chained, fresh, 1e-7)
                Fast.assertClose(chained, Fast.referenceKDE(h, width: width, labels: labels, s2: s2))
                XCTAssertNotEqual(e % 4 == 0, chain.age > 0, "epoch \(e)")
            }
        }
    }

    func testChainCarriesTreesOnlyWhileTheUnitsAreTheRows() {
        var random = Fast.Stream(state: 43)
        let n = 300, width = 3
        let labels = (0..<n).map { $0 % 3 }
        let layers = epochs(width: width, rows: n, count: 6, collapsed: 4, random: &random)
        var chain = KDEEstimator.Chain()
        var carried: [Bool] = [], basisAge: [Int] = []
        for h in layers {
            _ = h.withUnsafeBufferPointer { KDEEstimator(noiseVariance: 1e-3).bounds($0, rows: n, width: width, labels: labels, chain: &chain) }
            carried.append(chain.tree != nil)
            basisAge.append(chain.age)
        }
        // Epoch 4 starts a chain (the basis and trees are kept for `reuses` epochs) with rows
        // alike: its units are not the rows, so it keeps no trees, and epoch 5 builds its own.
        XCTAssertEqual(carried, [true, true, true, true, false, true])
        XCTAssertEqual(basisAge, [0, 1, 2, 3, 0, 1])
        // Other labels, rows or widths start the chain again.
        _ = layers[5].withUnsafeBufferPointer {
            KDEEstimator(noiseVariance: 1e-3).bounds($0, rows: n, width: width, labels: labels.map { 1 - $0 % 2 }, chain: &chain)
        }
        XCTAssertEqual(chain.age, 0)
    }

    func testRefitGivesTheBoxesOfAFreshBuildWithTheSameLeaves() {
        var random = Fast.Stream(state: 47)
        let m = 500, width = 4
        let before = (0..<(m * width)).map { _ in Float(random.next()) }
        let after = before.map { $0 + Float(random.next() - 0.5) * 0.2 }
        var tree = KDEEstimator.Tree(width: width)
        let root = tree.build(before, units: Array(0..<m), leafSize: 8)
        tree.refit(after)
        // Every node's box is the exact bounds of its units' new points.
        func units(_ node: Int) -> [Int] {
            tree.leaf[node] >= 0 ? Array(tree.leafUnits[tree.leaf[node]]) : units(tree.left[node]) + units(tree.right[node])
        }
        for node in tree.low.indices {
            let points = units(node)
            for c in 0..<width {
                XCTAssertEqual(tree.low[node][c], points.map { after[$0 * width + c] }.min()!)
                XCTAssertEqual(tree.high[node][c], points.map { after[$0 * width + c] }.max()!)
            }
        }
        XCTAssertEqual(units(root).sorted(), Array(0..<m))
    }
}
