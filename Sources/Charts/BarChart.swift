import Foundation

/// Grouped bars: one group per category on the x axis, one bar per series in each group, with
/// optional error bars from a low to a high value. The value axis starts at zero, so bar lengths
/// compare honestly. A pure function of its data.
public struct BarChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// One value per group; NaN leaves the bar out.
        public var values: [Double]
        /// Ends of the error bar per group (both or neither); nil or NaN draws none.
        public var low: [Double]?
        public var high: [Double]?
        public init(name: String, values: [Double], low: [Double]? = nil, high: [Double]? = nil) {
            self.name = name; self.values = values; self.low = low; self.high = high
        }

        func value(_ g: Int) -> Double? { g < values.count && values[g].isFinite ? values[g] : nil }
        func error(_ g: Int) -> (Double, Double)? {
            guard let low, let high, g < low.count, g < high.count, low[g].isFinite, high[g].isFinite else { return nil }
            return (Swift.min(low[g], high[g]), Swift.max(low[g], high[g]))
        }
    }

    public var groups: [String]
    public var series: [Series]
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var idPrefix: String
    public var width: Double = 640
    public var height: Double = 400

    public init(groups: [String], series: [Series], title: String = "", xLabel: String, yLabel: String, idPrefix: String = "bars") {
        self.groups = groups
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.idPrefix = idPrefix
    }

    /// Group labels turn by this angle when they are wider than their group.
    static let labelAngle = 40.0

    public func svg() -> String {
        let c = SVGText.coordinate
        var values: [Double] = [0]
        for s in series {
            for g in groups.indices {
                if let v = s.value(g) { values.append(v) }
                if let (lo, hi) = s.error(g) { values += [lo, hi] }
            }
        }
        let (lowest, highest) = (values.min()!, values.max()!)
        let yScale = NiceScale(min: lowest, max: highest == lowest ? lowest + 1 : highest)
        let yTickWidth = yScale.ticks.map { SVGText.width(yScale.label($0), fontSize: 11) }.max() ?? 20
        let left = 30 + yTickWidth, right = 16.0, top = title.isEmpty ? 16.0 : 38.0
        let plotWidth = width - left - right
        let slot = plotWidth / Double(max(1, groups.count))
        let widest = groups.map { SVGText.width($0, fontSize: 11) }.max() ?? 0
        let turned = widest > slot - 6
        let angle = Self.labelAngle * .pi / 180
        // Turned labels hang below the axis by their width times the sine of the angle.
        let labelDepth = turned ? widest * sin(angle) + 11 * cos(angle) + 6 : 16.0
        let bottom = 32 + labelDepth
        let plotHeight = height - top - bottom
        let frame = PlotFrame(left: left, top: top, width: plotWidth, height: plotHeight,
                              x: NiceScale(min: 0, max: Double(max(1, groups.count))), y: yScale)
        let zero = frame.py(0)

        // Bars fill 80% of their group, side by side in series order.
        let barWidth = slot * 0.8 / Double(max(1, series.count))
        func barX(_ g: Int, _ s: Int) -> Double { left + Double(g) * slot + slot * 0.1 + Double(s) * barWidth }
        var obstacles: [ChartRect] = []
        for (s, item) in series.enumerated() {
            for g in groups.indices {
                if let v = item.value(g) {
                    obstacles.append(ChartRect(x: barX(g, s), y: min(zero, frame.py(v)), width: barWidth, height: abs(frame.py(v) - zero)))
                }
                if let (lo, hi) = item.error(g) {
                    obstacles.append(ChartRect(x: barX(g, s), y: frame.py(hi), width: barWidth, height: frame.py(lo) - frame.py(hi)))
                }
            }
        }
        var legend = ChartLegend(entries: series.enumerated().map { .init(swatch: .box(color: Palette.color($0.offset)), label: $0.element.name) })
        var totalHeight = height
        if series.count > 1 {
            legend.place(in: ChartRect(x: left, y: top, width: plotWidth, height: plotHeight), avoiding: obstacles)
            if legend.outside {
                legend.originX = left
                legend.originY = height
                totalHeight += legend.height + 8
            }
        }

        var out = SVGDocument.open(width: width, height: totalHeight, idPrefix: idPrefix,
                                   title: title.isEmpty ? "\(yLabel) by \(xLabel)" : title, description: description())
        out += "<g class=\"grid\" stroke=\"currentColor\" stroke-opacity=\"0.12\" stroke-width=\"1\">\n"
        for t in yScale.ticks { out += "<line x1=\"\(c(left))\" y1=\"\(c(frame.py(t)))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(frame.py(t)))\"/>\n" }
        out += "</g>\n"
        out += "<g class=\"axes\" fill=\"currentColor\" stroke=\"none\">\n" + frame.border() + frame.yTickLabels()
        for (g, name) in groups.enumerated() {
            let x = left + (Double(g) + 0.5) * slot, y = top + plotHeight + 16
            if turned {
                out += "<text class=\"tick x\" x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"end\" transform=\"rotate(-\(c(Self.labelAngle)) \(c(x)) \(c(y - 4)))\">\(SVGText.escape(name))</text>\n"
            } else {
                out += "<text class=\"tick x\" x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"middle\">\(SVGText.escape(name))</text>\n"
            }
        }
        out += "<text class=\"label x\" x=\"\(c(left + plotWidth / 2))\" y=\"\(c(top + plotHeight + labelDepth + 22))\" text-anchor=\"middle\" font-size=\"13\">\(SVGText.escape(xLabel))</text>\n"
        out += SVGDocument.yLabel(yLabel, centre: top + plotHeight / 2)
        if !title.isEmpty {
            out += "<text class=\"title\" x=\"\(c(left + plotWidth / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(SVGText.escape(title))</text>\n"
        }
        out += "</g>\n"

        out += "<g class=\"data\">\n"
        for (s, item) in series.enumerated() {
            out += "<g class=\"series\" data-name=\"\(SVGText.escape(item.name))\" fill=\"\(Palette.color(s))\">\n"
            for (g, group) in groups.enumerated() {
                guard let v = item.value(g) else { continue }
                let y = min(zero, frame.py(v)), h = abs(frame.py(v) - zero)
                out += "<rect class=\"bar\" data-group=\"\(SVGText.escape(group))\" x=\"\(c(barX(g, s)))\" y=\"\(c(y))\" width=\"\(c(barWidth))\" height=\"\(c(h))\"><title>\(SVGText.escape("\(item.name), \(group): \(NiceScale.plain(v))"))</title></rect>\n"
            }
            out += "</g>\n"
        }
        out += "<line class=\"zero\" x1=\"\(c(left))\" y1=\"\(c(zero))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(zero))\" stroke=\"currentColor\" stroke-opacity=\"0.8\"/>\n"
        // Error bars on top of every bar, in the text colour, with caps a third of a bar wide.
        out += "<g class=\"errors\" stroke=\"currentColor\" stroke-width=\"1.2\">\n"
        for (s, item) in series.enumerated() {
            for g in groups.indices {
                guard let (lo, hi) = item.error(g) else { continue }
                let x = barX(g, s) + barWidth / 2, cap = max(2, barWidth / 6)
                out += "<path class=\"error\" d=\"M\(c(x)) \(c(frame.py(lo)))V\(c(frame.py(hi)))M\(c(x - cap)) \(c(frame.py(lo)))H\(c(x + cap))M\(c(x - cap)) \(c(frame.py(hi)))H\(c(x + cap))\"/>\n"
            }
        }
        out += "</g>\n</g>\n"
        if series.count > 1 { out += legend.svg() }
        return out + "</svg>\n"
    }

    private func description() -> String {
        var parts = ["Bar chart of \(yLabel) by \(xLabel), from zero"]
        parts.append("groups: " + groups.joined(separator: ", "))
        parts.append(series.map { s in
            "\(s.name): " + groups.indices.map { s.value($0).map(NiceScale.plain) ?? "none" }.joined(separator: ", ")
        }.joined(separator: "; "))
        if series.contains(where: { s in groups.indices.contains { s.error($0) != nil } }) { parts.append("error bars from low to high") }
        return parts.joined(separator: ". ") + "."
    }
}
