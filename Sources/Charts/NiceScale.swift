import Foundation

/// Axis ranges and ticks at "nice" numbers (1, 2, 2.5, 5 × 10^k).
public struct NiceScale: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double
    /// A log₁₀ axis: lower, upper and ticks are exponents; labels show 10^tick.
    public var logarithmic = false

    /// A log axis over values already in log₁₀: whole decades when it spans two or more.
    public init(logarithmicMin min: Double, max: Double) {
        if max - min >= 2 {
            self.init(min: Foundation.floor(min), max: Foundation.ceil(max))
            step = Swift.max(1, (step).rounded())
            lower = Foundation.floor(min / step) * step
            upper = Foundation.ceil(max / step) * step
        } else {
            self.init(min: min, max: max)
        }
        logarithmic = true
    }

    /// Covers [min, max] with about `targetTicks` ticks.
    public init(min: Double, max: Double, targetTicks: Int = 5) {
        var lo = min, hi = max
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let raw = (hi - lo) / Double(Swift.max(1, targetTicks))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let niceFraction: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        step = niceFraction * magnitude
        lower = floor(lo / step) * step
        upper = ceil(hi / step) * step
    }

    /// Covers the values with a margin of 3% of their span, so no point sits on the frame.
    public init(padded values: [Double], margin fraction: Double = 0.03, targetTicks: Int = 5) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { self.init(min: 0, max: 1, targetTicks: targetTicks); return }
        let margin = (hi - lo) * fraction
        // A margin never pushes an axis that starts at zero below it.
        self.init(min: lo == 0 ? lo : lo - margin, max: hi + margin, targetTicks: targetTicks)
    }

    /// A decimal without trailing zeros, three significant digits.
    static func plain(_ x: Double) -> String {
        var text = String(format: "%.3g", x)
        if text.contains("e") { return text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e-0", with: "e−").replacingOccurrences(of: "e+", with: "e") }
        if text.contains(".") { while text.hasSuffix("0") { text.removeLast() }; if text.hasSuffix(".") { text.removeLast() } }
        return text
    }

    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// Tick labels with just enough decimals for the step.
    public func label(_ value: Double) -> String {
        if logarithmic {
            let x = pow(10, value)
            if value == value.rounded() {
                let e = Int(value)
                switch e {
                case 0...4: return String(Int(x.rounded()))
                case -3 ..< 0: return String(format: "%.\(-e)f", x)
                default: return "1e\(e)".replacingOccurrences(of: "-", with: "−")
                }
            }
            return Self.plain(x)
        }
        let decimals = Swift.max(0, Int(ceil(-log10(step) - 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0))
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text.replacingOccurrences(of: "-", with: "−")
    }
}
