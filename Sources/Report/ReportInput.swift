import Engine
import Notebook

/// Everything a report is made from.
public struct ReportInput: Sendable {
    public var graph: NotebookGraph
    public var outcomes: [String: BlockOutcome]
    /// Each block's presentation, from its kind.
    public var presentations: [String: [Presentation]]
    public var toolVersion: String
    /// When set, the run date and per-block ran/cached status and times are written into the
    /// outputs (which then differ from run to run). Off by default so reruns are byte-identical.
    public var stamp: RunStamp?

    public init(graph: NotebookGraph, outcomes: [String: BlockOutcome], presentations: [String: [Presentation]],
                toolVersion: String, stamp: RunStamp? = nil) {
        self.graph = graph
        self.outcomes = outcomes
        self.presentations = presentations
        self.toolVersion = toolVersion
        self.stamp = stamp
    }

    var notebook: Notebook { graph.notebook }
}

public struct RunStamp: Sendable {
    public var date: String
    public init(date: String) { self.date = date }
}

/// The files of one report, by path relative to the report's folder.
public struct ReportFiles: Sendable {
    public var files: [(path: String, contents: String)]
}

/// Figure and table numbers and inline values, worked out once and shared by the HTML and
/// Markdown renderers.
struct ReportModel {
    /// A block's presentation with the number it carries in the report.
    enum Item {
        case table(Table, number: Int?)
        case figure(Figure, number: Int)
        case text(String)
    }

    /// Items of every block that succeeded, by block id.
    var items: [String: [Item]] = [:]
    /// Every block id of the notebook, for `@id` references.
    let blockIDs: Set<String>

    init(_ input: ReportInput) {
        blockIDs = Set(input.notebook.blocks.map(\.id))
        var figureNumber = 0, tableNumber = 0
        for block in input.notebook.blocks {
            guard input.outcomes[block.id]?.status.succeeded ?? false else { continue }
            items[block.id] = (input.presentations[block.id] ?? []).map { presentation in
                switch presentation {
                case .figure(let figure):
                    figureNumber += 1
                    return .figure(figure, number: figureNumber)
                case .table(let table):
                    // Only captioned tables are numbered: a block's own small summary is not.
                    guard let caption = table.caption, !caption.isEmpty else { return .table(table, number: nil) }
                    tableNumber += 1
                    return .table(table, number: tableNumber)
                case .text(let text):
                    return .text(text)
                }
            }
        }
    }

    /// What `@id` becomes: the block's first numbered figure or table ("Figure 2"), else the
    /// block itself; nil when no block has that id (then the text stays as written).
    func crossReference(_ blockID: String) -> (text: String, anchor: String)? {
        for item in items[blockID] ?? [] {
            switch item {
            case .figure(_, let number): return ("Figure \(number)", "figure-\(number)")
            case .table(_, let number?): return ("Table \(number)", "table-\(number)")
            default: continue
            }
        }
        return blockIDs.contains(blockID) ? (blockID, "block-\(blockID)") : nil
    }

    /// The text shown for `{{ id.key }}`, or nil when the block has no result to show.
    static func inlineValue(_ ref: InlineResult, outcomes: [String: BlockOutcome]) -> String? {
        guard let output = outcomes[ref.blockID]?.output, let value = Value.object(output.values).lookup(ref.keyPath) else { return nil }
        return value.displayText
    }

    static func statusText(_ status: BlockStatus) -> String {
        switch status {
        case .computed, .cached: return "ok"
        case .failed: return "failed"
        case .notRun: return "not run"
        }
    }

    static func title(of notebook: Notebook) -> String {
        if let title = notebook.frontMatter.title { return title }
        let name = notebook.path.split(separator: "/").last.map(String.init) ?? notebook.path
        return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    }

    static func fileName(of notebook: Notebook) -> String {
        notebook.path.split(separator: "/").last.map(String.init) ?? notebook.path
    }
}
