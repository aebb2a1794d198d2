import Engine
import Notebook

/// The GitHub-flavoured Markdown report: prose as written (with results filled in), tables as
/// GFM tables, figures as relative links to `figures/ID.svg`.
struct MarkdownReport {
    var input: ReportInput
    var model: ReportModel

    var allowRawHTML: Bool { input.notebook.frontMatter.allowsRawHTML }

    func render() -> String {
        let notebook = input.notebook
        var out = ""
        if let title = notebook.frontMatter.title { out += "# \(Escape.markdownInline(title))\n\n" }
        out += "*Rendered by InfoPlane \(Escape.markdownInline(input.toolVersion)) from `\(ReportModel.fileName(of: notebook))` with seed \(notebook.frontMatter.seed)"
        if let stamp = input.stamp { out += " on \(Escape.markdownInline(stamp.date))" }
        out += ".*\n\n"
        for cell in notebook.cells {
            switch cell {
            case .prose(let prose):
                out += proseMarkdown(prose)
            case .block(let block):
                out += blockMarkdown(block)
            }
        }
        out += provenance()
        return out
    }

    private func proseMarkdown(_ prose: Prose) -> String {
        var lines = prose.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var replacements: [Int: [(Range<Int>, String)]] = [:]
        for ref in prose.inlineResults {
            let text = ReportModel.inlineValue(ref, outcomes: input.outcomes).map(Escape.markdownInline)
                ?? "**\(Escape.markdownInline(ref.source)): not computed**"
            replacements[ref.lineIndex, default: []].append((ref.range, text))
        }
        for ref in prose.crossReferences {
            guard let target = model.crossReference(ref.blockID) else { continue }
            replacements[ref.lineIndex, default: []].append((ref.range, "[\(target.text)](#\(target.anchor))"))
        }
        for (index, list) in replacements { lines[index] = lines[index].replacingScalarRanges(list) }
        // Inline values hold no raw '<' (they are escaped), so neutralising after them is safe.
        if !allowRawHTML {
            for index in lines.indices where !prose.codeLineIndices.contains(index) {
                lines[index] = Escape.neutralisingRawHTML(lines[index])
            }
        }
        var text = lines.joined(separator: "\n")
        while text.hasSuffix("\n") { text.removeLast() }
        while text.hasPrefix("\n") { text.removeFirst() }
        return text.isEmpty ? "" : text + "\n\n"
    }

    private func blockMarkdown(_ block: Block) -> String {
        var out = "<a id=\"block-\(block.id)\"></a>\n\n"
        let fence = Escape.markdownFence(for: block.source)
        out += "<details><summary>\(Escape.html(block.kind)) <code>\(block.id)</code> · \(block.lines.description)</summary>\n\n"
        out += "\(fence)yaml\n\(block.source)\n\(fence)\n\n</details>\n\n"
        switch input.outcomes[block.id]?.status {
        case .failed(let message)?:
            out += "> [!CAUTION]\n> **Block `\(block.id)` failed** (\(block.kind), \(block.lines.description)):\n"
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
                out += "> \(Escape.markdownInline(String(line)))\n"
            }
            out += "\n"
        case .notRun(let reason)?:
            out += "> [!NOTE]\n> **Not run:** `\(block.id)` — \(Escape.markdownInline(reason)).\n\n"
        case nil where input.graph.templates[block.id] != nil:
            let sweeps = input.graph.templates[block.id]!.map { "[`\($0)`](#block-\($0))" }
            out += "**Template** of \(sweeps.joined(separator: ", ")): runs once per point of the sweep.\n\n"
        case nil:
            out += "> [!NOTE]\n> **Not run.**\n\n"
        default:
            for item in model.items[block.id] ?? [] {
                switch item {
                case .table(let table, let number):
                    if let number {
                        out += "<a id=\"table-\(number)\"></a>\n\n**Table \(number).** \(Escape.markdownInline(table.caption ?? ""))\n\n"
                    }
                    out += tableMarkdown(table) + "\n"
                case .figure(let figure, let number):
                    let caption = figure.caption.isEmpty ? "" : " " + Escape.markdownInline(figure.caption)
                    out += "<a id=\"figure-\(number)\"></a>\n\n![Figure \(number).\(caption)](figures/\(block.id).svg)\n\n"
                    out += "**Figure \(number).**\(caption)\n\n"
                case .text(let text):
                    out += Escape.markdownInline(text) + "\n\n"
                }
            }
        }
        return out
    }

    private func tableMarkdown(_ table: Table) -> String {
        var out = "| " + table.header.map(Escape.markdownCell).joined(separator: " | ") + " |\n"
        out += "|" + table.header.indices.map { table.numericColumns.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|\n"
        for row in table.rows { out += "| " + row.map(Escape.markdownCell).joined(separator: " | ") + " |\n" }
        return out
    }

    private func provenance() -> String {
        let notebook = input.notebook
        var out = "---\n\n## Provenance\n\n"
        out += "- Notebook: `\(ReportModel.fileName(of: notebook))`\n- Seed: \(notebook.frontMatter.seed)\n"
        let params = notebook.frontMatter.params.keys.sorted()
        if !params.isEmpty {
            let text = params.map { name -> String in
                let p = notebook.frontMatter.params[name]!
                return "`\(name)` = \(Escape.markdownInline(p.value.displayText))\(p.overridden ? " (set on the command line)" : "")"
            }.joined(separator: ", ")
            out += "- Params: \(text)\n"
        }
        out += "- Tool: InfoPlane \(Escape.markdownInline(input.toolVersion))\n"
        if let stamp = input.stamp { out += "- Run: \(Escape.markdownInline(stamp.date))\n" }
        out += "\n"
        var header = ["block", "kind", "lines", "seed", "cache key", "status"]
        if input.stamp != nil { header += ["source", "seconds"] }
        var rows: [[String]] = []
        for node in input.graph.nodes {
            let outcome = input.outcomes[node.id]
            var row = [node.id, "\(node.kind.name) v\(node.kind.version)", "\(node.block.lines.first)–\(node.block.lines.last)",
                       outcome.map { String($0.seed) } ?? "—", String((outcome?.cacheKey ?? "—").prefix(12)),
                       outcome.map { ReportModel.statusText($0.status) } ?? "not run"]
            if input.stamp != nil, let outcome {
                row += [outcome.status == .cached ? "cache" : outcome.status == .computed ? "ran" : "—", NumberFormatting.format(outcome.seconds)]
            }
            rows.append(row)
        }
        out += tableMarkdown(Table(header: header, rows: rows))
        return out
    }
}
