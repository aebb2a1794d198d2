import Foundation

/// A scatter or line chart of one or more series, as a standalone SVG document.
/// A pure function of its data: the same chart always gives the same bytes.
public struct XYChart: Sendable {
    public enum Style: String, Sendable { case scatter, line }

    public struct Point: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// A band around a line (a spread over seeds, an interval): one lower and one upper
        /// value per point, drawn as a translucent region in the series' colour.
        public var lower: [Double]?
        public var upper: [Double]?
        public init(name: String, points: [Point], lower: [Double]? = nil, upper: [Double]? = nil) {
            self.name = name; self.points = points; self.lower = lower; self.upper = upper
        }

        /// The band's (x, lower, upper) where all three are finite, in order of x.
        func band(logX: Bool, logY: Bool) -> [(x: Double, lo: Double, hi: Double)] {
            guard let lower, let upper else { return [] }
            func place(_ v: Double, _ log: Bool) -> Double { log ? (v > 0 ? log10(v) : .nan) : v }
            return points.indices.compactMap { i -> (x: Double, lo: Double, hi: Double)? in
                guard i < lower.count, i < upper.count else { return nil }
                let x = place(points[i].x, logX), lo = place(lower[i], logY), hi = place(upper[i], logY)
                return x.isFinite && lo.isFinite && hi.isFinite ? (x, min(lo, hi), max(lo, hi)) : nil
            }.sorted { $0.x < $1.x }
        }
    }

    public var style: Style
    public var series: [Series]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Draws y = x, for estimates against truth.
    public var identityLine: Bool
    /// Prefix of element ids, unique per page when several charts share one HTML document.
    public var idPrefix: String
    /// Log₁₀ axes (for scaling laws); values ≤ 0 cannot be drawn there and are left out.
    public var logX = false
    public var logY = false
    public var width: Double = 640
    public var height: Double = 400

    public init(style: Style, series: [Series], title: String, xLabel: String, yLabel: String,
                identityLine: Bool = false, idPrefix: String = "chart") {
        self.style = style
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.identityLine = identityLine
        self.idPrefix = idPrefix
    }

    /// Lines with more points than this are drawn without markers.
    static let markerLimit = 40

    public func svg() -> String {
        // On log axes points are placed by log₁₀ of their values.
        let placed = series.map { s in
            s.points.map { p in Point(x: logX ? (p.x > 0 ? log10(p.x) : .nan) : p.x, y: logY ? (p.y > 0 ? log10(p.y) : .nan) : p.y) }
        }
        let finite = placed.map { $0.filter { $0.x.isFinite && $0.y.isFinite } }
        let dropped = zip(series, finite).map { $0.points.count - $1.count }.reduce(0, +)
        let all = finite.flatMap { $0 }
        var xs = all.map(\.x)
        var ys = all.map(\.y)
        // Bands widen the y axis to hold them.
        let bands = style == .line ? series.map { $0.band(logX: logX, logY: logY) } : series.map { _ in [] }
        for band in bands { ys += band.flatMap { [$0.lo, $0.hi] } }
        if identityLine, !all.isEmpty {
            // Estimates against truth: start the truth axis at 0 when the truths are positive,
            // and let the y axis cover the x range, so the diagonal shows over all the data.
            xs.append(min(0, xs.min()!))
            ys += [xs.min()!, xs.max()!]
        }
        // Scatter points get a margin on both axes; a line (a curve over epochs) runs edge to edge.
        let xScale = logX ? NiceScale(logarithmicMin: xs.min() ?? 0, max: xs.max() ?? 1)
            : style == .scatter ? NiceScale(padded: xs) : NiceScale(min: xs.min() ?? 0, max: xs.max() ?? 1)
        let yScale = logY ? NiceScale(logarithmicMin: ys.min() ?? 0, max: ys.max() ?? 1) : NiceScale(padded: ys)

        // Layout: room for tick labels on the left, the title on top, the x label below.
        let yTickWidth = yScale.ticks.map { SVGText.width(yScale.label($0), fontSize: 11) }.max() ?? 20
        let left = 30 + yTickWidth, right = 16.0, top = title.isEmpty ? 16.0 : 38.0
        var legend = LegendLayout(series: series.map(\.name))
        let bottom = 48.0
        let plotHeight = height - top - bottom
        let plotWidth = width - left - right
        let frame = PlotFrame(left: left, top: top, width: plotWidth, height: plotHeight, x: xScale, y: yScale)
        func px(_ x: Double) -> Double { frame.px(x) }
        func py(_ y: Double) -> Double { frame.py(y) }

        // The legend goes in the inner corner that covers the fewest points, else below the plot.
        var totalHeight = height
        if series.count > 1 {
            var screenPoints = all.map { (px($0.x), py($0.y)) }
            if identityLine {
                for t in stride(from: 0.0, through: 1.0, by: 0.02) {
                    let v = xScale.lower + t * (xScale.upper - xScale.lower)
                    screenPoints.append((px(v), py(v)))
                }
            }
            if style == .line {
                for s in finite where s.count > 1 {
                    let sorted = s.sorted { $0.x < $1.x }
                    for (a, b) in zip(sorted, sorted.dropFirst()) {
                        for t in stride(from: 0.0, through: 1.0, by: 0.1) {
                            screenPoints.append((px(a.x + t * (b.x - a.x)), py(a.y + t * (b.y - a.y))))
                        }
                    }
                }
            }
            for band in bands {
                for (a, b) in zip(band, band.dropFirst()) {
                    for t in stride(from: 0.0, through: 1.0, by: 0.1) {
                        let x = px(a.x + t * (b.x - a.x))
                        screenPoints.append((x, py(a.lo + t * (b.lo - a.lo))))
                        screenPoints.append((x, py(a.hi + t * (b.hi - a.hi))))
                    }
                }
            }
            legend.place(in: (left, top, plotWidth, plotHeight), avoiding: screenPoints)
            if legend.outside {
                totalHeight += legend.height + 8
                legend.originY = height
                legend.originX = left
            }
        }

        var out = SVGDocument.open(width: width, height: totalHeight, idPrefix: idPrefix,
                                   title: title.isEmpty ? "\(yLabel) against \(xLabel)" : title, description: description(dropped: dropped))
        out += "<defs><clipPath id=\"\(idPrefix)-clip\"><rect x=\"\(SVGText.coordinate(left))\" y=\"\(SVGText.coordinate(top))\" width=\"\(SVGText.coordinate(plotWidth))\" height=\"\(SVGText.coordinate(plotHeight))\"/></clipPath></defs>\n"
        out += frame.grid()
        out += "<g class=\"axes\" fill=\"currentColor\" stroke=\"none\">\n"
        out += frame.border() + frame.xTickLabels() + frame.yTickLabels() + frame.xLabel(xLabel)
        out += SVGDocument.yLabel(yLabel, centre: top + plotHeight / 2)
        if !title.isEmpty {
            out += "<text class=\"title\" x=\"\(SVGText.coordinate(left + plotWidth / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
        }
        out += "</g>\n"

        out += "<g class=\"data\" clip-path=\"url(#\(idPrefix)-clip)\">\n"
        if identityLine {
            let lo = max(xScale.lower, yScale.lower), hi = min(xScale.upper, yScale.upper)
            if lo < hi {
                out += "<line class=\"identity\" x1=\"\(SVGText.coordinate(px(lo)))\" y1=\"\(SVGText.coordinate(py(lo)))\" x2=\"\(SVGText.coordinate(px(hi)))\" y2=\"\(SVGText.coordinate(py(hi)))\" stroke=\"currentColor\" stroke-opacity=\"0.5\" stroke-dasharray=\"5 4\"/>\n"
            }
        }
        for (index, points) in finite.enumerated() {
            let color = Palette.color(index)
            out += "<g class=\"series\" data-name=\"\(SVGText.escape(series[index].name))\" fill=\"\(color)\" stroke=\"\(color)\">\n"
            if bands[index].count > 1 {
                let edge = bands[index].map { "\(SVGText.coordinate(px($0.x))),\(SVGText.coordinate(py($0.hi)))" }
                    + bands[index].reversed().map { "\(SVGText.coordinate(px($0.x))),\(SVGText.coordinate(py($0.lo)))" }
                out += "<polygon class=\"band\" points=\"\(edge.joined(separator: " "))\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            }
            if style == .line, points.count > 1 {
                let path = points.sorted { $0.x < $1.x }.map { "\(SVGText.coordinate(px($0.x))),\(SVGText.coordinate(py($0.y)))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke-width=\"2\"/>\n"
            }
            // Long lines (learning curves) read better without a marker on every point.
            if style == .scatter || points.count <= Self.markerLimit {
                for p in points {
                    out += Self.marker(Palette.marker(index), x: px(p.x), y: py(p.y), size: style == .line ? 3 : 4)
                }
            }
            out += "</g>\n"
        }
        out += "</g>\n"
        if series.count > 1 { out += legend.svg(style: style) }
        out += "</svg>\n"
        return out
    }

    private func description(dropped: Int) -> String {
        var parts = ["\(style == .scatter ? "Scatter" : "Line") chart of \(yLabel) against \(xLabel)"]
        parts.append(series.map { "\($0.name): \($0.points.count) point\($0.points.count == 1 ? "" : "s")" }.joined(separator: "; "))
        if identityLine { parts.append("dashed line: y = x") }
        let banded = series.filter { style == .line && $0.band(logX: logX, logY: logY).count > 1 }.map(\.name)
        if !banded.isEmpty { parts.append("shaded band from lower to upper around " + banded.joined(separator: ", ")) }
        if logX || logY { parts.append("log scale on \([logX ? "x" : nil, logY ? "y" : nil].compactMap { $0 }.joined(separator: " and "))") }
        if dropped > 0 { parts.append("\(dropped) point\(dropped == 1 ? "" : "s") not drawn (non-finite\(logX || logY ? ", or not positive on a log axis" : ""))") }
        return parts.joined(separator: ". ") + "."
    }

    static func marker(_ shape: Palette.Marker, x: Double, y: Double, size r: Double) -> String {
        let c = SVGText.coordinate
        switch shape {
        case .circle:
            return "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\"/>\n"
        case .square:
            return "<rect x=\"\(c(x - r))\" y=\"\(c(y - r))\" width=\"\(c(2 * r))\" height=\"\(c(2 * r))\"/>\n"
        case .triangle:
            return "<polygon points=\"\(c(x)),\(c(y - 1.2 * r)) \(c(x + 1.1 * r)),\(c(y + 0.8 * r)) \(c(x - 1.1 * r)),\(c(y + 0.8 * r))\"/>\n"
        case .diamond:
            return "<polygon points=\"\(c(x)),\(c(y - 1.3 * r)) \(c(x + 1.3 * r)),\(c(y)) \(c(x)),\(c(y + 1.3 * r)) \(c(x - 1.3 * r)),\(c(y))\"/>\n"
        }
    }
}

/// Where the legend goes: the plot corner hiding the fewest points, or below the plot.
struct LegendLayout {
    var series: [String]
    var originX = 0.0
    var originY = 0.0
    var outside = false
    let rowHeight = 16.0

    var width: Double { (series.map { SVGText.width($0, fontSize: 11) }.max() ?? 0) + 34 }
    var height: Double { Double(series.count) * rowHeight + 8 }

    mutating func place(in plot: (x: Double, y: Double, width: Double, height: Double), avoiding points: [(Double, Double)]) {
        let inset = 6.0
        let corners = [
            (plot.x + plot.width - width - inset, plot.y + inset),                 // top right
            (plot.x + inset, plot.y + inset),                                      // top left
            (plot.x + plot.width - width - inset, plot.y + plot.height - height - inset),  // bottom right
            (plot.x + inset, plot.y + plot.height - height - inset),               // bottom left
        ]
        var best: (Int, Int)?
        for (i, corner) in corners.enumerated() {
            let covered = points.filter { $0.0 >= corner.0 - 4 && $0.0 <= corner.0 + width + 4 && $0.1 >= corner.1 - 4 && $0.1 <= corner.1 + height + 4 }.count
            if best == nil || covered < best!.1 { best = (i, covered) }
        }
        if let best, best.1 == 0, width < plot.width / 2 {
            (originX, originY) = corners[best.0]
            outside = false
        } else {
            outside = true
        }
    }

    func svg(style: XYChart.Style) -> String {
        let c = SVGText.coordinate
        var out = "<g class=\"legend\">\n"
        let top = originY
        if !outside {
            out += "<rect x=\"\(c(originX))\" y=\"\(c(top))\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.3\"/>\n"
        }
        for (i, name) in series.enumerated() {
            let y = top + 4 + Double(i) * rowHeight + rowHeight / 2
            let color = Palette.color(i)
            out += "<g fill=\"\(color)\" stroke=\"\(color)\">"
            if style == .line {
                out += "<line x1=\"\(c(originX + 6))\" y1=\"\(c(y))\" x2=\"\(c(originX + 24))\" y2=\"\(c(y))\" stroke-width=\"2\"/>"
            }
            out += XYChart.marker(Palette.marker(i), x: originX + 15, y: y, size: 3.5).dropLast()
            out += "</g>"
            out += "<text x=\"\(c(originX + 30))\" y=\"\(c(y + 4))\" fill=\"currentColor\">\(SVGText.escape(name))</text>\n"
        }
        out += "</g>\n"
        return out
    }
}
