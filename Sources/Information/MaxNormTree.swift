/// A k-d tree over points under the max-norm, for exact k-th-neighbour distances and exact
/// counts of points strictly within a radius.
///
/// "Exact" means the same answers as comparing every pair with `abs(p − q)` per coordinate:
/// boxes hold the true minimum and maximum of their points, and floating-point subtraction is
/// monotone, so a box is skipped or counted whole only when every point in it would have been.
struct MaxNormTree {
    let dims: Int
    /// Points in tree order, sample-major (`count × dims`).
    private(set) var points: [Double]
    /// Per node: first and last point (half-open) and the children (−1 for a leaf).
    private var start: [Int32] = [], end: [Int32] = [], left: [Int32] = [], right: [Int32] = []
    /// Per node: the box's low and high corners, `dims` values each.
    private var low: [Double] = [], high: [Double] = []
    static let leafSize = 12

    /// - Parameter values: `count × dims`, sample-major.
    init(_ values: UnsafeBufferPointer<Double>, count n: Int, dims: Int) {
        self.dims = dims
        var order = [Int32](0..<Int32(n))
        points = []
        order.withUnsafeMutableBufferPointer { order in
            build(values, order: order, from: 0, to: n)
        }
        points = [Double](unsafeUninitializedCapacity: n * dims) { buffer, initialized in
            for (p, row) in order.enumerated() {
                for c in 0..<dims { buffer[p * dims + c] = values[Int(row) * dims + c] }
            }
            initialized = n * dims
        }
    }

    @discardableResult
    private mutating func build(_ v: UnsafeBufferPointer<Double>, order: UnsafeMutableBufferPointer<Int32>,
                                from a: Int, to b: Int) -> Int32 {
        let node = Int32(start.count)
        start.append(Int32(a)); end.append(Int32(b)); left.append(-1); right.append(-1)
        var widest = 0, spread = -1.0
        for c in 0..<dims {
            var lo = Double.infinity, hi = -Double.infinity
            for p in a..<b { let x = v[Int(order[p]) * dims + c]; lo = min(lo, x); hi = max(hi, x) }
            low.append(lo); high.append(hi)
            if hi - lo > spread { spread = hi - lo; widest = c }
        }
        guard b - a > Self.leafSize, spread > 0 else { return node }
        let middle = (a + b) / 2
        Self.select(v, dims: dims, axis: widest, order: order, from: a, to: b, nth: middle)
        let l = build(v, order: order, from: a, to: middle)
        let r = build(v, order: order, from: middle, to: b)
        left[Int(node)] = l
        right[Int(node)] = r
        return node
    }

    /// Partially orders `order[a..<b]` by coordinate `axis` so that position `nth` holds the
    /// element a full sort would put there (Hoare's quickselect, median-of-three pivots).
    private static func select(_ v: UnsafeBufferPointer<Double>, dims: Int, axis: Int,
                               order: UnsafeMutableBufferPointer<Int32>, from a: Int, to b: Int, nth: Int) {
        func key(_ p: Int) -> Double { v[Int(order[p]) * dims + axis] }
        var lo = a, hi = b - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            var candidates = [key(lo), key(mid), key(hi)]
            candidates.sort()
            let pivot = candidates[1]
            var i = lo, j = hi
            while i <= j {
                while key(i) < pivot { i += 1 }
                while key(j) > pivot { j -= 1 }
                if i <= j { order.swapAt(i, j); i += 1; j -= 1 }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { return }
        }
    }

    /// The k-th smallest distance from `query` to the tree's points (the query itself counts if
    /// it is one of them). `best` is scratch space of at least k slots.
    func kthDistance(to query: UnsafePointer<Double>, k: Int, best: UnsafeMutablePointer<Double>) -> Double {
        for s in 0..<k { best[s] = .infinity }
        points.withUnsafeBufferPointer { pts in
            low.withUnsafeBufferPointer { lo in
                high.withUnsafeBufferPointer { hi in
                    search(0, query, k, best, pts.baseAddress!, lo.baseAddress!, hi.baseAddress!)
                }
            }
        }
        return best[k - 1]
    }

    private func search(_ node: Int, _ q: UnsafePointer<Double>, _ k: Int, _ best: UnsafeMutablePointer<Double>,
                        _ pts: UnsafePointer<Double>, _ lo: UnsafePointer<Double>, _ hi: UnsafePointer<Double>) {
        let l = Int(left[node])
        if l < 0 {
            for p in Int(start[node])..<Int(end[node]) {
                let row = pts + p * dims
                var d = 0.0
                for c in 0..<dims { d = max(d, abs(row[c] - q[c])) }
                if d < best[k - 1] {
                    var s = k - 1
                    while s > 0 && best[s - 1] > d { best[s] = best[s - 1]; s -= 1 }
                    best[s] = d
                }
            }
            return
        }
        let r = Int(right[node])
        let dl = gap(l, q, lo, hi), dr = gap(r, q, lo, hi)
        let (first, second, d1, d2) = dl <= dr ? (l, r, dl, dr) : (r, l, dr, dl)
        if d1 < best[k - 1] { search(first, q, k, best, pts, lo, hi) }
        if d2 < best[k - 1] { search(second, q, k, best, pts, lo, hi) }
    }

    /// A lower bound on the distance from q to any point of the node's box.
    @inline(__always)
    private func gap(_ node: Int, _ q: UnsafePointer<Double>, _ lo: UnsafePointer<Double>, _ hi: UnsafePointer<Double>) -> Double {
        var d = 0.0
        let l = lo + node * dims, h = hi + node * dims
        for c in 0..<dims {
            if q[c] < l[c] { d = max(d, l[c] - q[c]) } else if q[c] > h[c] { d = max(d, q[c] - h[c]) }
        }
        return d
    }

    /// How many points lie strictly closer than `radius` to `query`.
    func count(within radius: Double, of query: UnsafePointer<Double>) -> Int {
        points.withUnsafeBufferPointer { pts in
            low.withUnsafeBufferPointer { lo in
                high.withUnsafeBufferPointer { hi in
                    count(0, query, radius, pts.baseAddress!, lo.baseAddress!, hi.baseAddress!)
                }
            }
        }
    }

    private func count(_ node: Int, _ q: UnsafePointer<Double>, _ radius: Double,
                       _ pts: UnsafePointer<Double>, _ lo: UnsafePointer<Double>, _ hi: UnsafePointer<Double>) -> Int {
        let l = lo + node * dims, h = hi + node * dims
        var near = 0.0, far = 0.0
        for c in 0..<dims {
            let a = abs(l[c] - q[c]), b = abs(h[c] - q[c])
            far = max(far, max(a, b))
            if q[c] < l[c] { near = max(near, a) } else if q[c] > h[c] { near = max(near, b) }
        }
        if near >= radius { return 0 }
        if far < radius { return Int(end[node] - start[node]) }
        let child = Int(left[node])
        if child < 0 {
            var total = 0
            for p in Int(start[node])..<Int(end[node]) {
                let row = pts + p * dims
                var d = 0.0
                for c in 0..<dims { d = max(d, abs(row[c] - q[c])) }
                total += d < radius ? 1 : 0
            }
            return total
        }
        return count(child, q, radius, pts, lo, hi) + count(Int(right[node]), q, radius, pts, lo, hi)
    }
}
