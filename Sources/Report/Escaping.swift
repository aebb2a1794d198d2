/// Escaping for every string from a notebook or from data that reaches an output file.
public enum Escape {
    /// Text in HTML element content and attribute values.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text placed inline in Markdown so that it shows literally (no emphasis, links, HTML).
    public static func markdownInline(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "&", "|", "~":
                out += "\\"
                out.unicodeScalars.append(scalar)
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A GitHub-flavoured Markdown table cell.
    public static func markdownCell(_ s: String) -> String {
        markdownInline(s)
    }

    /// A fenced code block body: the fence must be longer than any backtick run inside.
    public static func markdownFence(for body: String) -> String {
        var longest = 0, run = 0
        for c in body { if c == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}
