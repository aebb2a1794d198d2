/// A parsed notebook: front matter, then prose and experiment blocks in file order.
/// It knows nothing of running; the Engine turns it into a graph.
public struct Notebook: Sendable {
    /// The path as the user gave it; used in every diagnostic.
    public var path: String
    public var frontMatter: FrontMatter
    public var cells: [Cell]

    public var blocks: [Block] {
        cells.compactMap { if case .block(let b) = $0 { return b } else { return nil } }
    }

    public var proseCells: [Prose] {
        cells.compactMap { if case .prose(let p) = $0 { return p } else { return nil } }
    }
}

public enum Cell: Sendable {
    case prose(Prose)
    case block(Block)
}

/// Markdown between experiment blocks, with parameters already substituted.
public struct Prose: Sendable {
    /// The Markdown text; its first line is line `firstLine` of the file.
    public var text: String
    public var firstLine: Int
    /// Every `{{ id.key }}` in the text, outside code.
    public var inlineResults: [InlineResult]
    /// Every `@id` in the text, outside code.
    public var crossReferences: [CrossReference] = []
    /// Indices (0-based, within `text`) of lines inside code blocks or raw HTML blocks.
    public var codeLineIndices: Set<Int> = []
}

/// One `{{ id.key }}` in prose.
public struct InlineResult: Hashable, Sendable {
    public var blockID: String
    public var keyPath: [String]
    public var location: SourceLocation
    /// Line index within the prose text (0-based) and unicode-scalar range within that line.
    public var lineIndex: Int
    public var range: Range<Int>

    public var key: String { keyPath.joined(separator: ".") }
    public var source: String { "{{ \(blockID).\(key) }}" }
}

/// One `@id` in prose: "Figure 2" (or "Table 1") in the report, linked to it.
public struct CrossReference: Hashable, Sendable {
    public var blockID: String
    public var location: SourceLocation
    public var lineIndex: Int
    public var range: Range<Int>
}

/// A fenced block whose info string is `<kind> <id>`; its body is a YAML spec.
public struct Block: Sendable {
    public var kind: String
    public var id: String
    /// Where the opening fence is (column of the first backtick).
    public var location: SourceLocation
    public var idLocation: SourceLocation
    public var lines: LineSpan
    /// The spec text as written (before parameter substitution), shown in the report.
    public var source: String
    /// The spec after `${params.x}` substitution; nil when its YAML does not parse.
    public var spec: SpecNode?
}

/// Settings a notebook gives in its YAML front matter.
public struct FrontMatter: Sendable {
    public var title: String?
    public var seed: Int
    public var units: String?
    public var params: [String: Parameter]
    /// Named sets of parameter values (`profiles: {test: {epochs: 2}}`), chosen with `--profile`.
    public var profiles: [String: [SpecNode.Entry]] = [:]
    /// Every front-matter entry as written, for keys later stages understand (`author`, …).
    public var node: SpecNode?

    public static let defaultSeed = 0

    /// `allow-html: true` lets raw HTML in prose through to the reports; off by default.
    public var allowsRawHTML: Bool {
        node?["allow-html"]?.content == .scalar(.bool(true))
    }
    /// The keys a front matter may hold; anything else is reported with a suggestion.
    public static let knownKeys = ["title", "seed", "units", "params", "author", "date", "description", "abstract", "allow-html", "profiles"]
}

/// A front-matter parameter and the value in force (overridden by `--param` or not).
public struct Parameter: Sendable {
    public var name: String
    public var value: SpecNode
    public var declaredAt: SourceLocation?
    public var overridden: Bool
}
