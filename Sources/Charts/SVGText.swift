import Foundation

/// Text and numbers as they are written into SVG: escaped, and with a fixed number format so
/// the same data always gives the same bytes.
enum SVGText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML 1.0.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals, no trailing zeros, never "-0".
    static func coordinate(_ x: Double) -> String {
        let rounded = (x * 100).rounded() / 100
        if rounded == 0 { return "0" }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Rough width of text at a font size, for layout without font metrics
    /// (0.6 em per character fits the sans-serif stack used here).
    static func width(_ s: String, fontSize: Double) -> Double {
        Double(s.count) * fontSize * 0.6
    }
}
