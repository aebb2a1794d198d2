import NumericCore

extension KDEEstimator {
    /// The kernel sums of rows that lie on a line (the 2 softmax outputs (p, 1 − p), one-unit
    /// layers), where most pairs are within the skip distance, by a Taylor series on a grid
    /// instead of pair by pair. In the rotated coordinates the rows' first coordinate s varies
    /// and the others y stay within a box of half extents h_c ≪ σ.
    ///
    /// In units of σ for the upper kernel exp(−d²/2σ²), of 2σ for the lower exp(−d²/8σ²) (so
    /// that both are exp(−d²/2)), the line is cut into cells of width w. A row at s = a + u in
    /// the cell of centre a (|u| ≤ w/2), against a row at b + v, k cells away (a − b = kw), has
    ///
    ///     exp(−(s − s')²/2) = C_k · g(u) E(u)^k · g(v) E(v)^−k · exp(uv),
    ///     C_k = exp(−k²w²/2), g(u) = exp(−u²/2), E(u) = exp(−wu),
    ///
    /// and exp(uv) is replaced by its Taylor polynomial of 8 terms. So each cell's sums over the
    /// cell k away factor into moments Σ_j w_j g(v_j) E(v_j)^−k v_j^α (α < 8, an 8-lane vector per
    /// cell and offset), found with one multiplication per row and offset (powers of E), and each
    /// row's sum is a polynomial in u with coefficients Σ_k C_k E(u)^k · moment_k. Across the line,
    /// exp(−‖y − y'‖²/2) = exp(−‖ŷ‖²/2) exp(−‖ŷ'‖²/2) exp(ŷ·ŷ') about the box's centre, and exp(ŷ·ŷ')
    /// is replaced by 1. Offsets up to K cells hold every pair within the skip distance (K = 6 for
    /// 4096 rows), so a row costs about 4(2K + 1) vector operations instead of a kernel term for
    /// each of its neighbours; the grid is used where its neighbours are many more (`costRatio`).
    ///
    /// Error bound: with τ = (w/2)², Lagrange's remainder bounds the relative error of the
    /// polynomial for exp(uv) by τ⁸/8! · e^{2τ} (as in `Expansion`), and that of 1 for exp(ŷ·ŷ') by
    /// τ' e^{2τ'}, τ' = Σ_c h_c²/σ²; each is at most `tolerance`, so every term within K cells is
    /// within 1e-7 relative, and so is every row's sum. Farther terms are skipped, each below
    /// e^−(log n + 16) as in the tree walk. Arithmetic is Double; no factor exceeds e^±(Kw²/2).
    struct Line {
        /// Relative error allowed for each term along the line, and the same across it.
        static let tolerance = Expansion.tolerance / 2
        /// Cell width: τ = (w/2)² = 0.39, within `tolerance` with 8 terms.
        static let cellWidth = 1.25
        /// The grid is used when the pairs within the skip distance are at least this many times
        /// its vector operations (an estimate, a vector operation against a kernel term; on the
        /// Tishby net's output layer the grid is 1.3 to 7 times as fast as the tree from 400 units).
        static let costRatio = 1.0

        /// One kernel's grid, in its units (σ or 2σ).
        struct Grid {
            let cells: Int, reach: Int
            /// Per unit in the line's order: cell, offset u from the cell's centre, g(u) with the
            /// across-line factor exp(−‖ŷ‖²/2), and E(u).
            let cell: [Int], offset: [Double], g: [Double], e: [Double]

            /// The grid of units at `along` (line coordinate from the line's start) and `aside`
            /// (‖ŷ‖²), both in units of σ, for the kernel in units of `scale` σ.
            init(along: [Double], aside: [Double], scale: Double, cells: Int, reach: Int) {
                self.cells = cells
                self.reach = reach
                let m = along.count, w = Line.cellWidth
                // Padded to whole vectors for the exponentials.
                let padded = (m + 7) & ~7
                var cell = [Int](repeating: 0, count: m)
                var offset = [Double](repeating: 0, count: padded), g = offset, e = offset
                cell.withUnsafeMutableBufferPointer { cell in
                    offset.withUnsafeMutableBufferPointer { offset in
                        g.withUnsafeMutableBufferPointer { g in
                            e.withUnsafeMutableBufferPointer { e in
                                for i in 0..<m {
                                    let x = along[i] / scale
                                    let c = min(cells - 1, Int(x / w))
                                    let u = x - (Double(c) + 0.5) * w
                                    cell[i] = c
                                    offset[i] = u
                                    g[i] = -(u * u + aside[i] / (scale * scale)) / 2
                                    e[i] = -w * u
                                }
                                for p in [g.baseAddress!, e.baseAddress!] {
                                    for i in stride(from: 0, to: padded, by: 8) {
                                        let raw = UnsafeMutableRawPointer(p + i)
                                        raw.storeBytes(of: Line.exponential(raw.loadUnaligned(as: SIMD8<Double>.self)), as: SIMD8<Double>.self)
                                    }
                                }
                            }
                        }
                    }
                }
                self.cell = cell
                self.offset = offset
                self.g = g
                self.e = e
            }
        }

        /// Per unit in the line's order (ascending cells): class and weight.
        let classIndex: [Int], weight: [Double]
        let upper: Grid, lower: Grid

        /// 1/α!.
        static let inverseFactorials: SIMD8<Double> = {
            var s = SIMD8<Double>(repeating: 1)
            for a in 1..<8 { s[a] = s[a - 1] / Double(a) }
            return s
        }()

        /// The grids for `m` units (`exact`: rotated coordinates, `width` a row, the line along the
        /// first), or nil where the rows are not on a line or pairs are too few to pay for them.
        init?(exact: UnsafeBufferPointer<Double>, units m: Int, width: Int, multiplicity: [Int], classIndex: [Int],
              classes: Int, noiseVariance: Double, skipDistance: Double) {
            precondition(width <= 4)
            guard m > 0 else { return nil }
            let sigma = noiseVariance.squareRoot()
            var low = SIMD4<Double>(repeating: .infinity), high = -low
            for u in 0..<m {
                for c in 0..<width {
                    low[c] = min(low[c], exact[u * width + c] / sigma)
                    high[c] = max(high[c], exact[u * width + c] / sigma)
                }
            }
            // Across the line: |ŷ·ŷ'| ≤ τ' = Σ_c h_c², rounded up a little for the Double arithmetic.
            var tau = 0.0
            for c in 1..<width {
                let h = (high[c] - low[c]) / 2 * (1 + 1e-9) + 1e-12
                tau += h * h
            }
            guard tau * _exp(2 * tau) <= Self.tolerance else { return nil }
            let centre = (low + high) / 2

            let w = Self.cellWidth
            let span = high[0] - low[0]
            guard span.isFinite, span / w < Double(4 * m + 4096) else { return nil }
            // Both kernels reach the same number of cells: K w beyond √(skip distance)/2σ (the
            // upper kernel's skip distance is a quarter of the lower's), with room for rounding.
            let reach = Int((skipDistance / noiseVariance).squareRoot() / 2 * (1 + 1e-9) / w) + 1
            let steps = 2 * reach + 1
            let upperCells = Int(span / w) + 1, lowerCells = Int(span / 2 / w) + 1
            // Memory: a vector per cell, offset and class (and for all classes), at most 256 bytes
            // per unit and 256 KiB.
            guard (classes + 1) * upperCells * steps <= 4 * m + 4096 else { return nil }

            // Units by upper cell (then lower cells ascend too).
            var along = [Double](repeating: 0, count: m)
            var count = [Int](repeating: 0, count: upperCells + 1)
            for u in 0..<m {
                along[u] = exact[u * width] / sigma - low[0]
                count[min(upperCells - 1, Int(along[u] / w)) + 1] += 1
            }
            for c in 0..<upperCells { count[c + 1] += count[c] }
            // Ordered pairs within the skip distance, at most: within `reach` lower cells.
            var lowerCount = [Int](repeating: 0, count: lowerCells + 1)
            for c in 0..<upperCells { lowerCount[min(lowerCells - 1, c / 2) + 1] += count[c + 1] - count[c] }
            for c in 0..<lowerCells { lowerCount[c + 1] += lowerCount[c] }
            var pairs = 0.0
            for c in 0..<lowerCells {
                let within = lowerCount[min(lowerCells, c + reach + 1)] - lowerCount[max(0, c - reach)]
                pairs += Double(lowerCount[c + 1] - lowerCount[c]) * Double(within)
            }
            let operations = Double(steps * (4 * m + (classes + 1) * (upperCells + lowerCells)))
            guard pairs >= Self.costRatio * operations else { return nil }

            // By cell, then class, so that runs of rows share their tables' entries (`sums`).
            var next = [Int](repeating: 0, count: upperCells * classes + 1)
            for u in 0..<m { next[min(upperCells - 1, Int(along[u] / w)) * classes + classIndex[u] + 1] += 1 }
            for key in 0..<(upperCells * classes) { next[key + 1] += next[key] }
            var order = [Int](repeating: 0, count: m)
            for u in 0..<m {
                let key = min(upperCells - 1, Int(along[u] / w)) * classes + classIndex[u]
                order[next[key]] = u
                next[key] += 1
            }
            let sortedAlong = order.map { along[$0] }
            let aside = order.map { u -> Double in
                var sum = 0.0
                for c in 1..<width {
                    let y = exact[u * width + c] / sigma - centre[c]
                    sum += y * y
                }
                return sum
            }
            self.classIndex = order.map { classIndex[$0] }
            weight = order.map { Double(multiplicity[$0]) }
            upper = Grid(along: sortedAlong, aside: aside, scale: 1, cells: upperCells, reach: reach)
            lower = Grid(along: sortedAlong, aside: aside, scale: 2, cells: lowerCells, reach: reach)
        }

        /// e^x for |x| ≤ 700 (the grids' arguments are within ±1), within a few units in the last
        /// place: x = k log 2 + r with |r| ≤ log(2)/2 (log 2 in two parts, so that k log 2 is exact
        /// for |k| < 2¹¹), e^r by its Taylor polynomial of degree 13 (remainder below 2⁻⁵⁶), times
        /// 2^k in the exponent.
        @inline(__always)
        static func exponential(_ x: SIMD8<Double>) -> SIMD8<Double> {
            // Adding 1.5 · 2⁵² rounds to an integer, which the low bits then hold.
            let magic = SIMD8<Double>(repeating: 0x1.8p52)
            let shifted = x * 1.442_695_040_888_963_4 + magic
            let k = shifted - magic
            let r = (x - k * 0x1.62e42fee00000p-1) - k * 0x1.a39ef35793c76p-33
            // Horner's rule on 1/13!, 1/12!, …, 1/0! (written out: a loop over an array literal
            // would allocate it on every call).
            var p = SIMD8<Double>(repeating: 1 / 6_227_020_800)
            p = p * r + 1 / 479_001_600
            p = p * r + 1 / 39_916_800
            p = p * r + 1 / 3_628_800
            p = p * r + 1 / 362_880
            p = p * r + 1 / 40_320
            p = p * r + 1 / 5_040
            p = p * r + 1 / 720
            p = p * r + 1 / 120
            p = p * r + 1 / 24
            p = p * r + 1 / 6
            p = p * r + 1 / 2
            p = p * r + 1
            p = p * r + 1
            let bits = (unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- 0x4338_0000_0000_0000 &+ 1023) &<< 52
            return p * unsafeBitCast(bits, to: SIMD8<Double>.self)
        }

        /// x^k for |k| small, by squaring.
        @inline(__always)
        static func power(_ x: Double, _ k: Int) -> Double {
            var base = k < 0 ? 1 / x : x, e = k.magnitude, result = 1.0
            while e > 0 {
                if e & 1 == 1 { result *= base }
                base *= base
                e >>= 1
            }
            return result
        }

        /// u^α for α < 8. (u⁰ as u · 0 + 1: with a lane known to be 1, LLVM takes products with
        /// the vector apart into blends of halves, twice as slow.)
        @inline(__always)
        static func powers(_ u: Double) -> SIMD8<Double> {
            let u2 = u * u, u4 = u2 * u2
            let low = SIMD4(u * 0 + 1, u, u2, u2 * u)
            return SIMD8(lowHalf: low, highHalf: low * u4)
        }

        /// The bounds from each unit's sums over all units and over its class.
        func bounds(rows n: Int, classSizes: [Int]) -> Bounds {
            var all = [Double](repeating: 0, count: weight.count), own = all
            // Σ_i w_i log s_i over every unit's sum s_i over all rows, and over its sum over its
            // class, for one kernel.
            func logarithms(_ grid: Grid) -> (all: Double, own: Double) {
                all.withUnsafeMutableBufferPointer { all in
                    own.withUnsafeMutableBufferPointer { own in
                        sums(grid, classes: classSizes.count, all: all.baseAddress!, own: own.baseAddress!)
                    }
                }
                var logAll = LogSum(), logOwn = LogSum()
                for i in weight.indices {
                    // Each sum includes the row's own term 1, so none is zero.
                    let count = Int(weight[i])
                    logAll.add(all[i], count: count)
                    logOwn.add(own[i], count: count)
                }
                return (logAll.value, logOwn.value)
            }
            let upper = logarithms(upper), lower = logarithms(lower)
            // Σ_i w_i log(s_i/n) = Σ_i w_i log s_i − n log n, and Σ_i w_i log(s'_i/n_c) over the
            // sums over classes of n_c rows: Σ_i w_i log s'_i − Σ_c n_c log n_c.
            let logN = _logarithm(Double(n))
            let classes = classSizes.reduce(0.0) { $0 + ($1 > 0 ? Double($1) * _logarithm(Double($1)) : 0) }
            let ixtUpper = logN - upper.all / Double(n), ixtLower = logN - lower.all / Double(n)
            return Bounds(ixtUpper: ixtUpper, ixtLower: ixtLower,
                          ityUpper: ixtUpper + (upper.own - classes) / Double(n), ityLower: ixtLower + (lower.own - classes) / Double(n))
        }

        /// Every unit's sum of one kernel's terms over all units into `sumsAll`, over its class into
        /// `sumsOwn`.
        func sums(_ grid: Grid, classes: Int, all sumsAll: UnsafeMutablePointer<Double>, own sumsOwn: UnsafeMutablePointer<Double>) {
            let cells = grid.cells, reach = grid.reach, w = Self.cellWidth
            let steps = 2 &* reach &+ 1, size = cells &* steps
            // C_k = exp(−k²w²/2) for k = −reach...reach.
            let c = UnsafeMutablePointer<Double>.allocate(capacity: steps)
            for k in 0..<steps { c[k] = _exp(-Double((k - reach) * (k - reach)) * w * w / 2) }
            // Moments per class, then of all classes: the entry of target cell a and offset k
            // (source cell a − k) is at a · steps + k + reach, so a source's entries for k,
            // k + 1, … are steps + 1 apart.
            // Aligned to cache lines (a vector's alignment is 16 bytes; split lines are 1.5 times as slow).
            let memory = UnsafeMutableRawPointer.allocate(byteCount: (classes &+ 1) &* size &* 64, alignment: 64)
            defer { memory.deallocate(); c.deallocate() }
            let tables = memory.initializeMemory(as: SIMD8<Double>.self, repeating: .zero, count: (classes &+ 1) &* size)
            // Rows four at a time (padding repeats the last with weight 0), of one cell and class:
            // their products share each entry, and four chains of products run side by side.
            var groups: [Int] = []
            var i = 0
            while i < weight.count {
                var end = i &+ 1
                while end < weight.count && end &- i < 4 && grid.cell[end] == grid.cell[i] && classIndex[end] == classIndex[i] { end &+= 1 }
                groups.append(i)
                i = end
            }
            groups.append(weight.count)
            @inline(__always)
            func rows(_ group: Int) -> SIMD4<Int> {
                let start = groups[group], last = groups[group &+ 1] &- 1
                return SIMD4(start, min(start &+ 1, last), min(start &+ 2, last), min(start &+ 3, last))
            }
            for group in 0..<(groups.count &- 1) {
                let r = rows(group), b = grid.cell[r[0]]
                let first = max(-reach, -b), last = min(reach, cells &- 1 &- b)
                let e = SIMD4(grid.e[r[0]], grid.e[r[1]], grid.e[r[2]], grid.e[r[3]])
                var factor = SIMD4<Double>.zero
                for j in 0..<4 where j == 0 || r[j] != r[j &- 1] {
                    factor[j] = weight[r[j]] * grid.g[r[j]] * Self.power(e[j], -first)
                }
                let step = 1 / e
                let p0 = Self.powers(grid.offset[r[0]]), p1 = Self.powers(grid.offset[r[1]])
                let p2 = Self.powers(grid.offset[r[2]]), p3 = Self.powers(grid.offset[r[3]])
                var entry = tables + (classIndex[r[0]] &* size &+ b &* steps &+ reach &+ first &* (steps &+ 1))
                for _ in first...last {
                    let sum01: SIMD8<Double> = factor[0] * p0 + factor[1] * p1
                    let sum23: SIMD8<Double> = factor[2] * p2 + factor[3] * p3
                    entry.pointee += sum01 + sum23
                    factor *= step
                    entry += steps &+ 1
                }
            }
            let all = tables + classes &* size
            for k in 0..<classes { for t in 0..<size { all[t] += tables[k &* size &+ t] } }
            // Scaled by C_k, the entries are the coefficients of a polynomial in E.
            for t in 0..<((classes &+ 1) &* cells) {
                for k in 0..<steps { tables[t &* steps &+ k] *= c[k] }
            }
            // Each row: Σ_k C_k E^k · moment_k by Horner's rule in E, then the polynomial in u.
            for group in 0..<(groups.count &- 1) {
                let r = rows(group), a = grid.cell[r[0]]
                let first = max(-reach, a &- (cells &- 1)), last = min(reach, a)
                let e0 = grid.e[r[0]], e1 = grid.e[r[1]], e2 = grid.e[r[2]], e3 = grid.e[r[3]]
                let entry = a &* steps &+ reach
                let rowAll = all + entry, rowOwn = tables + (classIndex[r[0]] &* size &+ entry)
                // A while loop: with `for`, LLVM splits vectors carried across it into 2-lane pieces.
                var k = last
                var all0 = rowAll[k], all1 = all0, all2 = all0, all3 = all0
                var own0 = rowOwn[k], own1 = own0, own2 = own0, own3 = own0
                while k > first {
                    k &-= 1
                    let moment = rowAll[k], ownMoment = rowOwn[k]
                    all0 = all0 * e0 + moment
                    all1 = all1 * e1 + moment
                    all2 = all2 * e2 + moment
                    all3 = all3 * e3 + moment
                    own0 = own0 * e0 + ownMoment
                    own1 = own1 * e1 + ownMoment
                    own2 = own2 * e2 + ownMoment
                    own3 = own3 * e3 + ownMoment
                }
                @inline(__always)
                func finish(_ i: Int, _ sumAll: SIMD8<Double>, _ sumOwn: SIMD8<Double>) {
                    let p = Self.inverseFactorials * Self.powers(grid.offset[i])
                    let factor = grid.g[i] * Self.power(grid.e[i], first)
                    sumsAll[i] = factor * (sumAll * p).sum()
                    sumsOwn[i] = factor * (sumOwn * p).sum()
                }
                // (Padding repeats the last row, and its sums.)
                finish(r[0], all0, own0)
                finish(r[1], all1, own1)
                finish(r[2], all2, own2)
                finish(r[3], all3, own3)
            }
        }
    }
}
