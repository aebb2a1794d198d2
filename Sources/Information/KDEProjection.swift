extension KDEEstimator {
    /// Points projected on the leading principal directions of their covariance: orthonormal
    /// directions, so no distance grows, and the pruning of a wide layer can work in a few
    /// dimensions where k-d boxes are tight. Only pruning uses it; the kernel terms are computed
    /// from the coordinates themselves.
    struct Projection {
        let dimensions: Int
        /// `units × dimensions`, row-major, rounded to Float.
        var values: [Float]
        /// What to add to a squared distance before comparing it with a computed projected one:
        /// the projected Floats are within 2⁻²⁴·S of exact (S their largest magnitude), so a
        /// projected squared distance computed in Float exceeds the exact one, itself at most the
        /// true distance, by less than 2⁻¹⁹ (S + √R)² where R is the distance compared against.
        var margin: Double = 0
        /// With `keepExact`, the same values in Double (`units × dimensions`): a rotation of the
        /// points when `dimensions == width`, distances kept to about 1e-15 relative.
        var exact: [Double] = []
        /// The largest magnitude of the values: each Float value is within 2⁻²⁴ times it of its
        /// Double value.
        var largest: Double = 0
        /// The centre and directions projected on, for the next epoch of a `Chain`.
        let basis: Basis

        /// A centre and the leading `dimensions` orthonormal directions (each coordinate's
        /// components side by side).
        struct Basis: Sendable {
            var mean: [Double]
            var directions: [SIMD4<Double>]
            var dimensions: Int
        }

        /// `values` and `exact` use the storage of `workspace`'s arrays if it has any. With
        /// `basis` (of as many dimensions, from an earlier epoch), projects on it instead of
        /// fitting one: any orthonormal basis keeps every distance from growing.
        init(_ x: [Float], units m: Int, width: Int, dimensions wanted: Int, against radius: Double, keepExact: Bool = false,
             reusing previous: Basis? = nil, workspace: Workspace = Workspace()) {
            let dimensions = min(wanted, width)
            self.dimensions = dimensions
            let basis = previous.flatMap { $0.dimensions == dimensions && $0.mean.count == width ? $0 : nil }
                ?? Self.fit(x, units: m, width: width, dimensions: dimensions)
            self.basis = basis
            var values = workspace.array(repeating: Float(0), count: m * dimensions, filled: false)
            var exact = workspace.array(repeating: 0.0, count: keepExact ? m * dimensions : 0, filled: false)
            // The largest magnitude per lane (lanes beyond `dimensions` stay 0), so that the units
            // do not wait on each other.
            var largestLanes = SIMD4<Float>.zero
            x.withUnsafeBufferPointer { x in
                values.withUnsafeMutableBufferPointer { values in
                    exact.withUnsafeMutableBufferPointer { exact in
                        basis.directions.withUnsafeBufferPointer { directions in
                            basis.mean.withUnsafeBufferPointer { mean in
                                let x = x.baseAddress!, directions = directions.baseAddress!
                                for u in 0..<m {
                                    var s = SIMD4<Double>.zero
                                    for c in 0..<width { s += directions[c] * (Double(x[u &* width &+ c]) - mean[c]) }
                                    let rounded = SIMD4<Float>(s)
                                    let magnitude = unsafeBitCast(unsafeBitCast(rounded, to: SIMD4<UInt32>.self) & 0x7FFF_FFFF, to: SIMD4<Float>.self)
                                    largestLanes = largestLanes.replacing(with: magnitude, where: magnitude .> largestLanes)
                                    if dimensions == 4 {
                                        UnsafeMutableRawPointer(values.baseAddress! + u &* 4).storeBytes(of: rounded, as: SIMD4<Float>.self)
                                    } else {
                                        for p in 0..<dimensions { values[u &* dimensions &+ p] = rounded[p] }
                                    }
                                    if keepExact { for p in 0..<dimensions { exact[u &* dimensions &+ p] = s[p] } }
                                }
                            }
                        }
                    }
                }
            }
            let largest = largestLanes.max()
            self.values = values
            self.exact = exact
            self.largest = Double(largest)
            let reach = Double(largest) + radius.squareRoot()
            margin = 0x1p-19 * reach * reach
        }

        /// The centre of the units and the leading `dimensions` principal directions of their
        /// covariance.
        static func fit(_ x: [Float], units m: Int, width: Int, dimensions: Int) -> Basis {
            // Sums run over the units in order, per entry, as plain loops would; the vectors only
            // hold several entries side by side. Rows are padded to `padded` with zeros.
            let padded = (width + 7) & ~7
            // Units are centred a block at a time, and each group of eight rows of the products
            // (a chunk of eight columns) is summed over the block in registers: summed in memory,
            // each sum waited on its store from the unit before.
            let block = 64
            let mean = UnsafeMutablePointer<Double>.allocate(capacity: padded)
            let centered = UnsafeMutablePointer<Double>.allocate(capacity: block * padded)
            let sums = UnsafeMutablePointer<Double>.allocate(capacity: padded * padded)
            defer {
                mean.deallocate()
                centered.deallocate()
                sums.deallocate()
            }
            mean.initialize(repeating: 0, count: padded)
            centered.initialize(repeating: 0, count: block * padded)
            sums.initialize(repeating: 0, count: padded * padded)
            @inline(__always)
            func load(_ p: UnsafeMutablePointer<Double>) -> SIMD8<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self) }
            @inline(__always)
            func store(_ v: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Double>.self) }
            x.withUnsafeBufferPointer { x in
                let x = x.baseAddress!
                for u in 0..<m { for c in 0..<width { mean[c] += Double(x[u &* width &+ c]) } }
                for c in 0..<width { mean[c] /= Double(max(m, 1)) }
                // Entry (a, b) of the products at a · padded + b, for b in the chunks from a's on:
                // the upper triangle and a few of its mirror entries, the same products.
                for first in Swift.stride(from: 0, to: m, by: block) {
                    let count = min(block, m &- first)
                    for i in 0..<count {
                        for c in 0..<width { centered[i &* padded &+ c] = Double(x[(first &+ i) &* width &+ c]) - mean[c] }
                    }
                    for k in Swift.stride(from: 0, to: padded, by: 8) {
                        for a in Swift.stride(from: 0, through: k, by: 8) {
                            let row = sums + (a &* padded &+ k)
                            var s0 = load(row), s1 = load(row + padded), s2 = load(row + 2 &* padded), s3 = load(row + 3 &* padded)
                            var s4 = load(row + 4 &* padded), s5 = load(row + 5 &* padded)
                            var s6 = load(row + 6 &* padded), s7 = load(row + 7 &* padded)
                            for i in 0..<count {
                                let unit = centered + i &* padded
                                let v = load(unit + k), f = unit + a
                                s0 += SIMD8(repeating: f[0]) * v
                                s1 += SIMD8(repeating: f[1]) * v
                                s2 += SIMD8(repeating: f[2]) * v
                                s3 += SIMD8(repeating: f[3]) * v
                                s4 += SIMD8(repeating: f[4]) * v
                                s5 += SIMD8(repeating: f[5]) * v
                                s6 += SIMD8(repeating: f[6]) * v
                                s7 += SIMD8(repeating: f[7]) * v
                            }
                            store(s0, row); store(s1, row + padded); store(s2, row + 2 &* padded); store(s3, row + 3 &* padded)
                            store(s4, row + 4 &* padded); store(s5, row + 5 &* padded)
                            store(s6, row + 6 &* padded); store(s7, row + 7 &* padded)
                        }
                    }
                }
            }
            var covariance = [Double](repeating: 0, count: width * width)
            for a in 0..<width {
                for b in 0..<width { covariance[a * width + b] = sums[min(a, b) * padded + max(a, b)] }
            }
            // Eigenvectors in the columns, by eigenvalue descending. (Jacobi rotations: a few
            // microseconds for ten dimensions, and no LAPACK threads spinning beside the tasks.)
            let basis = Self.eigenvectors(&covariance, size: width)
            // The leading directions' components of each column of the basis, side by side.
            var directions = [SIMD4<Double>](repeating: .zero, count: width)
            for c in 0..<width { for p in 0..<dimensions { directions[c][p] = basis[c * width + p] } }
            return Basis(mean: Array(UnsafeBufferPointer(start: mean, count: width)), directions: directions, dimensions: dimensions)
        }

        /// Cyclic Jacobi on the symmetric `size × size` matrix a (destroyed): orthonormal
        /// eigenvectors in the columns of the result, ordered by eigenvalue, largest first.
        /// Any orthonormal basis keeps the projection a contraction; accuracy only helps pruning.
        static func eigenvectors(_ a: inout [Double], size n: Int) -> [Double] {
            var v = [Double](repeating: 0, count: n * n)
            for i in 0..<n { v[i * n + i] = 1 }
            for _ in 0..<50 {
                var off = 0.0, diagonal = 0.0
                for i in 0..<n {
                    diagonal += a[i * n + i] * a[i * n + i]
                    for j in 0..<n where j != i { off += a[i * n + j] * a[i * n + j] }
                }
                if off <= 1e-24 * diagonal || off == 0 { break }
                for p in 0..<n {
                    for q in (p + 1)..<n where a[p * n + q] != 0 {
                        let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                        let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                        let c = 1 / (t * t + 1).squareRoot(), s = t * c
                        for k in 0..<n {  // columns p and q
                            let akp = a[k * n + p], akq = a[k * n + q]
                            a[k * n + p] = c * akp - s * akq
                            a[k * n + q] = s * akp + c * akq
                        }
                        for k in 0..<n {  // rows p and q
                            let apk = a[p * n + k], aqk = a[q * n + k]
                            a[p * n + k] = c * apk - s * aqk
                            a[q * n + k] = s * apk + c * aqk
                        }
                        for k in 0..<n {
                            let vkp = v[k * n + p], vkq = v[k * n + q]
                            v[k * n + p] = c * vkp - s * vkq
                            v[k * n + q] = s * vkp + c * vkq
                        }
                    }
                }
            }
            let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
            var sorted = [Double](repeating: 0, count: n * n)
            for (column, source) in order.enumerated() {
                for k in 0..<n { sorted[k * n + column] = v[k * n + source] }
            }
            return sorted
        }
    }
}
