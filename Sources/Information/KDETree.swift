extension KDEEstimator {
    /// k-d trees over points of at most four coordinates: each node splits its widest
    /// coordinate at the median (quickselect), down to leaves of at most `leafSize` points; every
    /// node keeps its bounding box (unused lanes 0). Several trees (one per class) share the arrays.
    struct Tree {
        let width: Int
        var low: [SIMD4<Float>] = [], high: [SIMD4<Float>] = []
        var left: [Int] = [], right: [Int] = [], leaf: [Int] = [], size: [Int] = []
        /// Each node's leaves: `firstLeaf[node] ..< firstLeaf[node] + leafCount[node]`.
        var firstLeaf: [Int] = [], leafCount: [Int] = []
        /// Each leaf's node.
        var leafNode: [Int] = []
        /// Each leaf's points, leaves in depth-first order, and their positions in the build order.
        var leafUnits: [ArraySlice<Int>] = []
        private var leafRanges: [Range<Int>] = []

        init(width: Int) {
            precondition(width <= 4)
            self.width = width
        }

        /// Builds a tree over `units` (row-major coordinates, `width` per unit) and returns its
        /// root, or −1 when there are none.
        mutating func build(_ x: [Float], units: [Int], leafSize: Int) -> Int {
            guard !units.isEmpty else { return -1 }
            let count = units.count
            precondition(count <= Int(UInt32.max))
            // The points (unused lanes 0) in the order of `units`, and the build order as
            // entries: a point's index (low 32 bits) under the Float bits of the coordinate
            // being split on (high 32 bits), so that a partition moves one word per element.
            let points = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: count)
            let entries = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
            defer {
                points.deallocate()
                entries.deallocate()
            }
            x.withUnsafeBufferPointer { x in
                for (i, u) in units.enumerated() {
                    var p = SIMD4<Float>.zero
                    for c in 0..<width { p[c] = x[u * width + c] }
                    points[i] = p
                    entries[i] = UInt64(i)
                }
            }
            // Leaves hold at least (leafSize + 1) / 2 points unless the root is one.
            let nodes = 2 * (count / max(1, (leafSize + 1) / 2)) + 1
            left.reserveCapacity(left.count + nodes); right.reserveCapacity(right.count + nodes)
            leaf.reserveCapacity(leaf.count + nodes); size.reserveCapacity(size.count + nodes)
            firstLeaf.reserveCapacity(firstLeaf.count + nodes); leafCount.reserveCapacity(leafCount.count + nodes)
            low.reserveCapacity(low.count + nodes); high.reserveCapacity(high.count + nodes)
            let first = leafUnits.count
            let root = node(points, entries, 0..<count, leafSize: leafSize)
            let order = (0..<count).map { units[Self.point(entries[$0])] }
            // The leaves' slices are taken once the order is final, from one array.
            for l in first..<leafUnits.count { leafUnits[l] = order[leafRanges[l]] }
            return root
        }

        /// The point of a build-order entry.
        @inline(__always)
        static func point(_ entry: UInt64) -> Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry)) }

        private mutating func node(_ points: UnsafePointer<SIMD4<Float>>, _ entries: UnsafeMutablePointer<UInt64>,
                                   _ range: Range<Int>, leafSize: Int) -> Int {
            let id = left.count
            left.append(-1); right.append(-1); leaf.append(-1); size.append(range.count)
            firstLeaf.append(leafUnits.count); leafCount.append(0)
            var lo = points[Self.point(entries[range.lowerBound])], hi = lo
            for j in (range.lowerBound + 1)..<range.upperBound {
                let p = points[Self.point(entries[j])]
                lo = lo.replacing(with: p, where: p .< lo)
                hi = hi.replacing(with: p, where: p .> hi)
            }
            low.append(lo)
            high.append(hi)
            if range.count <= leafSize {
                leaf[id] = leafUnits.count
                leafNode.append(id)
                leafUnits.append([])
                leafRanges.append(range)
                leafCount[id] = 1
                return id
            }
            var widest = 0, extent: Float = -1
            let spread = hi - lo
            for c in 0..<width where spread[c] > extent {
                extent = spread[c]
                widest = c
            }
            let coordinates = UnsafeRawPointer(points).assumingMemoryBound(to: Float.self)
            for j in range {
                let i = Self.point(entries[j])
                entries[j] = UInt64(coordinates[4 &* i &+ widest].bitPattern) << 32 | UInt64(i)
            }
            let middle = range.lowerBound + range.count / 2
            KDEEstimator.select(entries, range, k: middle)
            let l = node(points, entries, range.lowerBound..<middle, leafSize: leafSize)
            let r = node(points, entries, middle..<range.upperBound, leafSize: leafSize)
            left[id] = l
            right[id] = r
            leafCount[id] = leafUnits.count - firstLeaf[id]
            return id
        }

        /// Hands every unordered pair of leaves of the trees at `roots` whose boxes are within `limit`
        /// (squared), once, with whether both leaves come from the same tree: a dual-tree walk
        /// that drops node pairs whose boxes are farther apart, with an explicit stack. Nodes of
        /// at most `bucket` points are not split further: their leaves pair with each other when
        /// the leaves' boxes are near (fewer steps of the walk, which is branchy).
        /// Node pairs of at least `expandSize` points each, with |A||B| ≥ `expandRatio` (|A| + |B|),
        /// for which `expand` gives orders go to `expansions` whole instead.
        func leafPairs(roots: [Int], limit: Float, upperLimit: Float, bucket: Int,
                       expandSize: Int = .max, expandRatio: Int = 0, expand: (Int, Int) -> SIMD4<Int32>? = { _, _ in nil },
                       expansions: inout [(Int32, Int32, Bool, SIMD4<Int32>)],
                       chunk: Int = 1024, flush: ([LeafPair]) -> Void) {
            // Handed over in chunks, which stay in cache (and no large array is allocated).
            var pairs: [LeafPair] = []
            pairs.reserveCapacity(chunk + 64)
            var stack: [(Int32, Int32, Bool)] = []
            for ca in roots.indices where roots[ca] >= 0 {
                for cb in ca..<roots.count where roots[cb] >= 0 { stack.append((Int32(roots[ca]), Int32(roots[cb]), ca == cb)) }
            }
            low.withUnsafeBufferPointer { low in
                high.withUnsafeBufferPointer { high in
                    left.withUnsafeBufferPointer { left in
                        right.withUnsafeBufferPointer { right in
                            leaf.withUnsafeBufferPointer { leaf in
                              firstLeaf.withUnsafeBufferPointer { firstLeaf in
                               leafCount.withUnsafeBufferPointer { leafCount in
                               leafNode.withUnsafeBufferPointer { leafNode in
                                size.withUnsafeBufferPointer { size in
                                    while let (a32, b32, same) = stack.popLast() {
                                        let a = Int(a32), b = Int(b32)
                                        if Self.gap(low[a], high[a], low[b], high[b]) > limit { continue }
                                        let leafA = leaf[a], leafB = leaf[b]
                                        let sizeA = size[a], sizeB = size[b]
                                        if sizeA >= expandSize && sizeB >= expandSize && sizeA &* sizeB >= expandRatio &* (sizeA &+ sizeB),
                                           let orders = expand(a, b) {
                                            expansions.append((a32, b32, same, orders))
                                            continue
                                        }
                                        if size[a] <= bucket && size[b] <= bucket {
                                            let la = firstLeaf[a], lb = firstLeaf[b]
                                            for i in la..<(la + leafCount[a]) {
                                                let ni = leafNode[i]
                                                for j in (a == b ? i : lb)..<(lb + leafCount[b]) {
                                                    let nj = leafNode[j]
                                                    let g = Self.gap(low[ni], high[ni], low[nj], high[nj])
                                                    if g > limit { continue }
                                                    pairs.append(LeafPair(a: Int32(i), b: Int32(j), sameClass: same, lowerOnly: g > upperLimit))
                                                }
                                            }
                                            if pairs.count >= chunk {
                                                flush(pairs)
                                                pairs.removeAll(keepingCapacity: true)
                                            }
                                        } else if a == b {
                                            let l = Int32(left[a]), r = Int32(right[a])
                                            stack.append((l, l, same))
                                            stack.append((l, r, same))
                                            stack.append((r, r, same))
                                        } else if leafB >= 0 || (leafA < 0 && size[a] >= size[b]) {
                                            stack.append((Int32(left[a]), b32, same))
                                            stack.append((Int32(right[a]), b32, same))
                                        } else {
                                            stack.append((a32, Int32(left[b]), same))
                                            stack.append((a32, Int32(right[b]), same))
                                        }
                                    }
                                }
                               }
                               }
                              }
                            }
                        }
                    }
                }
            }
            if !pairs.isEmpty { flush(pairs) }
        }

        /// The squared distance between the boxes of nodes a and b (0 when they overlap),
        /// rounded up so that comparing it with a threshold never skips a closer pair: Float
        /// rounding of the differences and the sum stays below 2⁻²¹ relative.
        @inline(__always)
        func gap(_ a: Int, _ b: Int) -> Float { Self.gap(low[a], high[a], low[b], high[b]) }

        @inline(__always)
        static func gap(_ lowA: SIMD4<Float>, _ highA: SIMD4<Float>, _ lowB: SIMD4<Float>, _ highB: SIMD4<Float>) -> Float {
            let d1 = lowB - highA, d2 = lowA - highB
            var g = d1.replacing(with: d2, where: d2 .> d1)
            g = g.replacing(with: SIMD4<Float>(), where: g .< SIMD4<Float>())
            let s = g * g
            return (s[0] + s[1] + s[2] + s[3]) * (1 - 0x1p-21)
        }
    }

    /// Reorders the build-order entries of `range` (see `Tree.build`) so that position k holds
    /// the one of rank k by its key, with no larger key before it and no smaller one after it.
    /// Quickselect with branch-free partitions (the comparisons of coordinates are unpredictable):
    /// first the entries below the pivot to the front, then, if k is not among them, those
    /// equal to it; the pivot is the median of three.
    static func select(_ entries: UnsafeMutablePointer<UInt64>, _ range: Range<Int>, k: Int) {
        @inline(__always)
        func key(_ entry: UInt64) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: entry >> 32)) }
        /// Moves the entries of lo..<hi for which `test` holds to the front; returns where the
        /// others start.
        @inline(__always)
        func partition(_ lo: Int, _ hi: Int, _ test: (Float) -> Bool) -> Int {
            var i = lo
            for j in lo..<hi {
                let x = entries[j]
                // The Bool's byte (0 or 1) as the step: `moves ? 1 : 0` compiled to a branch.
                let step = Int(unsafeBitCast(test(key(x)), to: UInt8.self))
                entries[j] = entries[i]
                entries[i] = x
                i &+= step
            }
            return i
        }
        var lo = range.lowerBound, hi = range.upperBound
        while hi - lo > 1 {
            let a = key(entries[lo]), b = key(entries[lo + (hi - lo) / 2]), d = key(entries[hi - 1])
            let pivot = max(min(a, b), min(max(a, b), d))
            let below = partition(lo, hi) { $0 < pivot }
            if k < below { hi = below; continue }
            // The pivot is one of the keys, so at least one equals it (unless it is NaN: then
            // stop, as the boxes are meaningless anyway).
            let equal = partition(below, hi) { $0 == pivot }
            if k < equal || equal == below { return }
            lo = equal
        }
    }
}
