/// Finds the two template forms a notebook may use:
/// `${params.name}` (a front-matter parameter, substituted before anything runs) and
/// `{{ id.key }}` (a block's result, shown in prose once the block has run).
public enum TemplateScanner {
    public enum Form: Hashable, Sendable {
        case parameter(name: String)
        case inlineResult(blockID: String, keyPath: [String])
        /// `@fig-truth`: a reference to a block's numbered figure or table.
        case crossReference(blockID: String)
        case malformed(String)
    }

    public struct Occurrence: Hashable, Sendable {
        public var form: Form
        /// Unicode-scalar offsets into the scanned line, half-open.
        public var range: Range<Int>
        /// 1-based column of the first character.
        public var column: Int { range.lowerBound + 1 }
    }

    /// Scans one line. With `skipCodeSpans`, text between backticks is left alone so prose can
    /// show the template syntax itself.
    public static func scan(_ line: String, skipCodeSpans: Bool, inlineResults: Bool) -> [Occurrence] {
        let s = Array(line.unicodeScalars)
        var found: [Occurrence] = []
        var i = 0
        while i < s.count {
            if skipCodeSpans, s[i] == "`" {
                i = codeSpanEnd(s, at: i)
                continue
            }
            if s[i] == "$", i + 1 < s.count, s[i + 1] == "{" {
                if let end = find(s, "}", from: i + 2) {
                    let inner = String(String.UnicodeScalarView(s[(i + 2)..<end])).trimmingSpaces
                    let form: Form
                    if inner.hasPrefix("params."), isName(String(inner.dropFirst(7))) {
                        form = .parameter(name: String(inner.dropFirst(7)))
                    } else {
                        form = .malformed("expected ${params.NAME}, found ${\(inner)}")
                    }
                    found.append(Occurrence(form: form, range: i..<(end + 1)))
                    i = end + 1
                    continue
                }
            }
            // `@id` in prose, not inside a word or an e-mail address.
            if inlineResults, s[i] == "@", i + 1 < s.count, ("a"..."z").contains(s[i + 1]),
               i == 0 || !(s[i - 1].properties.isAlphabetic || ("0"..."9").contains(s[i - 1]) || "._-@".unicodeScalars.contains(s[i - 1])) {
                var end = i + 1
                while end < s.count, ("a"..."z").contains(s[end]) || ("0"..."9").contains(s[end]) || s[end] == "-" { end += 1 }
                // A trailing dash is punctuation ("see @fig-a-"), not part of the id.
                while end > i + 1, s[end - 1] == "-" { end -= 1 }
                let next = end < s.count ? s[end] : " "
                if !(next == "@" || next == "." && end + 1 < s.count && s[end + 1].properties.isAlphabetic) {
                    found.append(Occurrence(form: .crossReference(blockID: String(String.UnicodeScalarView(s[(i + 1)..<end]))), range: i..<end))
                    i = end
                    continue
                }
            }
            if inlineResults, s[i] == "{", i + 1 < s.count, s[i + 1] == "{" {
                if let end = findPair(s, "}", from: i + 2) {
                    let inner = String(String.UnicodeScalarView(s[(i + 2)..<end])).trimmingSpaces
                    let parts = inner.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                    let form: Form
                    // After the result's name, path steps may also be numbers (`layers.5.ixt_max`).
                    if parts.count >= 2, isID(parts[0]), isName(parts[1]),
                       parts.dropFirst(2).allSatisfy({ isName($0) || isIndex($0) }) {
                        form = .inlineResult(blockID: parts[0], keyPath: Array(parts.dropFirst()))
                    } else {
                        form = .malformed("expected {{ block-id.key }}, found {{ \(inner) }}")
                    }
                    found.append(Occurrence(form: form, range: i..<(end + 2)))
                    i = end + 2
                    continue
                }
            }
            i += 1
        }
        return found
    }

    /// Block ids: a lowercase letter, then lowercase letters, digits and dashes.
    public static func isID(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Parameter names and result keys: letters, digits and underscores, not starting with a digit.
    /// A list index in a result path: `0`, `12`, or `-1` (the last).
    static func isIndex(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit)
    }

    public static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first,
              first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Where a run of backticks at `i` stops having effect: after its closing run of the same
    /// length (a code span), or after the run itself when nothing closes it.
    public static func codeSpanEnd(_ s: [Unicode.Scalar], at i: Int) -> Int {
        let run = runLength(s, i, "`")
        return findClosingRun(s, from: i + run, length: run).map { $0 + run } ?? i + run
    }

    private static func runLength(_ s: [Unicode.Scalar], _ i: Int, _ c: Unicode.Scalar) -> Int {
        var n = 0
        while i + n < s.count, s[i + n] == c { n += 1 }
        return n
    }

    private static func findClosingRun(_ s: [Unicode.Scalar], from start: Int, length: Int) -> Int? {
        var j = start
        while j < s.count {
            if s[j] == "`" {
                let run = runLength(s, j, "`")
                if run == length { return j }
                j += run
            } else {
                j += 1
            }
        }
        return nil
    }

    private static func find(_ s: [Unicode.Scalar], _ c: Unicode.Scalar, from start: Int) -> Int? {
        var j = start
        while j < s.count { if s[j] == c { return j }; j += 1 }
        return nil
    }

    private static func findPair(_ s: [Unicode.Scalar], _ c: Unicode.Scalar, from start: Int) -> Int? {
        var j = start
        while j + 1 < s.count { if s[j] == c, s[j + 1] == c { return j }; j += 1 }
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }

    /// Replaces non-overlapping unicode-scalar ranges with new text.
    public func replacingScalarRanges(_ replacements: [(Range<Int>, String)]) -> String {
        let s = Array(unicodeScalars)
        var out = String.UnicodeScalarView()
        var cursor = 0
        for (range, text) in replacements.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) {
            out.append(contentsOf: s[cursor..<range.lowerBound])
            out.append(contentsOf: text.unicodeScalars)
            cursor = range.upperBound
        }
        out.append(contentsOf: s[cursor...])
        return String(out)
    }
}
