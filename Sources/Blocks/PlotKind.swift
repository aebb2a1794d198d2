import Charts
import Foundation
import Engine
import Notebook

/// `plot`: draws results of other blocks as an SVG figure.
public struct PlotKind: BlockKind {
    public init() {}

    public let name = "plot"
    public let version = 2
    public let summary = "Draws results of other blocks as a numbered SVG figure: scatter, line, log-log, grouped bars, or the information plane."

    /// Kinds that read points from `x` and `y` (and `series`).
    static let pointKinds = ["scatter", "line", "loglog", "bar"]

    public var keys: [KeySpec] {
        [
            KeySpec("kind", .choice(["scatter", "line", "loglog", "bar", "information-plane"]), required: true,
                    doc: "scatter: points. line: points joined in order of x. loglog: points on log₁₀ axes with decade ticks (scaling laws). bar: grouped bars from zero, one group per x value, one bar per series. information-plane: I(X;T) against I(T;Y) per layer and epoch, one panel per estimator in `from`."),
            KeySpec("from", .references(kinds: []), required: true,
                    doc: "Blocks whose results are drawn. Scalar results give one point per block (per point of a sweep); list results give one series per block."),
            KeySpec("x", .string, required: true, when: ("kind", Self.pointKinds),
                    doc: "Result key on the x axis (e.g. truth, or a path into a result: history.epoch); for bar, the key whose values name the groups."),
            KeySpec("y", .string, required: true, when: ("kind", Self.pointKinds), doc: "Result key on the y axis (e.g. mi); for bar, the bar heights."),
            KeySpec("series", .string, when: ("kind", Self.pointKinds), doc: "Result key whose value groups points into series (e.g. method); one series per block for list results."),
            KeySpec("lower", .string, when: ("kind", ["line", "bar"]),
                    doc: "Result key of the lower end: a shaded band under each line, or the low end of each bar's error bar. Needs upper."),
            KeySpec("upper", .string, when: ("kind", ["line", "bar"]),
                    doc: "Result key of the upper end: a shaded band over each line, or the high end of each bar's error bar. Needs lower."),
            KeySpec("identity", .bool, default: false, when: ("kind", ["scatter", "line"]), doc: "Draw the line y = x (estimates against truth)."),
            KeySpec("xscale", .choice(["linear", "log"]), default: "linear", when: ("kind", ["scatter", "line"]),
                    doc: "log: a log₁₀ x axis (sizes, epochs); values ≤ 0 are left out."),
            KeySpec("yscale", .choice(["linear", "log"]), default: "linear", when: ("kind", ["scatter", "line"]),
                    doc: "log: a log₁₀ y axis (losses in scaling laws); values ≤ 0 are left out."),
            KeySpec("bounds", .bool, when: ("kind", ["information-plane"]),
                    doc: "Shade each layer's region between the kde upper-bound path and its lower-bound path (estimators with method kde only)."),
            KeySpec("arrows", .bool, when: ("kind", ["information-plane"]), doc: "Arrowheads along each layer's path, in the direction of time."),
            KeySpec("where", .grid, doc: "Keep only the rows whose results take one of the listed values, e.g. {l2: [0], batch: [32, 128]}."),
            KeySpec("title", .string, default: "", doc: "Title drawn above the chart."),
            KeySpec("xlabel", .string, doc: "Label of the x axis; defaults to the x key and its units."),
            KeySpec("ylabel", .string, doc: "Label of the y axis; defaults to the y key and its units."),
            KeySpec("fit", .references(kinds: ["fit"]), when: ("kind", ["loglog"]),
                    doc: "Fit blocks whose power laws are drawn over the points (one curve per group, in its series' colour when the group names a series), with their crossovers marked."),
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
                if spec.bool("bounds") == true, kind.name == "estimator", refSpec.string("method") != "kde" {
                    diagnostics.append(.error("'bounds' shades between the kde bounds, but '\(id)' uses method \(refSpec.string("method") ?? "none")",
                                              at: spec.location(of: "bounds"), notes: [.init("use estimators with method kde, or leave out 'bounds'")]))
                }
                if kind.name != "estimator" || !EstimatorKind.modelMethods.contains(refSpec.string("method") ?? "") {
                    diagnostics.append(.error("an information plane draws estimators on models, but '\(id)' is \(kind.name == "estimator" ? "an estimator on a dataset" : "a \(kind.name)")",
                                              at: spec.location(of: "from"),
                                              notes: [.init("use an estimator with method binning or kde whose 'of' is a model")]))
                }
            }
            return diagnostics
        }
        if (spec["lower"] == nil) != (spec["upper"] == nil) {
            let given = spec["lower"] == nil ? "upper" : "lower", missing = spec["lower"] == nil ? "lower" : "upper"
            diagnostics.append(.error("'\(given)' needs '\(missing)' too", at: spec.location(of: given),
                                      notes: [.init("a band or error bar runs from lower to upper")]))
        }
        for id in spec.ids("from") {
            for key in ["x", "y", "series", "lower", "upper"] {
                // A dotted path (history.test_loss) is reported by its first key.
                guard let path = spec.string(key), let first = path.split(separator: ".").first.map(String.init) else { continue }
                if let problem = context.unknownResult(path, shown: first, of: id, key: key, at: spec.location(of: key)) { diagnostics.append(problem) }
            }
        }
        return diagnostics
    }

    /// One drawn value: x as written (a number, or a bar's group name), y, and a band's ends.
    private struct Sample {
        var x: Value
        var y: Double
        var lower: Double?
        var upper: Double?
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        if spec.string("kind") == "information-plane" { return try informationPlane(input) }
        let style = spec.string("kind") ?? "scatter"
        let xKey = spec.string("x")!, yKey = spec.string("y")!
        let seriesKey = spec.string("series")
        let lowerKey = spec.string("lower"), upperKey = spec.string("upper")
        var order: [String] = []
        var grouped: [String: [Sample]] = [:]
        var units = Set<String>()
        for id in spec.ids("from") { for row in try input.rows(of: id) {
            if let u = row.values["units"]?.stringValue { units.insert(u) }
            let all = Value.object(row.values)
            func lookup(_ key: String) -> Value { all.result(named: key) ?? .null }
            let xv = lookup(xKey), yv = lookup(yKey)
            let lv = lowerKey.map(lookup), uv = upperKey.map(lookup)
            let name = seriesKey.flatMap { all.result(named: $0)?.displayText } ?? (xv.arrayValue != nil ? id : yKey)
            var samples: [Sample] = []
            switch (xv, yv) {
            case (.array(let xs), .array(let ys)):
                guard xs.count == ys.count else {
                    throw BlockError("'\(id)': \(xKey) has \(xs.count) values but \(yKey) has \(ys.count)")
                }
                let lows = try Self.column(lv, key: lowerKey, count: xs.count, id: id)
                let highs = try Self.column(uv, key: upperKey, count: xs.count, id: id)
                samples = xs.indices.map { Sample(x: xs[$0], y: ys[$0].doubleValue ?? .nan, lower: lows?[$0], upper: highs?[$0]) }
            default:
                let xOK: Bool
                switch xv {
                case .array, .object: xOK = false
                default: xOK = style == "bar" || xv.doubleValue != nil || xv == .null
                }
                guard xOK, let y = yv.doubleValue ?? (yv == .null ? Double.nan : nil) else {
                    throw BlockError("'\(id)': \(xKey) and \(yKey) must both be numbers or both be lists of numbers")
                }
                let lows = try Self.column(lv, key: lowerKey, count: nil, id: id)
                let highs = try Self.column(uv, key: upperKey, count: nil, id: id)
                samples = [Sample(x: xv, y: y, lower: lows?.first, upper: highs?.first)]
            }
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []] += samples
        } }
        let unitSuffix = units.count == 1 ? " (\(units.first!))" : ""
        let count = grouped.values.map(\.count).reduce(0, +)
        func number(_ v: Double) -> Value { v.isFinite ? .double(v) : .null }
        if style == "bar" { return try bars(spec: spec, order: order, grouped: grouped, unitSuffix: unitSuffix, count: count) }
        // The data behind the figure; `present` draws it, so the cache holds numbers, not pictures.
        var chart: Value = .object([
            "style": .string(style),
            "title": .string(spec.string("title") ?? ""),
            "xlabel": .string(spec.string("xlabel") ?? xKey + unitSuffix),
            "ylabel": .string(spec.string("ylabel") ?? yKey + unitSuffix),
            "identity": .bool(spec.bool("identity") ?? false),
            "xscale": .string(spec.string("xscale") ?? "linear"),
            "yscale": .string(spec.string("yscale") ?? "linear"),
            "series": .array(order.map { name in
                let samples = grouped[name]!
                var item: [String: Value] = ["name": .string(name),
                                             "x": .array(samples.map { number($0.x.doubleValue ?? .nan) }),
                                             "y": .array(samples.map { number($0.y) })]
                if lowerKey != nil, upperKey != nil {
                    item["lower"] = .array(samples.map { number($0.lower ?? .nan) })
                    item["upper"] = .array(samples.map { number($0.upper ?? .nan) })
                }
                return .object(item)
            }),
        ])
        if style == "loglog", case .object(var fields) = chart {
            let xs = grouped.values.flatMap { $0.compactMap { $0.x.doubleValue } }.filter { $0 > 0 && $0.isFinite }
            if let low = xs.min(), let high = xs.max() {
                let (curves, crossovers) = Self.fitOverlay(input, seriesNames: order, from: low, to: high)
                fields["curves"] = .array(curves)
                fields["crossovers"] = .array(crossovers)
            }
            chart = .object(fields)
        }
        return BlockOutput(values: ["points": .int(count), "series": .int(order.count), "chart": chart])
    }

    /// The laws of the `fit` blocks as sampled curves over [low, high], and their crossovers.
    private static func fitOverlay(_ input: BlockInput, seriesNames: [String], from low: Double, to high: Double) -> ([Value], [Value]) {
        var curves: [Value] = [], crossovers: [Value] = []
        for id in input.spec.ids("fit") {
            guard let output = input.inputs[id], output.values["law"]?.stringValue == "power" else { continue }
            let groupKey = output.values["group_key"]?.stringValue
            for law in output.values["laws"]?.arrayValue ?? [] {
                guard let e = law["E"]?.doubleValue, let a = law["A"]?.doubleValue, let alpha = law["alpha"]?.doubleValue else { continue }
                let group = law["group"]?.stringValue ?? ""
                // The series this law was fitted to: same name, or the same number written differently.
                let series = seriesNames.first { $0 == group || (Double($0) != nil && Double($0) == Double(group)) }
                let steps = 96
                let ns = (0...steps).map { low * pow(high / low, Double($0) / Double(steps)) }
                let name = groupKey.map { "\($0) = \(group): " } ?? ""
                var curve: [String: Value] = [
                    "label": .string("\(name)α = \(NumberFormatting.format(alpha))"),
                    "x": .array(ns.map(Value.double)),
                    "y": .array(ns.map { .double(e + a * pow($0, -alpha)) }),
                ]
                if let series { curve["series"] = .string(series) }
                curves.append(.object(curve))
            }
            for crossover in output.values["crossovers"]?.arrayValue ?? [] {
                guard let n = crossover["n"]?.doubleValue, let loss = crossover["loss"]?.doubleValue else { continue }
                crossovers.append(.object(["x": .double(n), "y": .double(loss), "label": .string("crossover N ≈ \(NumberFormatting.format(n))")]))
            }
        }
        return (curves, crossovers)
    }

    /// A band's or error bar's end per sample: a list as long as x for list results, a number
    /// for scalar results; nil when the key is not given.
    private static func column(_ value: Value?, key: String?, count: Int?, id: String) throws -> [Double]? {
        guard let value, let key else { return nil }
        switch (value, count) {
        case (.array(let items), let n?) where items.count == n: return items.map { $0.doubleValue ?? .nan }
        case (.array(let items), let n?): throw BlockError("'\(id)': \(key) has \(items.count) values but x has \(n)")
        case (.null, _): return count.map { [Double](repeating: .nan, count: $0) } ?? [.nan]
        case (_, nil) where value.doubleValue != nil: return [value.doubleValue!]
        default: throw BlockError("'\(id)': \(key) must be \(count == nil ? "a number" : "a list of numbers"), like y")
        }
    }

    /// Grouped bars: groups are the x values in order of first appearance, one bar per series.
    private func bars(spec: ResolvedSpec, order: [String], grouped: [String: [Sample]], unitSuffix: String, count: Int) throws -> BlockOutput {
        let xKey = spec.string("x")!, yKey = spec.string("y")!
        var groups: [String] = []
        for name in order { for sample in grouped[name]! where !groups.contains(sample.x.displayText) { groups.append(sample.x.displayText) } }
        let banded = spec["lower"] != nil && spec["upper"] != nil
        var series: [Value] = []
        for name in order {
            var values = [Value](repeating: .null, count: groups.count), lows = values, highs = values
            var seen = Set<String>()
            for sample in grouped[name]! {
                let group = sample.x.displayText
                guard seen.insert(group).inserted else { throw BlockError("series '\(name)' has two values for the group '\(group)'; use 'series' to tell them apart") }
                let g = groups.firstIndex(of: group)!
                values[g] = sample.y.isFinite ? .double(sample.y) : .null
                if let l = sample.lower, l.isFinite { lows[g] = .double(l) }
                if let h = sample.upper, h.isFinite { highs[g] = .double(h) }
            }
            var item: [String: Value] = ["name": .string(name), "values": .array(values)]
            if banded { item["lower"] = .array(lows); item["upper"] = .array(highs) }
            series.append(.object(item))
        }
        let chart: Value = .object([
            "style": "bar",
            "title": .string(spec.string("title") ?? ""),
            "xlabel": .string(spec.string("xlabel") ?? xKey),
            "ylabel": .string(spec.string("ylabel") ?? yKey + unitSuffix),
            "groups": .array(groups.map(Value.string)),
            "series": .array(series),
        ])
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
            // Estimators of some layers only say which (numbered as recorded).
            let numbers = output.values["layer_numbers"]?.arrayValue?.compactMap(\.intValue)
            let bounds = input.spec.bool("bounds") == true
            let ixtLower = output.values["ixt_lower"]?.arrayValue, ityLower = output.values["ity_lower"]?.arrayValue
            if bounds && (ixtLower == nil || ityLower == nil) { throw BlockError("'\(id)' has no lower bounds (ixt_lower, ity_lower): 'bounds' needs method kde") }
            let layers: [Value] = zip(ixt, ity).enumerated().map { l, pair in
                let width = l < widths.count ? " (\(widths[l].displayText))" : ""
                points += pair.0.arrayValue?.count ?? 0
                var layer: [String: Value] = ["name": .string("L\(numbers.map { l < $0.count ? $0[l] : l + 1 } ?? l + 1)\(width)"), "x": pair.0, "y": pair.1]
                if bounds, let xl = ixtLower, let yl = ityLower, l < xl.count, l < yl.count {
                    layer["x_lower"] = xl[l]
                    layer["y_lower"] = yl[l]
                }
                return .object(layer)
            }
            panels.append(.object(["title": .string(id), "epochs": epochs, "layers": .array(layers)]))
        }
        let unit = units.count == 1 ? " (\(units.first!))" : ""
        var chart: [String: Value] = [
            "style": "information-plane",
            "title": .string(input.spec.string("title") ?? ""),
            "xlabel": .string(input.spec.string("xlabel") ?? "I(X;T)\(unit)"),
            "ylabel": .string(input.spec.string("ylabel") ?? "I(T;Y)\(unit)"),
            "panels": .array(panels),
        ]
        if input.spec.bool("arrows") == true { chart["arrows"] = true }
        return BlockOutput(values: ["points": .int(points), "series": .int(panels.count), "chart": .object(chart)])
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        guard let chart = output.values["chart"] else { return [] }
        if chart["style"] == "information-plane" {
            let panels = (chart["panels"]?.arrayValue ?? []).map { (panel: Value) -> InformationPlaneChart.Panel in
                InformationPlaneChart.Panel(
                    title: panel["title"]?.stringValue ?? "",
                    epochs: panel["epochs"]?.arrayValue?.compactMap(\.intValue) ?? [],
                    layers: (panel["layers"]?.arrayValue ?? []).map { (layer: Value) -> InformationPlaneChart.LayerPath in
                        InformationPlaneChart.LayerPath(name: layer["name"]?.stringValue ?? "",
                                                        x: Self.numbers(layer["x"]) ?? [], y: Self.numbers(layer["y"]) ?? [],
                                                        xLower: Self.numbers(layer["x_lower"]), yLower: Self.numbers(layer["y_lower"]))
                    })
            }
            var plane = InformationPlaneChart(panels: panels, xLabel: chart["xlabel"]?.stringValue ?? "", yLabel: chart["ylabel"]?.stringValue ?? "",
                                              title: chart["title"]?.stringValue ?? "", idPrefix: "fig-\(id)")
            plane.arrows = chart["arrows"]?.boolValue ?? false
            return [.figure(Figure(svg: plane.svg(), caption: spec.string("caption") ?? ""))]
        }
        let title = chart["title"]?.stringValue ?? "", xLabel = chart["xlabel"]?.stringValue ?? "", yLabel = chart["ylabel"]?.stringValue ?? ""
        if chart["style"] == "bar" {
            let bars = BarChart(groups: chart["groups"]?.arrayValue?.map(\.displayText) ?? [],
                                series: (chart["series"]?.arrayValue ?? []).map { item in
                                    BarChart.Series(name: item["name"]?.stringValue ?? "", values: Self.numbers(item["values"]) ?? [],
                                                    low: Self.numbers(item["lower"]), high: Self.numbers(item["upper"]))
                                },
                                title: title, xLabel: xLabel, yLabel: yLabel, idPrefix: "fig-\(id)")
            return [.figure(Figure(svg: bars.svg(), caption: spec.string("caption") ?? ""))]
        }
        let series = (chart["series"]?.arrayValue ?? []).map { item in
            let xs = item["x"]?.arrayValue ?? [], ys = item["y"]?.arrayValue ?? []
            return XYChart.Series(name: item["name"]?.stringValue ?? "",
                                  points: zip(xs, ys).map { XYChart.Point(x: $0.doubleValue ?? .nan, y: $1.doubleValue ?? .nan) },
                                  lower: Self.numbers(item["lower"]), upper: Self.numbers(item["upper"]))
        }
        if chart["style"] == "loglog" {
            // Fitted curves and crossovers come in the chart's data when a block provides them:
            // curves: [{label, x: [..], y: [..], series?}], crossovers: [{x, y, label}].
            let curves = (chart["curves"]?.arrayValue ?? []).map { item in
                LogLogChart.Curve(label: item["label"]?.stringValue ?? "",
                                  points: zip(Self.numbers(item["x"]) ?? [], Self.numbers(item["y"]) ?? []).map { LogLogChart.Point(x: $0, y: $1) },
                                  series: item["series"]?.stringValue)
            }
            let crossovers = (chart["crossovers"]?.arrayValue ?? []).compactMap { item -> LogLogChart.Crossover? in
                guard let x = item["x"]?.doubleValue, let y = item["y"]?.doubleValue else { return nil }
                return LogLogChart.Crossover(x: x, y: y, label: item["label"]?.stringValue ?? "")
            }
            let figure = LogLogChart(series: series, curves: curves, crossovers: crossovers, title: title,
                                     xLabel: xLabel, yLabel: yLabel, idPrefix: "fig-\(id)")
            return [.figure(Figure(svg: figure.svg(), caption: spec.string("caption") ?? ""))]
        }
        var figure = XYChart(style: chart["style"]?.stringValue == "line" ? .line : .scatter, series: series,
                             title: chart["title"]?.stringValue ?? "", xLabel: chart["xlabel"]?.stringValue ?? "",
                             yLabel: chart["ylabel"]?.stringValue ?? "", identityLine: chart["identity"]?.boolValue ?? false,
                             idPrefix: "fig-\(id)")
        figure.logX = chart["xscale"] == "log"
        figure.logY = chart["yscale"] == "log"
        return [.figure(Figure(svg: figure.svg(), caption: spec.string("caption") ?? ""))]
    }

    /// A list of numbers from results, nulls as NaN; nil when there is no list.
    private static func numbers(_ value: Value?) -> [Double]? {
        value?.arrayValue?.map { $0.doubleValue ?? .nan }
    }
}
