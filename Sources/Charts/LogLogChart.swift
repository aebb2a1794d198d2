import Foundation

/// Points on log₁₀ axes with fitted curves drawn over them and crossovers marked: the figure of
/// a scaling law (loss against parameters or data, E + A·N^−α). A pure function of its data.
public struct LogLogChart: Sendable {
    public typealias Point = XYChart.Point
    public typealias Series = XYChart.Series

    /// A fitted curve: sampled points, or a function the chart samples across its x axis.
    public struct Curve: Sendable {
        public var label: String
        public var points: [Point]
        public var function: (@Sendable (Double) -> Double)?
        /// The series this curve fits: it is drawn in that series' colour (else the text colour).
        public var series: String?

        public init(label: String, points: [Point], series: String? = nil) {
            self.label = label; self.points = points; self.function = nil; self.series = series
        }

        /// y = f(x), sampled at 96 log-spaced x over the chart's x axis when it is drawn.
        public init(label: String, series: String? = nil, _ function: @escaping @Sendable (Double) -> Double) {
            self.label = label; self.points = []; self.function = function; self.series = series
        }
    }

    /// A point where two laws (or a law and a budget) cross, marked and labelled on the chart.
    public struct Crossover: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public var label: String
        public init(x: Double, y: Double, label: String) { self.x = x; self.y = y; self.label = label }
    }

    public var series: [Series]
    public var curves: [Curve]
    public var crossovers: [Crossover]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var idPrefix: String
    /// Joins each series' points in order of x.
    public var connectPoints = false
    public var width: Double = 640
    public var height: Double = 400

    public init(series: [Series], curves: [Curve] = [], crossovers: [Crossover] = [], title: String = "",
                xLabel: String, yLabel: String, idPrefix: String = "loglog") {
        self.series = series
        self.curves = curves
        self.crossovers = crossovers
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.idPrefix = idPrefix
    }

    /// Dash patterns of the curves, so they differ without colour too.
    static let dashes: [String?] = [nil, "7 4", "2 3", "9 3 2 3"]
    static let curveSamples = 96

    public func svg() -> String {
        let c = SVGText.coordinate
        func logPoint(_ p: Point) -> Point? {
            guard p.x > 0, p.y > 0, p.x.isFinite, p.y.isFinite else { return nil }
            return Point(x: log10(p.x), y: log10(p.y))
        }
        let placed = series.map { $0.points.compactMap(logPoint) }
        let dropped = zip(series, placed).map { $0.points.count - $1.count }.reduce(0, +)
        let sampledCurves = curves.map { $0.points.compactMap(logPoint) }
        let marks = crossovers.compactMap { cross in logPoint(Point(x: cross.x, y: cross.y)).map { (cross, $0) } }
        let known = placed.flatMap { $0 } + sampledCurves.flatMap { $0 } + marks.map(\.1)
        let xs = known.map(\.x), ys = known.map(\.y)

        // Layout as XYChart's: tick labels left, title on top, the x label below.
        let top = title.isEmpty ? 16.0 : 38.0, bottom = 48.0, right = 16.0
        let plotHeight = height - top - bottom
        let yAxis = LogAxis(min: ys.min() ?? 0, max: ys.max() ?? 1, length: plotHeight) { _ in 14 }
        let yTickWidth = yAxis.labelled.map { SVGText.width(yAxis.label($0), fontSize: 11) }.max() ?? 20
        let left = 30 + yTickWidth
        let plotWidth = width - left - right
        let xAxis = LogAxis(min: xs.min() ?? 0, max: xs.max() ?? 1, length: plotWidth) { SVGText.width($0, fontSize: 11) }
        let frame = PlotFrame(left: left, top: top, width: plotWidth, height: plotHeight, x: xAxis.scale, y: yAxis.scale)
        let plot = ChartRect(x: left, y: top, width: plotWidth, height: plotHeight)

        // Function curves are sampled across the whole x axis, log-spaced.
        let curvePoints: [[Point]] = zip(curves, sampledCurves).map { curve, sampled in
            guard let f = curve.function else { return sampled }
            return (0...Self.curveSamples).compactMap { i in
                let e = xAxis.scale.lower + (xAxis.scale.upper - xAxis.scale.lower) * Double(i) / Double(Self.curveSamples)
                return logPoint(Point(x: pow(10, e), y: f(pow(10, e))))
            }
        }
        let names = series.map(\.name)
        func curveColor(_ curve: Curve) -> String {
            curve.series.flatMap { names.firstIndex(of: $0) }.map(Palette.color) ?? "currentColor"
        }

        // Crossover labels: right of and above the mark, turned inwards at the frame's edges,
        // nudged down so no two overlap.
        var labelBoxes: [ChartRect] = []
        var crossLabels: [(x: Double, y: Double, anchor: String)] = []
        for (cross, p) in marks {
            let w = SVGText.width(cross.label, fontSize: 11)
            let mx = frame.px(p.x), my = frame.py(p.y)
            let toLeft = mx + 8 + w > left + plotWidth
            var y = my - 8 < top + 12 ? my + 18 : my - 8
            var box = ChartRect(x: toLeft ? mx - 8 - w : mx + 8, y: y - 10, width: w, height: 13)
            while labelBoxes.contains(where: box.intersects) { y += 13; box.y += 13 }
            labelBoxes.append(box)
            crossLabels.append((toLeft ? mx - 8 : mx + 8, y, toLeft ? "end" : "start"))
        }

        var legend = ChartLegend(entries:
            series.enumerated().map { .init(swatch: .marker(Palette.marker($0.offset), color: Palette.color($0.offset)), label: $0.element.name) }
            + curves.enumerated().map { .init(swatch: .line(dash: Self.dashes[$0.offset % Self.dashes.count], color: curveColor($0.element)), label: $0.element.label) })
        var totalHeight = height
        if legend.entries.count > 1 {
            var obstacles = placed.flatMap { $0 }.map { ChartRect.around(frame.px($0.x), frame.py($0.y), radius: 4) }
            for points in curvePoints + (connectPoints ? placed.map { $0.sorted { $0.x < $1.x } } : []) {
                obstacles += Self.trace(points.map { (frame.px($0.x), frame.py($0.y)) })
            }
            obstacles += marks.map { ChartRect.around(frame.px($0.1.x), frame.py($0.1.y), radius: 6) } + labelBoxes
            legend.place(in: plot, avoiding: obstacles)
            if legend.outside {
                legend.originX = left
                legend.originY = height
                totalHeight += legend.height + 8
            }
        }

        var out = SVGDocument.open(width: width, height: totalHeight, idPrefix: idPrefix,
                                   title: title.isEmpty ? "\(yLabel) against \(xLabel)" : title, description: description(dropped: dropped))
        out += "<defs><clipPath id=\"\(idPrefix)-clip\"><rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(plotWidth))\" height=\"\(c(plotHeight))\"/></clipPath></defs>\n"
        out += frame.grid()
        out += "<g class=\"minor\" stroke=\"currentColor\" stroke-opacity=\"0.5\">\n"
        for m in xAxis.minor { out += "<line x1=\"\(c(frame.px(m)))\" y1=\"\(c(top + plotHeight))\" x2=\"\(c(frame.px(m)))\" y2=\"\(c(top + plotHeight - 4))\"/>\n" }
        for m in yAxis.minor { out += "<line x1=\"\(c(left))\" y1=\"\(c(frame.py(m)))\" x2=\"\(c(left + 4))\" y2=\"\(c(frame.py(m)))\"/>\n" }
        out += "</g>\n"
        out += "<g class=\"axes\" fill=\"currentColor\" stroke=\"none\">\n" + frame.border()
        for t in xAxis.labelled {
            out += "<text class=\"tick x\" x=\"\(c(frame.px(t)))\" y=\"\(c(top + plotHeight + 16))\" text-anchor=\"middle\">\(SVGText.escape(xAxis.label(t)))</text>\n"
        }
        for t in yAxis.labelled {
            out += "<text class=\"tick y\" x=\"\(c(left - 6))\" y=\"\(c(frame.py(t) + 4))\" text-anchor=\"end\">\(SVGText.escape(yAxis.label(t)))</text>\n"
        }
        out += frame.xLabel(xLabel) + SVGDocument.yLabel(yLabel, centre: top + plotHeight / 2)
        if !title.isEmpty {
            out += "<text class=\"title\" x=\"\(c(left + plotWidth / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
        }
        out += "</g>\n"

        out += "<g class=\"data\" clip-path=\"url(#\(idPrefix)-clip)\">\n"
        for (i, curve) in curves.enumerated() where curvePoints[i].count > 1 {
            let dash = Self.dashes[i % Self.dashes.count].map { " stroke-dasharray=\"\($0)\"" } ?? ""
            let path = curvePoints[i].map { "\(c(frame.px($0.x))),\(c(frame.py($0.y)))" }.joined(separator: " ")
            out += "<polyline class=\"curve\" data-name=\"\(SVGText.escape(curve.label))\" points=\"\(path)\" fill=\"none\" stroke=\"\(curveColor(curve))\" stroke-width=\"1.5\"\(dash)/>\n"
        }
        for (index, points) in placed.enumerated() {
            let color = Palette.color(index)
            out += "<g class=\"series\" data-name=\"\(SVGText.escape(series[index].name))\" fill=\"\(color)\" stroke=\"\(color)\">\n"
            if connectPoints, points.count > 1 {
                let path = points.sorted { $0.x < $1.x }.map { "\(c(frame.px($0.x))),\(c(frame.py($0.y)))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke-width=\"1.5\" stroke-opacity=\"0.6\"/>\n"
            }
            for p in points { out += XYChart.marker(Palette.marker(index), x: frame.px(p.x), y: frame.py(p.y), size: 4) }
            out += "</g>\n"
        }
        out += "</g>\n"

        // Crossovers: guides down to the x axis and across to the y axis, a ring, a label.
        for ((cross, p), label) in zip(marks, crossLabels) {
            let mx = frame.px(p.x), my = frame.py(p.y)
            out += "<g class=\"crossover\" data-x=\"\(NiceScale.plain(cross.x))\" data-y=\"\(NiceScale.plain(cross.y))\">"
            out += "<polyline points=\"\(c(mx)),\(c(top + plotHeight)) \(c(mx)),\(c(my)) \(c(left)),\(c(my))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.6\" stroke-dasharray=\"3 3\"/>"
            out += "<circle cx=\"\(c(mx))\" cy=\"\(c(my))\" r=\"5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>"
            out += "<text x=\"\(c(label.x))\" y=\"\(c(label.y))\" text-anchor=\"\(label.anchor)\" fill=\"currentColor\">\(SVGText.escape(cross.label))</text></g>\n"
        }
        if legend.entries.count > 1 { out += legend.svg() }
        return out + "</svg>\n"
    }

    /// Small boxes along a polyline on the page, for keeping the legend off it.
    static func trace(_ points: [(Double, Double)]) -> [ChartRect] {
        var boxes: [ChartRect] = []
        for (a, b) in zip(points, points.dropFirst()) where a.0.isFinite && a.1.isFinite && b.0.isFinite && b.1.isFinite {
            // A steep curve's samples far off the page need no boxes, nor thousands of them.
            let steps = min(400, max(1, Int((abs(b.0 - a.0) + abs(b.1 - a.1)) / 4)))
            for s in 0...steps {
                let t = Double(s) / Double(steps)
                boxes.append(.around(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1), radius: 1.5))
            }
        }
        return boxes
    }

    private func description(dropped: Int) -> String {
        var parts = ["Log-log chart of \(yLabel) against \(xLabel)"]
        if !series.isEmpty {
            parts.append(series.map { "\($0.name): \($0.points.count) point\($0.points.count == 1 ? "" : "s")" }.joined(separator: "; "))
        }
        if !curves.isEmpty { parts.append("fitted: " + curves.map(\.label).joined(separator: "; ")) }
        if !crossovers.isEmpty {
            parts.append("crossovers: " + crossovers.map { "\($0.label) at (\(NiceScale.plain($0.x)), \(NiceScale.plain($0.y)))" }.joined(separator: "; "))
        }
        if dropped > 0 { parts.append("\(dropped) point\(dropped == 1 ? "" : "s") not drawn (not positive, or not finite)") }
        return parts.joined(separator: ". ") + "."
    }
}
