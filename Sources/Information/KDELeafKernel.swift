import CVectorMath
import NumericCore

extension KDEEstimator {
    /// The kernel sums between two leaves of eight slots each, eight pairs per vector: in step
    /// k = 0..<8, lane l pairs row slot l of one leaf with column slot (l + k) mod 8 of the other.
    /// The row sums then stay lane-aligned, and the column sums are kept in a frame that turns
    /// by one lane per step, so that after eight steps they are lane-aligned too: no horizontal
    /// sums, one lane rotation per column accumulator and step (a single permute with AVX2).
    /// Where blocks are computed whole (`denseBlock`), two steps share a 16-lane vector.
    ///
    /// Each leaf is stored as `stride` rows of 16 Floats: the eight slots' values, then the same
    /// eight again, so that the columns turned by k are an unaligned load at offset k. The rows
    /// are, in order: `projected` coordinates used only for pruning (principal components of a
    /// wide layer, a contraction), the `width` coordinates, and the slots' weights (0 in padding).
    /// `denseBlock` reads its leaves from a layout turned ahead of time instead (`storeTurned`): one
    /// aligned load a vector instead of two unaligned loads and shuffles, which bound the kernel
    /// (shuffles share a port with the arithmetic).
    ///
    /// Terms are Float: r = exp(−d/8σ²) by `exp2`, exp(−d/2σ²) = r⁴; each block's sums (eight
    /// terms a lane) are added to Double totals, per leaf `sums[4 leaf ..< 4 leaf + 4]`: within
    /// the class (upper, lower), then with other classes (upper, lower).
    struct LeafKernel {
        /// The leaves in the layout above (nil where blocks are computed whole: `denseBlock`
        /// reads only `turned`).
        let leaves: UnsafePointer<Float>?
        /// Where blocks are computed whole: each leaf's coordinates and weights as the columns of
        /// `denseBlock`'s four vectors, `turnedStride` Floats a leaf (see `turn`).
        let turned: UnsafePointer<Float>, turnedStride: Int
        /// Each leaf's bounding box in the projected coordinates (when `projected` > 0).
        let boxLow: UnsafePointer<SIMD4<Float>>, boxHigh: UnsafePointer<SIMD4<Float>>
        let sums: UnsafeMutablePointer<SIMD8<Double>>
        let stride: Int, width: Int, projected: Int
        /// −log₂(e)/(8σ²): r = 2^(scale·d).
        let scale: Float
        /// Steps whose eight pairs are all at least this far apart (squared, in the coordinates,
        /// or in the projected ones plus a rounding margin) are skipped.
        let skipDistance: Float, projectedSkipDistance: Float
        /// `skipDistance` lowered by 2⁻¹⁸ relative, for squared distances computed in Float from
        /// the coordinates (within width · 2⁻²³ relative of exact, so width ≤ 16 here): a pair
        /// skipped by it is at least `skipDistance` apart, up to a factor e^(2⁻¹⁸·25) ≈ 1.0001 on
        /// its term.
        var exactSkipDistance: Float { skipDistance * (1 - 0x1p-18) }
        /// Whether to test each step's distances against `skipDistance` before its exponentials:
        /// worth it where admitted leaf pairs hold many far pairs (wide layers).
        let check: Bool

        @inline(__always)
        static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
        }

        /// v turned by one lane: lane l takes lane l + 1 (mod 8). Written lane by lane, which
        /// LLVM turns into one permute.
        @inline(__always)
        static func turn(_ v: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[0])
        }

        /// Whether any lane of d is below t.
        @inline(__always)
        static func anyBelow(_ d: SIMD8<Float>, _ t: Float) -> Bool { ip_below_8(d, t) != 0 }

        /// The pairs between leaves a and b of each listed pair, added to both leaves' sums (to
        /// a's only when a == b, where the eight steps visit every ordered pair, the slot itself
        /// included, once).
        func blocks(_ pairs: [LeafPair]) {
            switch width {
            case 1: blocks(pairs, Width1.self)
            case 2: blocks(pairs, Width2.self)
            case 3: blocks(pairs, Width3.self)
            case 4: blocks(pairs, Width4.self)
            default: blocks(pairs, AnyWidth.self)
            }
        }

        func blocks<W: WidthConstant>(_ pairs: [LeafPair], _ w: W.Type) {
            if !check {
                for p in pairs {
                    if p.lowerOnly {
                        denseBlock(Int(p.a), Int(p.b), sameClass: p.sameClass, w, upper: false)
                    } else {
                        denseBlock(Int(p.a), Int(p.b), sameClass: p.sameClass, w, upper: true)
                    }
                }
            } else {
                for p in pairs { block(Int(p.a), Int(p.b), sameClass: p.sameClass, w) }
            }
        }

        /// The lanewise minimum (the standard library's `pointwiseMin` is not inlined).
        @inline(__always)
        static func least(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .< a) }

        /// Whether any lane of d is below t.
        @inline(__always)
        static func anyBelow(_ d: SIMD16<Float>, _ t: Float) -> Bool { ip_below_16(d, t) != 0 }

        /// v turned by two lanes within each half of eight.
        @inline(__always)
        static func turn2(_ v: SIMD16<Float>) -> SIMD16<Float> {
            SIMD16(v[2], v[3], v[4], v[5], v[6], v[7], v[0], v[1], v[10], v[11], v[12], v[13], v[14], v[15], v[8], v[9])
        }

        /// v turned back by one lane within each half of eight.
        @inline(__always)
        static func turnBack(_ v: SIMD16<Float>) -> SIMD16<Float> {
            SIMD16(v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[15], v[8], v[9], v[10], v[11], v[12], v[13], v[14])
        }

        /// Floats a leaf takes in the turned layout: four vectors of 16 for each coordinate and the weights.
        static func turnedStride(width: Int) -> Int { 4 * (width + 1) * 16 }

        /// Writes one row (a coordinate, or the weights at row `width`) of a leaf's turned
        /// layout: in each vector v = 0..<4, 16 Floats holding the eight slots' values turned by
        /// v, then turned by v + 4 (step v and step v + 4).
        @inline(__always)
        static func storeTurned(_ slots: SIMD8<Float>, row: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
            var byV = slots, byV4 = half(slots)
            for v in 0..<4 {
                let target = UnsafeMutableRawPointer(out + (v &* (width &+ 1) &+ row) &* 16)
                target.storeBytes(of: SIMD16(lowHalf: byV, highHalf: byV4), as: SIMD16<Float>.self)
                byV = turn(byV)
                byV4 = turn(byV4)
            }
        }

        /// Sixteen aligned Floats.
        @inline(__always)
        static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).load(as: SIMD16<Float>.self)
        }

        /// `block` without tests (and without the projected coordinates), where most pairs of
        /// admitted leaves are near (narrow layers). Sixteen lanes: steps k and k + 4 in one
        /// vector (its low and high halves; one 512-bit vector with AVX-512, two 256-bit ones
        /// with AVX2), and two such vectors at a time with their own accumulators, so that the
        /// two exponentials' long dependency chains overlap. The odd steps' column sums are kept
        /// one lane ahead and turned back at the end. Without `upper`, only the lower kernel's
        /// sums (for leaves too far apart for any upper term to count).
        @inline(__always)
        func denseBlock<W: WidthConstant>(_ a: Int, _ b: Int, sameClass: Bool, _: W.Type, upper: Bool) {
            let width = W.value ?? self.width
            // The rows are the low halves of leaf a's vector 0 (its slots in order).
            let rows = turned + a &* turnedStride, columns = turned + b &* turnedStride
            let symmetric = a != b
            let vector = (width &+ 1) &* 16
            let rowWeight8 = Self.load(rows + width &* 16)
            let rowWeight = SIMD16(lowHalf: rowWeight8, highHalf: rowWeight8)
            var rowUpper0 = SIMD16<Float>.zero, rowLower0 = SIMD16<Float>.zero
            var rowUpper1 = SIMD16<Float>.zero, rowLower1 = SIMD16<Float>.zero
            var columnUpper0 = SIMD16<Float>.zero, columnLower0 = SIMD16<Float>.zero
            var columnUpper1 = SIMD16<Float>.zero, columnLower1 = SIMD16<Float>.zero
            // The squared distances of all 64 pairs first, in four vectors (steps v and v + 4).
            var d = (SIMD16<Float>.zero, SIMD16<Float>.zero, SIMD16<Float>.zero, SIMD16<Float>.zero)
            for c in 0..<width {
                let row8 = Self.load(rows + c &* 16)
                let row = SIMD16(lowHalf: row8, highHalf: row8)
                let t0 = row - Self.load16(columns + c &* 16), t1 = row - Self.load16(columns + (vector &+ c &* 16))
                let t2 = row - Self.load16(columns + (2 &* vector &+ c &* 16)), t3 = row - Self.load16(columns + (3 &* vector &+ c &* 16))
                d.0 = d.0.addingProduct(t0, t0)
                d.1 = d.1.addingProduct(t1, t1)
                d.2 = d.2.addingProduct(t2, t2)
                d.3 = d.3.addingProduct(t3, t3)
            }
            // In layers pruned in a projection (the widths `W` leaves open), most admitted leaf
            // pairs hold no pair within the skip distance in the layer's own coordinates: one
            // test a block (a test a step mispredicted too often where some steps are near).
            if W.value == nil && !Self.anyBelow(Self.least(Self.least(d.0, d.1), Self.least(d.2, d.3)), exactSkipDistance) {
                return
            }
            for k in Swift.stride(from: 0, to: 4, by: 2) {
                let d0 = k == 0 ? d.0 : d.2, d1 = k == 0 ? d.1 : d.3
                let r0 = KDEEstimator.exp2(scale * d0), r1 = KDEEstimator.exp2(scale * d1)
                let w0 = Self.load16(columns + (k &* vector &+ width &* 16))
                let w1 = Self.load16(columns + ((k &+ 1) &* vector &+ width &* 16))
                rowLower0 = rowLower0.addingProduct(w0, r0)
                rowLower1 = rowLower1.addingProduct(w1, r1)
                if symmetric {
                    columnLower0 = Self.turn2(columnLower0.addingProduct(rowWeight, r0))
                    columnLower1 = Self.turn2(columnLower1.addingProduct(rowWeight, r1))
                }
                if upper {
                    let e0 = KDEEstimator.fourthPower(r0), e1 = KDEEstimator.fourthPower(r1)
                    rowUpper0 = rowUpper0.addingProduct(w0, e0)
                    rowUpper1 = rowUpper1.addingProduct(w1, e1)
                    if symmetric {
                        columnUpper0 = Self.turn2(columnUpper0.addingProduct(rowWeight, e0))
                        columnUpper1 = Self.turn2(columnUpper1.addingProduct(rowWeight, e1))
                    }
                }
            }
            let offset = sameClass ? 0 : 2
            let rowUpper = rowUpper0 + rowUpper1, rowLower = rowLower0 + rowLower1
            add(rowUpper.lowHalf + rowUpper.highHalf, rowLower.lowHalf + rowLower.highHalf, to: a &* 4 &+ offset)
            if symmetric {
                // After two turns by two, the low halves hold column l + 4 in lane l, the high
                // halves column l; the odd steps' sums are one lane ahead.
                let upper = columnUpper0 + Self.turnBack(columnUpper1), lower = columnLower0 + Self.turnBack(columnLower1)
                add(Self.half(upper.lowHalf) + upper.highHalf, Self.half(lower.lowHalf) + lower.highHalf, to: b &* 4 &+ offset)
            }
        }

        /// v turned by four lanes.
        @inline(__always)
        static func half(_ v: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(v[4], v[5], v[6], v[7], v[0], v[1], v[2], v[3])
        }

        /// The same with the width a compile-time constant in narrow layers (a generic
        /// specialisation each), so that the loops over coordinates unroll.
        @inline(__always)
        func block<W: WidthConstant>(_ a: Int, _ b: Int, sameClass: Bool, _: W.Type) {
            let width = W.value ?? self.width
            let rows = leaves! + a &* stride &* 16, columns = leaves! + b &* stride &* 16
            let symmetric = a != b
            let weights = projected &+ width
            let rowWeight = Self.load(rows + weights &* 16)
            var rowUpper = SIMD8<Float>.zero, rowLower = SIMD8<Float>.zero
            var columnUpper = SIMD8<Float>.zero, columnLower = SIMD8<Float>.zero
            if projected > 0 {
                // Each row against the other leaf's box first: in wide layers few rows of an
                // admitted leaf pair are near any of its columns.
                let low = boxLow[b], high = boxHigh[b]
                var gap = SIMD8<Float>.zero
                for c in 0..<projected {
                    let x = Self.load(rows + c &* 16)
                    let below = SIMD8(repeating: low[c]) - x, above = x - SIMD8(repeating: high[c])
                    var g = below.replacing(with: above, where: above .> below)
                    g = g.replacing(with: SIMD8<Float>.zero, where: g .< SIMD8<Float>.zero)
                    gap = gap.addingProduct(g, g)
                }
                if !Self.anyBelow(gap, projectedSkipDistance) { return }
            }
            for k in 0..<8 {
                if projected > 0 {
                    var p = SIMD8<Float>.zero
                    for c in 0..<projected {
                        let t = Self.load(columns + (c &* 16 &+ k)) - Self.load(rows + c &* 16)
                        p = p.addingProduct(t, t)
                    }
                    if !Self.anyBelow(p, projectedSkipDistance) {
                        columnUpper = Self.turn(columnUpper)
                        columnLower = Self.turn(columnLower)
                        continue
                    }
                }
                var d = SIMD8<Float>.zero
                for c in 0..<width {
                    let row = (projected &+ c) &* 16
                    let t = Self.load(columns + (row &+ k)) - Self.load(rows + row)
                    d = d.addingProduct(t, t)
                }
                if check && !Self.anyBelow(d, skipDistance) {
                    columnUpper = Self.turn(columnUpper)
                    columnLower = Self.turn(columnLower)
                    continue
                }
                let r = KDEEstimator.exp2(scale * d)
                let e = KDEEstimator.fourthPower(r)
                let columnWeight = Self.load(columns + (weights &* 16 &+ k))
                rowUpper = rowUpper.addingProduct(columnWeight, e)
                rowLower = rowLower.addingProduct(columnWeight, r)
                if symmetric {
                    columnUpper = Self.turn(columnUpper.addingProduct(rowWeight, e))
                    columnLower = Self.turn(columnLower.addingProduct(rowWeight, r))
                }
            }
            let offset = sameClass ? 0 : 2
            add(rowUpper, rowLower, to: a &* 4 &+ offset)
            if symmetric { add(columnUpper, columnLower, to: b &* 4 &+ offset) }
        }

        @inline(__always)
        func add(_ upper: SIMD8<Float>, _ lower: SIMD8<Float>, to p: Int) {
            sums[p] += SIMD8<Double>(upper)
            sums[p &+ 1] += SIMD8<Double>(lower)
        }
    }

    /// Two leaves whose pairs the kernel computes: whether they hold the same class, and
    /// whether they are so far apart that every upper (KL) term is below the skip threshold.
    struct LeafPair {
        var a: Int32, b: Int32
        var sameClass: Bool, lowerOnly: Bool
    }

    protocol WidthConstant { static var value: Int? { get } }
    enum Width1: WidthConstant { static var value: Int? { 1 } }
    enum Width2: WidthConstant { static var value: Int? { 2 } }
    enum Width3: WidthConstant { static var value: Int? { 3 } }
    enum Width4: WidthConstant { static var value: Int? { 4 } }
    enum AnyWidth: WidthConstant { static var value: Int? { nil } }

    /// 2^t for t ≤ 0 on eight lanes, without libm (`ip_exp2_8` in CVectorMath): 2^t = 2^k · 2^f with
    /// k = round(t), |f| ≤ 1/2, 2^f by a degree-6 polynomial (fitted for relative error: 2.6e-9 in
    /// exact arithmetic, and with Float rounding within 1.5e-7 of libm, tested), times 2^k by
    /// `vscalefps` with AVX-512 (else by adding k to the exponent bits). t is clamped at −125,
    /// where Float's normal range is still one power of two away; 2^0 is exactly 1.
    @inline(__always)
    static func exp2(_ t: SIMD8<Float>) -> SIMD8<Float> { ip_exp2_8(t) }

    /// r⁴. Where it falls below Float's normal range (r below e^−21.75, r⁴ a term far below any
    /// kept) it is flushed to 0 while the kernel runs (`ip_flush_subnormals`, see `bounds`):
    /// subnormal arithmetic costs about a hundred cycles an instruction.
    @inline(__always)
    static func fourthPower(_ r: SIMD8<Float>) -> SIMD8<Float> {
        let square = r * r
        return square * square
    }

    /// `exp2` on sixteen lanes (the same steps, so the same values): one register with AVX-512.
    @inline(__always)
    static func exp2(_ t: SIMD16<Float>) -> SIMD16<Float> { ip_exp2_16(t) }

    /// `fourthPower` on sixteen lanes.
    @inline(__always)
    static func fourthPower(_ r: SIMD16<Float>) -> SIMD16<Float> {
        let square = r * r
        return square * square
    }
}
