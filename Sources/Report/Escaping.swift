import Notebook

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
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                out += "\\"
                out.unicodeScalars.append(scalar)
            // Entities rather than backslashes, so even a renderer that allows HTML shows text.
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
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

extension Escape {
    /// Neutralises raw HTML in a line of the author's Markdown (outside code spans) for the
    /// Markdown report, as cmark's safe mode does for the HTML one. Autolinks stay links.
    public static func neutralisingRawHTML(_ line: String) -> String {
        let s = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "`" {
                let end = TemplateScanner.codeSpanEnd(s, at: i)
                out.append(contentsOf: s[i..<end])
                i = end
                continue
            }
            if s[i] == "<" {
                let rest = String(String.UnicodeScalarView(s[(i + 1)...].prefix(8))).lowercased()
                if !(rest.hasPrefix("http://") || rest.hasPrefix("https://") || rest.hasPrefix("mailto:")) {
                    out.append(contentsOf: "&lt;".unicodeScalars)
                    i += 1
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }
}
