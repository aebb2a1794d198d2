import Engine
import Notebook

/// `results.json`: every block's results and provenance, for scripts and for checking a report
/// against its notebook.
struct ResultsJSON {
    var input: ReportInput
    var model: ReportModel

    func render() -> String {
        let notebook = input.notebook
        var blocks: [Value] = []
        for node in input.graph.nodes {
            let outcome = input.outcomes[node.id]
            var entry: [String: Value] = [
                "id": .string(node.id),
                "kind": .string(node.kind.name),
                "version": .int(node.kind.version),
                "lines": .array([.int(node.block.lines.first), .int(node.block.lines.last)]),
                "spec": node.spec.canonical,
                "depends_on": .array(node.dependencies.map(Value.string)),
                "status": .string(outcome.map { ReportModel.statusText($0.status) } ?? "not run"),
            ]
            if let outcome {
                entry["seed"] = .string(String(outcome.seed))
                entry["cache_key"] = .string(outcome.cacheKey)
                if let output = outcome.output {
                    entry["results"] = .object(output.values)
                    // A cached block's arrays may still be on disk: their shapes come from the entry's header.
                    let shapes = output.arrays.isEmpty ? outcome.arrayShapes : output.arrays.mapValues(\.shape)
                    if !shapes.isEmpty {
                        entry["arrays"] = .object(shapes.mapValues { .object(["shape": .array($0.map(Value.int))]) })
                    }
                    if model.items[node.id]?.contains(where: { if case .figure = $0 { return true } else { return false } }) == true {
                        entry["figure"] = .string("figures/\(node.id).svg")
                    }
                }
                switch outcome.status {
                case .failed(let message): entry["error"] = .string(message)
                case .notRun(let reason): entry["reason"] = .string(reason)
                default: break
                }
                if input.stamp != nil {
                    entry["cached"] = .bool(outcome.status == .cached)
                    entry["seconds"] = .double(outcome.seconds)
                }
            }
            blocks.append(.object(entry))
        }
        var params: [String: Value] = [:]
        for (name, p) in notebook.frontMatter.params { params[name] = Self.value(p.value) }
        var top: [String: Value] = [
            "infoplane": .string(input.toolVersion),
            "notebook": .string(ReportModel.fileName(of: notebook)),
            "title": .string(ReportModel.title(of: notebook)),
            "seed": .int(notebook.frontMatter.seed),
            "units": .string(notebook.frontMatter.units ?? "nats"),
            "params": .object(params),
            "blocks": .array(blocks),
        ]
        if let stamp = input.stamp { top["run_date"] = .string(stamp.date) }
        return JSON.encode(.object(top), pretty: true) + "\n"
    }

    static func value(_ node: SpecNode) -> Value {
        switch node.content {
        case .scalar(let s):
            switch s {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let f): return .double(f)
            case .string(let t): return .string(t)
            }
        case .sequence(let items): return .array(items.map(value))
        case .mapping(let entries): return .object(Dictionary(entries.map { ($0.key, value($0.value)) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}
