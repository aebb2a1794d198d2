import Engine
import Notebook

/// The self-contained HTML page: styles and figures inline, no script.
struct HTMLReport {
    var input: ReportInput
    var model: ReportModel

    func render() -> String {
        let notebook = input.notebook
        let renderer = MarkdownRenderer(allowRawHTML: notebook.frontMatter.allowsRawHTML)
        var slugs = SlugSet()
        var toc: [(level: Int, text: String, slug: String)] = []
        var body = ""

        for cell in notebook.cells {
            switch cell {
            case .prose(let prose):
                let (html, headings) = renderProse(prose, renderer: renderer, slugs: &slugs)
                toc += headings
                body += html
            case .block(let block):
                body += blockSection(block)
            }
        }

        let title = ReportModel.title(of: notebook)
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"InfoPlane \(Escape.html(input.toolVersion))\">\n"
        out += "<title>\(Escape.html(title))</title>\n<style>\n\(Stylesheet.css)</style>\n</head>\n<body>\n"
        out += "<header>\n"
        if notebook.frontMatter.title != nil { out += "<h1 class=\"title\">\(Escape.html(title))</h1>\n" }
        if let author = notebook.frontMatter.node?["author"]?.displayText {
            out += "<p class=\"author\">\(Escape.html(author))</p>\n"
        }
        out += "<p class=\"meta\">Rendered by InfoPlane \(Escape.html(input.toolVersion)) from <code>\(Escape.html(ReportModel.fileName(of: notebook)))</code> with seed \(notebook.frontMatter.seed)"
        if let stamp = input.stamp { out += " on \(Escape.html(stamp.date))" }
        out += ".</p>\n</header>\n"
        let tocEntries = toc.filter { $0.level <= 3 }
        if tocEntries.count > 1 {
            out += "<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n"
            let minimum = tocEntries.map(\.level).min() ?? 1
            for entry in tocEntries {
                out += "<li class=\"toc-\(entry.level - minimum + 1)\"><a href=\"#\(entry.slug)\">\(Escape.html(entry.text))</a></li>\n"
            }
            out += "</ul>\n</nav>\n"
        }
        out += "<main>\n\(body)</main>\n"
        out += provenance()
        out += "</body>\n</html>\n"
        return out
    }

    // MARK: - Prose

    private func renderProse(_ prose: Prose, renderer: MarkdownRenderer, slugs: inout SlugSet) -> (String, [(Int, String, String)]) {
        // Inline results go through cmark as inert tokens, then become HTML spans.
        var lines = prose.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var replacements: [Int: [(Range<Int>, String)]] = [:]
        var tokens: [(token: String, html: String, text: String)] = []
        for ref in prose.inlineResults {
            let token = "\u{2042}\(tokens.count)\u{2042}"
            let html: String, text: String
            if let value = ReportModel.inlineValue(ref, outcomes: input.outcomes) {
                html = "<span class=\"result\" title=\"\(Escape.html(ref.source))\">\(Escape.html(value))</span>"
                text = value
            } else {
                html = "<span class=\"result missing\" title=\"not computed\">\(Escape.html(ref.source)): not computed</span>"
                text = ref.source
            }
            tokens.append((token, html, text))
            replacements[ref.lineIndex, default: []].append((ref.range, token))
        }
        for ref in prose.crossReferences {
            guard let target = model.crossReference(ref.blockID) else { continue }
            let token = "\u{2042}\(tokens.count)\u{2042}"
            tokens.append((token, "<a class=\"xref\" href=\"#\(Escape.html(target.anchor))\">\(Escape.html(target.text))</a>", target.text))
            replacements[ref.lineIndex, default: []].append((ref.range, token))
        }
        for (index, list) in replacements { lines[index] = lines[index].replacingScalarRanges(list) }
        var rendered = renderer.render(lines.joined(separator: "\n"))
        var html = rendered.html
        var headings: [(Int, String, String)] = []
        for i in rendered.headings.indices {
            var text = rendered.headings[i].text
            for t in tokens { text = text.replacingOccurrences(of: t.token, with: t.text) }
            rendered.headings[i].text = text
            let slug = slugs.make(text)
            headings.append((rendered.headings[i].level, text, slug))
        }
        html = Self.addHeadingIDs(html, slugs: headings.map(\.2))
        for t in tokens { html = html.replacingOccurrences(of: t.token, with: t.html) }
        return (html, headings)
    }

    /// cmark writes headings as bare `<hN>`; in safe mode nothing else can produce that text.
    static func addHeadingIDs(_ html: String, slugs: [String]) -> String {
        var out = ""
        var rest = Substring(html)
        var index = 0
        while index < slugs.count, let range = rest.range(of: "<h") {
            let after = rest[range.upperBound...]
            if let digit = after.first, ("1"..."6").contains(digit), after.dropFirst().first == ">" {
                out += rest[..<range.lowerBound]
                out += "<h\(digit) id=\"\(slugs[index])\">"
                rest = after.dropFirst(2)
                index += 1
            } else {
                out += rest[..<range.upperBound]
                rest = after
            }
        }
        return out + rest
    }

    // MARK: - Blocks

    private func blockSection(_ block: Block) -> String {
        let outcome = input.outcomes[block.id]
        var out = "<section class=\"block block-\(Escape.html(block.kind))\" id=\"block-\(Escape.html(block.id))\">\n"
        out += "<details class=\"spec\"><summary>\(Escape.html(block.kind)) <code>\(Escape.html(block.id))</code> · \(Escape.html(block.lines.description))</summary>\n"
        out += "<pre><code class=\"language-yaml\">\(Escape.html(block.source))</code></pre>\n</details>\n"
        switch outcome?.status {
        case .failed(let message)?:
            out += "<div class=\"error-box\" role=\"alert\">\n<p><strong>Block <code>\(Escape.html(block.id))</code> failed</strong> "
            out += "(\(Escape.html(block.kind)), \(Escape.html(block.lines.description)))</p>\n<pre>\(Escape.html(message))</pre>\n</div>\n"
        case .notRun(let reason)?:
            out += "<div class=\"not-run\"><p><strong>Not run:</strong> <code>\(Escape.html(block.id))</code> — \(Escape.html(reason)).</p></div>\n"
        case nil where input.graph.templates[block.id] != nil:
            let sweeps = input.graph.templates[block.id]!.map { "<a href=\"#block-\(Escape.html($0))\"><code>\(Escape.html($0))</code></a>" }
            out += "<div class=\"template\"><p><strong>Template</strong> of \(sweeps.joined(separator: ", ")): runs once per point of the sweep.</p></div>\n"
        case nil:
            out += "<div class=\"not-run\"><p><strong>Not run.</strong></p></div>\n"
        default:
            for item in model.items[block.id] ?? [] {
                switch item {
                case .table(let table, let number):
                    if let number {
                        out += "<p class=\"table-caption\" id=\"table-\(number)\"><span class=\"figure-number\">Table \(number).</span> \(Escape.html(table.caption ?? ""))</p>\n"
                    }
                    out += tableHTML(table)
                case .figure(let figure, let number):
                    out += "<figure id=\"figure-\(number)\">\n\(figure.svg)"
                    out += "<figcaption><span class=\"figure-number\">Figure \(number).</span>"
                    if !figure.caption.isEmpty { out += " \(Escape.html(figure.caption))" }
                    out += "</figcaption>\n</figure>\n"
                case .text(let text):
                    out += "<p>\(Escape.html(text))</p>\n"
                }
            }
        }
        out += "</section>\n"
        return out
    }

    private func tableHTML(_ table: Table) -> String {
        var out = "<div class=\"table-wrap\"><table>\n<thead><tr>"
        for (i, h) in table.header.enumerated() {
            out += "<th scope=\"col\"\(table.numericColumns.contains(i) ? " class=\"num\"" : "")>\(Escape.html(h))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() {
                out += "<td\(table.numericColumns.contains(i) ? " class=\"num\"" : "")>\(Escape.html(cell))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    // MARK: - Provenance

    private func provenance() -> String {
        let notebook = input.notebook
        var out = "<footer class=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n"
        out += "<dt>Notebook</dt><dd><code>\(Escape.html(ReportModel.fileName(of: notebook)))</code></dd>\n"
        out += "<dt>Seed</dt><dd>\(notebook.frontMatter.seed)</dd>\n"
        let params = notebook.frontMatter.params.keys.sorted()
        if !params.isEmpty {
            let text = params.map { name -> String in
                let p = notebook.frontMatter.params[name]!
                return "<code>\(Escape.html(name))</code> = \(Escape.html(p.value.displayText))\(p.overridden ? " (set on the command line)" : "")"
            }.joined(separator: ", ")
            out += "<dt>Params</dt><dd>\(text)</dd>\n"
        }
        out += "<dt>Tool</dt><dd>InfoPlane \(Escape.html(input.toolVersion))</dd>\n"
        if let stamp = input.stamp { out += "<dt>Run</dt><dd>\(Escape.html(stamp.date))</dd>\n" }
        out += "</dl>\n<div class=\"table-wrap\"><table class=\"blocks\">\n<thead><tr><th scope=\"col\">block</th><th scope=\"col\">kind</th><th scope=\"col\">lines</th><th scope=\"col\">seed</th><th scope=\"col\">cache key</th><th scope=\"col\">status</th>"
        if input.stamp != nil { out += "<th scope=\"col\">source</th><th scope=\"col\" class=\"num\">seconds</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for node in input.graph.nodes {
            let outcome = input.outcomes[node.id]
            out += "<tr><td><a href=\"#block-\(Escape.html(node.anchorID))\"><code>\(Escape.html(node.id))</code></a></td>"
            out += "<td>\(Escape.html(node.kind.name)) v\(node.kind.version)</td><td>\(node.block.lines.first)–\(node.block.lines.last)</td>"
            out += "<td><code>\(outcome.map { String($0.seed) } ?? "—")</code></td>"
            out += "<td><code title=\"\(Escape.html(outcome?.cacheKey ?? ""))\">\(Escape.html(String((outcome?.cacheKey ?? "—").prefix(12))))</code></td>"
            out += "<td>\(outcome.map { ReportModel.statusText($0.status) } ?? "not run")</td>"
            if input.stamp != nil, let outcome {
                let source = outcome.status == .cached ? "cache" : outcome.status == .computed ? "ran" : "—"
                out += "<td>\(source)</td><td class=\"num\">\(NumberFormatting.format(outcome.seconds))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n</footer>\n"
        return out
    }
}

/// Unique, readable anchors for headings ("Results" -> "results", then "results-2").
struct SlugSet {
    private var used: [String: Int] = [:]

    mutating func make(_ text: String) -> String {
        var slug = ""
        var lastDash = true
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
                lastDash = false
            } else if !lastDash {
                slug += "-"
                lastDash = true
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.isEmpty { slug = "section" }
        if slug.hasPrefix("block-") || slug.hasPrefix("figure-") || slug.hasPrefix("table-") { slug = "s-" + slug }  // keep clear of block anchors
        let count = used[slug, default: 0] + 1
        used[slug] = count
        return count == 1 ? slug : "\(slug)-\(count)"
    }
}
