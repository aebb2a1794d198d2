import CCMark

/// Reads a notebook's text into a `Notebook`, collecting every problem it finds.
///
/// CommonMark structure comes from libcmark, so a fence inside a list, a quote or an HTML block
/// is recognised exactly as a renderer would see it. Only fenced blocks at the top level whose
/// info string names a block kind become experiment blocks; every other fence is a code sample.
public struct NotebookParser: Sendable {
    /// Kind names the engine knows; `<kind> <id>` fences with other kinds are reported.
    public var knownKinds: Set<String>

    public init(knownKinds: Set<String>) {
        self.knownKinds = knownKinds
    }

    public struct Output: Sendable {
        public var notebook: Notebook
        public var diagnostics: [Diagnostic]
    }

    /// - Parameters:
    ///   - overrides: `--param name=value` pairs; values are typed by YAML rules.
    ///   - profile: a profile of the front matter whose parameter values apply first (`--profile test`).
    public func parse(_ text: String, path: String, overrides: [(name: String, value: String)] = [], profile: String? = nil) -> Output {
        var diagnostics: [Diagnostic] = []
        let lines = Self.splitLines(text)

        // Front matter: blanked out for cmark so that its line numbers still match the file.
        var markdownLines = lines
        var frontMatterNode: SpecNode?
        var frontMatterEnd = 0  // number of lines taken by the front matter
        if let first = lines.first, first.trimmingTrailingSpaces == "---" {
            if let close = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingTrailingSpaces) }) {
                frontMatterEnd = close + 1
                let yaml = lines[1..<close].joined(separator: "\n")
                switch SpecYAML.parse(yaml, origin: .init(firstLine: 2, columnOffset: 0)) {
                case .success(let node): frontMatterNode = node
                case .failure(let d): diagnostics.append(d)
                }
                for i in 0..<frontMatterEnd { markdownLines[i] = "" }
            } else {
                diagnostics.append(.error("front matter opened with '---' is never closed", at: .init(line: 1, column: 1),
                                          notes: [.init("end it with a line holding only '---'")]))
            }
        }
        var frontMatter = readFrontMatter(frontMatterNode, diagnostics: &diagnostics)
        if let profile { applyProfile(profile, to: &frontMatter, diagnostics: &diagnostics) }
        applyOverrides(overrides, to: &frontMatter, diagnostics: &diagnostics)

        // Structure from cmark.
        let scan = Self.scanStructure(markdownLines)
        var cells: [Cell] = []
        var cursor = frontMatterEnd  // 0-based index of the next line not yet placed in a cell
        for fence in scan.topLevelFences {
            guard let block = experimentBlock(fence, params: frontMatter.params, diagnostics: &diagnostics) else { continue }
            appendProse(lines: lines, from: cursor, to: fence.startLine - 1, codeLines: scan.codeLines, htmlLines: scan.htmlLines,
                        params: frontMatter.params, into: &cells, diagnostics: &diagnostics)
            cells.append(.block(block))
            cursor = fence.endLine
        }
        appendProse(lines: lines, from: cursor, to: lines.count, codeLines: scan.codeLines, htmlLines: scan.htmlLines,
                    params: frontMatter.params, into: &cells, diagnostics: &diagnostics)
        for nested in scan.nestedFences where knownKinds.contains(nested.infoWords.first ?? "") {
            diagnostics.append(.error("an experiment block must stand at the top level, not inside a list or quote",
                                      at: .init(line: nested.startLine, column: nested.startColumn)))
        }

        let notebook = Notebook(path: path, frontMatter: frontMatter, cells: cells)
        return Output(notebook: notebook, diagnostics: diagnostics)
    }

    // MARK: - Front matter

    private func readFrontMatter(_ node: SpecNode?, diagnostics: inout [Diagnostic]) -> FrontMatter {
        var fm = FrontMatter(title: nil, seed: FrontMatter.defaultSeed, units: nil, params: [:], node: node)
        guard let node else { return fm }
        guard let entries = node.entries else {
            diagnostics.append(.error("front matter must be a mapping of keys (title:, seed:, params:, …)", at: node.location))
            return fm
        }
        for entry in entries {
            switch entry.key {
            case "title":
                if case .scalar(let s) = entry.value.content, s != .null {
                    fm.title = entry.value.displayText
                } else {
                    diagnostics.append(.error("'title' must be text, found \(entry.value.typeDescription)", at: entry.value.location))
                }
            case "seed":
                if case .scalar(.int(let seed)) = entry.value.content, seed >= 0 {
                    fm.seed = seed
                } else {
                    let found: String
                    if case .scalar(.int(let n)) = entry.value.content { found = String(n) } else { found = entry.value.typeDescription }
                    diagnostics.append(.error("'seed' must be a non-negative integer, found \(found)", at: entry.value.location))
                }
            case "units":
                if case .scalar(.string(let u)) = entry.value.content, ["nats", "bits"].contains(u) {
                    fm.units = u
                } else {
                    diagnostics.append(.error("'units' must be 'nats' or 'bits'", at: entry.value.location))
                }
            case "params":
                guard let params = entry.value.entries else {
                    if case .scalar(.null) = entry.value.content { continue }
                    diagnostics.append(.error("'params' must be a mapping of names to values", at: entry.value.location))
                    continue
                }
                for p in params {
                    if !TemplateScanner.isName(p.key) {
                        diagnostics.append(.error("parameter name '\(p.key)' must be letters, digits and underscores", at: p.keyLocation))
                    }
                    fm.params[p.key] = Parameter(name: p.key, value: p.value, declaredAt: p.keyLocation, overridden: false)
                }
            case "profiles":
                guard let profiles = entry.value.entries else {
                    diagnostics.append(.error("'profiles' must be a mapping of profile names to parameter values", at: entry.value.location))
                    continue
                }
                for profile in profiles {
                    guard let values = profile.value.entries else {
                        diagnostics.append(.error("profile '\(profile.key)' must be a mapping of parameter names to values", at: profile.value.location))
                        continue
                    }
                    fm.profiles[profile.key] = values
                }
            default:
                if !FrontMatter.knownKeys.contains(entry.key) {
                    var notes: [Diagnostic.Note] = []
                    if let near = NameSuggestion.nearest(to: entry.key, in: FrontMatter.knownKeys) {
                        notes.append(.init("did you mean '\(near)'?"))
                    } else {
                        notes.append(.init("front matter keys: \(FrontMatter.knownKeys.joined(separator: ", "))"))
                    }
                    diagnostics.append(.error("unknown front matter key '\(entry.key)'", at: entry.keyLocation, notes: notes))
                }
            }
        }
        return fm
    }

    /// A profile's values, checked against the declared params where they are written.
    private func applyProfile(_ name: String, to fm: inout FrontMatter, diagnostics: inout [Diagnostic]) {
        guard let values = fm.profiles[name] else {
            let known = fm.profiles.keys.sorted()
            diagnostics.append(.error("--profile \(name): the notebook has no profile '\(name)'", at: nil,
                                      notes: [.init(known.isEmpty ? "the notebook declares no profiles" : "profiles: \(known.joined(separator: ", "))")]))
            return
        }
        for entry in values {
            guard var param = fm.params[entry.key] else {
                diagnostics.append(.error("profile '\(name)' sets '\(entry.key)', which is not a declared param", at: entry.keyLocation,
                                          notes: NameSuggestion.nearest(to: entry.key, in: fm.params.keys).map { [.init("did you mean '\($0)'?")] } ?? []))
                continue
            }
            param.value = entry.value
            param.overridden = true
            fm.params[entry.key] = param
        }
    }

    private func applyOverrides(_ overrides: [(name: String, value: String)], to fm: inout FrontMatter, diagnostics: inout [Diagnostic]) {
        for (name, text) in overrides {
            guard var param = fm.params[name] else {
                var notes: [Diagnostic.Note] = []
                if let near = NameSuggestion.nearest(to: name, in: fm.params.keys) {
                    notes.append(.init("did you mean '\(near)'?"))
                }
                let declared = fm.params.keys.sorted()
                notes.append(.init(declared.isEmpty ? "the notebook declares no params" : "declared params: \(declared.joined(separator: ", "))"))
                diagnostics.append(.error("--param \(name)=\(text): the notebook has no parameter '\(name)'", at: nil, notes: notes))
                continue
            }
            guard let value = SpecYAML.parseValue(text) else {
                diagnostics.append(.error("--param \(name)=\(text): the value is not valid YAML", at: nil))
                continue
            }
            param.value = value
            param.overridden = true
            fm.params[name] = param
        }
    }

    // MARK: - Blocks

    private func experimentBlock(_ fence: FenceInfo, params: [String: Parameter], diagnostics: inout [Diagnostic]) -> Block? {
        let words = fence.infoWords
        guard let kind = words.first else { return nil }
        let fenceLocation = SourceLocation(line: fence.startLine, column: fence.startColumn)
        let infoColumn = fence.startColumn + fence.fenceLength + fence.infoLeadingSpaces
        if !knownKinds.contains(kind) {
            // `python demo` is a code sample only if it cannot be mistaken for a block.
            guard words.count == 2, Self.looksLikeWord(kind), TemplateScanner.isID(words[1]) || Self.looksLikeWord(words[1]) else { return nil }
            var notes: [Diagnostic.Note] = []
            if let near = NameSuggestion.nearest(to: kind, in: knownKinds) {
                notes.append(.init("did you mean '\(near)'?"))
            }
            notes.append(.init("known kinds: \(knownKinds.sorted().joined(separator: ", ")); to show code, put only its language after the fence"))
            diagnostics.append(.error("unknown block kind '\(kind)'", at: .init(line: fence.startLine, column: infoColumn), notes: notes))
            return nil
        }
        let idColumn = infoColumn + kind.unicodeScalars.count + fence.spacesAfterKind
        let idLocation = SourceLocation(line: fence.startLine, column: idColumn)
        guard words.count >= 2 else {
            diagnostics.append(.error("block '\(kind)' needs an id: ```\(kind) my-id", at: fenceLocation))
            return nil
        }
        let id = words[1]
        if words.count > 2 {
            diagnostics.append(.error("unexpected '\(words[2...].joined(separator: " "))' after the block id; the info string is '<kind> <id>'", at: idLocation))
        }
        if !TemplateScanner.isID(id) {
            diagnostics.append(.error("malformed block id '\(id)': use a lowercase letter, then lowercase letters, digits and '-'", at: idLocation))
        }

        // Substitute parameters line by line, so line numbers stay those of the file.
        let bodyLines = Self.splitLines(fence.literal)
        var substituted: [String] = []
        for (offset, line) in bodyLines.enumerated() {
            let lineNumber = fence.startLine + 1 + offset
            var replacements: [(Range<Int>, String)] = []
            for occurrence in TemplateScanner.scan(line, skipCodeSpans: false, inlineResults: false) {
                let location = SourceLocation(line: lineNumber, column: occurrence.column + fence.startColumn - 1)
                switch occurrence.form {
                case .parameter(let name):
                    if let value = params[name]?.value {
                        replacements.append((occurrence.range, value.flowYAML))
                    } else {
                        diagnostics.append(unknownParameter(name, at: location, params: params))
                    }
                case .malformed(let message):
                    diagnostics.append(.error(message, at: location))
                case .inlineResult, .crossReference:
                    break
                }
            }
            substituted.append(replacements.isEmpty ? line : line.replacingScalarRanges(replacements))
        }
        var spec: SpecNode?
        let yaml = substituted.joined(separator: "\n")
        switch SpecYAML.parse(yaml, origin: .init(firstLine: fence.startLine + 1, columnOffset: fence.startColumn - 1)) {
        case .success(let node):
            if let node, node.entries == nil {
                if case .scalar(.null) = node.content {
                    spec = SpecNode(.mapping([]), at: fenceLocation)
                } else {
                    diagnostics.append(.error("the spec of '\(id)' must be a mapping of keys (key: value), found \(node.typeDescription)", at: node.location))
                }
            } else {
                spec = node ?? SpecNode(.mapping([]), at: fenceLocation)
            }
        case .failure(let d):
            diagnostics.append(d)
        }
        return Block(kind: kind, id: id, location: fenceLocation, idLocation: idLocation,
                     lines: LineSpan(first: fence.startLine, last: fence.endLine),
                     source: fence.literal, spec: spec)
    }

    private func unknownParameter(_ name: String, at location: SourceLocation, params: [String: Parameter]) -> Diagnostic {
        var notes: [Diagnostic.Note] = []
        if let near = NameSuggestion.nearest(to: name, in: params.keys) {
            notes.append(.init("did you mean '\(near)'?", at: params[near]?.declaredAt))
        } else {
            notes.append(.init("declare it in the front matter under 'params:'"))
        }
        return .error("unknown parameter '\(name)'", at: location, notes: notes)
    }

    // MARK: - Prose

    /// Adds lines [from, to) (0-based) as a prose cell, with parameters substituted and
    /// inline results located. Lines inside code samples are left exactly as written.
    private func appendProse(lines: [String], from: Int, to: Int, codeLines: Set<Int>, htmlLines: Set<Int>, params: [String: Parameter],
                             into cells: inout [Cell], diagnostics: inout [Diagnostic]) {
        guard from < to else { return }
        var out: [String] = []
        var inline: [InlineResult] = []
        var references: [CrossReference] = []
        var codeIndices = Set<Int>()
        for index in from..<to {
            let line = lines[index]
            let lineNumber = index + 1
            if codeLines.contains(lineNumber) || htmlLines.contains(lineNumber) {
                if codeLines.contains(lineNumber) { codeIndices.insert(out.count) }
                out.append(line)
                continue
            }
            var built = String.UnicodeScalarView()
            let scalars = Array(line.unicodeScalars)
            var cursor = 0
            for occurrence in TemplateScanner.scan(line, skipCodeSpans: true, inlineResults: true) {
                built.append(contentsOf: scalars[cursor..<occurrence.range.lowerBound])
                cursor = occurrence.range.upperBound
                let location = SourceLocation(line: lineNumber, column: occurrence.column)
                let original = String(String.UnicodeScalarView(scalars[occurrence.range]))
                switch occurrence.form {
                case .parameter(let name):
                    if let value = params[name]?.value {
                        built.append(contentsOf: value.displayText.unicodeScalars)
                    } else {
                        diagnostics.append(unknownParameter(name, at: location, params: params))
                        built.append(contentsOf: original.unicodeScalars)
                    }
                case .inlineResult(let blockID, let keyPath):
                    let start = built.count
                    built.append(contentsOf: original.unicodeScalars)
                    inline.append(InlineResult(blockID: blockID, keyPath: keyPath, location: location,
                                               lineIndex: out.count, range: start..<built.count))
                case .crossReference(let blockID):
                    let start = built.count
                    built.append(contentsOf: original.unicodeScalars)
                    references.append(CrossReference(blockID: blockID, location: location, lineIndex: out.count, range: start..<built.count))
                case .malformed(let message):
                    diagnostics.append(.error(message, at: location))
                    built.append(contentsOf: original.unicodeScalars)
                }
            }
            built.append(contentsOf: scalars[cursor...])
            out.append(String(built))
        }
        cells.append(.prose(Prose(text: out.joined(separator: "\n"), firstLine: from + 1, inlineResults: inline,
                                  crossReferences: references, codeLineIndices: codeIndices)))
    }

    // MARK: - cmark

    struct FenceInfo {
        var startLine: Int
        var endLine: Int
        var startColumn: Int
        var fenceLength: Int
        var info: String
        var literal: String

        var infoWords: [String] { info.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
        var infoLeadingSpaces: Int { info.unicodeScalars.prefix { $0 == " " || $0 == "\t" }.count }
        var spacesAfterKind: Int {
            let trimmed = info.unicodeScalars.drop { $0 == " " || $0 == "\t" }
            let afterKind = trimmed.drop { $0 != " " && $0 != "\t" }
            return afterKind.prefix { $0 == " " || $0 == "\t" }.count
        }
    }

    struct Structure {
        var topLevelFences: [FenceInfo] = []
        var nestedFences: [FenceInfo] = []
        /// 1-based line numbers inside code blocks, and inside raw HTML blocks.
        var codeLines: Set<Int> = []
        var htmlLines: Set<Int> = []
    }

    static func scanStructure(_ lines: [String]) -> Structure {
        let markdown = lines.joined(separator: "\n")
        var structure = Structure()
        let utf8 = Array(markdown.utf8)
        guard let document = utf8.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parse_document($0, buffer.count, CMARK_OPT_DEFAULT) }
            } ?? cmark_parse_document("", 0, CMARK_OPT_DEFAULT)
        }) else { return structure }
        defer { cmark_node_free(document) }

        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            guard type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK else { continue }
            let first = Int(cmark_node_get_start_line(node)), last = Int(cmark_node_get_end_line(node))
            if first <= last {
                if type == CMARK_NODE_CODE_BLOCK { structure.codeLines.formUnion(first...last) } else { structure.htmlLines.formUnion(first...last) }
            }
            guard type == CMARK_NODE_CODE_BLOCK else { continue }
            // cmark 0.30 has no fencing accessor: read the fence from the source line itself.
            let startColumn = Int(cmark_node_get_start_column(node))
            let sourceLine = first - 1 < lines.count ? Array(lines[first - 1].unicodeScalars) : []
            let from = min(max(startColumn - 1, 0), sourceLine.count)
            let fenceStart = sourceLine.indices[from...].first { sourceLine[$0] != " " && sourceLine[$0] != ">" } ?? sourceLine.count
            guard fenceStart < sourceLine.count, sourceLine[fenceStart] == "`" || sourceLine[fenceStart] == "~" else { continue }
            let fenceChar = sourceLine[fenceStart]
            let length = sourceLine[fenceStart...].prefix { $0 == fenceChar }.count
            guard length >= 3 else { continue }
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
            let fence = FenceInfo(startLine: first, endLine: last, startColumn: startColumn,
                                  fenceLength: Int(length), info: info,
                                  literal: literal.hasSuffix("\n") ? String(literal.dropLast()) : literal)
            if cmark_node_parent(node) == document {
                structure.topLevelFences.append(fence)
            } else {
                structure.nestedFences.append(fence)
            }
        }
        return structure
    }

    // MARK: - Text helpers

    /// Lines split at LF, CRLF or a lone CR. (Splitting a `String` at the Character "\n" would
    /// miss CRLF, which Swift treats as one Character.)
    static func splitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { lines.append(String(current)); current = String.UnicodeScalarView() }
                previousWasCR = false
            } else if scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
                previousWasCR = true
            } else {
                current.append(scalar)
                previousWasCR = false
            }
        }
        lines.append(String(current))
        return lines
    }

    private static func looksLikeWord(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var scalars = Substring(self).unicodeScalars
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
