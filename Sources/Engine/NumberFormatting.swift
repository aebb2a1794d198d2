import Foundation

/// The one place numbers are formatted for people (prose, tables, reports): three significant
/// digits, plain decimals between 0.001 and 1e6, scientific notation outside. Locale-free, so
/// reports are byte-identical on every machine.
public enum NumberFormatting {
    public static func format(_ x: Double, significant: Int = 3) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "−∞" : "∞" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            let exponent = Int(floor(log10(magnitude)))
            let decimals = max(0, significant - 1 - exponent)
            var text = String(format: "%.\(decimals)f", x)
            // Rounding can carry into a new digit (9.996 -> "10.00"): drop the extra decimal.
            if decimals > 0, let rounded = Double(text), floor(log10(abs(rounded))) > Double(exponent) {
                text = String(format: "%.\(decimals - 1)f", x)
            }
            return text == "-0" ? "0" : text
        }
        let text = String(format: "%.\(max(0, significant - 1))e", x)
        // "1.23e-05" -> "1.23e-5": shorter, and the same on every libc.
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }
}
