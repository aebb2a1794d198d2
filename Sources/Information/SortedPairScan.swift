import Dispatch
import NumericCore

/// KSG neighbour counts for one-dimensional X and Y, from the samples sorted by x and by y.
///
/// The k + 1 nearest in the plane (the sample itself, at 0, is one) are searched in strips of
/// `strip` consecutive samples in x order, each strip's samples sorted by y: strips are
/// visited nearest first, until the x gap to the next one on either side reaches the current
/// (k + 1)-th best distance, and within a strip the walk goes up and down in y from the
/// sample's y until |Δy| does. n_x and n_y are the runs around the sample with |Δ| < ε in x
/// and in y order. Floating-point subtraction is monotone, so every skipped sample is at least
/// as far as the bound that stopped the walk, and the answers are those of comparing all
/// pairs. A search touches a few strips and samples; building it takes two sorts.
struct SortedPairScan {
    let n: Int
    /// The samples in x order.
    let byX: [Int32]
    /// x and y in x order (x between `pad` sentinels: −∞ before, +∞ after).
    let xs, ys: [Double]
    /// y in y order (between sentinels likewise), and each x-ordered sample's position in it.
    let ySorted: [Double]
    let yRank: [Int32]
    /// The strips one after another, each sorted by y.
    let stripX, stripY: [Double]
    static let strip = 64

    /// nil when a value is not finite (the sorts need a total order).
    init?(x: [Double], y: [Double]) {
        n = x.count
        // (A closure, not the key path \.isFinite, which is applied slowly per element.)
        guard x.allSatisfy({ $0.isFinite }), y.allSatisfy({ $0.isFinite }) else { return nil }
        // The two sorts on the two cores.
        let orders = UnsafeMutablePointer<[Int32]>.allocate(capacity: 2)
        orders.initialize(repeating: [], count: 2)
        let shared = UnsafeSendable(orders)
        DispatchQueue.concurrentPerform(iterations: 2) { side in shared.value[side] = Self.order(side == 0 ? x : y) }
        let byX = orders[0], byY = orders[1]
        orders.deinitialize(count: 2)
        orders.deallocate()
        self.byX = byX
        (xs, ys, ySorted, yRank, stripX, stripY) = Self.arrays(x, y, byX: byX, byY: byY)
    }

    /// xs, ys, ySorted, yRank and the strips, in plain loops over buffers (this runs on one
    /// core before the searches).
    static func arrays(_ x: [Double], _ y: [Double], byX: [Int32], byY: [Int32])
        -> (xs: [Double], ys: [Double], ySorted: [Double], yRank: [Int32], stripX: [Double], stripY: [Double]) {
        let n = x.count
        let pad = Self.pad, strip = Self.strip, strips = (n + strip - 1) / strip
        var xs = [Double](repeating: .infinity, count: n + 2 * pad), ys = [Double](repeating: 0, count: n)
        var ySorted = [Double](repeating: .infinity, count: n + 2 * pad), yRank = [Int32](repeating: 0, count: n)
        // The last strip is filled up with +∞ in y, so every strip has `strip` entries.
        var sx = [Double](repeating: 0, count: strips * strip), sy = [Double](repeating: .infinity, count: strips * strip)
        x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
        byX.withUnsafeBufferPointer { byX in
        byY.withUnsafeBufferPointer { byY in
        xs.withUnsafeMutableBufferPointer { xs in
        ys.withUnsafeMutableBufferPointer { ys in
        ySorted.withUnsafeMutableBufferPointer { ySorted in
        yRank.withUnsafeMutableBufferPointer { yRank in
        sx.withUnsafeMutableBufferPointer { sx in
        sy.withUnsafeMutableBufferPointer { sy in
            for j in 0..<pad { xs[j] = -.infinity; ySorted[j] = -.infinity }
            // Sample s sits at positionInX[s] in x order and at positionInY[s] in y order.
            let positionInX = UnsafeMutablePointer<Int32>.allocate(capacity: n), positionInY = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            defer { positionInX.deallocate(); positionInY.deallocate() }
            for p in 0..<n {
                let s = Int(byX[p])
                xs[pad + p] = x[s]
                ys[p] = y[s]
                positionInX[s] = Int32(p)
            }
            for q in 0..<n {
                let s = Int(byY[q])
                ySorted[pad + q] = y[s]
                positionInY[s] = Int32(q)
            }
            for p in 0..<n { yRank[p] = positionInY[Int(byX[p])] }
            // Samples taken in y order and dealt to their strips arrive sorted by y.
            let filled = UnsafeMutablePointer<Int>.allocate(capacity: strips)
            defer { filled.deallocate() }
            for c in 0..<strips { filled[c] = c * strip }
            for q in 0..<n {
                let s = Int(byY[q])
                let c = Int(positionInX[s]) / strip
                sx[filled[c]] = x[s]
                sy[filled[c]] = y[s]
                filled[c] += 1
            }
        }}}}}}}}}}
        return (xs, ys, ySorted, yRank, sx, sy)
    }

    /// Indices that sort `v` ascending: a least-significant-digit radix sort, 11 bits per pass
    /// (six passes), on bit patterns mapped so that they order as the values do (−0 before +0,
    /// which are equal as values, so either order would do). Stable, so the permutation is
    /// the one any stable sort gives. About 6× faster than `sort(by:)` here.
    static func order(_ v: [Double]) -> [Int32] {
        let n = v.count
        let bits = 11, radix = 1 << bits, mask = UInt64(radix - 1), passes = 6
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * n), order = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n)
        let histogram = UnsafeMutablePointer<Int>.allocate(capacity: passes * radix)
        defer { keys.deallocate(); order.deallocate(); histogram.deallocate() }
        histogram.initialize(repeating: 0, count: passes * radix)
        v.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let b = v[i].bitPattern
                let key = b >> 63 == 1 ? ~b : b | (1 << 63)
                keys[i] = key
                order[i] = Int32(i)
                for pass in 0..<passes { histogram[pass &* radix &+ Int(truncatingIfNeeded: (key >> UInt64(pass &* bits)) & mask)] &+= 1 }
            }
        }
        var (from, to) = (0, n)
        for pass in 0..<passes {
            let shift = UInt64(pass * bits), counts = histogram + pass * radix
            // A digit that all keys share leaves the order as it is.
            if counts[Int(truncatingIfNeeded: (keys[from] >> shift) & mask)] == n { continue }
            var total = 0
            for digit in 0..<radix { let c = counts[digit]; counts[digit] = total; total += c }
            let keysFrom = keys + from, keysTo = keys + to, orderFrom = order + from, orderTo = order + to
            for i in 0..<n {
                let key = keysFrom[i]
                let digit = Int(truncatingIfNeeded: (key >> shift) & mask)
                let o = counts[digit]
                keysTo[o] = key
                orderTo[o] = orderFrom[i]
                counts[digit] = o &+ 1
            }
            swap(&from, &to)
        }
        return Array(UnsafeBufferPointer(start: order + from, count: n))
    }

    /// n_x and n_y (self excluded) for every sample, in the original order.
    func counts(k: Int) -> (x: [Int32], y: [Int32]) {
        // By x position first; mapped back below.
        var nx = [Int32](repeating: 0, count: n), ny = nx
        nx.withUnsafeMutableBufferPointer { nxOut in
            ny.withUnsafeMutableBufferPointer { nyOut in
                let out = UnsafeSendable((nxOut, nyOut))
                KSGEstimator.forEachRowBlock(n, blocks: 8) { positions in
                    let best = UnsafeMutablePointer<Double>.allocate(capacity: k + 1)
                    defer { best.deallocate() }
                    xs.withUnsafeBufferPointer { xsPadded in
                        ys.withUnsafeBufferPointer { ys in
                            ySorted.withUnsafeBufferPointer { yPadded in
                                let xs = UnsafeBufferPointer(rebasing: xsPadded[Self.pad..<(Self.pad + n)])
                                let xo = xsPadded.baseAddress! + Self.pad, yo = yPadded.baseAddress! + Self.pad
                                stripX.withUnsafeBufferPointer { sx in
                                    stripY.withUnsafeBufferPointer { sy in
                                        let strips = Strips(xs: xs, x: sx, y: sy)
                                        for p in positions {
                                            // k = 3 (the default) spelled out, so the inlined search's
                                            // insertion loop is unrolled.
                                            let epsilon = k == 3
                                                ? strips.kthDistance(x: xs[p], y: ys[p], strip: p / Self.strip, k: 3, best: best)
                                                : strips.kthDistance(x: xs[p], y: ys[p], strip: p / Self.strip, k: k, best: best)
                                            let cx = Self.run(xo, around: p, within: epsilon)
                                            let cy = Self.run(yo, around: Int(yRank[p]), within: epsilon)
                                            out.value.0[p] = Int32(Swift.max(cx - 1, 0))
                                            out.value.1[p] = Int32(Swift.max(cy - 1, 0))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var originalX = nx, originalY = ny
        originalX.withUnsafeMutableBufferPointer { ox in
            originalY.withUnsafeMutableBufferPointer { oy in
                byX.withUnsafeBufferPointer { byX in
                    for p in 0..<n { ox[Int(byX[p])] = nx[p]; oy[Int(byX[p])] = ny[p] }
                }
            }
        }
        return (originalX, originalY)
    }

    /// The strips' values, and x in x order for the gaps between strips.
    struct Strips {
        let xs, x, y: UnsafeBufferPointer<Double>

        /// The (k + 1)-th smallest max(|Δx|, |Δy|) from (qx, qy), a sample in strip `home`.
        @inline(__always)
        func kthDistance(x qx: Double, y qy: Double, strip home: Int, k: Int, best: UnsafeMutablePointer<Double>) -> Double {
            for s in 0...k { best[s] = .infinity }
            var limit = Double.infinity
            let strip = SortedPairScan.strip, count = (xs.count + strip - 1) / strip
            // Into the sorted best without branches (a miss would cost more than the few
            // selects): entry s becomes max(best[s − 1], min(best[s], d)), which leaves it
            // as it was when d is not below best[k].
            @inline(__always) func consider(_ m: Int) {
                let dx = abs(x[m] - qx), dy = abs(y[m] - qy)
                let d = dx > dy ? dx : dy
                var s = k
                while s > 0 {
                    let current = best[s], previous = best[s - 1]
                    let low = current < d ? current : d
                    best[s] = previous > low ? previous : low
                    s -= 1
                }
                best[0] = best[0] < d ? best[0] : d
                limit = best[k]
            }
            @inline(__always) func visit(_ c: Int) {
                let a = c * strip, b = Swift.min(a + strip, xs.count)
                // First position in the strip with y ≥ qy (a binary search without branches, over
                // the whole padded strip), then outward both ways.
                var base = a, half = strip / 2
                while half > 0 {
                    base = y[base + half - 1] < qy ? base + half : base
                    half /= 2
                }
                let lo = base
                var m = lo
                while m < b && abs(y[m] - qy) < limit { consider(m); m += 1 }
                m = lo - 1
                while m >= a && abs(y[m] - qy) < limit { consider(m); m -= 1 }
            }
            visit(home)
            var right = home + 1, left = home - 1
            while true {
                // x gaps to the nearest samples of the next strips (their first and last in x order).
                let gapRight = right < count ? abs(xs[right * strip] - qx) : .infinity
                let gapLeft = left >= 0 ? abs(qx - xs[left * strip + strip - 1]) : .infinity
                if gapRight <= gapLeft {
                    guard gapRight < limit else { break }
                    visit(right)
                    right += 1
                } else {
                    guard gapLeft < limit else { break }
                    visit(left)
                    left -= 1
                }
            }
            return limit
        }
    }

    /// How many of the sorted values lie strictly within `radius` of v[p], v[p] included; `v`
    /// has `pad` infinite sentinels before and after. The values within form one run, whose
    /// ends are found by binary searches without branches over windows of `pad` values (the
    /// window moves on while its far end is still inside).
    @inline(__always)
    static func run(_ v: UnsafePointer<Double>, around p: Int, within radius: Double) -> Int {
        // With radius 0 not even v[p] is within it.
        guard radius > 0 else { return 0 }
        let center = v[p]
        @inline(__always) func inside(_ j: Int) -> Bool { abs(v[j] - center) < radius }
        // Last index inside going up: inside at `last`, outside at last + pad once the loop ends.
        var last = p
        while inside(last + pad) { last += pad }
        var half = pad / 2
        while half > 0 { last = inside(last + half) ? last + half : last; half /= 2 }
        var first = p
        while inside(first - pad) { first -= pad }
        half = pad / 2
        while half > 0 { first = inside(first - half) ? first - half : first; half /= 2 }
        return last - first + 1
    }

    static let pad = 64

}
