extension KDEEstimator {
    /// What `bounds` carries from one recorded epoch of a layer to the next, for callers that
    /// estimate a layer's epochs in order: the principal directions the trees prune in and the
    /// k-d trees themselves (their leaves: groups of 8 rows, which stay near each other while
    /// the rows move a little). A later epoch recomputes only the boxes, not the medians, which
    /// is most of a tree's cost. Trees are carried only when every row is its own unit in the
    /// chain's first epoch (no two rows equal in value and class); later epochs then take every
    /// row as its own unit without looking for equal ones (equal rows would only be summed as
    /// separate units: the same terms), so that the units are the same rows every epoch.
    ///
    /// Any orthonormal basis and any grouping of the rows give the same bounds within their
    /// error bound (the terms only fall into other Float block sums: about 1e-9 nats apart in
    /// KDEChainTests); a stale one only prunes a little less: on the Tishby net's recordings,
    /// 0-1% more leaf pairs one recorded epoch on, 1-4% three on, 3-15% seven on. So a chain
    /// rebuilds both after `reuses` epochs. Results depend on where a chain starts:
    /// for the same bits from run to run, start chains at the same epochs (EstimatorKind starts
    /// one every `length` epochs of each layer).
    public struct Chain: Sendable {
        /// Epochs a chain serves before it starts again: one build, then `reuses` refits.
        public static let length = 4
        static var reuses: Int { length - 1 }

        var basis: Projection.Basis?
        var tree: Tree?
        var roots: [Int] = []
        /// The rows, width and labels the basis and trees were made for.
        var rows = 0, width = 0
        var labels: [Int] = []
        /// Epochs since the basis and trees were made.
        var age = 0

        public init() {}

        /// The basis and trees to reuse for this call, if any (`nil` trees: build them).
        mutating func start(rows: Int, width: Int, labels: [Int]) -> (basis: Projection.Basis?, tree: Tree?, roots: [Int]) {
            guard basis != nil, self.rows == rows, self.width == width, age < Self.reuses, self.labels == labels else {
                self = Chain()
                self.rows = rows
                self.width = width
                self.labels = labels
                return (nil, nil, [])
            }
            age += 1
            return (basis, tree, roots)
        }

        /// Keeps this epoch's basis, and its trees when every row was its own unit.
        mutating func keep(_ basis: Projection.Basis, tree: Tree?, roots: [Int]) {
            self.basis = basis
            self.tree = tree
            self.roots = tree == nil ? [] : roots
        }
    }
}

extension KDEEstimator.Tree {
    /// Recomputes every node's box from new coordinates `x` (row-major, `width` a unit) of the
    /// same units: each leaf's from its points, each parent's as the union of its children's.
    /// Children are made after their parent, so one backward pass sees them first.
    mutating func refit(_ x: [Float]) {
        x.withUnsafeBufferPointer { x in
            let x = x.baseAddress!
            @inline(__always)
            func point(_ u: Int) -> SIMD4<Float> {
                var p = SIMD4<Float>.zero
                for c in 0..<width { p[c] = x[u &* width &+ c] }
                return p
            }
            for node in low.indices.reversed() {
                var lo: SIMD4<Float>, hi: SIMD4<Float>
                if leaf[node] >= 0 {
                    let units = leafUnits[leaf[node]]
                    lo = point(units[units.startIndex])
                    hi = lo
                    for u in units.dropFirst() {
                        let p = point(u)
                        lo = lo.replacing(with: p, where: p .< lo)
                        hi = hi.replacing(with: p, where: p .> hi)
                    }
                } else {
                    let a = left[node], b = right[node]
                    lo = low[a].replacing(with: low[b], where: low[b] .< low[a])
                    hi = high[a].replacing(with: high[b], where: high[b] .> high[a])
                }
                low[node] = lo
                high[node] = hi
            }
        }
    }
}
