import Dispatch
import NumericCore

/// KSG neighbour counts by the Float32 pair scan of `Float32PairScan`, restricted to the tiles
/// of samples that can matter, for joint dimensions where most pairs are far apart in some
/// coordinate (used from 3 to 16).
///
/// Each space's samples are laid out in a grid order (strips along the coordinate of largest
/// variance, each sorted by the second largest), cut into tiles of 16, and every tile keeps its
/// Float32 bounding box. Four consecutive rows in that order are close together, and the gap
/// between their box and a tile's box, coordinate by coordinate, bounds from below every
/// Float32 max-norm distance between them (Float32 subtraction is monotone). Two passes:
///  1. Joint, in the order of X (or of the side with fewer columns): the rows' own tile and
///     its neighbours, then in waves every tile whose bound is within the rows' current
///     t + 2E; X distances of those tiles, and Y distances only for tiles with some X distance
///     within that reach (the joint distance is at least the X one). Gives ε_i and n_x.
///  2. Y, in the order of Y: the tiles within t + 2E of the rows give n_y.
/// Skipped tiles and samples are beyond t + 2E in the space concerned, so the decisions and
/// Double rechecks of `Float32PairScan` apply unchanged: the counts are those of the
/// all-pairs scan. At 5 + 5 dimensions on 5000 Gaussian samples a batch of four rows visits
/// about 39% of the tiles in X, computes Y for 31%, and 38% in the second pass.
enum TiledPairScan {
    static let tile = Float32PairScan.tile
    static let lanes = Float32PairScan.rowsPerPass
    /// The joint search's waves after the rows' own tiles: fractions of the reach so far.
    static let waves: [Float] = [0.4, 0.7, 1]

    /// One space's centred Float32 columns in grid order, each padded to whole tiles with a
    /// value far beyond every threshold, and the tiles' bounding boxes. Plain buffers (freed by
    /// `deallocate`), so that the threads reading them share no reference counts.
    struct Layout: @unchecked Sendable {
        let n, dims, tiles, stride: Int
        /// Per-row length of the distance buffers: `stride` rounded up to whole blocks.
        let span: Int
        /// Position → sample.
        let order: UnsafeMutablePointer<Int32>
        let values: UnsafeMutablePointer<Float>
        /// Per coordinate c, the tiles' smallest and largest values (`[c * tiles + t]`).
        let boxLow, boxHigh: UnsafeMutablePointer<Float>

        /// `columns`: the centred Float32 columns in sample order, `n` apart.
        init(_ columns: [Float], dims: Int, n: Int) {
            self.n = n
            self.dims = dims
            tiles = (n + TiledPairScan.tile - 1) / TiledPairScan.tile
            stride = tiles * TiledPairScan.tile
            span = (stride + TiledPairScan.block - 1) / TiledPairScan.block * TiledPairScan.block
            order = .allocate(capacity: n)
            order.initialize(from: Self.gridOrder(columns, dims: dims, n: n), count: n)
            values = .allocate(capacity: dims * stride)
            boxLow = .allocate(capacity: dims * tiles)
            boxHigh = .allocate(capacity: dims * tiles)
            arrange(columns, dims: dims, into: values)
            for c in 0..<dims {
                for t in 0..<tiles {
                    var lo = Float.infinity, hi = -Float.infinity
                    for j in (t * TiledPairScan.tile)..<((t + 1) * TiledPairScan.tile) {
                        lo = Swift.min(lo, values[c * stride + j])
                        hi = Swift.max(hi, values[c * stride + j])
                    }
                    boxLow[c * tiles + t] = lo
                    boxHigh[c * tiles + t] = hi
                }
            }
        }

        func deallocate() { order.deallocate(); values.deallocate(); boxLow.deallocate(); boxHigh.deallocate() }

        /// A space's columns (in sample order, `n` apart) in this layout's order, padded.
        func arrange(_ columns: [Float], dims: Int, into out: UnsafeMutablePointer<Float>) {
            out.initialize(repeating: 0x1p100, count: dims * stride)
            for c in 0..<dims { for p in 0..<n { out[c * stride + p] = columns[c * n + Int(order[p])] } }
        }

        /// Strips of about √(16 n) samples along the coordinate of largest variance, each sorted
        /// by the second (whole tiles per strip). Only speed depends on it, never a count.
        static func gridOrder(_ columns: [Float], dims: Int, n: Int) -> [Int32] {
            let variances = (0..<dims).map { c -> Double in
                var sum = 0.0, squares = 0.0
                for r in 0..<n { let v = Double(columns[c * n + r]); sum += v; squares += v * v }
                return squares / Double(n) - (sum / Double(n)) * (sum / Double(n))
            }
            let ranked = (0..<dims).sorted { variances[$0] > variances[$1] }
            let a = ranked[0], b = ranked.count > 1 ? ranked[1] : ranked[0]
            let byA = SortedPairScan.order((0..<n).map { Double(columns[a * n + $0]) })
            let byB = SortedPairScan.order((0..<n).map { Double(columns[b * n + $0]) })
            let tile = TiledPairScan.tile
            let strip = Swift.max(tile, Int((Double(n * tile).squareRoot() / Double(tile)).rounded()) * tile)
            var rankA = [Int32](repeating: 0, count: n)
            for (p, s) in byA.enumerated() { rankA[Int(s)] = Int32(p) }
            // Samples taken in b order and dealt to their strips arrive sorted by b.
            var filled = Swift.stride(from: 0, to: n, by: strip).map { $0 }
            var order = [Int32](repeating: 0, count: n)
            for s in byB {
                let c = Int(rankA[Int(s)]) / strip
                order[filled[c]] = s
                filled[c] += 1
            }
            return order
        }

        /// Lower bounds of the Float32 distances from the four query rows (`q[c * 4 + lane]`)
        /// to each tile: the largest gap between their boxes over the coordinates.
        @inline(__always)
        func lowerBounds(_ q: UnsafePointer<Float>, into bounds: UnsafeMutablePointer<Float>) {
            for t in 0..<tiles { bounds[t] = 0 }
            for c in 0..<dims {
                let r = q + c * TiledPairScan.lanes
                let qLow = Swift.min(Swift.min(r[0], r[1]), Swift.min(r[2], r[3]))
                let qHigh = Swift.max(Swift.max(r[0], r[1]), Swift.max(r[2], r[3]))
                let lo = boxLow + c * tiles, hi = boxHigh + c * tiles
                for t in 0..<tiles {
                    let above = lo[t] - qHigh, below = qLow - hi[t]
                    let gap = above > below ? above : below
                    bounds[t] = gap > bounds[t] ? gap : bounds[t]
                }
            }
        }

        /// The four rows' values at positions `first…` (the last repeated past n), `q[c * 4 + lane]`.
        @inline(__always)
        static func gather(_ values: UnsafePointer<Float>, dims: Int, stride: Int, first: Int, n: Int,
                           into q: UnsafeMutablePointer<Float>) {
            for c in 0..<dims {
                for lane in 0..<TiledPairScan.lanes { q[c * TiledPairScan.lanes + lane] = values[c * stride + Swift.min(first + lane, n - 1)] }
            }
        }
    }

    /// Per-thread buffers. `near`: the first space's distances of the visited tiles, tile by
    /// tile in visiting order; `joint`: the joint distances of the tiles that needed the other
    /// space, compactly; each with the four rows `span` apart.
    struct Scratch {
        let near, joint: UnsafeMutablePointer<Float>
        let qa, qb, bounds: UnsafeMutablePointer<Float>
        let visited, tileList, neededTiles, neededSlot, hits, best, pending, candidates, limits, highs: UnsafeMutablePointer<Int32>
        let exactBest: UnsafeMutablePointer<Double>

        init(span: Int, tiles: Int, dims: Int, k: Int) {
            near = .allocate(capacity: lanes * span)
            joint = .allocate(capacity: lanes * span)
            qa = .allocate(capacity: lanes * dims)
            qb = .allocate(capacity: lanes * dims)
            bounds = .allocate(capacity: tiles)
            visited = .allocate(capacity: tiles + 1)  // `within` may write one past its count
            tileList = .allocate(capacity: tiles)
            neededTiles = .allocate(capacity: tiles)
            neededSlot = .allocate(capacity: tiles)
            hits = .allocate(capacity: tiles)
            best = .allocate(capacity: lanes * (k + 1))
            pending = .allocate(capacity: span)
            candidates = .allocate(capacity: span)
            exactBest = .allocate(capacity: k + 1)
            limits = .allocate(capacity: lanes)
            highs = .allocate(capacity: lanes)
        }

        func deallocate() {
            near.deallocate(); joint.deallocate(); qa.deallocate(); qb.deallocate(); bounds.deallocate()
            visited.deallocate(); best.deallocate(); pending.deallocate(); candidates.deallocate(); exactBest.deallocate()
            limits.deallocate(); highs.deallocate(); tileList.deallocate(); neededTiles.deallocate(); neededSlot.deallocate(); hits.deallocate()
        }
    }

    /// n_x and n_y per row (self excluded), or nil when the Float32 bound cannot be used.
    static func counts(_ x: Matrix, _ y: Matrix, k: Int) -> (x: [Int32], y: [Int32])? {
        let n = x.rows
        // Each side's centred columns and layout, the two sides on the two cores.
        let slots = UnsafeMutablePointer<(Float32PairScan.Columns, Layout)?>.allocate(capacity: 2)
        slots.initialize(repeating: nil, count: 2)
        let prepared = UnsafeSendable(slots)
        DispatchQueue.concurrentPerform(iterations: 2) { side in
            let m = side == 0 ? x : y
            guard let columns = Float32PairScan.Columns(m, stride: n) else { return }
            prepared.value[side] = (columns, Layout(columns.values, dims: m.columns, n: n))
        }
        let sides = (slots[0], slots[1])
        slots.deinitialize(count: 2)
        slots.deallocate()
        guard let (cx, layoutX) = sides.0, let (cy, layoutY) = sides.1 else {
            sides.0?.1.deallocate()
            sides.1?.1.deallocate()
            return nil
        }
        let magnitude = Swift.max(cx.magnitude, cy.magnitude)
        // Tiny magnitudes would put Float32 values among the subnormals, whose error is not relative.
        guard magnitude >= 0x1p-60 else {
            layoutX.deallocate(); layoutY.deallocate()
            return nil
        }
        let bound = 0x1p-20 * magnitude
        // The joint search runs in the order of the side with fewer columns: its distances are
        // the cheaper first test.
        let flipped = y.columns < x.columns
        let (ma, mb) = flipped ? (y, x) : (x, y)
        let fb = flipped ? cx.values : cy.values
        let (a, b) = flipped ? (layoutY, layoutX) : (layoutX, layoutY)
        let bInA = UnsafeMutablePointer<Float>.allocate(capacity: mb.columns * a.stride)
        a.arrange(fb, dims: mb.columns, into: bInA)
        // Per sample: ε, the reach t (bit pattern) and the counts.
        let epsilon = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let reach = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let countA = UnsafeMutablePointer<Int32>.allocate(capacity: n), countB = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        defer { a.deallocate(); b.deallocate(); bInA.deallocate(); epsilon.deallocate(); reach.deallocate(); countA.deallocate(); countB.deallocate() }
        let shared = UnsafeSendable((bInA, epsilon, reach, countA, countB))
        let passes = (n + lanes - 1) / lanes
        let dims = Swift.max(ma.columns, mb.columns)
        KSGEstimator.forEachRowBlock(passes) { range in
            let scratch = Scratch(span: a.span, tiles: a.tiles, dims: dims, k: k)
            defer { scratch.deallocate() }
            ma.values.withUnsafeBufferPointer { va in
                mb.values.withUnsafeBufferPointer { vb in
                    let exact = Float32PairScan.ExactRows(x: va.baseAddress!, dx: ma.columns, y: vb.baseAddress!, dy: mb.columns)
                    for pass in range {
                        // k = 3 (the default) spelled out, so that the inlined pass's insertions unroll.
                        if k == 3 {
                            jointPass(first: pass * lanes, a: a, bv: shared.value.0, dimsB: mb.columns, k: 3, bound: bound, exact: exact,
                                      scratch: scratch, epsilon: shared.value.1, reach: shared.value.2, count: shared.value.3)
                        } else {
                            jointPass(first: pass * lanes, a: a, bv: shared.value.0, dimsB: mb.columns, k: k, bound: bound, exact: exact,
                                      scratch: scratch, epsilon: shared.value.1, reach: shared.value.2, count: shared.value.3)
                        }
                    }
                }
            }
        }
        KSGEstimator.forEachRowBlock(passes) { range in
            let scratch = Scratch(span: b.span, tiles: b.tiles, dims: dims, k: k)
            defer { scratch.deallocate() }
            mb.values.withUnsafeBufferPointer { vb in
                for pass in range {
                    marginalPass(first: pass * lanes, layout: b, exact: vb.baseAddress!, bound: bound,
                                 epsilon: shared.value.1, reach: shared.value.2, scratch: scratch, count: shared.value.4)
                }
            }
        }
        let (resultA, resultB) = (Array(UnsafeBufferPointer(start: countA, count: n)), Array(UnsafeBufferPointer(start: countB, count: n)))
        return flipped ? (resultB, resultA) : (resultA, resultB)
    }

    @inline(__always)
    static func bits(_ p: UnsafePointer<Float>) -> SIMD8<Int32> { unsafeBitCast(Float32PairScan.load(p), to: SIMD8<Int32>.self) }

    /// Whether any lane of `v` has its sign bit clear (the AND of the lanes has it clear then).
    @inline(__always)
    static func anyNonnegative(_ v: SIMD8<Int32>) -> Bool {
        let half = v.lowHalf & v.highHalf, quarter = half.lowHalf & half.highHalf
        return quarter[0] & quarter[1] >= 0
    }

    /// The sign bits of the 16 lanes of `v0` and `v1` as a bit mask (lane j of v0 → bit j,
    /// of v1 → bit 8 + j).
    @inline(__always)
    static func bitMask(_ v0: SIMD8<Int32>, _ v1: SIMD8<Int32>) -> Int32 {
        let weights = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)
        return ((v0 &>> 31) & weights | (v1 &>> 31) & (weights &<< 8)).wrappedSum()
    }

    /// Whether any lane of `v` has its sign bit set.
    @inline(__always)
    static func anyNegative(_ v: SIMD8<Int32>) -> Bool {
        let half = v.lowHalf | v.highHalf, quarter = half.lowHalf | half.highHalf
        return quarter[0] | quarter[1] < 0
    }

    /// Puts d into the ascending values[0...k] (dropping the largest), without branches:
    /// entry s becomes max(values[s − 1], min(values[s], d)).
    @inline(__always)
    static func insert(_ d: Int32, into values: UnsafeMutablePointer<Int32>, k: Int) {
        var s = k
        while s > 0 {
            values[s] = Swift.max(values[s - 1], Swift.min(values[s], d))
            s -= 1
        }
        values[0] = Swift.min(values[0], d)
    }

    /// The tiles whose bound is at most `reach`, listed without branches.
    @inline(__always)
    static func within(_ bounds: UnsafePointer<Float>, _ tiles: Int, _ reach: Float, into list: UnsafeMutablePointer<Int32>) -> Int {
        var count = 0
        for t in 0..<tiles {
            list[count] = Int32(t)
            count += bounds[t] <= reach ? 1 : 0
        }
        return count
    }

    /// Blocks of this many distances are tested at once in the scans below (the visited tiles'
    /// buffers are padded to a multiple of it).
    static let block = 4 * tile

    /// Of `length` distances (bit patterns; a multiple of `block`) how many are below `low`;
    /// those in [low, high] are listed in `pending` (their number is returned second).
    @inline(__always)
    static func sureAndBand(_ d: UnsafePointer<Float>, _ length: Int, low: Int32, high: Int32,
                            pending: UnsafeMutablePointer<Int32>) -> (Int, Int) {
        let lowV = SIMD8(repeating: low), highV = SIMD8(repeating: high)
        var sure = SIMD8<Int32>()
        var listed = 0
        let raw = UnsafeRawPointer(d).assumingMemoryBound(to: Int32.self)
        var start = 0
        while start < length {
            var all = SIMD8<Int32>(repeating: -1)
            var j = start
            while j < start + block {
                let x = bits(d + j)
                let fromLow = x &- lowV
                sure &+= fromLow &>> 31  // −1 for each lane below low
                all &= fromLow | (highV &- x)
                j += 8
            }
            if anyNonnegative(all) {
                for m in start..<(start + block) where raw[m] >= low && raw[m] <= high {
                    pending[listed] = Int32(m)
                    listed += 1
                }
            }
            start += block
        }
        return (-Int(sure.wrappedSum()), listed)
    }

    /// Fills slots up to the next multiple of `block` with distances beyond every threshold.
    @inline(__always)
    static func padSlots(_ buffer: UnsafeMutablePointer<Float>, span: Int, from length: Int) -> Int {
        let padded = (length + block - 1) / block * block
        for lane in 0..<lanes { for j in length..<padded { buffer[lane * span + j] = .infinity } }
        return padded
    }

    /// The first space's distances for the listed tiles (as `Float32PairScan.distances`), and
    /// the tiles (by their place in the list) with some distance within its row's reach
    /// `highs[lane]` (bit patterns), listed without branches; their number is returned.
    static func nearDistances(_ cols: UnsafePointer<Float>, dims: Int, stride: Int, queries q: UnsafePointer<Float>,
                              tiles: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<Float>, rowStride: Int,
                              highs: UnsafePointer<Int32>, needed: UnsafeMutablePointer<Int32>) -> Int {
        typealias K = Float32PairScan
        let h0 = SIMD8(repeating: highs[0]), h1 = SIMD8(repeating: highs[1]), h2 = SIMD8(repeating: highs[2]), h3 = SIMD8(repeating: highs[3])
        var neededCount = 0
        for listed in 0..<count {
            var distances = K.DistanceTile()
            distances.accumulate(cols + Int(tiles[listed]) * tile, dims: dims, stride: stride, queries: q)
            distances.store(out + listed * tile, rowStride: rowStride)
            let (a0, a1, a2, a3, a4, a5, a6, a7) = (distances.a0, distances.a1, distances.a2, distances.a3,
                                                    distances.a4, distances.a5, distances.a6, distances.a7)
            @inline(__always) func i(_ v: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }
            let within = (h0 &- i(a0)) & (h0 &- i(a1)) & (h1 &- i(a2)) & (h1 &- i(a3))
                & (h2 &- i(a4)) & (h2 &- i(a5)) & (h3 &- i(a6)) & (h3 &- i(a7))
            needed[neededCount] = Int32(listed)
            neededCount += anyNonnegative(within) ? 1 : 0
        }
        return neededCount
    }

    /// Joint distances for the listed tiles of the other space: its distances, with the
    /// accumulators starting from the first space's (`near`, tile `nearSlots[p]` of the
    /// visited ones), go to `out[lane * rowStride + 16 p…]`. The tiles (by their place in the
    /// list) with some joint distance below its row's limit are listed; their number is returned.
    static func jointDistances(_ cols: UnsafePointer<Float>, dims: Int, stride: Int, queries q: UnsafePointer<Float>,
                               tiles: UnsafePointer<Int32>, count: Int, near: UnsafePointer<Float>, nearSlots: UnsafePointer<Int32>,
                               into out: UnsafeMutablePointer<Float>, rowStride: Int,
                               limits: UnsafePointer<Int32>, hits: UnsafeMutablePointer<Int32>) -> Int {
        typealias K = Float32PairScan
        let l0 = SIMD8(repeating: limits[0]), l1 = SIMD8(repeating: limits[1]), l2 = SIMD8(repeating: limits[2]), l3 = SIMD8(repeating: limits[3])
        var hitCount = 0
        for listed in 0..<count {
            var distances = K.DistanceTile(loading: near + Int(nearSlots[listed]) * tile, rowStride: rowStride)
            distances.accumulate(cols + Int(tiles[listed]) * tile, dims: dims, stride: stride, queries: q)
            distances.store(out + listed * tile, rowStride: rowStride)
            let (a0, a1, a2, a3, a4, a5, a6, a7) = (distances.a0, distances.a1, distances.a2, distances.a3,
                                                    distances.a4, distances.a5, distances.a6, distances.a7)
            @inline(__always) func i(_ v: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }
            let below = (i(a0) &- l0) | (i(a1) &- l0) | (i(a2) &- l1) | (i(a3) &- l1)
                | (i(a4) &- l2) | (i(a5) &- l2) | (i(a6) &- l3) | (i(a7) &- l3)
            hits[hitCount] = Int32(listed)
            hitCount += anyNegative(below) ? 1 : 0
        }
        return hitCount
    }

    /// ε, the reach t and n_a for the rows at positions first ..< first + 4 of layout `a`.
    ///
    /// Tiles are visited in waves, each processed in bulk (kernel over the listed tiles,
    /// then the other space for those with a distance within reach, then the selection): the
    /// rows' own tile and its neighbours, the tiles within half the reach that gives, then
    /// the rest within the reach after that. A wave tests against the reach at its start,
    /// which only ever shrinks, so nothing within the final reach is left out.
    @inline(__always)
    static func jointPass(first: Int, a: Layout, bv: UnsafePointer<Float>, dimsB: Int, k: Int,
                          bound: Double, exact: Float32PairScan.ExactRows, scratch: Scratch,
                          epsilon: UnsafeMutablePointer<Double>, reach: UnsafeMutablePointer<Int32>, count: UnsafeMutablePointer<Int32>) {
        let stride = a.stride, span = a.span, n = a.n, av = UnsafePointer(a.values)
        Layout.gather(av, dims: a.dims, stride: stride, first: first, n: n, into: scratch.qa)
        Layout.gather(bv, dims: dimsB, stride: stride, first: first, n: n, into: scratch.qb)
        let bounds = scratch.bounds
        a.lowerBounds(scratch.qa, into: bounds)
        let best = scratch.best
        for s in 0..<(lanes * (k + 1)) { best[s] = .max }
        // Per lane: the (k + 1)-th smallest joint distance so far, and an upper bound of its
        // reach t + 2E. (Scratch memory, not SIMD4 lanes: writing one lane of a vector in
        // memory and reading the vector back stalls store forwarding.)
        let limits = scratch.limits, highs = scratch.highs
        for lane in 0..<lanes { limits[lane] = .max; highs[lane] = .max }
        var reachAll = Float.infinity
        let near = scratch.near, joint = scratch.joint
        let jointBits = UnsafeMutableRawPointer(joint).assumingMemoryBound(to: Int32.self)
        let twoE = Float(2 * bound).nextUp
        var slots = 0

        /// Visits the `count` tiles listed in `scratch.visited[slots...]`.
        // Joint distances are kept only for the tiles that needed the other space, compactly:
        // entry g holds visited slot `neededSlot[g]`.
        let neededSlot = scratch.neededSlot, listedNeeded = scratch.tileList, neededTiles = scratch.neededTiles
        let hits = scratch.hits
        var neededTotal = 0
        @inline(__always) func wave(_ count: Int) {
            let base = slots * tile
            let neededCount = nearDistances(av, dims: a.dims, stride: stride, queries: scratch.qa, tiles: scratch.visited + slots,
                                            count: count, into: near + base, rowStride: span, highs: highs, needed: listedNeeded)
            for q in 0..<neededCount {
                neededSlot[neededTotal + q] = Int32(slots) + listedNeeded[q]
                neededTiles[q] = scratch.visited[slots + Int(listedNeeded[q])]
            }
            let hitCount = jointDistances(bv, dims: dimsB, stride: stride, queries: scratch.qb, tiles: neededTiles, count: neededCount,
                                          near: near, nearSlots: neededSlot + neededTotal, into: joint + neededTotal * tile,
                                          rowStride: span, limits: limits, hits: hits)
            for h in 0..<hitCount {
                let g = neededTotal + Int(hits[h])
                for lane in 0..<lanes {
                    let row = lane * span + g * tile
                    let l = SIMD8(repeating: limits[lane])
                    let d0 = bits(joint + row) &- l, d1 = bits(joint + row + 8) &- l
                    guard anyNegative(d0 | d1) else { continue }
                    // The samples below the limit, each once (the limit may drop meanwhile).
                    // (Inserting one no longer below the limit leaves best as it is.)
                    var mask = UInt32(bitPattern: bitMask(d0, d1))
                    let first = lane * (k + 1)
                    while mask != 0 {
                        let j = mask.trailingZeroBitCount
                        mask &= mask &- 1
                        insert(jointBits[row + j], into: best + first, k: k)
                    }
                    limits[lane] = best[first + k]
                }
            }
            slots += count
            neededTotal += neededCount
            for lane in 0..<lanes where limits[lane] != .max {
                // An upper bound of t + 2E (a Float ≥ the exact sum) is enough here.
                highs[lane] = Int32(bitPattern: (Float(bitPattern: UInt32(limits[lane])) + twoE).nextUp.bitPattern)
            }
            let widest = Swift.max(Swift.max(highs[0], highs[1]), Swift.max(highs[2], highs[3]))
            reachAll = widest == .max ? .infinity : Float(bitPattern: UInt32(widest))
        }
        // A visited tile's bound becomes NaN, which compares false with any reach.
        let home = first / tile
        var listed = 0
        for t in Swift.max(home - 2, 0)...Swift.min(home + 2, a.tiles - 1) {
            scratch.visited[listed] = Int32(t)
            bounds[t] = .nan
            listed += 1
        }
        wave(listed)
        for fraction in waves {
            listed = within(bounds, a.tiles, reachAll * fraction, into: scratch.visited + slots)
            for p in 0..<listed { bounds[Int(scratch.visited[slots + p])] = .nan }
            if listed > 0 { wave(listed) }
        }

        let nearLength = padSlots(near, span: span, from: slots * tile)
        let length = padSlots(joint, span: span, from: neededTotal * tile)
        // The sample at an entry of `near`, and at one of `joint`.
        @inline(__always) func sample(_ slot: Int32) -> Int {
            Int(a.order[Int(scratch.visited[Int(slot) / tile]) * tile + Int(slot) % tile])
        }
        @inline(__always) func jointSample(_ entry: Int32) -> Int {
            sample(neededSlot[Int(entry) / tile] * Int32(tile) + entry % Int32(tile))
        }
        for lane in 0..<lanes where first + lane < n {
            let i = Int(a.order[first + lane])
            let limit = limits[lane]
            let (low, high) = Float32PairScan.band(around: limit, bound: bound)
            // Candidates for ε: every sample with joint distance ≤ high (the k + 1 nearest too).
            let candidates = scratch.candidates
            var candidateCount = 0
            let row = jointBits + lane * span
            let highV = SIMD8(repeating: high)
            var start = 0
            while start < length {
                var within = SIMD8<Int32>(repeating: -1)
                var j = start
                while j < start + block { within &= highV &- bits(joint + lane * span + j); j += 8 }
                if anyNonnegative(within) {
                    var j = start
                    while j < start + block {
                        if anyNonnegative(highV &- bits(joint + lane * span + j)) {
                            for m in j..<(j + 8) {
                                candidates[candidateCount] = Int32(m)
                                candidateCount += row[m] <= high ? 1 : 0
                            }
                        }
                        j += 8
                    }
                }
                start += block
            }
            // ε: the (k + 1)-th smallest exact joint distance among them.
            let exactBest = scratch.exactBest
            for s in 0...k { exactBest[s] = .infinity }
            var eps = Double.infinity
            for p in 0..<candidateCount {
                let s = jointSample(candidates[p])
                let d = Swift.max(Float32PairScan.ExactRows.distance(exact.x, exact.dx, i, s),
                                  Float32PairScan.ExactRows.distance(exact.y, exact.dy, i, s))
                guard d < eps else { continue }
                var q = k
                while q > 0 && exactBest[q - 1] > d { exactBest[q] = exactBest[q - 1]; q -= 1 }
                exactBest[q] = d
                eps = exactBest[k]
            }
            let (sure, listed) = sureAndBand(near + lane * span, nearLength, low: low, high: high, pending: scratch.pending)
            var c = sure
            for p in 0..<listed where Float32PairScan.ExactRows.distance(exact.x, exact.dx, i, sample(scratch.pending[p])) < eps { c += 1 }
            epsilon[i] = eps
            reach[i] = limit
            count[i] = Int32(Swift.max(c - 1, 0))
        }
    }

    /// n for the rows at positions first ..< first + 4 of `layout`, given their ε and t.
    @inline(__always)
    static func marginalPass(first: Int, layout: Layout, exact: UnsafePointer<Double>, bound: Double,
                             epsilon: UnsafePointer<Double>, reach: UnsafePointer<Int32>, scratch: Scratch, count: UnsafeMutablePointer<Int32>) {
        let stride = layout.stride, span = layout.span, n = layout.n, values = UnsafePointer(layout.values)
        Layout.gather(values, dims: layout.dims, stride: stride, first: first, n: n, into: scratch.qa)
        layout.lowerBounds(scratch.qa, into: scratch.bounds)
        var widest = Int32.min
        for lane in 0..<lanes {
            let i = Int(layout.order[Swift.min(first + lane, n - 1)])
            widest = Swift.max(widest, Float32PairScan.band(around: reach[i], bound: bound).high)
        }
        let reachAll = Float(bitPattern: UInt32(widest))
        let near = scratch.near
        let slots = within(scratch.bounds, layout.tiles, reachAll, into: scratch.visited)
        Float32PairScan.distances(values, dims: layout.dims, stride: stride, queries: scratch.qa, tiles: scratch.visited,
                                  count: slots, into: near, rowStride: span)
        let length = padSlots(near, span: span, from: slots * tile)
        for lane in 0..<lanes where first + lane < n {
            let i = Int(layout.order[first + lane])
            let (low, high) = Float32PairScan.band(around: reach[i], bound: bound)
            let (sure, listed) = sureAndBand(near + lane * span, length, low: low, high: high, pending: scratch.pending)
            var c = sure
            for p in 0..<listed {
                let slot = Int(scratch.pending[p])
                let s = Int(layout.order[Int(scratch.visited[slot / tile]) * tile + slot % tile])
                if Float32PairScan.ExactRows.distance(exact, layout.dims, i, s) < epsilon[i] { c += 1 }
            }
            count[i] = Int32(Swift.max(c - 1, 0))
        }
    }
}
