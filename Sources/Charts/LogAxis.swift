import Foundation

/// A log₁₀ axis that always spans whole decades: a grid line at every decade, minor ticks at
/// 2…9 × 10^k while they stay far enough apart to read, and labels on every decade, or every
/// second, third… when the labels would otherwise touch.
struct LogAxis {
    /// The axis in exponents, as the rest of the charts use it (lower, upper, step 1).
    var scale: NiceScale
    /// Exponents of the labelled ticks.
    var labelled: [Double]
    /// Exponents of the minor ticks (log₁₀ of 2…9 × 10^k), none when the decades are crowded.
    var minor: [Double]

    /// Covers exponents in [min, max]; `length` is the axis length on the page and `labelSpace`
    /// the room one label needs along it.
    init(min: Double, max: Double, length: Double, labelSpace: (String) -> Double) {
        var lo = min.isFinite ? Foundation.floor(min) : 0
        var hi = max.isFinite ? Foundation.ceil(max) : 1
        if hi <= lo { lo = Swift.min(lo, hi); hi = lo + 1 }
        var s = NiceScale(min: lo, max: hi)
        s.lower = lo
        s.upper = hi
        s.step = 1
        s.logarithmic = true
        scale = s
        let decades = Int(hi - lo)
        let perDecade = length / Double(decades)
        // Every decade labelled when the widest label fits in a decade's length, else every n-th.
        let widest = stride(from: lo, through: hi, by: 1).map { labelSpace(s.label($0)) }.max() ?? 0
        let every = [1, 2, 3, 5, 10, 20].first { Double($0) * perDecade >= widest + 8 } ?? decades
        labelled = stride(from: lo, through: hi, by: 1).filter { Int($0 - lo) % every == 0 }
        // Within a single decade the ends alone say little: label 2 and 5 too.
        if decades == 1 {
            let inner = [log10(2), log10(5)].map { lo + $0 }
            let room = inner.map { labelSpace(s.label($0)) }.max()! + 8
            if perDecade * (log10(5) - log10(2)) >= room { labelled = (labelled + inner).sorted() }
        }
        // Minor ticks while the gap between 9 and 10 × 10^k is at least two pixels.
        minor = perDecade * log10(10.0 / 9) >= 2
            ? stride(from: lo, to: hi, by: 1).flatMap { k in (2...9).map { k + log10(Double($0)) } }
            : []
    }

    func label(_ exponent: Double) -> String { scale.label(exponent) }
}
