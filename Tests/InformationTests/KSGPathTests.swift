@testable import Information
import Learning
import NumericCore
import XCTest

/// Every neighbour search of the KSG estimator (sorted strips for 1-D pairs, the k-d tree, the
/// Float32 scan with its Double checks, its tiled form, the Double scan) must give exactly the
/// counts of the plain definition, computed here pair by pair, on data chosen to be awkward for it.
final class KSGPathTests: XCTestCase {
    /// n_x and n_y by the definition: ε_i is the k-th smallest joint max-norm distance to the
    /// other samples, and n counts the other samples strictly closer than ε_i in the marginal.
    func definitionCounts(_ x: Matrix, _ y: Matrix, k: Int) -> (x: [Int32], y: [Int32]) {
        let n = x.rows
        func distance(_ m: Matrix, _ i: Int, _ j: Int) -> Double {
            (0..<m.columns).map { abs(m[j, $0] - m[i, $0]) }.max() ?? 0
        }
        var nx = [Int32](), ny = [Int32]()
        for i in 0..<n {
            let others = (0..<n).filter { $0 != i }
            let dx = others.map { distance(x, i, $0) }, dy = others.map { distance(y, i, $0) }
            let epsilon = zip(dx, dy).map { max($0, $1) }.sorted()[k - 1]
            nx.append(Int32(dx.filter { $0 < epsilon }.count))
            ny.append(Int32(dy.filter { $0 < epsilon }.count))
        }
        return (nx, ny)
    }

    /// Checks every search that applies to the shapes, and the estimate against the reference.
    func assertAllPathsExact(_ x: Matrix, _ y: Matrix, k: Int, _ label: String,
                             requireFloat32: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let truth = definitionCounts(x, y, k: k)
        let estimator = KSGEstimator(k: k)
        func check(_ counts: (x: [Int32], y: [Int32]), _ path: String) {
            XCTAssertEqual(counts.x, truth.x, "\(label), k \(k): \(path) n_x", file: file, line: line)
            XCTAssertEqual(counts.y, truth.y, "\(label), k \(k): \(path) n_y", file: file, line: line)
        }
        if x.columns == 1 && y.columns == 1 {
            let scan = try XCTUnwrap(SortedPairScan(x: x.values, y: y.values), file: file, line: line)
            check(scan.counts(k: k), "sorted strips")
        }
        check(estimator.treeCounts(x, y), "tree")
        check(estimator.bruteForceCounts(x, y), "Double scan")
        let float32 = Float32PairScan.counts(x, y, k: k)
        if requireFloat32 { XCTAssertNotNil(float32, "\(label): Float32 scan refused", file: file, line: line) }
        if let float32 { check(float32, "Float32 scan") }
        let tiled = TiledPairScan.counts(x, y, k: k)
        XCTAssertEqual(tiled == nil, float32 == nil, "\(label): tiled and plain Float32 scans refuse alike", file: file, line: line)
        if let tiled { check(tiled, "tiled Float32 scan") }
        XCTAssertEqual(try estimator.mutualInformation(x, y), try estimator.exhaustiveMutualInformation(x, y),
                       "\(label), k \(k): estimate", file: file, line: line)
    }

    func gaussian(_ n: Int, _ dx: Int, _ dy: Int, seed: UInt64) -> (Matrix, Matrix) {
        GaussianPairs(mutualInformation: 1, xDimension: dx, yDimension: dy).sample(count: n, seed: seed)
    }

    /// Sample counts around the block sizes (4 rows, 16 and 64 samples, strips of 32), down to k + 1.
    func testSampleCountsAroundBlockSizes() throws {
        for n in [2, 4, 5, 11, 16, 17, 31, 32, 33, 63, 64, 65, 97, 130] {
            for (dx, dy) in [(1, 1), (3, 4), (7, 2)] {
                let (x, y) = gaussian(n, dx, dy, seed: UInt64(n))
                for k in [1, 3, 10] where k < n { try assertAllPathsExact(x, y, k: k, "n \(n), d \(dx)×\(dy)") }
            }
        }
    }

    func testEveryKUpToTen() throws {
        for (dx, dy) in [(1, 1), (1, 2), (2, 2), (5, 5), (25, 25), (1, 30)] {
            let (x, y) = gaussian(150, dx, dy, seed: 3)
            for k in 1...10 { try assertAllPathsExact(x, y, k: k, "d \(dx)×\(dy)") }
        }
    }

    /// Few distinct values: ties everywhere, ε = 0 for repeated samples.
    func testTiesAndDuplicates() throws {
        var random = RandomStream(seed: 8, stream: "ksg-ties")
        for (dx, dy) in [(1, 1), (2, 3), (6, 6), (20, 1)] {
            let n = 120
            let x = Matrix(rows: n, columns: dx, values: (0..<(n * dx)).map { _ in Double(Int(random.uniform() * 3)) * 0.5 })
            let y = Matrix(rows: n, columns: dy, values: (0..<(n * dy)).map { v in
                random.uniform() < 0.6 ? x.values[(v / dy) * dx] : Double(Int(random.uniform() * 2)) })
            for k in [1, 3, 7] { try assertAllPathsExact(x, y, k: k, "ties d \(dx)×\(dy)") }
        }
        // Every sample the same: all distances 0.
        let same = Matrix(rows: 20, columns: 6, values: [Double](repeating: 2.5, count: 120))
        try assertAllPathsExact(same, same, k: 3, "identical samples", requireFloat32: false)
    }

    /// Distances equal in Float32 but not in Double: values far from zero with tiny spread,
    /// and neighbours apart by a few units in the last place, so the Double checks decide.
    func testDistancesFinerThanFloat32() throws {
        var random = RandomStream(seed: 21, stream: "ksg-fine")
        for (dx, dy) in [(1, 1), (5, 5), (12, 3)] {
            let n = 90
            let base = (0..<(n * (dx + dy))).map { _ in Double(Int(random.uniform() * 5)) }
            let jitter = { (v: Double) in 1e6 + v + Double(Int(random.uniform() * 4)) * 1e-10 }
            let x = Matrix(rows: n, columns: dx, values: (0..<(n * dx)).map { jitter(base[$0]) })
            let y = Matrix(rows: n, columns: dy, values: (0..<(n * dy)).map { jitter(base[n * dx + $0]) })
            for k in [1, 3, 6] { try assertAllPathsExact(x, y, k: k, "fine d \(dx)×\(dy)") }
            // Rows 1–9 at 0.5 plus r units in the last place from row 0 in every coordinate.
            var values = (0..<(n * dx)).map { _ in random.normal() }
            for r in 1..<10 {
                for c in 0..<dx {
                    var v = values[c] + 0.5
                    for _ in 0..<r { v = v.nextUp }
                    values[r * dx + c] = v
                }
            }
            let near = Matrix(rows: n, columns: dx, values: values)
            try assertAllPathsExact(near, y, k: 3, "ulp neighbours d \(dx)×\(dy)")
        }
    }

    /// Columns of very different scales; magnitudes beyond the Float32 bound's range fall back
    /// to the Double scan (and must still be exact).
    func testScalesAndFallback() throws {
        let (x, y) = gaussian(100, 6, 6, seed: 5)
        let mixed = Matrix(rows: 100, columns: 6, values: x.values.enumerated().map { i, v in v * [1e-6, 1, 1e5, 3, 1e-3, 7][i % 6] })
        try assertAllPathsExact(mixed, y, k: 3, "mixed scales")
        let huge = Matrix(rows: 100, columns: 6, values: x.values.map { $0 * 0x1p70 })
        XCTAssertNil(Float32PairScan.counts(huge, y, k: 3))
        try assertAllPathsExact(huge, y, k: 3, "huge", requireFloat32: false)
        let tiny = Matrix(rows: 100, columns: 6, values: x.values.map { $0 * 0x1p-70 })
        let tinyY = Matrix(rows: 100, columns: 6, values: y.values.map { $0 * 0x1p-70 })
        XCTAssertNil(Float32PairScan.counts(tiny, tinyY, k: 3))
        try assertAllPathsExact(tiny, tinyY, k: 3, "tiny", requireFloat32: false)
    }

    /// The benchmark's shapes at a size the definition can still be computed for.
    func testBenchmarkShapes() throws {
        for d in [1, 5, 25, 50] {
            let (x, y) = gaussian(300, d, d, seed: 7)
            try assertAllPathsExact(x, y, k: 3, "d \(d)")
        }
    }

    /// Enough samples for many strips and tiles, so that the tiled scan skips most of them and
    /// its waves matter; against the Double scan (the definition is too slow at this size).
    /// Gaussian pairs, and values on a coarse grid (ties and duplicates everywhere), both ways
    /// round (the joint search runs in the order of the side with fewer columns).
    func testTiledScanOnManySamples() throws {
        var random = RandomStream(seed: 31, stream: "ksg-tiled")
        for (dx, dy) in [(5, 5), (7, 2), (1, 9)] {
            let (x, y) = gaussian(1000, dx, dy, seed: UInt64(dx * 10 + dy))
            let coarse = Matrix(rows: 1000, columns: dx, values: x.values.map { ($0 * 2).rounded() / 2 })
            let clustered = Matrix(rows: 1000, columns: dy, values: (0..<(1000 * dy)).map { v in
                random.uniform() < 0.3 ? coarse.values[(v / dy) * dx] : Double(Int(random.uniform() * 4)) })
            for (a, b, label) in [(x, y, "gaussian"), (coarse, clustered, "coarse")] {
                for k in [1, 6] {
                    let reference = KSGEstimator(k: k).bruteForceCounts(a, b)
                    let tiled = try XCTUnwrap(TiledPairScan.counts(a, b, k: k))
                    XCTAssertEqual(tiled.x, reference.x, "\(label) d \(dx)×\(dy), k \(k): n_x")
                    XCTAssertEqual(tiled.y, reference.y, "\(label) d \(dx)×\(dy), k \(k): n_y")
                }
            }
        }
    }

    /// Non-finite values: the fast paths refuse them rather than mis-sort or mis-bound them.
    func testNonFiniteValuesAreRefused() {
        let x = Matrix(rows: 5, columns: 1, values: [0, 1, .nan, 3, 4])
        let y = Matrix(rows: 5, columns: 1, values: [0, 1, 2, 3, 4])
        XCTAssertNil(SortedPairScan(x: x.values, y: y.values))
        XCTAssertNil(Float32PairScan.counts(x, y, k: 2))
        XCTAssertNil(TiledPairScan.counts(x, y, k: 2))
        let z = Matrix(rows: 5, columns: 1, values: [0, 1, .infinity, 3, 4])
        XCTAssertNil(SortedPairScan(x: y.values, y: z.values))
        XCTAssertNil(Float32PairScan.counts(y, z, k: 2))
        XCTAssertNil(TiledPairScan.counts(y, z, k: 2))
    }
}
