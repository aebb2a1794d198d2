import CVectorMath
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
/// - in layers of up to 4 units whose rows lie on a line (the 2 softmax outputs, 1-unit layers:
///   after the rotation below, every other coordinate within 2·10⁻⁴σ of its middle), when the
///   pairs within the skip distance below are many, all sums come from a Taylor series on a
///   grid of cells 1.25σ (2.5σ for the lower kernel) long instead (`Line`, in Double): per
///   cell and offset of up to 6 cells, 8 moments, so about 100 vector operations a row instead
///   of a term per neighbour; every term within 1e-7 relative (Lagrange remainder), farther
///   ones skipped as below;
/// - each class's distinct rows go into a k-d tree with leaves of 8 rows (each split's left part
///   a multiple of 8, so that only a tree's last leaf has padding), and a dual-tree walk lists
///   every unordered pair of leaves once, skipping node pairs whose bounding boxes are so far
///   apart that every Bhattacharyya term between them (the wider kernel) is below
///   e^−(log n + 16). Layers wider than 4 units are pruned in the space of
///   their 4 leading principal components (`Projection`: no distance grows, and boxes in 4
///   dimensions are tight), narrower ones in all their principal directions (a rotation, so
///   that boxes follow the rows' clusters). In layers of up to 10 units the walk stops at
///   nodes of 32 rows and pairs those of their leaves whose boxes are near, and each such leaf
///   pair's block is computed whole (16 pairs a vector, no tests: cheaper than testing even
///   where most of a block's pairs are far), except that in projected layers a block whose 64
///   distances are all beyond the skip distance is dropped after its distances; in wider
///   ones each row is first tested against the other leaf's box, then each group of 8 pairs
///   in the projected space and in the layer's own, before its kernel terms. Leaf pairs at
///   least a quarter as far (squared) as the skip distance, where every KL term is below the
///   same threshold, compute only the Bhattacharyya terms. Every
///   row's sum includes its own term 1, so what is skipped changes each logarithm, and so each
///   bound, by less than e^−16 ≈ 1.1·10⁻⁷;
/// - in layers of up to 4 units, node pairs of large nodes whose boxes are small against σ
///   (saturated clusters, the softmax outputs' line) are summed by a truncated Taylor series
///   about the boxes' centres instead (`Expansion`, in Double): every term they replace is
///   within 1e-7 relative (Lagrange remainder), and so is each row's sum over them;
/// - each kernel term serves both rows of its pair (`LeafKernel`, 8 or 16 pairs a vector). Terms are
///   Float: r = exp(−d/8σ²) = 2^(−d log₂e/8σ²) by a polynomial (relative error below 1.5e-7)
///   and exp(−d/2σ²) = r⁴; a block's sums are Float, totals Double; coordinates below 2⁻⁴⁰ in
///   magnitude count as 0 (see `snap`);
/// - the rows' logarithms are summed as one logarithm of a product (`LogSum`);
/// - along a `Chain` (a layer's recorded epochs in order) the principal directions and the k-d
///   trees of an earlier epoch are reused with new boxes: only what is pruned changes.
/// Error: the approximations move each row's sums by at most about 3.5e-7 relative (skipped
/// terms below 1.1e-7, expansion or grid 1e-7, the exp polynomial 1.5e-7), so each I(X;T) bound,
/// an average of their logarithms, and each I(T;Y) bound, a difference of two, by less than
/// 1e-6 nats. Rounding adds to this: squared distances computed in Float (within about
/// (width + 2)·2⁻²⁴ relative) move a term by up to that times its exponent, and the block sums
/// are Float; these errors take either sign and average out over a row's terms and over the
/// rows rather than add up. Tested within 1e-6 nats of an all-pairs Double evaluation on spread,
/// duplicate-heavy and clustered rows and on lines (KDEExpansionTests, KDELineTests,
/// LayerEstimatorFastPathTests, KDEChainTests), and measured within 3.1e-8 nats on the Tishby
/// net's recordings (Benchmarks/LayerTiming, `--reference-sample`).
public struct KDEEstimator: Sendable {
    public var noiseVariance: Double
    /// Whether tight node pairs and lines may be expanded (`Expansion`, `Line`); off only in tests,
    /// to compare.
    var expands = true

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

    /// Largest number of distinct rows per leaf of the k-d trees: the kernel's vectors are 8 wide.
    static let leafSize = 8
    /// Leaf pairs whose every Bhattacharyya term is below e^−(log n + skipMargin) are skipped.
    static let skipMargin = 16.0
    /// Up to this width, leaf blocks are computed whole (faster up to 10 in paired timings on
    /// the Tishby net's layers; wider layers were not measured and keep the tests).
    static let denseWidth = 10
    /// Up to `denseWidth`, the walk stops at nodes of this many rows (32 was faster than 16 for
    /// every layer of the Tishby net).
    static let bucketSize = 32
    /// Layers wider than this are pruned in the space of their leading principal components.
    static let projectedWidth = 4

    /// - Parameter activations: `rows × width`, row-major.
    public func bounds(_ activations: UnsafeBufferPointer<Float>, rows n: Int, width: Int, labels: [Int]) -> Bounds {
        var chain = Chain()
        return bounds(activations, rows: n, width: width, labels: labels, chain: &chain)
    }

    /// The same, for one of a layer's recorded epochs in order: `chain` carries the principal
    /// directions and k-d trees from the epochs before (see `Chain`).
    public func bounds(_ activations: UnsafeBufferPointer<Float>, rows n: Int, width: Int, labels: [Int], chain: inout Chain) -> Bounds {
        precondition(activations.count >= n * width && labels.count == n)
        guard n > 0 else { return Bounds(ixtUpper: 0, ixtLower: 0, ityUpper: 0, ityLower: 0) }
        let carried = chain.start(rows: n, width: width, labels: labels)
        // The large arrays come from a workspace and go back to it (see `Workspace`).
        let workspace = Workspace.borrow()
        defer { Workspace.giveBack(workspace) }
        let classOf = workspace.denseClasses(labels)
        // Distinct rows as units, with their (snapped) coordinates, row-major. Along a chain that
        // carries trees (no two rows were alike in its first epoch) every row is its own unit
        // without looking: rows alike would only be summed as separate units, the same terms.
        let units = carried.tree != nil
            ? Self.everyRow(activations, rows: n, width: width, classes: classOf.index, workspace: workspace)
            : Self.distinctRows(activations, rows: n, width: width, classes: classOf.index, workspace: workspace)
        defer {
            workspace.giveBack(units.classIndex)
            workspace.giveBack(units.multiplicity)
            workspace.giveBack(units.coordinates)
        }
        let m = units.multiplicity.count
        let coordinates = units.coordinates
        let skipDistance = (_logarithm(Double(n)) + Self.skipMargin) * 8 * noiseVariance
        // The space the trees prune in: in wide layers the projection on the leading principal
        // directions, which shortens every distance; in narrow ones all principal directions (a
        // rotation), so that node boxes follow the rows' clusters (the 2 softmax outputs lie on
        // a diagonal line) and tight nodes can be expanded (`Expansion`, in the exact rotation).
        let projection = Projection(coordinates, units: m, width: width, dimensions: min(width, Self.projectedWidth),
                                    against: skipDistance, keepExact: width <= Self.projectedWidth, reusing: carried.basis,
                                    workspace: workspace)
        defer {
            workspace.giveBack(projection.values)
            workspace.giveBack(projection.exact)
        }
        // Rows on a line, many within the skip distance of each other: by series on a grid.
        if expands, !projection.exact.isEmpty,
           let line = projection.exact.withUnsafeBufferPointer({
               Line(exact: $0, units: m, width: width, multiplicity: units.multiplicity, classIndex: units.classIndex,
                    classes: classOf.sizes.count, noiseVariance: noiseVariance, skipDistance: skipDistance)
           }) {
            chain.keep(projection.basis, tree: nil, roots: [])
            return line.bounds(rows: n, classSizes: classOf.sizes)
        }
        let pruneWidth = projection.dimensions
        let pruneCoordinates = projection.values
        let pruneDistance = skipDistance + projection.margin
        // Leaf pairs farther apart than this have every upper term exp(−d/2σ²) below
        // e^−(log n + 16) too, and only their lower terms are computed.
        let upperPruneDistance = skipDistance / 4 + projection.margin

        // One tree per class, so that every leaf holds one class: carried from an earlier epoch
        // (whose units were the rows, as they are now: see above), with new boxes.
        let (tree, roots) = carried.tree.map { carriedTree -> (Tree, [Int]) in
            var tree = carriedTree
            tree.refit(pruneCoordinates)
            return (tree, carried.roots)
        } ?? Self.trees(pruneCoordinates, width: pruneWidth, classIndex: units.classIndex, classCount: classOf.sizes.count,
                        workspace: workspace)
        chain.keep(projection.basis, tree: m == n ? tree : nil, roots: roots)

        // Leaves as the kernel reads them (see LeafKernel): every row of values twice.
        // The projected coordinates only where the kernel tests pairs (wide layers).
        let projected = width > Self.denseWidth ? pruneWidth : 0
        let stride = projected + width + 1
        let leafCount = tree.leafUnits.count
        // Where blocks are computed whole, the kernel reads only the turned layout instead (each
        // leaf as the columns of its four vectors, see LeafKernel.denseBlock: an aligned load a
        // coordinate instead of two unaligned ones and a shuffle), built from the coordinates.
        let dense = width <= Self.denseWidth
        let turnedStride = dense ? LeafKernel.turnedStride(width: width) : 0
        let turned = workspace.alignedFloats(leafCount * turnedStride)
        var layout = workspace.array(repeating: Float(0), count: dense ? 0 : leafCount * stride * 16)
        var unitAt = workspace.array(repeating: -1, count: leafCount * 8, filled: false)
        defer {
            workspace.giveBack(layout)
            workspace.giveBack(unitAt)
        }
        layout.withUnsafeMutableBufferPointer { layout in
            unitAt.withUnsafeMutableBufferPointer { unitAt in
                coordinates.withUnsafeBufferPointer { coordinates in
                    pruneCoordinates.withUnsafeBufferPointer { pruneCoordinates in
                        units.multiplicity.withUnsafeBufferPointer { multiplicity in
                            for (l, leaf) in tree.leafUnits.enumerated() {
                                // Padding slots repeat the leaf's first unit with weight 0. (All eight
                                // slots in a fixed loop, so that each lane is set in a register: lanes
                                // set by a variable index went through memory.)
                                var slotUnit = SIMD8<Int>(), weight = SIMD8<Float>()
                                leaf.withUnsafeBufferPointer { leaf in
                                    for k in 0..<8 {
                                        let present = k < leaf.count
                                        let u = leaf[present ? k : 0]
                                        slotUnit[k] = u
                                        weight[k] = present ? Float(multiplicity[u]) : 0
                                        unitAt[l &* 8 &+ k] = present ? u : -1
                                    }
                                }
                                /// The slots' values in column c of `values` (`columns` Floats a unit).
                                func slots(_ values: UnsafeBufferPointer<Float>, _ c: Int, _ columns: Int) -> SIMD8<Float> {
                                    var s = SIMD8<Float>()
                                    for k in 0..<8 { s[k] = values[slotUnit[k] &* columns &+ c] }
                                    return s
                                }
                                if dense {
                                    let out = turned + l &* turnedStride
                                    for c in 0..<width {
                                        LeafKernel.storeTurned(slots(coordinates, c, width), row: c, width: width, into: out)
                                    }
                                    LeafKernel.storeTurned(weight, row: width, width: width, into: out)
                                    continue
                                }
                                let base = UnsafeMutableRawPointer(layout.baseAddress! + l &* stride &* 16)
                                func store(_ row: Int, _ s: SIMD8<Float>) {
                                    base.storeBytes(of: SIMD16(lowHalf: s, highHalf: s), toByteOffset: row &* 64, as: SIMD16<Float>.self)
                                }
                                for c in 0..<projected { store(c, slots(pruneCoordinates, c, pruneWidth)) }
                                for c in 0..<width { store(projected &+ c, slots(coordinates, c, width)) }
                                store(projected &+ width, weight)
                            }
                        }
                    }
                }
            }
        }

        var leafLow = [SIMD4<Float>](repeating: .zero, count: leafCount), leafHigh = leafLow
        for node in tree.leaf.indices where tree.leaf[node] >= 0 {
            leafLow[tree.leaf[node]] = tree.low[node]
            leafHigh[tree.leaf[node]] = tree.high[node]
        }

        // Every unordered pair of leaves once, skipping far node pairs whole. The pairs are
        // listed in chunks and computed after each, so that the kernel runs in a tight loop
        // instead of after each of the walk's hard-to-predict branches.
        // In narrow layers, pairs of tight nodes (small against σ) by a Taylor series (`Expansion`),
        // in the rotated coordinates: their Floats (the boxes) are within 2⁻²³·S of the Doubles.
        let expansion = Expansion(width: width, noiseVariance: noiseVariance)
        let expand = expands && !projection.exact.isEmpty
        let rounding = 0x1p-23 * projection.largest
        let halfExtent = expand ? tree.low.indices.map { (SIMD4<Double>(tree.high[$0]) - SIMD4<Double>(tree.low[$0])) / 2 + rounding } : []
        var expansions: [(Int32, Int32, Bool, SIMD4<Int32>)] = []

        // Per leaf: Σ_j w_j k_ij over j of the same class, then of other classes, both kernels.
        var sums = workspace.array(repeating: SIMD8<Double>.zero, count: 4 * leafCount)
        defer { workspace.giveBack(sums) }
        // Kernel terms below Float's normal range flushed to 0 (see `fourthPower`), only here:
        // `LogSum` and the series keep subnormal Doubles.
        let floatControl = ip_flush_subnormals()
        layout.withUnsafeBufferPointer { layout in
            leafLow.withUnsafeBufferPointer { leafLow in
                leafHigh.withUnsafeBufferPointer { leafHigh in
                    sums.withUnsafeMutableBufferPointer { sums in
                        halfExtent.withUnsafeBufferPointer { half in
                            let kernel = LeafKernel(leaves: layout.baseAddress, turned: turned, turnedStride: turnedStride, boxLow: leafLow.baseAddress!, boxHigh: leafHigh.baseAddress!,
                                                    sums: sums.baseAddress!, stride: stride, width: width, projected: projected,
                                                    scale: Float(-1.442_695_040_888_963_4 / (8 * noiseVariance)),
                                                    skipDistance: Float(skipDistance), projectedSkipDistance: Float(pruneDistance),
                                                    check: width > Self.denseWidth)
                            tree.leafPairs(roots: roots, limit: Float(pruneDistance), upperLimit: Float(upperPruneDistance),
                                           bucket: width > Self.denseWidth ? Self.leafSize : Self.bucketSize,
                                           expandSize: expand ? Expansion.minimumSize : .max, expandRatio: Expansion.costRatio,
                                           expand: { a, b in expansion.orders(half[a], half[b]) },
                                           expansions: &expansions, flush: { kernel.blocks($0) })
                        }
                    }
                }
            }
        }
        ip_restore_float_control(floatControl)

        if !expansions.isEmpty {
            projection.exact.withUnsafeBufferPointer { coordinates in
                units.multiplicity.withUnsafeBufferPointer { multiplicity in
                    sums.withUnsafeMutableBufferPointer { sums in
                        let evaluator = ExpansionEvaluator(expansion: expansion, tree: tree, coordinates: coordinates.baseAddress!,
                                                           multiplicity: multiplicity.baseAddress!, sums: sums.baseAddress!,
                                                           capacity: m)
                        defer { evaluator.deallocate() }
                        for (a, b, sameClass, orders) in expansions {
                            evaluator.evaluate(Int(a), Int(b), sameClass: sameClass, orders: orders)
                        }
                    }
                }
            }
        }

        // Σ log over the rows with one logarithm at the end, the four sums side by side
        // (`LogSum4`), a leaf's quotients in vectors (its units share a class).
        var logarithms = LogSum4()
        unitAt.withUnsafeBufferPointer { unitAt in
            units.multiplicity.withUnsafeBufferPointer { multiplicity in
                units.classIndex.withUnsafeBufferPointer { classIndex in
                    sums.withUnsafeBufferPointer { sums in
                        let rows = SIMD8(repeating: Double(n))
                        for l in 0..<leafCount {
                            let ownUpper = sums[4 &* l], ownLower = sums[4 &* l &+ 1]
                            let size = SIMD8(repeating: Double(classOf.sizes[classIndex[unitAt[8 &* l]]]))
                            let allUpper = (ownUpper + sums[4 &* l &+ 2]) / rows, allLower = (ownLower + sums[4 &* l &+ 3]) / rows
                            let classUpper = ownUpper / size, classLower = ownLower / size
                            // The leaf's units fill its first slots. Each sum includes the row's own
                            // term 1, so none is zero.
                            for k in 0..<8 {
                                let u = unitAt[8 &* l &+ k]
                                if u < 0 { break }
                                logarithms.add(SIMD4(allUpper[k], allLower[k], classUpper[k], classLower[k]), count: multiplicity[u])
                            }
                        }
                    }
                }
            }
        }
        let totals = logarithms.value
        let (totalUpper, totalLower, classUpper, classLower) = (totals[0], totals[1], totals[2], totals[3])
        let upper = -totalUpper / Double(n), lower = -totalLower / Double(n)
        return Bounds(ixtUpper: upper, ixtLower: lower,
                      ityUpper: upper + classUpper / Double(n), ityLower: lower + classLower / Double(n))
    }

    /// One k-d tree per class over the units (`classIndex`: each unit's class), in the
    /// coordinates `x` (`width` a unit), with their roots.
    static func trees(_ x: [Float], width: Int, classIndex: [Int], classCount: Int, workspace: Workspace) -> (Tree, [Int]) {
        let m = classIndex.count
        // The units by class, in order within each (a counting sort into one array).
        var classStart = [Int](repeating: 0, count: classCount + 1)
        var members = workspace.array(repeating: 0, count: m, filled: false)
        defer { workspace.giveBack(members) }
        var building = Tree(width: width)
        let roots = classIndex.withUnsafeBufferPointer { classIndex in
            members.withUnsafeMutableBufferPointer { members in
                classStart.withUnsafeMutableBufferPointer { start in
                    for u in 0..<m { start[classIndex[u] &+ 1] &+= 1 }
                    for k in 0..<classCount { start[k &+ 1] &+= start[k] }
                    var next = Array(start)
                    next.withUnsafeMutableBufferPointer { next in
                        for u in 0..<m {
                            members[next[classIndex[u]]] = u
                            next[classIndex[u]] &+= 1
                        }
                    }
                    return (0..<classCount).map { k in
                        building.build(x, units: UnsafeBufferPointer(rebasing: members[start[k]..<start[k &+ 1]]), leafSize: leafSize)
                    }
                }
            }
        }
        return (building, roots)
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
        // Labels in a short range (the usual 0..<C): counted in an array, in plain loops over
        // the buffers (one call a task, 15 µs for 4096 labels through `map` and min/max).
        let short = labels.withUnsafeBufferPointer { labels -> (index: [Int], sizes: [Int])? in
            guard var lowest = labels.first else { return nil }
            var highest = lowest
            for label in labels {
                lowest = Swift.min(lowest, label)
                highest = Swift.max(highest, label)
            }
            let (span, overflow) = highest.subtractingReportingOverflow(lowest)
            guard !overflow, span < 4096 else { return nil }
            // Each label's count, then its class index in the same array.
            var position = [Int](repeating: 0, count: span + 1)
            var sizes: [Int] = []
            let index = position.withUnsafeMutableBufferPointer { position in
                for label in labels { position[label &- lowest] &+= 1 }
                for k in position.indices where position[k] > 0 {
                    sizes.append(position[k])
                    position[k] = sizes.count - 1
                }
                return [Int](unsafeUninitializedCapacity: labels.count) { index, count in
                    for i in labels.indices { index[i] = position[labels[i] &- lowest] }
                    count = labels.count
                }
            }
            return (index, sizes)
        }
        if let short { return short }
        guard !labels.isEmpty else { return ([], []) }
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

    /// Distinct (row bits, class) pairs in order of first appearance, with their classes, counts
    /// and snapped coordinates (row-major); found with an open-addressing hash table of twice
    /// the rows. The arrays use the storage of `workspace`'s arrays if it has any.
    static func distinctRows(_ a: UnsafeBufferPointer<Float>, rows n: Int, width: Int, classes: [Int],
                             workspace: Workspace = Workspace())
        -> (classIndex: [Int], multiplicity: [Int], coordinates: [Float]) {
        var capacity = 16
        while capacity < 2 * n { capacity *= 2 }
        var slots = workspace.array(repeating: Int32(-1), count: capacity)
        defer { workspace.giveBack(slots) }
        var classIndex = workspace.array(repeating: 0, count: n, filled: false)
        var count = workspace.array(repeating: 0, count: n, filled: false)
        // Room for every row; each row is snapped into the next unit's place, and kept there if new.
        var coordinates = workspace.array(repeating: Float(0), count: n * width, filled: false)
        // A multiplier per column: the columns' products are independent, where a hash chained
        // through the columns waited on each multiplication in turn.
        var multipliers = [UInt64](repeating: 0, count: width)
        var multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        for c in 0..<width {
            multiplier = multiplier &* 0xD6E8_FEB8_6659_FD93 &+ 0x2545_F491_4F6C_DD1D
            multipliers[c] = multiplier | 1
        }
        var found = 0
        if let a = a.baseAddress {
            slots.withUnsafeMutableBufferPointer { slots in
                classIndex.withUnsafeMutableBufferPointer { classIndex in
                    count.withUnsafeMutableBufferPointer { count in
                        coordinates.withUnsafeMutableBufferPointer { coordinates in
                            classes.withUnsafeBufferPointer { classes in
                                multipliers.withUnsafeBufferPointer { multipliers in
                                    let bits = UnsafeMutableRawPointer(coordinates.baseAddress!).assumingMemoryBound(to: UInt32.self)
                                    for r in 0..<n {
                                        let row = a + r &* width, next = bits + found &* width
                                        let rowClass = classes[r]
                                        var hash = UInt64(truncatingIfNeeded: rowClass) &* 0xBF58_476D_1CE4_E5B9
                                        for c in 0..<width {
                                            let v = snap(row[c]).bitPattern
                                            next[c] = v
                                            hash &+= UInt64(v) &* multipliers[c]
                                        }
                                        hash ^= hash >> 31
                                        hash &*= 0x94D0_49BB_1331_11EB
                                        hash ^= hash >> 29
                                        var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
                                        while true {
                                            let u = Int(slots[slot])
                                            if u < 0 {
                                                slots[slot] = Int32(truncatingIfNeeded: found)
                                                classIndex[found] = rowClass
                                                count[found] = 1
                                                found += 1
                                                break
                                            }
                                            if classIndex[u] == rowClass {
                                                let other = bits + u &* width
                                                var c = 0
                                                while c < width && other[c] == next[c] { c &+= 1 }
                                                if c == width { count[u] += 1; break }
                                            }
                                            slot = (slot + 1) & (capacity - 1)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        classIndex.removeLast(n - found)
        count.removeLast(n - found)
        coordinates.removeLast((n - found) * width)
        return (classIndex, count, coordinates)
    }

    /// Every row as its own unit, in the form of `distinctRows`.
    static func everyRow(_ a: UnsafeBufferPointer<Float>, rows n: Int, width: Int, classes: [Int], workspace: Workspace)
        -> (classIndex: [Int], multiplicity: [Int], coordinates: [Float]) {
        var classIndex = workspace.array(repeating: 0, count: n, filled: false)
        classIndex.withUnsafeMutableBufferPointer { classIndex in
            for r in 0..<n { classIndex[r] = classes[r] }
        }
        var coordinates = workspace.array(repeating: Float(0), count: n * width, filled: false)
        coordinates.withUnsafeMutableBufferPointer { coordinates in
            for i in 0..<(n * width) { coordinates[i] = snap(a[i]) }
        }
        return (classIndex, workspace.array(repeating: 1, count: n), coordinates)
    }
}

