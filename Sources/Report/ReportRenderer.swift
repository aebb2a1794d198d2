import Engine

/// Renders a run into the files of `Output/NAME/`: `index.html`, `index.md`, `results.json`
/// and `figures/ID.svg`. A pure function: the same input gives the same bytes.
public enum ReportRenderer {
    public static func render(_ input: ReportInput) -> ReportFiles {
        let model = ReportModel(input)
        var files: [(String, String)] = [
            ("index.html", HTMLReport(input: input, model: model).render()),
            ("index.md", MarkdownReport(input: input, model: model).render()),
            ("results.json", ResultsJSON(input: input, model: model).render()),
        ]
        // One figure file per plot block (a block's first figure).
        for block in input.notebook.blocks {
            let figure = model.items[block.id]?.lazy.compactMap { item -> Figure? in
                if case .figure(let f, _) = item { return f } else { return nil }
            }.first
            if let figure { files.append(("figures/\(block.id).svg", figure.svg)) }
        }
        return ReportFiles(files: files)
    }
}
