import Charts
import Engine
import Notebook

/// `plot`: draws results of other blocks as an SVG figure.
public struct PlotKind: BlockKind {
    public init() {}

    public let name = "plot"
    public let version = 2
    public let summary = "Draws results of other blocks as a numbered SVG figure: scatter, line, or the information plane."

    public var keys: [KeySpec] {
        [
            KeySpec("kind", .choice(["scatter", "line", "information-plane"]), required: true,
                    doc: "scatter: points. line: points joined in order of x. information-plane: I(X;T) against I(T;Y) per layer and epoch, one panel per estimator in `from`."),
            KeySpec("from", .references(kinds: []), required: true,
                    doc: "Blocks whose results are drawn. Scalar results give one point per block (per point of a sweep); list results give one series per block."),
            KeySpec("x", .string, required: true, when: ("kind", ["scatter", "line"]), doc: "Result key on the x axis (e.g. truth, or a path into a result: history.epoch)."),
            KeySpec("y", .string, required: true, when: ("kind", ["scatter", "line"]), doc: "Result key on the y axis (e.g. mi)."),
            KeySpec("series", .string, when: ("kind", ["scatter", "line"]), doc: "Result key whose value groups points into series (e.g. method); one series per block for list results."),
            KeySpec("identity", .bool, default: false, when: ("kind", ["scatter", "line"]), doc: "Draw the line y = x (estimates against truth)."),
            KeySpec("xscale", .choice(["linear", "log"]), default: "linear", when: ("kind", ["scatter", "line"]),
                    doc: "log: a log₁₀ x axis (sizes, epochs); values ≤ 0 are left out."),
            KeySpec("yscale", .choice(["linear", "log"]), default: "linear", when: ("kind", ["scatter", "line"]),
                    doc: "log: a log₁₀ y axis (losses in scaling laws); values ≤ 0 are left out."),
            KeySpec("title", .string, default: "", doc: "Title drawn above the chart."),
            KeySpec("xlabel", .string, doc: "Label of the x axis; defaults to the x key and its units."),
            KeySpec("ylabel", .string, doc: "Label of the y axis; defaults to the y key and its units."),
            KeySpec("caption", .string, default: "", doc: "Caption under the numbered figure."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("points", doc: "Number of points drawn."),
            ResultSpec("series", doc: "Number of series."),
            ResultSpec("chart", doc: "The data drawn: style, labels, and per series its name and x and y values."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if spec.string("kind") == "information-plane" {
            for id in spec.ids("from") {
                guard let (kind, refSpec) = context.referenced[id] else { continue }
                if kind.name != "estimator" || !EstimatorKind.modelMethods.contains(refSpec.string("method") ?? "") {
                    diagnostics.append(.error("an information plane draws estimators on models, but '\(id)' is \(kind.name == "estimator" ? "an estimator on a dataset" : "a \(kind.name)")",
                                              at: spec.location(of: "from"),
                                              notes: [.init("use an estimator with method binning or kde whose 'of' is a model")]))
                }
            }
            return diagnostics
        }
        for id in spec.ids("from") {
            guard let (kind, refSpec) = context.referenced[id] else { continue }
            let names = kind.resultNames(for: refSpec)
            for key in ["x", "y", "series"] {
                // Dotted paths (history.test_loss) are checked by their first key.
                guard let path = spec.string(key), let wanted = path.split(separator: ".").first.map(String.init),
                      !names.contains(wanted), !names.contains(path) else { continue }
                var notes: [Diagnostic.Note] = [.init("results of \(kind.name) '\(id)': \(names.joined(separator: ", "))")]
                if let near = NameSuggestion.nearest(to: wanted, in: names) { notes.insert(.init("did you mean '\(near)'?"), at: 0) }
                diagnostics.append(.error("'\(key)': \(kind.name) '\(id)' has no result '\(wanted)'", at: spec.location(of: key), notes: notes))
            }
        }
        return diagnostics
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        if spec.string("kind") == "information-plane" { return try informationPlane(input) }
        let xKey = spec.string("x")!, yKey = spec.string("y")!
        let seriesKey = spec.string("series")
        var order: [String] = []
        var grouped: [String: [XYChart.Point]] = [:]
        var units = Set<String>()
        for id in spec.ids("from") { for row in try input.rows(of: id) {
            if let u = row.values["units"]?.stringValue { units.insert(u) }
            let all = Value.object(row.values)
            let xv = all.result(named: xKey) ?? .null, yv = all.result(named: yKey) ?? .null
            let name = seriesKey.flatMap { all.result(named: $0)?.displayText } ?? (xv.arrayValue != nil ? id : yKey)
            var points: [XYChart.Point] = []
            switch (xv, yv) {
            case (.array(let xs), .array(let ys)):
                guard xs.count == ys.count else {
                    throw BlockError("'\(id)': \(xKey) has \(xs.count) values but \(yKey) has \(ys.count)")
                }
                points = zip(xs, ys).map { XYChart.Point(x: $0.doubleValue ?? .nan, y: $1.doubleValue ?? .nan) }
            default:
                guard let x = xv.doubleValue ?? (xv == .null ? Double.nan : nil),
                      let y = yv.doubleValue ?? (yv == .null ? Double.nan : nil) else {
                    throw BlockError("'\(id)': \(xKey) and \(yKey) must both be numbers or both be lists of numbers")
                }
                points = [XYChart.Point(x: x, y: y)]
            }
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []] += points
        } }
        let unitSuffix = units.count == 1 ? " (\(units.first!))" : ""
        // The data behind the figure; `present` draws it, so the cache holds numbers, not pictures.
        let chart: Value = .object([
            "style": .string(spec.string("kind") ?? "scatter"),
            "title": .string(spec.string("title") ?? ""),
            "xlabel": .string(spec.string("xlabel") ?? xKey + unitSuffix),
            "ylabel": .string(spec.string("ylabel") ?? yKey + unitSuffix),
            "identity": .bool(spec.bool("identity") ?? false),
            "xscale": .string(spec.string("xscale") ?? "linear"),
            "yscale": .string(spec.string("yscale") ?? "linear"),
            "series": .array(order.map { name in
                .object(["name": .string(name),
                         "x": .array(grouped[name]!.map { $0.x.isFinite ? .double($0.x) : .null }),
                         "y": .array(grouped[name]!.map { $0.y.isFinite ? .double($0.y) : .null })])
            }),
        ])
        let count = grouped.values.map(\.count).reduce(0, +)
        return BlockOutput(values: ["points": .int(count), "series": .int(order.count), "chart": chart])
    }

    /// Panels of layer paths from estimators on models.
    private func informationPlane(_ input: BlockInput) throws -> BlockOutput {
        var panels: [Value] = []
        var units = Set<String>()
        var points = 0
        for id in input.spec.ids("from") {
            guard let output = input.inputs[id], let epochs = output.values["epochs"], let ixt = output.values["ixt"]?.arrayValue,
                  let ity = output.values["ity"]?.arrayValue else { throw BlockError("'\(id)' has no per-layer estimates") }
            if let u = output.values["units"]?.stringValue { units.insert(u) }
            let widths = output.values["layer_widths"]?.arrayValue ?? []
            let layers: [Value] = zip(ixt, ity).enumerated().map { l, pair in
                let width = l < widths.count ? " (\(widths[l].displayText))" : ""
                points += pair.0.arrayValue?.count ?? 0
                return .object(["name": .string("L\(l + 1)\(width)"), "x": pair.0, "y": pair.1])
            }
            panels.append(.object(["title": .string(id), "epochs": epochs, "layers": .array(layers)]))
        }
        let unit = units.count == 1 ? " (\(units.first!))" : ""
        let chart: Value = .object([
            "style": "information-plane",
            "title": .string(input.spec.string("title") ?? ""),
            "xlabel": .string(input.spec.string("xlabel") ?? "I(X;T)\(unit)"),
            "ylabel": .string(input.spec.string("ylabel") ?? "I(T;Y)\(unit)"),
            "panels": .array(panels),
        ])
        return BlockOutput(values: ["points": .int(points), "series": .int(panels.count), "chart": chart])
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        guard let chart = output.values["chart"] else { return [] }
        if chart["style"] == "information-plane" {
            let panels = (chart["panels"]?.arrayValue ?? []).map { panel in
                InformationPlaneChart.Panel(
                    title: panel["title"]?.stringValue ?? "",
                    epochs: panel["epochs"]?.arrayValue?.compactMap(\.intValue) ?? [],
                    layers: (panel["layers"]?.arrayValue ?? []).map { layer in
                        InformationPlaneChart.LayerPath(name: layer["name"]?.stringValue ?? "",
                                                        x: layer["x"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? [],
                                                        y: layer["y"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? [])
                    })
            }
            let plane = InformationPlaneChart(panels: panels, xLabel: chart["xlabel"]?.stringValue ?? "", yLabel: chart["ylabel"]?.stringValue ?? "",
                                              title: chart["title"]?.stringValue ?? "", idPrefix: "fig-\(id)")
            return [.figure(Figure(svg: plane.svg(), caption: spec.string("caption") ?? ""))]
        }
        let series = (chart["series"]?.arrayValue ?? []).map { item in
            let xs = item["x"]?.arrayValue ?? [], ys = item["y"]?.arrayValue ?? []
            return XYChart.Series(name: item["name"]?.stringValue ?? "",
                                  points: zip(xs, ys).map { XYChart.Point(x: $0.doubleValue ?? .nan, y: $1.doubleValue ?? .nan) })
        }
        var figure = XYChart(style: chart["style"]?.stringValue == "line" ? .line : .scatter, series: series,
                             title: chart["title"]?.stringValue ?? "", xLabel: chart["xlabel"]?.stringValue ?? "",
                             yLabel: chart["ylabel"]?.stringValue ?? "", identityLine: chart["identity"]?.boolValue ?? false,
                             idPrefix: "fig-\(id)")
        figure.logX = chart["xscale"] == "log"
        figure.logY = chart["yscale"] == "log"
        return [.figure(Figure(svg: figure.svg(), caption: spec.string("caption") ?? ""))]
    }
}
