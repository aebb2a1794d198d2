/// exp for Float without a libm call, so loops over it vectorise: e^x = 2^k · e^f with
/// k = round(x·log₂e), |f| ≤ ln2/2, and e^f by its Taylor series to degree 7 (relative error
/// below 1e-7 against libm, checked in the tests). Inputs are clamped to [−87, 88], where Float's
/// exponent range ends; a NaN comes out as NaN.
public enum FastExp {
    @inlinable @inline(__always)
    public static func value(_ x: Float) -> Float {
        // Only compares, selects and arithmetic: nothing that branches or traps.
        let clamped = Swift.min(Swift.max(x, -87), 88)
        let t = clamped * 1.442_695_040_888_963_4  // log₂(e)
        // Adding 1.5·2²³ rounds t to the nearest integer k and leaves k in the low bits.
        let shifted = t + 12_582_912
        let k = shifted - 12_582_912
        let kBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: Float(12_582_912).bitPattern)
        let f = (t - k) * 0.693_147_180_559_945_3
        var p: Float = 1.0 / 5040
        p = p * f + 1.0 / 720
        p = p * f + 1.0 / 120
        p = p * f + 1.0 / 24
        p = p * f + 1.0 / 6
        p = p * f + 0.5
        p = p * f + 1
        p = p * f + 1
        return p * Float(bitPattern: UInt32(bitPattern: (kBits &+ 127) &<< 23))
    }
}

extension FastExp {
    /// `value` on eight lanes at once: the same operations lane by lane, so the same bits for
    /// x in [−87, 88]; below −87 the result is within a few ulps of e^−87 (≈ 1.6e-38), above 88
    /// of e^88. Swift's generic SIMD min and max are not inlined and its lane-wise loops do not
    /// vectorise, so the clamp is max(t, a) = t + (|t − a| − (t − a)) / 2 (and likewise for min),
    /// which is exact whenever t is inside, with |·| by clearing the sign bit.
    @inlinable @inline(__always)
    public static func value(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = Float(-87) * 1.442_695_040_888_963_4, high = Float(88) * 1.442_695_040_888_963_4
        var t = x * 1.442_695_040_888_963_4  // log₂(e)
        let below = t - low
        t = t + (magnitude(below) - below) * 0.5
        let above = t - high
        t = t - (magnitude(above) + above) * 0.5
        // Adding 1.5·2²³ rounds t to the nearest integer k and leaves k in the low bits.
        let shifted = t + 12_582_912
        let k = shifted - 12_582_912
        let kBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: Float(12_582_912).bitPattern)
        let f = (t - k) * 0.693_147_180_559_945_3
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * f + 1.0 / 720
        p = p * f + 1.0 / 120
        p = p * f + 1.0 / 24
        p = p * f + 1.0 / 6
        p = p * f + 0.5
        p = p * f + 1
        p = p * f + 1
        return p * unsafeBitCast((kBits &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// |v| lane by lane, by clearing the sign bits.
    @inlinable @inline(__always)
    public static func magnitude(_ v: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
    }
}
