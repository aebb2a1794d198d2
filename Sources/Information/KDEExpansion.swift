import NumericCore

extension KDEEstimator {
    /// The kernel sums between two tight k-d nodes A and B (node boxes much smaller than σ,
    /// as in saturated or softmax layers, whose rows crowd into small clusters) by a truncated
    /// Taylor series instead of pair by pair. With box centres a, b, D = a − b, x = a + u in A and
    /// y = b + v in B (all in units of σ for the upper kernel, exp(−‖x − y‖²/2)):
    ///
    ///     exp(−‖x − y‖²/2) = exp(−‖D‖²/2) · exp(−(‖u‖² + 2D·u)/2) · exp(−(‖v‖² − 2D·v)/2) · Π_c exp(u_c v_c)
    ///
    /// and each exp(u_c v_c) is replaced by its Taylor polynomial of p_c terms, so that the sums
    /// over B factor into moments Σ_j w_j g_j v^α/α! (α < p, per coordinate), computed once per node
    /// pair, and the same for A. The lower (Bhattacharyya) kernel is the same with u·v/4.
    ///
    /// Error bound: with |u_c| ≤ s_c, |v_c| ≤ t_c (half the boxes' extents) and τ_c = s_c t_c,
    /// Lagrange's remainder gives |exp(z) − T_p(z)| ≤ τ^p/p! · e^τ for |z| ≤ τ, so relative to
    /// exp(z) ≥ e^−τ each factor is off by at most δ_c = τ_c^p/p! · e^{2τ_c}. p_c is the least
    /// order with δ_c ≤ `tolerance`/width, so every replaced kernel term has relative error at
    /// most Π(1 + δ_c) − 1 < 1.01 · `tolerance`. All terms are positive, so each row's sum over
    /// replaced terms has the same relative error bound, and so has its logarithm (in nats).
    /// Arithmetic is Double.
    struct Expansion {
        /// Relative error allowed for each replaced kernel term (both kernels).
        static let tolerance = 1e-7
        /// Largest number of multi-indices Π p_c a node pair may need.
        static let maxTerms = 16
        /// Node pairs of fewer rows are computed pair by pair (cheaper there).
        static let minimumSize = 32
        /// A node pair is expanded when |A||B| ≥ costRatio (|A| + |B|): an expanded row costs about
        /// as much as this many kernel terms (paired timings on the Tishby net's output layer).
        static let costRatio = 64
        /// Largest half extent of either node in any coordinate, in units of σ. τ alone would
        /// admit a tiny node against a wide one, whose split factors overflow Double (e^±400 and
        /// more); with both nodes this small and the centres at most the skip distance plus the
        /// extents apart (about 20σ), every exponent stays below about 50 in magnitude.
        static let maximumHalfExtent = 1.0

        let width: Int
        let sigma: Double

        init(width: Int, noiseVariance: Double) {
            self.width = width
            self.sigma = noiseVariance.squareRoot()
        }

        /// The least p with τ^p/p! · e^{2τ} ≤ ε, or nil above 12.
        static func order(_ tau: Double, _ epsilon: Double) -> Int? {
            if tau == 0 { return 1 }
            let growth = _exp(2 * tau)
            var term = tau  // τ^p/p! for p = 1
            for p in 1...12 {
                if term * growth <= epsilon { return p }
                term *= tau / Double(p + 1)
            }
            return nil
        }

        /// Per-coordinate orders for nodes with half extents `halfA`, `halfB` (coordinates), or
        /// nil when the product exceeds `maxTerms`.
        func orders(_ halfA: SIMD4<Double>, _ halfB: SIMD4<Double>) -> SIMD4<Int32>? {
            var p = SIMD4<Int32>(repeating: 1), count = 1
            let scale = 1 / (sigma * sigma)
            for c in 0..<width {
                guard max(halfA[c], halfB[c]) <= Self.maximumHalfExtent * sigma else { return nil }
                // Rounded up a little for the Double arithmetic of the offsets and τ.
                let tau = halfA[c] * halfB[c] * scale * (1 + 1e-12)
                guard let q = Self.order(tau, Self.tolerance / Double(width)) else { return nil }
                p[c] = Int32(q)
                count *= q
                if count > Self.maxTerms { return nil }
            }
            return p
        }
    }

    /// Evaluates listed expansion pairs into the leaves' sums (see `Expansion`), with scratch
    /// space for two nodes of up to `capacity` rows.
    struct ExpansionEvaluator {
        let expansion: Expansion
        let tree: Tree
        /// Unit coordinates (rotated, exact), row-major, and weights.
        let coordinates: UnsafePointer<Double>
        let multiplicity: UnsafePointer<Int>
        let sums: UnsafeMutablePointer<SIMD8<Double>>
        let capacity: Int
        /// Per row of either node (A at 0, B at `capacity`): its sum slot (leaf · 8 + slot), its
        /// exponential factors (upper, lower) and its monomials Π u_c^α_c (`maxTerms` apart).
        let slot: UnsafeMutablePointer<Int>, upper: UnsafeMutablePointer<Double>, lower: UnsafeMutablePointer<Double>
        let monomials: UnsafeMutablePointer<Double>
        /// Per multi-index: 1/α!, 1/α! · 4^−|α|; the moments of A and B (upper, lower).
        let scales: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>
        static let maxTerms = Expansion.maxTerms

        init(expansion: Expansion, tree: Tree, coordinates: UnsafePointer<Double>, multiplicity: UnsafePointer<Int>,
             sums: UnsafeMutablePointer<SIMD8<Double>>, capacity: Int) {
            self.expansion = expansion
            self.tree = tree
            self.coordinates = coordinates
            self.multiplicity = multiplicity
            self.sums = sums
            self.capacity = capacity
            slot = .allocate(capacity: 2 * capacity)
            upper = .allocate(capacity: 2 * capacity)
            lower = .allocate(capacity: 2 * capacity)
            monomials = .allocate(capacity: 2 * capacity * Self.maxTerms)
            scales = .allocate(capacity: 2 * Self.maxTerms)
            moments = .allocate(capacity: 4 * Self.maxTerms)
        }

        func deallocate() {
            for p in [upper, lower, monomials, scales, moments] { p.deallocate() }
            slot.deallocate()
        }

        /// Writes the products Π_c v_c^α_c for the multi-indices α in mixed radix p (first
        /// coordinate fastest) to `out`.
        @inline(__always)
        func products(_ v: SIMD4<Double>, _ p: SIMD4<Int32>, width: Int, into out: UnsafeMutablePointer<Double>) {
            out[0] = 1
            var count = 1
            for c in 0..<width {
                let q = Int(p[c])
                var power = 1.0
                for e in 1..<max(q, 1) {
                    power *= v[c]
                    for t in 0..<count { out[e &* count &+ t] = out[t] * power }
                }
                count &*= q
            }
        }

        func evaluate(_ a: Int, _ b: Int, sameClass: Bool, orders p: SIMD4<Int32>) {
            let width = expansion.width, sigma = expansion.sigma
            var terms = 1
            for c in 0..<width { terms *= Int(p[c]) }
            // 1/α! = Π_c 1/α_c!, and 4^−|α| = Π_c 4^−α_c: the same products of per-coordinate factors.
            let inverse = scales, quarter = scales + Self.maxTerms
            inverse[0] = 1
            quarter[0] = 1
            var count = 1
            for c in 0..<width {
                let q = Int(p[c])
                var f = 1.0, g = 1.0
                for e in 1..<max(q, 1) {
                    f /= Double(e)
                    g *= 0.25
                    for t in 0..<count {
                        inverse[e &* count &+ t] = inverse[t] * f
                        quarter[e &* count &+ t] = quarter[t] * g
                    }
                }
                count &*= q
            }
            for t in 0..<terms { quarter[t] *= inverse[t] }

            var centreA = SIMD4<Double>.zero, centreB = SIMD4<Double>.zero
            for c in 0..<width {
                centreA[c] = (Double(tree.low[a][c]) + Double(tree.high[a][c])) / 2
                centreB[c] = (Double(tree.low[b][c]) + Double(tree.high[b][c])) / 2
            }
            let shift = (centreA - centreB) / sigma  // D in units of σ
            let distance2 = (shift * shift).sum()

            // Rows base..<base + count of `node`: slots, factors, monomials; its moments
            // Σ_r w_r g_r u^α/α! (upper, lower kernel) at `moment`. The factor is
            // exp(−(‖u‖² + 2·sign·D·u)/8) for the lower kernel, its fourth power for the upper.
            func side(_ node: Int, _ centre: SIMD4<Double>, sign: Double, base: Int, moment: UnsafeMutablePointer<Double>) -> Int {
                var r = base
                moment.update(repeating: 0, count: 2 * Self.maxTerms)
                let first = tree.firstLeaf[node]
                for l in first..<(first + tree.leafCount[node]) {
                    for (k, u) in tree.leafUnits[l].enumerated() {
                        var offset = SIMD4<Double>.zero
                        for c in 0..<width { offset[c] = (coordinates[u &* width &+ c] - centre[c]) / sigma }
                        let g = _exp(-((offset * offset).sum() + 2 * sign * (shift * offset).sum()) / 8)
                        let square = g * g
                        slot[r] = l &* 8 &+ k
                        upper[r] = square * square
                        lower[r] = g
                        let row = monomials + r &* Self.maxTerms
                        products(offset, p, width: width, into: row)
                        let w = Double(multiplicity[u])
                        let wu = w * square * square, wl = w * g
                        for t in 0..<terms {
                            moment[t] += wu * row[t]
                            moment[Self.maxTerms &+ t] += wl * row[t]
                        }
                        r &+= 1
                    }
                }
                for t in 0..<terms {
                    moment[t] *= inverse[t]
                    moment[Self.maxTerms &+ t] *= quarter[t]
                }
                return r &- base
            }

            let offset = sameClass ? 0 : 2
            let scaleUpper = _exp(-distance2 / 2), scaleLower = _exp(-distance2 / 8)
            func add(_ base: Int, _ count: Int, from moment: UnsafeMutablePointer<Double>) {
                for r in base..<(base &+ count) {
                    var su = 0.0, sl = 0.0
                    let row = monomials + r &* Self.maxTerms
                    for t in 0..<terms {
                        su += moment[t] * row[t]
                        sl += moment[Self.maxTerms &+ t] * row[t]
                    }
                    let l = slot[r] >> 3, k = slot[r] & 7
                    sums[4 &* l &+ offset][k] += scaleUpper * upper[r] * su
                    sums[4 &* l &+ offset &+ 1][k] += scaleLower * lower[r] * sl
                }
            }
            let momentA = moments, momentB = moments + 2 * Self.maxTerms
            let countA = side(a, centreA, sign: 1, base: 0, moment: momentA)
            if a == b {
                add(0, countA, from: momentA)
            } else {
                let countB = side(b, centreB, sign: -1, base: capacity, moment: momentB)
                add(0, countA, from: momentB)
                add(capacity, countB, from: momentA)
            }
        }
    }
}
