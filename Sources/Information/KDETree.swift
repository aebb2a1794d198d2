import CVectorMath

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
        /// The largest depth of a node (roots at 0).
        var height = 0
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
            units.withUnsafeBufferPointer { build(x, units: $0, leafSize: leafSize) }
        }

        mutating func build(_ x: [Float], units: UnsafeBufferPointer<Int>, leafSize: Int) -> Int {
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
                let x = x.baseAddress!
                for i in 0..<count {
                    let u = units[i]
                    var p = SIMD4<Float>.zero
                    for c in 0..<width { p[c] = x[u &* width &+ c] }
                    points[i] = p
                    entries[i] = UInt64(i)
                }
            }
            // Every leaf but the last is full (see `node`): ⌈count / leafSize⌉ leaves, and one
            // node fewer above them.
            let capacity = 2 * ((count + leafSize - 1) / leafSize) - 1
            var nodes = NewNodes(first: left.count, capacity: capacity)
            defer { nodes.deallocate() }
            let first = leafUnits.count
            let root = node(points, entries, 0..<count, depth: 0, leafSize: leafSize, into: &nodes)
            nodes.append(to: &self)
            let order = (0..<count).map { units[Self.point(entries[$0])] }
            // The leaves' slices are taken once the order is final, from one array.
            for l in first..<leafUnits.count { leafUnits[l] = order[leafRanges[l]] }
            return root
        }

        /// The point of a build-order entry.
        @inline(__always)
        static func point(_ entry: UInt64) -> Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry)) }

        /// The fields of the nodes being built, appended to the tree's arrays once the build is
        /// done: appending to eight arrays a node checked each one's buffer every time.
        private struct NewNodes {
            /// The first new node's index in the tree, and the room for new nodes.
            let first: Int, capacity: Int
            var count = 0
            let left, right, leaf, size, firstLeaf, leafCount: UnsafeMutablePointer<Int>
            let low, high: UnsafeMutablePointer<SIMD4<Float>>

            init(first: Int, capacity: Int) {
                self.first = first
                self.capacity = capacity
                (left, right, leaf) = (.allocate(capacity: capacity), .allocate(capacity: capacity), .allocate(capacity: capacity))
                (size, firstLeaf, leafCount) = (.allocate(capacity: capacity), .allocate(capacity: capacity), .allocate(capacity: capacity))
                (low, high) = (.allocate(capacity: capacity), .allocate(capacity: capacity))
            }

            func append(to tree: inout Tree) {
                func append<T>(_ values: UnsafeMutablePointer<T>, to array: inout [T]) {
                    array.append(contentsOf: UnsafeBufferPointer(start: values, count: count))
                }
                append(left, to: &tree.left); append(right, to: &tree.right); append(leaf, to: &tree.leaf)
                append(size, to: &tree.size); append(firstLeaf, to: &tree.firstLeaf); append(leafCount, to: &tree.leafCount)
                append(low, to: &tree.low); append(high, to: &tree.high)
            }

            func deallocate() {
                for p in [left, right, leaf, size, firstLeaf, leafCount] { p.deallocate() }
                low.deallocate()
                high.deallocate()
            }
        }

        private mutating func node(_ points: UnsafePointer<SIMD4<Float>>, _ entries: UnsafeMutablePointer<UInt64>,
                                   _ range: Range<Int>, depth: Int, leafSize: Int, into nodes: inout NewNodes) -> Int {
            let slot = nodes.count
            let id = nodes.first + slot
            nodes.count += 1
            precondition(nodes.count <= nodes.capacity)
            height = max(height, depth)
            nodes.left[slot] = -1; nodes.right[slot] = -1; nodes.leaf[slot] = -1; nodes.size[slot] = range.count
            nodes.firstLeaf[slot] = leafUnits.count; nodes.leafCount[slot] = 0
            // The box, with two pairs of bounds for alternate points: one pair waited on each
            // comparison in turn. (Min and max are exact.)
            var lo = points[Self.point(entries[range.lowerBound])], hi = lo, lo2 = lo, hi2 = lo
            var j = range.lowerBound &+ 1
            while j &+ 1 < range.upperBound {
                let p = points[Self.point(entries[j])], q = points[Self.point(entries[j &+ 1])]
                lo = lo.replacing(with: p, where: p .< lo)
                hi = hi.replacing(with: p, where: p .> hi)
                lo2 = lo2.replacing(with: q, where: q .< lo2)
                hi2 = hi2.replacing(with: q, where: q .> hi2)
                j &+= 2
            }
            if j < range.upperBound {
                let p = points[Self.point(entries[j])]
                lo = lo.replacing(with: p, where: p .< lo)
                hi = hi.replacing(with: p, where: p .> hi)
            }
            lo = lo.replacing(with: lo2, where: lo2 .< lo)
            hi = hi.replacing(with: hi2, where: hi2 .> hi)
            nodes.low[slot] = lo
            nodes.high[slot] = hi
            if range.count <= leafSize {
                nodes.leaf[slot] = leafUnits.count
                leafNode.append(id)
                leafUnits.append([])
                leafRanges.append(range)
                nodes.leafCount[slot] = 1
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
            // The left part takes the multiple of `leafSize` nearest half, so that every leaf
            // but the tree's last is full: the kernel computes whole leaves, padding included
            // (halving 2118 rows down to at most 8 would leave leaves of 4 to 8, 77% full).
            let middle = range.lowerBound + max(1, (range.count + leafSize) / (2 * leafSize)) * leafSize
            KDEEstimator.select(entries, range, k: middle)
            nodes.left[slot] = node(points, entries, range.lowerBound..<middle, depth: depth + 1, leafSize: leafSize, into: &nodes)
            nodes.right[slot] = node(points, entries, middle..<range.upperBound, depth: depth + 1, leafSize: leafSize, into: &nodes)
            nodes.leafCount[slot] = leafUnits.count - nodes.firstLeaf[slot]
            return id
        }

        /// Hands every unordered pair of leaves of the trees at `roots` whose boxes are within `limit`
        /// (squared), once, with whether both leaves come from the same tree: a dual-tree walk
        /// that drops node pairs whose boxes are farther apart, with an explicit stack. Nodes of
        /// at most `bucket` points and four leaves are not split further: their leaves pair with
        /// each other when the leaves' boxes are near (fewer steps of the walk, which is branchy).
        /// Node pairs of at least `expandSize` points each, with |A||B| ≥ `expandRatio` (|A| + |B|),
        /// for which `expand` gives orders go to `expansions` whole instead.
        func leafPairs(roots: [Int], limit: Float, upperLimit: Float, bucket: Int,
                       expandSize: Int = .max, expandRatio: Int = 0, expand: (Int, Int) -> SIMD4<Int32>? = { _, _ in nil },
                       expansions: inout [(Int32, Int32, Bool, SIMD4<Int32>)],
                       chunk: Int = 1024, flush: ([LeafPair]) -> Void) {
            // Handed over in chunks, which stay in cache (and no large array is allocated). The
            // pairs are listed in `found` (a bucket adds at most 16), and copied to `pairs` for
            // `flush`: appending to an array one by one checks its buffer every time.
            var pairs: [LeafPair] = []
            pairs.reserveCapacity(chunk + 16)
            let found = UnsafeMutablePointer<LeafPair>.allocate(capacity: chunk + 16)
            var count = 0
            func handOver() {
                pairs.append(contentsOf: UnsafeBufferPointer(start: found, count: count))
                flush(pairs)
                pairs.removeAll(keepingCapacity: true)
                count = 0
            }
            // The stack holds the root pairs, then at most two pairs left by each step down the
            // walk's current path, along which the two depths' sum grows: at most 2 · height steps.
            let stack = UnsafeMutablePointer<(Int32, Int32, Bool)>.allocate(capacity: roots.count * roots.count + 4 * height + 4)
            var depth = 0
            @inline(__always)
            func push(_ a: Int32, _ b: Int32, _ same: Bool) {
                stack[depth] = (a, b, same)
                depth &+= 1
            }
            for ca in roots.indices where roots[ca] >= 0 {
                for cb in ca..<roots.count where roots[cb] >= 0 { push(Int32(roots[ca]), Int32(roots[cb]), ca == cb) }
            }
            // Each leaf's box, coordinate-major (the lows of coordinate c at c · boxStride, the
            // highs at (4 + c) · boxStride), so that four consecutive leaves are one vector;
            // padded so that four can be read from any leaf on.
            let boxStride = leafNode.count + 4
            let boxes = UnsafeMutablePointer<Float>.allocate(capacity: 8 * boxStride)
            boxes.initialize(repeating: 0, count: 8 * boxStride)
            defer {
                stack.deallocate()
                boxes.deallocate()
                found.deallocate()
            }
            for (l, node) in leafNode.enumerated() {
                for c in 0..<width {
                    boxes[c * boxStride + l] = low[node][c]
                    boxes[(4 + c) * boxStride + l] = high[node][c]
                }
            }
            // Lane 4i + j of a bucket's vectors pairs leaf i of one node with leaf j of the other.
            /// `gap` between the first four leaves from la and those from lb, in lane 4i + j (the
            /// same sums in the same order; unused coordinates, 0, would add 0).
            @inline(__always)
            func gaps(_ la: Int, _ lb: Int) -> SIMD16<Float> {
                @inline(__always)
                func four(_ row: Int, _ leaf: Int) -> SIMD4<Float> {
                    UnsafeRawPointer(boxes + (row &* boxStride &+ leaf)).loadUnaligned(as: SIMD4<Float>.self)
                }
                @inline(__always)
                func square(_ c: Int) -> SIMD16<Float> {
                    let lowA = four(c, la), highA = four(4 &+ c, la), lowB = four(c, lb), highB = four(4 &+ c, lb)
                    // Leaf i's values repeated over its four lanes; the four of b repeated.
                    let highI = SIMD16<Float>(highA[0], highA[0], highA[0], highA[0], highA[1], highA[1], highA[1], highA[1],
                                              highA[2], highA[2], highA[2], highA[2], highA[3], highA[3], highA[3], highA[3])
                    let lowI = SIMD16<Float>(lowA[0], lowA[0], lowA[0], lowA[0], lowA[1], lowA[1], lowA[1], lowA[1],
                                             lowA[2], lowA[2], lowA[2], lowA[2], lowA[3], lowA[3], lowA[3], lowA[3])
                    let lowJ = SIMD16(lowHalf: SIMD8(lowHalf: lowB, highHalf: lowB), highHalf: SIMD8(lowHalf: lowB, highHalf: lowB))
                    let highJ = SIMD16(lowHalf: SIMD8(lowHalf: highB, highHalf: highB), highHalf: SIMD8(lowHalf: highB, highHalf: highB))
                    let d1 = lowJ - highI, d2 = lowI - highJ
                    var g = d1.replacing(with: d2, where: d2 .> d1)
                    g = g.replacing(with: SIMD16<Float>(), where: g .< SIMD16<Float>())
                    return g * g
                }
                var s = square(0)
                for c in 1..<width { s += square(c) }
                return s * (1 - 0x1p-21)
            }
            low.withUnsafeBufferPointer { low in
                high.withUnsafeBufferPointer { high in
                    left.withUnsafeBufferPointer { left in
                        right.withUnsafeBufferPointer { right in
                            leaf.withUnsafeBufferPointer { leaf in
                              firstLeaf.withUnsafeBufferPointer { firstLeaf in
                               leafCount.withUnsafeBufferPointer { leafCount in
                                size.withUnsafeBufferPointer { size in
                                    while depth > 0 {
                                        depth &-= 1
                                        let (a32, b32, same) = stack[depth]
                                        let a = Int(a32), b = Int(b32)
                                        // (A node's box is no distance from itself.)
                                        if a != b && Self.gap(low[a], high[a], low[b], high[b]) > limit { continue }
                                        let leafA = leaf[a], leafB = leaf[b]
                                        let sizeA = size[a], sizeB = size[b]
                                        if sizeA >= expandSize && sizeB >= expandSize && sizeA &* sizeB >= expandRatio &* (sizeA &+ sizeB),
                                           let orders = expand(a, b) {
                                            expansions.append((a32, b32, same, orders))
                                            continue
                                        }
                                        let countA = leafCount[a], countB = leafCount[b]
                                        if sizeA <= bucket && sizeB <= bucket && countA <= 4 && countB <= 4 {
                                            let la = firstLeaf[a], lb = firstLeaf[b]
                                            let g = gaps(la, lb)
                                            // Lanes of existing leaves (i < countA, j < countB), and j ≥ i within a node.
                                            var near = (1 &<< (4 &* countA) &- 1) & ((1 &<< countB &- 1) &* 0x1111)
                                            if a == b { near &= 0x8CEF }
                                            // (NaN gaps count as near.)
                                            near &= Int(ip_not_above_16(g, limit))
                                            let lowerOnly = Int(ip_above_16(g, upperLimit))
                                            while near != 0 {
                                                let lane = near.trailingZeroBitCount
                                                found[count] = LeafPair(a: Int32(truncatingIfNeeded: la &+ lane >> 2),
                                                                        b: Int32(truncatingIfNeeded: lb &+ lane & 3),
                                                                        sameClass: same, lowerOnly: lowerOnly >> lane & 1 != 0)
                                                count &+= 1
                                                near &= near &- 1
                                            }
                                            if count >= chunk { handOver() }
                                        } else if a == b {
                                            let l = Int32(truncatingIfNeeded: left[a]), r = Int32(truncatingIfNeeded: right[a])
                                            push(l, l, same)
                                            push(l, r, same)
                                            push(r, r, same)
                                        } else if leafB >= 0 || (leafA < 0 && size[a] >= size[b]) {
                                            push(Int32(truncatingIfNeeded: left[a]), b32, same)
                                            push(Int32(truncatingIfNeeded: right[a]), b32, same)
                                        } else {
                                            push(a32, Int32(truncatingIfNeeded: left[b]), same)
                                            push(a32, Int32(truncatingIfNeeded: right[b]), same)
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
            if count > 0 { handOver() }
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
