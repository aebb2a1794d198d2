/// Σ log x over many positive x with one logarithm at the end instead of one a term: the
/// terms' mantissas (in [1, 2)) are multiplied and their exponents added. Each product rounds
/// by at most 2⁻⁵³ relative, so after k terms the sum is within about k·2⁻⁵³ of exact (plus the
/// final logarithm's rounding): 5e-13 for 4096 terms, as close as adding k rounded logarithms.
/// The product stays below 2^512 by renormalising every 512 terms; zero, subnormal and
/// non-finite terms take their logarithm directly.
struct LogSum {
    private var mantissa = 1.0
    private var exponent = 0
    private var pending = 0
    private var direct = 0.0

    @inline(__always)
    mutating func add(_ x: Double) {
        guard x.isNormal && x > 0 else {
            direct += _logarithm(x)
            return
        }
        exponent &+= Self.split(x, into: &mantissa)
        pending &+= 1
        if pending == 512 {
            exponent &+= Self.split(mantissa, into: &mantissa, multiplying: false)
            pending = 0
        }
    }

    /// count · log x.
    @inline(__always)
    mutating func add(_ x: Double, count: Int) {
        if count == 1 { add(x) } else { direct += Double(count) * _logarithm(x) }
    }

    /// The sum: the logarithm of the mantissas' product plus the exponents times log 2, in two
    /// parts (the first has few bits, so its product with any exponent below 2²⁰ is exact).
    var value: Double {
        let high = 0.693_147_180_369_123_816_49, low = 1.908_214_929_270_587_700_02e-10
        return _logarithm(mantissa) + (Double(exponent) * high + Double(exponent) * low) + direct
    }

    /// Multiplies `product` by x's mantissa (or sets it, without `multiplying`) and returns x's
    /// binary exponent; x is positive and normal.
    @inline(__always)
    private static func split(_ x: Double, into product: inout Double, multiplying: Bool = true) -> Int {
        let bits = x.bitPattern
        let mantissa = Double(bitPattern: bits & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)
        product = multiplying ? product * mantissa : mantissa
        return Int(truncatingIfNeeded: bits >> 52) &- 1023
    }
}
