/// The graph as text for people, as Graphviz DOT, or as Mermaid.
public enum GraphFormat: String, CaseIterable, Sendable {
    case text, dot, mermaid
}

extension NotebookGraph {
    /// The graph in a format named as on the command line (`text`, `dot`, `mermaid`).
    public func rendered(named format: String) -> String? {
        GraphFormat(rawValue: format).map { rendered(as: $0) }
    }

    public func rendered(as format: GraphFormat) -> String {
        switch format {
        case .text:
            var lines: [String] = []
            let width = nodes.map { $0.id.count + $0.kind.name.count + 1 }.max() ?? 0
            for node in nodes {
                let label = "\(node.kind.name) \(node.id)"
                let padded = label + String(repeating: " ", count: max(0, width - label.count))
                let deps = node.dependencies.isEmpty ? "" : "  <- " + node.dependencies.joined(separator: ", ")
                lines.append("\(padded)  (\(node.block.lines))\(deps)")
            }
            return lines.joined(separator: "\n") + "\n"
        case .dot:
            var lines = ["digraph notebook {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
            for node in nodes {
                lines.append("  \(Self.dotQuote(node.id)) [label=\(Self.dotQuote("\(node.kind.name)\n\(node.id)"))];")
            }
            for node in nodes {
                for dep in node.dependencies { lines.append("  \(Self.dotQuote(dep)) -> \(Self.dotQuote(node.id));") }
            }
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        case .mermaid:
            var lines = ["flowchart LR"]
            for node in nodes {
                lines.append("  \(Self.mermaidID(node.id))[\"\(node.kind.name)<br/>\(node.id)\"]")
            }
            for node in nodes {
                for dep in node.dependencies { lines.append("  \(Self.mermaidID(dep)) --> \(Self.mermaidID(node.id))") }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private static func dotQuote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Ids are `[a-z][a-z0-9-]*`; Mermaid node names may not contain '-'.
    private static func mermaidID(_ id: String) -> String {
        "b_" + id.replacingOccurrences(of: "-", with: "_")
    }
}
