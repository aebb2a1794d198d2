import Dispatch
import NumericCore

/// The Kraskov–Stögbauer–Grassberger estimator of I(X;Y) (Kraskov et al. 2004, estimator 1),
/// with the max-norm in every space:
///
///     I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩
///
/// where ε_i is the distance from sample i to its k-th neighbour in the joint space and n_x
/// (n_y) counts the other samples strictly closer than ε_i in X (Y).
///
/// Neighbours are searched exactly, by the means that suit the dimension: sorted strips for
/// 1-D X and Y (`SortedPairScan`); up to 16 joint dimensions the Float32 pair scan over the
/// tiles of samples within reach (`TiledPairScan`), above that over all pairs
/// (`Float32PairScan`), both with exact Double checks. When values are not finite or their
/// magnitudes leave Float32's range, a max-norm k-d tree up to 4 joint dimensions (with sorted
/// binary-search counts for 1-D marginals) and blocked Double brute force above. Every search gives the same ε_i, n_x and n_y as
/// comparing all pairs, and the per-row terms are summed in one fixed order, so the result
/// does not depend on the search or the number of threads (`exhaustiveMutualInformation` is
/// the reference).
public struct KSGEstimator: Sendable {
    public var k: Int

    public init(k: Int = 3) {
        precondition(k >= 1)
        self.k = k
    }

    public struct TooFewSamples: Error, CustomStringConvertible {
        public var samples: Int
        public var k: Int
        public var description: String { "KSG with k = \(k) needs more than \(k) samples, got \(samples)" }
    }

    /// Joint dimensions up to which the Float32 scan visits only the tiles within reach
    /// (`TiledPairScan`): on 5000 Gaussian samples 1.4–3× faster than the k-d tree at 3 and 4
    /// joint dimensions and than the plain scan from 5 to 14, about even with it at 16 (8 × 8);
    /// beyond, nearly every tile is within reach.
    static let tiledDimensionLimit = 16
    /// Joint dimensions up to which the k-d tree serves when the Float32 bound cannot be used
    /// (non-finite values or magnitudes out of range), as it did before the tiled scan.
    static let treeDimensionLimit = 4

    /// I(X;Y) in nats. Rows are samples.
    public func mutualInformation(_ x: Matrix, _ y: Matrix) throws -> Double {
        precondition(x.rows == y.rows, "X and Y must have the same number of samples")
        let n = x.rows
        guard n > k else { throw TooFewSamples(samples: n, k: k) }
        let counts: (x: [Int32], y: [Int32])
        if x.columns == 1 && y.columns == 1, let scan = SortedPairScan(x: x.values, y: y.values) {
            counts = scan.counts(k: k)
        } else if x.columns + y.columns <= Self.tiledDimensionLimit, let tiled = TiledPairScan.counts(x, y, k: k) {
            counts = tiled
        } else if x.columns + y.columns <= Self.treeDimensionLimit {
            counts = treeCounts(x, y)
        } else {
            counts = Float32PairScan.counts(x, y, k: k) ?? bruteForceCounts(x, y)
        }
        return combine(counts.x, counts.y)
    }

    /// ψ(k) + ψ(N) − mean of ψ(n_x + 1) + ψ(n_y + 1), summed in 64 strided chunks, in order.
    func combine(_ nx: [Int32], _ ny: [Int32]) -> Double {
        let n = nx.count
        // ψ at the counts that occur, each evaluated once.
        var table = [Double](repeating: .nan, count: n + 1)
        let chunks = min(n, 64)
        var partial = [Double](repeating: 0, count: chunks)
        table.withUnsafeMutableBufferPointer { table in
            nx.withUnsafeBufferPointer { nx in
                ny.withUnsafeBufferPointer { ny in
                    for counts in [nx, ny] {
                        for c in counts where table[Int(c) + 1].isNaN { table[Int(c) + 1] = SpecialFunctions.digamma(Double(c) + 1) }
                    }
                    for chunk in 0..<chunks {
                        var sum = 0.0
                        var i = chunk
                        while i < n { sum += table[Int(nx[i]) + 1] + table[Int(ny[i]) + 1]; i += chunks }
                        partial[chunk] = sum
                    }
                }
            }
        }
        let mean = partial.reduce(0, +) / Double(n)
        return SpecialFunctions.digamma(Double(k)) + SpecialFunctions.digamma(Double(n)) - mean
    }

    /// Rows split into blocks for the cores; each row's result lands in its own slot.
    static func forEachRowBlock(_ n: Int, blocks: Int = 32, _ body: @Sendable (Range<Int>) -> Void) {
        let blocks = min(n, blocks)
        DispatchQueue.concurrentPerform(iterations: blocks) { b in body((b * n / blocks)..<((b + 1) * n / blocks)) }
    }

    /// ε_i from a k-d tree over the joint space; counts by binary search (1-D) or trees.
    func treeCounts(_ x: Matrix, _ y: Matrix) -> (x: [Int32], y: [Int32]) {
        let n = x.rows, k = self.k
        let joint = Matrix.concatenatingColumns(x, y)
        let d = joint.columns
        let jointTree = joint.values.withUnsafeBufferPointer { MaxNormTree($0, count: n, dims: d) }
        let indexX = MarginalIndex(x), indexY = MarginalIndex(y)
        var nx = [Int32](repeating: 0, count: n), ny = nx
        nx.withUnsafeMutableBufferPointer { nxOut in
            ny.withUnsafeMutableBufferPointer { nyOut in
                let out = UnsafeSendable((nxOut, nyOut))
                Self.forEachRowBlock(n) { rows in
                    let best = UnsafeMutablePointer<Double>.allocate(capacity: k + 1)
                    defer { best.deallocate() }
                    joint.values.withUnsafeBufferPointer { jv in
                        x.values.withUnsafeBufferPointer { xv in
                            y.values.withUnsafeBufferPointer { yv in
                                for i in rows {
                                    // The point itself is its own nearest (at 0): ask for k + 1.
                                    let epsilon = jointTree.kthDistance(to: jv.baseAddress! + i * d, k: k + 1, best: best)
                                    // The sample itself is at 0 < ε and not counted; with ε = 0 nothing was.
                                    let cx = indexX.count(within: epsilon, of: xv.baseAddress! + i * x.columns)
                                    let cy = indexY.count(within: epsilon, of: yv.baseAddress! + i * y.columns)
                                    out.value.0[i] = Int32(max(cx - 1, 0))
                                    out.value.1[i] = Int32(max(cy - 1, 0))
                                }
                            }
                        }
                    }
                }
            }
        }
        return (nx, ny)
    }

    /// The Double fallback of `Float32PairScan`.
    /// Distances from blocks of four rows to all samples at once, so each loaded coordinate
    /// serves four rows (plain loops over samples, which the compiler vectorises); then ε_i
    /// and the counts per row.
    func bruteForceCounts(_ x: Matrix, _ y: Matrix) -> (x: [Int32], y: [Int32]) {
        let n = x.rows, k = self.k
        let xt = Self.featureMajor(x), yt = Self.featureMajor(y)
        let (dx, dy) = (x.columns, y.columns)
        let groups = (n + 3) / 4
        var nx = [Int32](repeating: 0, count: n), ny = nx
        nx.withUnsafeMutableBufferPointer { nxOut in
            ny.withUnsafeMutableBufferPointer { nyOut in
                let out = UnsafeSendable((nxOut, nyOut))
                Self.forEachRowBlock(groups) { rowGroups in
                    let ex = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
                    let ey = UnsafeMutablePointer<Double>.allocate(capacity: 4 * n)
                    let best = UnsafeMutablePointer<Double>.allocate(capacity: k)
                    defer { ex.deallocate(); ey.deallocate(); best.deallocate() }
                    xt.withUnsafeBufferPointer { xs in
                        yt.withUnsafeBufferPointer { ys in
                            for g in rowGroups {
                                let rows = (0..<4).map { min(g * 4 + $0, n - 1) }
                                Self.distances(xs.baseAddress!, dims: dx, count: n, from: rows, into: ex)
                                Self.distances(ys.baseAddress!, dims: dy, count: n, from: rows, into: ey)
                                for lane in 0..<4 where g * 4 + lane < n {
                                    let i = g * 4 + lane
                                    let rx = ex + lane * n, ry = ey + lane * n
                                    let epsilon = Self.kthJointDistance(rx, ry, n, excluding: i, k: k, best: best)
                                    let (cx, cy) = Self.countBelow(epsilon, rx, ry, n)
                                    out.value.0[i] = Int32(max(cx - 1, 0))
                                    out.value.1[i] = Int32(max(cy - 1, 0))
                                }
                            }
                        }
                    }
                }
            }
        }
        return (nx, ny)
    }

    /// Max-norm distances from four rows to every sample, from feature-major values: row
    /// `lane`'s distances go to `out[lane * n ..< (lane + 1) * n]`.
    static func distances(_ v: UnsafePointer<Double>, dims: Int, count n: Int, from rows: [Int],
                          into out: UnsafeMutablePointer<Double>) {
        let o0 = out, o1 = out + n, o2 = out + 2 * n, o3 = out + 3 * n
        for j in 0..<(4 * n) { out[j] = 0 }
        for c in 0..<dims {
            let column = v + c * n
            let q0 = column[rows[0]], q1 = column[rows[1]], q2 = column[rows[2]], q3 = column[rows[3]]
            for j in 0..<n {
                let t = column[j]
                // `a > o ? a : o` is one SSE max instruction; Swift's max() is not.
                let a0 = abs(t - q0), a1 = abs(t - q1), a2 = abs(t - q2), a3 = abs(t - q3)
                let p0 = o0[j], p1 = o1[j], p2 = o2[j], p3 = o3[j]
                o0[j] = a0 > p0 ? a0 : p0
                o1[j] = a1 > p1 ? a1 : p1
                o2[j] = a2 > p2 ? a2 : p2
                o3[j] = a3 > p3 ? a3 : p3
            }
        }
    }

    /// The k-th smallest of max(a[j], b[j]) over j ≠ i: the same value as setting entry i to
    /// infinity and selecting, but four entries are tested against the current k-th best at
    /// once, and most blocks are skipped whole.
    @inline(__always)
    static func kthJointDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int, excluding i: Int,
                                 k: Int, best: UnsafeMutablePointer<Double>) -> Double {
        for s in 0..<k { best[s] = .infinity }
        func insert(_ v: Double) {
            guard v < best[k - 1] else { return }
            var p = k - 1
            while p > 0 && best[p - 1] > v { best[p] = best[p - 1]; p -= 1 }
            best[p] = v
        }
        var j = 0
        while j + 4 <= n {
            let va = SIMD4<Double>(a[j], a[j + 1], a[j + 2], a[j + 3]), vb = SIMD4<Double>(b[j], b[j + 1], b[j + 2], b[j + 3])
            let joint = va.replacing(with: vb, where: vb .> va)
            if any(joint .< SIMD4(repeating: best[k - 1])) {
                for lane in 0..<4 where j + lane != i { insert(joint[lane]) }
            }
            j += 4
        }
        while j < n {
            if j != i { insert(max(a[j], b[j])) }
            j += 1
        }
        return best[k - 1]
    }

    /// How many of `a[0..<n]` and of `b[0..<n]` are below `limit`, four lanes at a time
    /// (counts kept in Double lanes, exact far beyond any sample count).
    @inline(__always)
    static func countBelow(_ limit: Double, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> (Int, Int) {
        var ca = SIMD4<Double>.zero, cb = SIMD4<Double>.zero
        let bound = SIMD4<Double>(repeating: limit), one = SIMD4<Double>(repeating: 1)
        var j = 0
        while j + 4 <= n {
            let va = SIMD4<Double>(a[j], a[j + 1], a[j + 2], a[j + 3]), vb = SIMD4<Double>(b[j], b[j + 1], b[j + 2], b[j + 3])
            ca += SIMD4<Double>.zero.replacing(with: one, where: va .< bound)
            cb += SIMD4<Double>.zero.replacing(with: one, where: vb .< bound)
            j += 4
        }
        var x = Int(ca.sum()), y = Int(cb.sum())
        while j < n {
            x += a[j] < limit ? 1 : 0
            y += b[j] < limit ? 1 : 0
            j += 1
        }
        return (x, y)
    }

    /// Counts within a radius in one marginal space: binary search in 1-D, else a tree.
    enum MarginalIndex {
        case line(SortedLine)
        case tree(MaxNormTree)

        init(_ m: Matrix) {
            self = m.values.withUnsafeBufferPointer { v in
                m.columns == 1 ? .line(SortedLine(v)) : .tree(MaxNormTree(v, count: m.rows, dims: m.columns))
            }
        }

        func count(within radius: Double, of query: UnsafePointer<Double>) -> Int {
            switch self {
            case .line(let line): line.count(within: radius, of: query.pointee)
            case .tree(let tree): tree.count(within: radius, of: query)
            }
        }
    }

    /// The same estimate by comparing every pair directly (O(N²·d)): the reference the fast
    /// searches are tested against.
    public func exhaustiveMutualInformation(_ x: Matrix, _ y: Matrix) throws -> Double {
        precondition(x.rows == y.rows, "X and Y must have the same number of samples")
        let n = x.rows
        guard n > k else { throw TooFewSamples(samples: n, k: k) }
        let k = self.k
        // Feature-major copies, so the distance loops run over samples and vectorise.
        let xt = Self.featureMajor(x), yt = Self.featureMajor(y)
        let (dx, dy) = (x.columns, y.columns)
        let chunks = min(n, 64)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { sums in
            let sumsPointer = UnsafeSendable(sums)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var distanceX = [Double](repeating: 0, count: n)
                var distanceY = [Double](repeating: 0, count: n)
                var joint = [Double](repeating: 0, count: n)
                var sum = 0.0
                xt.withUnsafeBufferPointer { xs in
                    yt.withUnsafeBufferPointer { ys in
                        distanceX.withUnsafeMutableBufferPointer { ex in
                            distanceY.withUnsafeMutableBufferPointer { ey in
                                joint.withUnsafeMutableBufferPointer { ej in
                                    for i in stride(from: chunk, to: n, by: chunks) {
                                        Self.maxNormDistances(xs, dims: dx, count: n, from: i, into: ex)
                                        Self.maxNormDistances(ys, dims: dy, count: n, from: i, into: ey)
                                        for j in 0..<n { ej[j] = max(ex[j], ey[j]) }
                                        ej[i] = .infinity
                                        let epsilon = Self.kthSmallest(ej, k)
                                        // The sample itself is at distance 0 < ε in both spaces: not counted.
                                        var nx = -1, ny = -1
                                        for j in 0..<n {
                                            nx &+= ex[j] < epsilon ? 1 : 0
                                            ny &+= ey[j] < epsilon ? 1 : 0
                                        }
                                        // With ε = 0 (repeated samples) the sample itself was not counted either.
                                        nx = max(nx, 0)
                                        ny = max(ny, 0)
                                        sum += SpecialFunctions.digamma(Double(nx + 1)) + SpecialFunctions.digamma(Double(ny + 1))
                                    }
                                }
                            }
                        }
                    }
                }
                sumsPointer.value[chunk] = sum
            }
        }
        // Summing the chunks in a fixed order keeps the result independent of thread timing.
        let mean = partial.reduce(0, +) / Double(n)
        return SpecialFunctions.digamma(Double(k)) + SpecialFunctions.digamma(Double(n)) - mean
    }

    static func featureMajor(_ m: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: m.values.count)
        for r in 0..<m.rows { for c in 0..<m.columns { out[c * m.rows + r] = m.values[r * m.columns + c] } }
        return out
    }

    /// max over coordinates of |v_j − v_i|, for every sample j, from feature-major values.
    static func maxNormDistances(_ v: UnsafeBufferPointer<Double>, dims: Int, count n: Int, from i: Int,
                                 into out: UnsafeMutableBufferPointer<Double>) {
        for j in 0..<n { out[j] = 0 }
        for c in 0..<dims {
            let column = v.baseAddress! + c * n
            let center = column[i]
            for j in 0..<n { out[j] = max(out[j], abs(column[j] - center)) }
        }
    }

    /// The k-th smallest value (1-based) by partial selection.
    static func kthSmallest(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var best = [Double](repeating: .infinity, count: k)  // sorted ascending
        for v in values where v < best[k - 1] {
            var p = k - 1
            while p > 0 && best[p - 1] > v { best[p] = best[p - 1]; p -= 1 }
            best[p] = v
        }
        return best[k - 1]
    }
}

/// Lets worker closures write to disjoint slots of one buffer.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
