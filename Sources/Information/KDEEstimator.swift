import NumericCore

/// Kolchinsky & Tracey's pairwise-distance bounds on the mutual information of a layer with
/// added Gaussian noise of variance σ² (T = h(X) + ε), as used by Saxe et al. (2018):
///
///     I(X;T) ≤ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (2σ²))   (KL bound)
///     I(X;T) ≥ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (8σ²))   (Bhattacharyya bound)
///
/// and I(T;Y) as the same bound of H(T) minus Σ_y p(y) times the bound within class y.
/// Values are in nats.
///
/// The n² kernel terms are not all computed:
/// - rows equal in value and class (common in saturated or narrow layers) are one row with a
///   count, and the sums run over distinct rows with weights (exact up to summation order);
/// - each class's distinct rows go into a k-d tree with leaves of at most 16 rows, and a
///   dual-tree walk visits every unordered pair of leaves once, skipping node pairs whose
///   bounding boxes are so far apart that every Bhattacharyya term between them (the wider
///   kernel) is below e^−(log n + 16), and in layers of 4 units or more also rows whose 16
///   terms with a leaf all are. Every row's sum includes its own term 1, so what is skipped
///   changes each logarithm, and so each bound, by less than e^−16 ≈ 1.1·10⁻⁷;
/// - each kernel term serves both rows of its pair. Terms are Float, eight at a time:
///   r = exp(−d/8σ²) by FastExp (relative error below 1e-7) and exp(−d/2σ²) = r⁴; sums over a
///   leaf are Float, totals Double; coordinates below 2⁻⁴⁰ in magnitude count as 0 (see `snap`).
/// The bounds agree with an all-pairs Double evaluation within 1e-6 nats (tested; typically a
/// few 1e-7), as did the previous all-pairs Float code, from which they differ by up to
/// 1.3e-6 nats on the Tishby net's recordings (Benchmarks/LayerTiming).
public struct KDEEstimator: Sendable {
    public var noiseVariance: Double

    public init(noiseVariance: Double = 1e-3) {
        precondition(noiseVariance > 0)
        self.noiseVariance = noiseVariance
    }

    public struct Bounds: Sendable, Equatable {
        public var ixtUpper: Double
        public var ixtLower: Double
        public var ityUpper: Double
        public var ityLower: Double

        public init(ixtUpper: Double, ixtLower: Double, ityUpper: Double, ityLower: Double) {
            self.ixtUpper = ixtUpper
            self.ixtLower = ixtLower
            self.ityUpper = ityUpper
            self.ityLower = ityLower
        }
    }

    /// Largest number of distinct rows per leaf of the k-d trees.
    static let leafSize = 16  // the kernel's blocks are 16 wide
    /// Leaf pairs whose every Bhattacharyya term is below e^−(log n + skipMargin) are skipped.
    static let skipMargin = 16.0

    /// - Parameter activations: `rows × width`, row-major.
    public func bounds(_ activations: UnsafeBufferPointer<Float>, rows n: Int, width: Int, labels: [Int]) -> Bounds {
        precondition(activations.count >= n * width && labels.count == n)
        guard n > 0 else { return Bounds(ixtUpper: 0, ixtLower: 0, ityUpper: 0, ityLower: 0) }
        let classOf = Self.denseClasses(labels)
        let units = Self.distinctRows(activations, rows: n, width: width, classes: classOf.index)
        let m = units.representative.count
        // Unit coordinates, row-major, for the trees.
        var coordinates = [Float](repeating: 0, count: m * width)
        for u in 0..<m {
            let row = units.representative[u]
            for c in 0..<width { coordinates[u * width + c] = Self.snap(activations[row * width + c]) }
        }
        // One tree per class, so that every leaf holds one class.
        var members = [[Int]](repeating: [], count: classOf.sizes.count)
        for u in 0..<m { members[units.classIndex[u]].append(u) }
        var building = Tree(width: width)
        let roots = members.map { building.build(coordinates, units: $0, leafSize: Self.leafSize) }
        let tree = building  // a constant: no exclusivity checks in the walk

        // Leaves laid out feature-major, each padded to 16 slots with weight-0 rows.
        var leafStart: [Int] = [], leafCount: [Int] = []
        var padded = 0
        for leaf in tree.leafUnits {
            leafStart.append(padded)
            leafCount.append(leaf.count)
            padded += Self.leafSize
        }
        var h = [Float](repeating: 0, count: padded * width)
        var weight = [Float](repeating: 0, count: padded)
        var unitAt = [Int](repeating: -1, count: padded)
        for (l, leaf) in tree.leafUnits.enumerated() {
            for (k, u) in leaf.enumerated() {
                let p = leafStart[l] + k
                unitAt[p] = u
                weight[p] = Float(units.multiplicity[u])
                for c in 0..<width { h[c * padded + p] = coordinates[u * width + c] }
            }
        }

        // Per padded slot, Σ_j w_j k_ij over all j and over j of the same class, for both kernels.
        var sums = [Double](repeating: 0, count: 4 * padded)
        let scale = Float(1 / (2 * noiseVariance))
        let skipDistance = (_logarithm(Double(n)) + Self.skipMargin) * 8 * noiseVariance
        h.withUnsafeBufferPointer { h in
            weight.withUnsafeBufferPointer { w in
                sums.withUnsafeMutableBufferPointer { sums in
                    let kernel = Kernel(h: h.baseAddress!, w: w.baseAddress!, sums: sums.baseAddress!, padded: padded,
                                        width: width, scale: scale, skipDistance: Float(skipDistance), check: width >= 4)
                    // Every unordered pair of leaves once, skipping far node pairs whole.
                    func visit(_ a: Int, _ b: Int, sameClass: Bool) {
                        if tree.gap(a, b) > skipDistance { return }
                        let leafA = tree.leaf[a], leafB = tree.leaf[b]
                        if leafA >= 0 && leafB >= 0 {
                            kernel.block(rows: leafStart[leafA]..<(leafStart[leafA] + leafCount[leafA]),
                                         column: leafStart[leafB],
                                         symmetric: a != b, sameClass: sameClass)
                        } else if a == b {
                            let l = tree.left[a], r = tree.right[a]
                            visit(l, l, sameClass: sameClass)
                            visit(l, r, sameClass: sameClass)
                            visit(r, r, sameClass: sameClass)
                        } else if leafB >= 0 || (leafA < 0 && tree.size[a] >= tree.size[b]) {
                            visit(tree.left[a], b, sameClass: sameClass)
                            visit(tree.right[a], b, sameClass: sameClass)
                        } else {
                            visit(a, tree.left[b], sameClass: sameClass)
                            visit(a, tree.right[b], sameClass: sameClass)
                        }
                    }
                    for ca in roots.indices where roots[ca] >= 0 {
                        for cb in ca..<roots.count where roots[cb] >= 0 {
                            visit(roots[ca], roots[cb], sameClass: ca == cb)
                        }
                    }
                }
            }
        }

        var totalUpper = 0.0, totalLower = 0.0, classUpper = 0.0, classLower = 0.0
        for p in 0..<padded where unitAt[p] >= 0 {
            let u = unitAt[p]
            let count = Double(units.multiplicity[u]), size = Double(classOf.sizes[units.classIndex[u]])
            // Each sum includes the row's own term 1, so none is zero.
            totalUpper += count * _logarithm(sums[p] / Double(n))
            totalLower += count * _logarithm(sums[padded + p] / Double(n))
            classUpper += count * _logarithm(sums[2 * padded + p] / size)
            classLower += count * _logarithm(sums[3 * padded + p] / size)
        }
        let upper = -totalUpper / Double(n), lower = -totalLower / Double(n)
        return Bounds(ixtUpper: upper, ixtLower: lower,
                      ityUpper: upper + classUpper / Double(n), ityLower: lower + classLower / Double(n))
    }

    /// The kernel sums between two leaves of 16 slots each (weight-0 slots pad short leaves).
    struct Kernel {
        let h: UnsafePointer<Float>, w: UnsafePointer<Float>, sums: UnsafeMutablePointer<Double>
        let padded: Int, width: Int, scale: Float, skipDistance: Float
        /// Whether to test each row's 16 distances against `skipDistance` first: worth it in
        /// wide layers, where most pairs in nearby leaves are still far apart.
        let check: Bool

        @inline(__always)
        func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

        /// Kernel sums between the rows `rows` and the 16 columns from `column`, added to the
        /// rows' sums and, when `symmetric`, to the columns' sums too; to the same-class sums as
        /// well when `sameClass`.
        func block(rows: Range<Int>, column j: Int, symmetric: Bool, sameClass: Bool) {
            let w0 = load(w + j), w1 = load(w + j + 8)
            var columnUpper0 = SIMD8<Float>.zero, columnUpper1 = SIMD8<Float>.zero
            var columnLower0 = SIMD8<Float>.zero, columnLower1 = SIMD8<Float>.zero
            let quarter = -0.25 * scale
            for i in rows {
                var d0 = SIMD8<Float>.zero, d1 = SIMD8<Float>.zero
                var column = h + j, center = h + i
                for _ in 0..<width {
                    let c = SIMD8<Float>(repeating: center.pointee)
                    let t0 = load(column) - c, t1 = load(column + 8) - c
                    d0 += t0 * t0
                    d1 += t1 * t1
                    column += padded
                    center += padded
                }
                if check {
                    // min(a, b) = (a + b − |a − b|) / 2, inexact but only compared.
                    let m = (d0 + d1 - FastExp.magnitude(d0 - d1)) * 0.5
                    let low = Swift.min(Swift.min(Swift.min(m[0], m[1]), Swift.min(m[2], m[3])),
                                        Swift.min(Swift.min(m[4], m[5]), Swift.min(m[6], m[7])))
                    if low > skipDistance { continue }
                }
                // r = exp(−d/8σ²) and e = exp(−d/2σ²) = r⁴, with r kept at or above e^−21.75 for
                // that power: r⁴ would otherwise pass through subnormals, which are slow; e
                // bottoms out at e^−87 as FastExp does.
                let r0 = FastExp.value(quarter * d0), r1 = FastExp.value(quarter * d1)
                let e0 = Self.fourthPower(r0), e1 = Self.fourthPower(r1)
                let upper = w0 * e0 + w1 * e1, lower = w0 * r0 + w1 * r1
                if symmetric {
                    let wi = SIMD8<Float>(repeating: w[i])
                    columnUpper0 += wi * e0
                    columnUpper1 += wi * e1
                    columnLower0 += wi * r0
                    columnLower1 += wi * r1
                }
                add(Double(upper.sum()), Double(lower.sum()), to: i, sameClass: sameClass)
            }
            if symmetric {
                for k in 0..<8 {
                    add(Double(columnUpper0[k]), Double(columnLower0[k]), to: j &+ k, sameClass: sameClass)
                    add(Double(columnUpper1[k]), Double(columnLower1[k]), to: j &+ 8 &+ k, sameClass: sameClass)
                }
            }
        }

        /// max(r, e^−21.75)⁴; max(a, b) = a + (|a − b| − (a − b)) / 2, exact when a ≥ b.
        @inline(__always)
        static func fourthPower(_ r: SIMD8<Float>) -> SIMD8<Float> {
            let floor: Float = 3.580_493e-10  // e^−21.75
            let below = r - floor
            let kept = r + (FastExp.magnitude(below) - below) * 0.5
            let square = kept * kept
            return square * square
        }

        @inline(__always)
        func add(_ upper: Double, _ lower: Double, to p: Int, sameClass: Bool) {
            sums[p] += upper
            sums[padded &+ p] += lower
            if sameClass {
                sums[2 &* padded &+ p] += upper
                sums[3 &* padded &+ p] += lower
            }
        }
    }

    /// k-d trees over points: each node splits its widest coordinate at the median
    /// (quickselect), down to leaves of at most `leafSize` points; every node keeps its
    /// bounding box. Several trees (one per class) share the arrays.
    struct Tree {
        let width: Int
        var low: [Float] = [], high: [Float] = []
        var left: [Int] = [], right: [Int] = [], leaf: [Int] = [], size: [Int] = []
        /// Each leaf's points, leaves in depth-first order.
        var leafUnits: [ArraySlice<Int>] = []

        init(width: Int) { self.width = width }

        /// Builds a tree over `units` and returns its root, or −1 when there are none.
        mutating func build(_ x: [Float], units: [Int], leafSize: Int) -> Int {
            guard !units.isEmpty else { return -1 }
            var order = units
            return node(x, &order, 0..<order.count, leafSize: leafSize)
        }

        private mutating func node(_ x: [Float], _ order: inout [Int], _ range: Range<Int>, leafSize: Int) -> Int {
            let id = left.count
            left.append(-1); right.append(-1); leaf.append(-1); size.append(range.count)
            low.append(contentsOf: repeatElement(.infinity, count: width))
            high.append(contentsOf: repeatElement(-.infinity, count: width))
            for p in range {
                for c in 0..<width {
                    let v = x[order[p] * width + c]
                    low[id * width + c] = min(low[id * width + c], v)
                    high[id * width + c] = max(high[id * width + c], v)
                }
            }
            var widest = -1, extent: Float = 0
            for c in 0..<width where high[id * width + c] - low[id * width + c] > extent {
                extent = high[id * width + c] - low[id * width + c]
                widest = c
            }
            if range.count <= leafSize {
                leaf[id] = leafUnits.count
                leafUnits.append(order[range])
                return id
            }
            let middle = range.lowerBound + range.count / 2
            // (No widest coordinate only with NaNs: any split will do.)
            KDEEstimator.select(&order, range, k: middle) { widest < 0 ? 0 : x[$0 * width + widest] }
            let l = node(x, &order, range.lowerBound..<middle, leafSize: leafSize)
            let r = node(x, &order, middle..<range.upperBound, leafSize: leafSize)
            left[id] = l
            right[id] = r
            return id
        }

        /// The squared distance between the boxes of nodes a and b (0 when they overlap).
        func gap(_ a: Int, _ b: Int) -> Double {
            var total = 0.0
            for c in 0..<width {
                let g = max(0, max(low[b * width + c] - high[a * width + c], low[a * width + c] - high[b * width + c]))
                total += Double(g) * Double(g)
            }
            return total
        }
    }

    /// Coordinates below 2⁻⁴⁰ in magnitude (and −0) as +0. Softmax outputs late in training
    /// reach 1e-30 and below, whose differences and squares are subnormal, which the FPU
    /// handles about 100 times slower. After snapping, any nonzero difference is at least
    /// 2⁻⁶³ and its square a normal Float; the distances move by less than 2·10⁻¹² relative,
    /// far below their Float rounding.
    @inline(__always)
    static func snap(_ v: Float) -> Float { v.magnitude < 0x1p-40 ? 0 : v }

    /// Labels as dense class indices 0..<C (ascending label order), with class sizes.
    static func denseClasses(_ labels: [Int]) -> (index: [Int], sizes: [Int]) {
        // Labels in a short range (the usual 0..<C): counted in an array.
        if let lowest = labels.min(), let highest = labels.max(), highest - lowest < 4096 {
            var present = [Int](repeating: -1, count: highest - lowest + 1)
            for label in labels { present[label - lowest] = 0 }
            var classes = 0
            for k in present.indices where present[k] == 0 { present[k] = classes; classes += 1 }
            var sizes = [Int](repeating: 0, count: classes)
            let index = labels.map { label -> Int in
                let k = present[label - lowest]
                sizes[k] += 1
                return k
            }
            return (index, sizes)
        }
        let distinct = Array(Set(labels)).sorted()
        var position: [Int: Int] = [:]
        for (k, label) in distinct.enumerated() { position[label] = k }
        var sizes = [Int](repeating: 0, count: distinct.count)
        let index = labels.map { label -> Int in
            let k = position[label]!
            sizes[k] += 1
            return k
        }
        return (index, sizes)
    }

    /// Distinct (row bits, class) pairs in order of first appearance, with counts; found with an
    /// open-addressing hash table of twice the rows.
    static func distinctRows(_ a: UnsafeBufferPointer<Float>, rows n: Int, width: Int, classes: [Int])
        -> (representative: [Int], classIndex: [Int], multiplicity: [Int]) {
        var capacity = 16
        while capacity < 2 * n { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        var representative: [Int] = [], classIndex: [Int] = [], count: [Int] = []
        for r in 0..<n {
            var hash = UInt64(truncatingIfNeeded: classes[r]) &* 0x9E37_79B9_7F4A_7C15
            for c in 0..<width {
                hash = (hash ^ UInt64(snap(a[r * width + c]).bitPattern)) &* 0x100_0000_01B3
                hash ^= hash >> 29
            }
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while true {
                let u = Int(slots[slot])
                if u < 0 {
                    slots[slot] = Int32(representative.count)
                    representative.append(r)
                    classIndex.append(classes[r])
                    count.append(1)
                    break
                }
                let q = representative[u]
                var equal = classIndex[u] == classes[r]
                if equal {
                    for c in 0..<width where snap(a[q * width + c]).bitPattern != snap(a[r * width + c]).bitPattern { equal = false; break }
                }
                if equal { count[u] += 1; break }
                slot = (slot + 1) & (capacity - 1)
            }
        }
        return (representative, classIndex, count)
    }

    /// Reorders `order[range]` so that position k holds the element of rank k by `key`, with
    /// no larger key before it and no smaller one after it (Hoare's selection).
    static func select(_ order: inout [Int], _ range: Range<Int>, k: Int, key: (Int) -> Float) {
        var l = range.lowerBound, r = range.upperBound - 1
        while l < r {
            let pivot = key(order[l + (r - l) / 2])
            var i = l, j = r
            while i <= j {
                while key(order[i]) < pivot { i += 1 }
                while key(order[j]) > pivot { j -= 1 }
                if i <= j { order.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { r = j } else if k >= i { l = i } else { return }
        }
    }
}
