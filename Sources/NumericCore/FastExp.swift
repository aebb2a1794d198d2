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
