import Engine

/// Renders a run into the files of `Output/NAME/`: `index.html`, `index.md`, `results.json`
/// and `figures/ID.svg`. A pure function: the same input gives the same bytes.
public enum ReportRenderer {
    public static func render(_ input: ReportInput) -> ReportFiles {
        let model = ReportModel(input)
        var files: [(String, String)] = [
            ("index.html", HTMLReport(input: input, model: model).render()),
            ("index.md", MarkdownReport(input: input, model: model).render()),
            ("results.json", ResultsJSON(input: input).render()),
        ]
        for block in input.notebook.blocks {
            if let figure = model.figuresByBlock[block.id]?.first {
                files.append(("figures/\(block.id).svg", figure.figure.svg))
            }
        }
        return ReportFiles(files: files)
    }
}
