import Dispatch
import NumericCore

/// KSG neighbour counts by comparing every pair, with the distances computed in Float32 (eight
/// lanes per AVX2 instruction) and every decision those cannot settle checked in Double.
///
/// The result is exactly that of the all-pairs Double computation. Why: each coordinate is
/// centred in Double (a' = a − m_c), rounded to Float32, and subtracted in Float32. With
/// M = max |a'| over all coordinates of X and Y, every Float32 coordinate distance is within
/// 2⁻²²·M (two conversions and one subtraction at 2⁻²⁴ relative error each, plus the Double
/// rounding of a − b itself) of the Double one, and a max-norm moves no more than its
/// coordinates, so every Float32 distance is within E = 2⁻²⁰·M (4× slack) of the exact one.
/// Order statistics move no more than their elements either, so the exact ε_i lies within E of
/// t_i, the same order statistic of the Float32 joint distances. Hence:
///  - only samples with Float32 joint distance ≤ t_i + 2E can be among the k + 1 nearest (the
///    sample itself is one, at 0): their exact distances give ε_i;
///  - a marginal distance below t_i − 2E is below ε_i, one above t_i + 2E is not: only the
///    ones in between (a band of a few millionths of the distance) are recomputed in Double.
/// Data whose magnitudes leave Float32's normal range (or are not finite) are refused (nil).
enum Float32PairScan {
    /// Rows per pass over the data, and samples per tile (two SIMD8 vectors): 4 × 2 vector
    /// accumulators, two loaded vectors, a broadcast and the sign mask fill 13 of AVX2's 16
    /// registers.
    static let rowsPerPass = 4
    static let tile = 16
    /// Samples per block of the scans over one row's distances (the row length, `stride`, is a
    /// multiple of it).
    static let block = 64

    /// Centred Float32 copies, one column after another, each padded to `stride` with a value
    /// far beyond every threshold (so padding is never near anything).
    struct Columns {
        var values: [Float]
        /// max |a − m_c| over all entries (as computed in Double).
        var magnitude: Double

        init?(_ m: Matrix, stride: Int) {
            let (n, d) = (m.rows, m.columns)
            values = [Float](repeating: 0x1p100, count: d * stride)
            magnitude = 0
            for c in 0..<d {
                var lo = Double.infinity, hi = -Double.infinity
                for r in 0..<n {
                    let v = m.values[r * d + c]
                    guard v.isFinite else { return nil }
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                }
                let middle = lo * 0.5 + hi * 0.5
                for r in 0..<n {
                    let centred = m.values[r * d + c] - middle
                    magnitude = Swift.max(magnitude, abs(centred))
                    values[c * stride + r] = Float(centred)
                }
            }
            guard magnitude <= 0x1p60 else { return nil }
        }
    }

    /// n_x and n_y per row (self excluded), or nil when the Float32 bound cannot be used.
    static func counts(_ x: Matrix, _ y: Matrix, k: Int) -> (x: [Int32], y: [Int32])? {
        let n = x.rows, (dx, dy) = (x.columns, y.columns)
        let stride = (n + block - 1) / block * block
        guard let cx = Columns(x, stride: stride), let cy = Columns(y, stride: stride) else { return nil }
        let magnitude = Swift.max(cx.magnitude, cy.magnitude)
        // Tiny magnitudes would put Float32 values among the subnormals, whose error is not relative.
        guard magnitude >= 0x1p-60 else { return nil }
        let bound = 0x1p-20 * magnitude
        let passes = (n + rowsPerPass - 1) / rowsPerPass
        var nx = [Int32](repeating: 0, count: n), ny = nx
        nx.withUnsafeMutableBufferPointer { nxOut in
            ny.withUnsafeMutableBufferPointer { nyOut in
                let out = UnsafeSendable((nxOut, nyOut))
                KSGEstimator.forEachRowBlock(passes) { passRange in
                    var scratch = Scratch(stride: stride, dx: dx, dy: dy, n: n, k: k)
                    defer { scratch.deallocate() }
                    cx.values.withUnsafeBufferPointer { xs in
                        cy.values.withUnsafeBufferPointer { ys in
                            x.values.withUnsafeBufferPointer { xd in
                                y.values.withUnsafeBufferPointer { yd in
                                    let exact = ExactRows(x: xd.baseAddress!, dx: dx, y: yd.baseAddress!, dy: dy)
                                    for pass in passRange {
                                        let first = pass * rowsPerPass
                                        // A short last pass repeats the last row; its extra results are dropped.
                                        let rows = (0..<rowsPerPass).map { Swift.min(first + $0, n - 1) }
                                        gather(xs.baseAddress!, dims: dx, stride: stride, rows: rows, into: scratch.qx)
                                        gather(ys.baseAddress!, dims: dy, stride: stride, rows: rows, into: scratch.qy)
                                        distances(xs.baseAddress!, dims: dx, stride: stride, queries: scratch.qx, into: scratch.ex)
                                        distances(ys.baseAddress!, dims: dy, stride: stride, queries: scratch.qy, into: scratch.ey)
                                        for lane in 0..<rowsPerPass where first + lane < n {
                                            let i = first + lane
                                            let (cxi, cyi) = resolve(row: i, ex: scratch.ex + lane * stride, ey: scratch.ey + lane * stride,
                                                                     stride: stride, k: k, bound: bound, exact: exact, scratch: &scratch)
                                            out.value.0[i] = Int32(Swift.max(cxi - 1, 0))
                                            out.value.1[i] = Int32(Swift.max(cyi - 1, 0))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (nx, ny)
    }

    /// Per-thread buffers: the four rows' Float32 distances to every sample, their query
    /// values, the k + 1 smallest joint distances, and the samples that need an exact look.
    struct Scratch {
        let ex, ey, qx, qy: UnsafeMutablePointer<Float>
        let best, bestIndex, minima, firstBlocks, candidates: UnsafeMutablePointer<Int32>
        let exactBest: UnsafeMutablePointer<Double>
        let pending: UnsafeMutablePointer<Int32>

        init(stride: Int, dx: Int, dy: Int, n: Int, k: Int) {
            ex = .allocate(capacity: rowsPerPass * stride)
            ey = .allocate(capacity: rowsPerPass * stride)
            qx = .allocate(capacity: rowsPerPass * dx)
            qy = .allocate(capacity: rowsPerPass * dy)
            best = .allocate(capacity: k + 1)
            bestIndex = .allocate(capacity: k + 1)
            candidates = .allocate(capacity: stride)
            minima = .allocate(capacity: stride / block)
            firstBlocks = .allocate(capacity: k + 2)
            exactBest = .allocate(capacity: k + 1)
            pending = .allocate(capacity: n)
        }

        func deallocate() {
            ex.deallocate(); ey.deallocate(); qx.deallocate(); qy.deallocate(); best.deallocate(); bestIndex.deallocate(); candidates.deallocate(); minima.deallocate(); firstBlocks.deallocate(); exactBest.deallocate(); pending.deallocate()
        }
    }

    /// The rows' values column by column (`q[c * 4 + lane]`), for broadcasting.
    @inline(__always)
    static func gather(_ cols: UnsafePointer<Float>, dims: Int, stride: Int, rows: [Int], into q: UnsafeMutablePointer<Float>) {
        for c in 0..<dims { for lane in 0..<rowsPerPass { q[c * rowsPerPass + lane] = cols[c * stride + rows[lane]] } }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

    /// |v| by clearing the sign bit (one AND).
    @inline(__always)
    static func magnitude(_ v: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & SIMD8(repeating: 0x7fff_ffff), to: SIMD8<Float>.self)
    }

    /// Lane-wise max as one instruction (no NaN occurs here).
    @inline(__always)
    static func larger(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }

    /// Max-norm distances from four query rows to a tile of sixteen samples, kept in eight
    /// registers while the coordinates are taken one by one: the step every scan kernel shares.
    struct DistanceTile {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()

        @inline(__always) init() {}

        /// Starting from distances already found in another space (rows `rowStride` apart).
        @inline(__always)
        init(loading start: UnsafePointer<Float>, rowStride: Int) {
            let (n1, n2, n3) = (start + rowStride, start + 2 * rowStride, start + 3 * rowStride)
            (a0, a1, a2, a3) = (load(start), load(start + 8), load(n1), load(n1 + 8))
            (a4, a5, a6, a7) = (load(n2), load(n2 + 8), load(n3), load(n3 + 8))
        }

        /// Takes in `dims` coordinates: the samples' from `p` (coordinates `stride` apart), the
        /// four rows' from `q` (four values per coordinate).
        @inline(__always)
        mutating func accumulate(_ p: UnsafePointer<Float>, dims: Int, stride: Int, queries q: UnsafePointer<Float>) {
            var (p, q) = (p, q)
            for _ in 0..<dims {
                let v0 = load(p), v1 = load(p + 8)
                let b0 = SIMD8<Float>(repeating: q[0]), b1 = SIMD8<Float>(repeating: q[1])
                let b2 = SIMD8<Float>(repeating: q[2]), b3 = SIMD8<Float>(repeating: q[3])
                a0 = larger(a0, magnitude(v0 - b0)); a1 = larger(a1, magnitude(v1 - b0))
                a2 = larger(a2, magnitude(v0 - b1)); a3 = larger(a3, magnitude(v1 - b1))
                a4 = larger(a4, magnitude(v0 - b2)); a5 = larger(a5, magnitude(v1 - b2))
                a6 = larger(a6, magnitude(v0 - b3)); a7 = larger(a7, magnitude(v1 - b3))
                p += stride
                q += rowsPerPass
            }
        }

        /// Row `lane`'s sixteen distances to `out + lane * rowStride`.
        @inline(__always)
        func store(_ out: UnsafeMutablePointer<Float>, rowStride: Int) {
            let (o1, o2, o3) = (out + rowStride, out + 2 * rowStride, out + 3 * rowStride)
            Float32PairScan.store(a0, out); Float32PairScan.store(a1, out + 8)
            Float32PairScan.store(a2, o1); Float32PairScan.store(a3, o1 + 8)
            Float32PairScan.store(a4, o2); Float32PairScan.store(a5, o2 + 8)
            Float32PairScan.store(a6, o3); Float32PairScan.store(a7, o3 + 8)
        }
    }

    /// Max-norm distances from four query rows to every sample: row `lane`'s go to
    /// `out[lane * stride ..< (lane + 1) * stride]`. The eight accumulators stay in registers
    /// over all coordinates of a tile of 16 samples.
    static func distances(_ cols: UnsafePointer<Float>, dims: Int, stride: Int, queries q: UnsafePointer<Float>,
                          into out: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < stride {
            var distances = DistanceTile()
            distances.accumulate(cols + j, dims: dims, stride: stride, queries: q)
            distances.store(out + j, rowStride: stride)
            j += tile
        }
    }

    /// The same kernel for the listed tiles only (`tiles[p]`: a tile of 16 samples from
    /// 16·tiles[p] on): tile p's distances from row `lane` go to `out[lane * rowStride + 16 p…]`.
    static func distances(_ cols: UnsafePointer<Float>, dims: Int, stride: Int, queries q: UnsafePointer<Float>,
                          tiles: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<Float>, rowStride: Int) {
        for listed in 0..<count {
            var distances = DistanceTile()
            distances.accumulate(cols + Int(tiles[listed]) * tile, dims: dims, stride: stride, queries: q)
            distances.store(out + listed * tile, rowStride: rowStride)
        }
    }

    /// Exact Double distances between two samples, computed as the reference does.
    struct ExactRows {
        let x: UnsafePointer<Double>, dx: Int, y: UnsafePointer<Double>, dy: Int

        @inline(__always)
        static func distance(_ v: UnsafePointer<Double>, _ d: Int, _ i: Int, _ j: Int) -> Double {
            var m = 0.0
            let a = v + i * d, b = v + j * d
            for c in 0..<d { m = Swift.max(m, abs(b[c] - a[c])) }
            return m
        }
    }

    /// The bit patterns of Float32 thresholds on the safe side of t ± 2E, for t given by its
    /// bit pattern; a low end ≤ 0 leaves nothing surely below (0).
    @inline(__always)
    static func band(around limit: Int32, bound: Double) -> (low: Int32, high: Int32) {
        let t = Double(Float(bitPattern: UInt32(limit)))
        var lowFloat = Float(t - 2 * bound), highFloat = Float(t + 2 * bound)
        if Double(lowFloat) > t - 2 * bound { lowFloat = lowFloat.nextDown }
        if Double(highFloat) < t + 2 * bound { highFloat = highFloat.nextUp }
        let low = lowFloat > 0 ? Int32(bitPattern: lowFloat.bitPattern) : 0
        return (low, Int32(bitPattern: highFloat.bitPattern))
    }

    /// Row i's counts (the sample itself included when ε > 0) from its Float32 distances.
    ///
    /// The scans work on the distances' bit patterns, which order nonnegative floats as their
    /// values do, in plain loops over blocks of `block` samples that the compiler vectorises
    /// (integer min, max and subtraction); Swift's SIMD comparison operators would not be.
    @inline(__always)
    static func resolve(row i: Int, ex exFloat: UnsafePointer<Float>, ey eyFloat: UnsafePointer<Float>, stride: Int, k: Int,
                        bound: Double, exact: ExactRows, scratch: inout Scratch) -> (Int, Int) {
        let ex = UnsafeRawPointer(exFloat).assumingMemoryBound(to: Int32.self)
        let ey = UnsafeRawPointer(eyFloat).assumingMemoryBound(to: Int32.self)
        // t: the (k + 1)-th smallest Float32 joint distance, the sample itself (at 0) included.
        // Blocks are visited from the smallest block minimum up, so the limit is tight after a
        // few blocks, and every block whose minimum is not below it is skipped.
        let blocks = stride / block
        let minima = scratch.minima
        for b in 0..<blocks {
            var smallest = Int32.max
            for j in (b * block)..<((b + 1) * block) { smallest = Swift.min(smallest, Swift.max(ex[j], ey[j])) }
            minima[b] = smallest
        }
        let best = scratch.best, bestIndex = scratch.bestIndex
        for s in 0...k { best[s] = .max }
        var limit = Int32.max
        @inline(__always) func visit(_ b: Int) {
            minima[b] = .max
            for j in (b * block)..<((b + 1) * block) {
                let d = Swift.max(ex[j], ey[j])
                guard d < limit else { continue }
                var s = k
                while s > 0 && best[s - 1] > d { best[s] = best[s - 1]; bestIndex[s] = bestIndex[s - 1]; s -= 1 }
                best[s] = d
                bestIndex[s] = Int32(j)
                limit = best[k]
            }
        }
        // The k + 2 blocks with the smallest minima first (one pass keeps them in order), then
        // any other block still below the limit.
        let first = scratch.firstBlocks, few = Swift.min(k + 2, blocks)
        var found = 0
        for b in 0..<blocks where found < few || minima[b] < minima[Int(first[found - 1])] {
            var s = Swift.min(found, few - 1)
            while s > 0 && minima[Int(first[s - 1])] > minima[b] { first[s] = first[s - 1]; s -= 1 }
            first[s] = Int32(b)
            found = Swift.min(found + 1, few)
        }
        for s in 0..<few where minima[Int(first[s])] < limit { visit(Int(first[s])) }
        for b in 0..<blocks where minima[b] < limit { visit(b) }
        let (low, high) = band(around: limit, bound: bound)
        // Sure counts (below low), and the samples with a marginal distance in [low, high],
        // listed. All differences of bit patterns here lie within ±2³¹, and a sign bit clear
        // means "≥".
        @inline(__always) func inBand(_ a: Int32, _ b: Int32) -> Bool { ((a &- low) | (high &- a)) & ((b &- low) | (high &- b)) >= 0 }
        let lowV = SIMD8(repeating: low), highV = SIMD8(repeating: high)
        var sureX = SIMD8<Int32>(), sureY = SIMD8<Int32>()
        let pending = scratch.pending
        var pendingCount = 0
        for start in Swift.stride(from: 0, to: stride, by: block) {
            // The AND of the lanes' band tests has its sign bit clear when any lane's has.
            var all = SIMD8<Int32>(repeating: -1)
            var j = start
            while j < start + block {
                let fx = load(exFloat + j), fy = load(eyFloat + j)
                let x = unsafeBitCast(fx, to: SIMD8<Int32>.self), y = unsafeBitCast(fy, to: SIMD8<Int32>.self)
                let fromLowX = x &- lowV, fromLowY = y &- lowV
                sureX &+= fromLowX &>> 31  // −1 for each lane below low
                sureY &+= fromLowY &>> 31
                all &= (fromLowX | (highV &- x)) & (fromLowY | (highV &- y))
                j += 8
            }
            let half = all.lowHalf & all.highHalf, quarter = half.lowHalf & half.highHalf
            guard quarter[0] & quarter[1] >= 0 else { continue }
            for j in start..<(start + block) where inBand(ex[j], ey[j]) {
                pending[pendingCount] = Int32(j)
                pendingCount += 1
            }
        }
        // The candidates for ε (joint ≤ high): the k + 1 selected, and any other is listed, as
        // its larger marginal distance lies in [low, high] (were it below low, its joint
        // distance would be below t, so it would have been selected).
        let candidates = scratch.candidates
        for s in 0...k { candidates[s] = bestIndex[s] }
        var candidateCount = k + 1
        for p in 0..<pendingCount {
            let j = pending[p]
            if Swift.max(ex[Int(j)], ey[Int(j)]) <= high && !(0...k).contains(where: { bestIndex[$0] == j }) {
                candidates[candidateCount] = j
                candidateCount += 1
            }
        }
        // ε: the (k + 1)-th smallest exact joint distance among the candidates.
        let exactBest = scratch.exactBest
        for s in 0...k { exactBest[s] = .infinity }
        var epsilon = Double.infinity
        for p in 0..<candidateCount {
            let j = Int(candidates[p])
            let d = Swift.max(ExactRows.distance(exact.x, exact.dx, i, j), ExactRows.distance(exact.y, exact.dy, i, j))
            guard d < epsilon else { continue }
            var s = k
            while s > 0 && exactBest[s - 1] > d { exactBest[s] = exactBest[s - 1]; s -= 1 }
            exactBest[s] = d
            epsilon = exactBest[k]
        }
        var countX = -Int(sureX.wrappedSum()), countY = -Int(sureY.wrappedSum())
        for p in 0..<pendingCount {
            let j = Int(pending[p])
            if ex[j] >= low && ex[j] <= high && ExactRows.distance(exact.x, exact.dx, i, j) < epsilon { countX += 1 }
            if ey[j] >= low && ey[j] <= high && ExactRows.distance(exact.y, exact.dy, i, j) < epsilon { countY += 1 }
        }
        return (countX, countY)
    }
}
