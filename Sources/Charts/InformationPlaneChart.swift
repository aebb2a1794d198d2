import Foundation

/// The information plane: x = I(X;T), y = I(T;Y), one path per layer through the recorded
/// epochs, each point coloured by its epoch on a log scale (viridis, with a colour bar).
/// Several panels (tanh next to ReLU, one per seed or method) share their axes.
public struct InformationPlaneChart: Sendable {
    public struct LayerPath: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// Lower bounds of x and y per epoch (KDE's bounds), when x and y are upper bounds:
        /// the region between the two paths is shaded.
        public var xLower: [Double]?
        public var yLower: [Double]?
        public init(name: String, x: [Double], y: [Double], xLower: [Double]? = nil, yLower: [Double]? = nil) {
            self.name = name; self.x = x; self.y = y; self.xLower = xLower; self.yLower = yLower
        }

        /// Epochs where both bounds of both coordinates are finite: (upper point, lower point).
        var bounds: [(upper: (Double, Double), lower: (Double, Double))] {
            guard let xLower, let yLower else { return [] }
            return x.indices.compactMap { i in
                guard i < y.count, i < xLower.count, i < yLower.count,
                      x[i].isFinite, y[i].isFinite, xLower[i].isFinite, yLower[i].isFinite else { return nil }
                return ((x[i], y[i]), (xLower[i], yLower[i]))
            }
        }
    }

    public struct Panel: Sendable {
        public var title: String
        public var epochs: [Int]
        public var layers: [LayerPath]
        public init(title: String, epochs: [Int], layers: [LayerPath]) { self.title = title; self.epochs = epochs; self.layers = layers }
    }

    public var panels: [Panel]
    public var xLabel: String
    public var yLabel: String
    public var title: String
    public var idPrefix: String
    public var panelWidth: Double = 330
    public var panelHeight: Double = 300
    /// Arrowheads along each layer's path, pointing the way time runs.
    public var arrows = false

    public init(panels: [Panel], xLabel: String, yLabel: String, title: String = "", idPrefix: String = "plane") {
        self.panels = panels
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.title = title
        self.idPrefix = idPrefix
    }

    public func svg() -> String {
        let c = SVGText.coordinate
        let layers = panels.flatMap(\.layers)
        let xs = (layers.flatMap(\.x) + layers.flatMap { $0.bounds.map(\.lower.0) }).filter(\.isFinite)
        let ys = (layers.flatMap(\.y) + layers.flatMap { $0.bounds.map(\.lower.1) }).filter(\.isFinite)
        let xScale = NiceScale(min: min(0, xs.min() ?? 0), max: xs.max() ?? 1)
        let yScale = NiceScale(min: min(0, ys.min() ?? 0), max: ys.max() ?? 1)
        let allEpochs = panels.flatMap(\.epochs)
        let maxEpoch = max(1, allEpochs.max() ?? 1)
        func t(_ epoch: Int) -> Double { log(Double(epoch) + 1) / log(Double(maxEpoch) + 1) }

        let yTickWidth = yScale.ticks.map { SVGText.width(yScale.label($0), fontSize: 11) }.max() ?? 20
        let left = 30 + yTickWidth, gap = 24.0, top = title.isEmpty ? 30.0 : 50.0, bottom = 48.0
        let barWidth = 14.0, barSpace = 70.0
        let width = left + Double(panels.count) * panelWidth + Double(max(0, panels.count - 1)) * gap + barSpace
        let height = top + panelHeight + bottom

        let desc = "Information plane: \(xLabel) on the x axis, \(yLabel) on the y axis. " + panels.map { panel in
            "\(panel.title): \(panel.layers.count) layers over \(panel.epochs.count) recorded epochs"
        }.joined(separator: "; ") + ". Points are coloured by epoch, dark early and yellow late."
            + (layers.contains { $0.bounds.count > 1 } ? " Shaded: the region between each layer's upper-bound path (points) and its lower-bound path (dashed)." : "")
            + (arrows ? " Arrowheads show the direction of time." : "")
        var out = SVGDocument.open(width: width, height: height, idPrefix: idPrefix,
                                   title: title.isEmpty ? "Information plane" : title, description: desc)
        out += "<defs><linearGradient id=\"\(idPrefix)-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for k in 0...8 { out += "<stop offset=\"\(c(Double(k) / 8))\" stop-color=\"\(Viridis.color(Double(k) / 8))\"/>" }
        out += "</linearGradient></defs>\n"
        if !title.isEmpty {
            out += "<text class=\"title\" x=\"\(c(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"currentColor\">\(SVGText.escape(title))</text>\n"
        }

        for (p, panel) in panels.enumerated() {
            let x0 = left + Double(p) * (panelWidth + gap)
            let frame = PlotFrame(left: x0, top: top, width: panelWidth, height: panelHeight, x: xScale, y: yScale)
            func px(_ v: Double) -> Double { frame.px(v) }
            func py(_ v: Double) -> Double { frame.py(v) }
            out += "<g class=\"panel\" data-name=\"\(SVGText.escape(panel.title))\">\n"
            out += frame.grid() + frame.border()
            out += "<g fill=\"currentColor\">\n"
            // The last tick label of a panel would run into the first of the next one.
            out += frame.xTickLabels(dropLast: p < panels.count - 1)
            if p == 0 { out += frame.yTickLabels() }
            out += frame.xLabel(xLabel)
            out += "<text class=\"panel-title\" x=\"\(c(x0 + panelWidth / 2))\" y=\"\(c(top - 8))\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">\(SVGText.escape(panel.title))</text>"
            out += "</g>\n"

            // Paths first (thin, neutral), then the coloured points, then the layer labels.
            var labels: [(y: Double, x: Double, text: String)] = []
            for (l, layer) in panel.layers.enumerated() {
                let points = zip(layer.x, layer.y).enumerated().filter { $0.element.0.isFinite && $0.element.1.isFinite }
                guard !points.isEmpty else { continue }
                out += "<g class=\"layer\" data-name=\"\(SVGText.escape(layer.name))\">"
                let bounds = layer.bounds
                if bounds.count > 1 {
                    // The upper path forwards and the lower one back close the region between them.
                    let ring = bounds.map(\.upper) + bounds.reversed().map(\.lower)
                    out += "<polygon class=\"bound\" points=\"" + ring.map { "\(c(px($0.0))),\(c(py($0.1)))" }.joined(separator: " ")
                    out += "\" fill=\"\(Palette.color(l))\" fill-opacity=\"0.15\" stroke=\"none\"/>"
                    out += "<polyline class=\"lower\" points=\"" + bounds.map { "\(c(px($0.lower.0))),\(c(py($0.lower.1)))" }.joined(separator: " ")
                    out += "\" fill=\"none\" stroke=\"\(Palette.color(l))\" stroke-opacity=\"0.7\" stroke-dasharray=\"3 2\"/>"
                }
                out += "<polyline points=\"" + points.map { "\(c(px($0.element.0))),\(c(py($0.element.1)))" }.joined(separator: " ")
                out += "\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.35\" stroke-width=\"1\"/>"
                for (i, point) in points {
                    let epoch = i < panel.epochs.count ? panel.epochs[i] : 0
                    out += "<circle cx=\"\(c(px(point.0)))\" cy=\"\(c(py(point.1)))\" r=\"2.4\" fill=\"\(Viridis.color(t(epoch)))\"/>"
                }
                if arrows { out += Self.arrowheads(along: points.map { (px($0.element.0), py($0.element.1)) }) }
                out += "</g>\n"
                let last = points.last!.element
                labels.append((py(last.1), px(last.0), layer.name))
            }
            // Labels beside each path's last point, nudged apart so they never overlap.
            labels.sort { $0.y < $1.y }
            var previous = -Double.infinity
            out += "<g class=\"layer-labels\" fill=\"currentColor\" font-size=\"10\">"
            for label in labels {
                let y = max(label.y + 3.5, previous + 11)
                previous = y
                let x = min(label.x + 5, x0 + panelWidth - SVGText.width(label.text, fontSize: 10) - 2)
                out += "<text x=\"\(c(x))\" y=\"\(c(y))\">\(SVGText.escape(label.text))</text>"
            }
            out += "</g>\n</g>\n"
        }

        out += SVGDocument.yLabel(yLabel, centre: top + panelHeight / 2)

        // The colour bar: epochs on a log scale.
        let bx = width - barSpace + 16
        out += "<g class=\"colorbar\" fill=\"currentColor\">"
        out += "<rect x=\"\(c(bx))\" y=\"\(c(top))\" width=\"\(c(barWidth))\" height=\"\(c(panelHeight))\" fill=\"url(#\(idPrefix)-bar)\" stroke=\"currentColor\" stroke-opacity=\"0.4\"/>"
        var tick = 1
        var ticks = [0]
        while tick <= maxEpoch { ticks.append(tick); tick *= 10 }
        if ticks.last != maxEpoch { ticks.append(maxEpoch) }
        // From the top (the last epoch, always labelled) down, skipping labels that would touch.
        var lastY = -Double.infinity
        for epoch in ticks.reversed() {
            let y = top + (1 - t(epoch)) * panelHeight
            guard y - lastY >= 12 else { continue }
            lastY = y
            out += "<line x1=\"\(c(bx + barWidth))\" y1=\"\(c(y))\" x2=\"\(c(bx + barWidth + 4))\" y2=\"\(c(y))\" stroke=\"currentColor\"/>"
            out += "<text class=\"tick bar\" x=\"\(c(bx + barWidth + 7))\" y=\"\(c(y + 4))\">\(epoch)</text>"
        }
        out += "<text x=\"\(c(bx + barWidth / 2))\" y=\"\(c(top - 8))\" text-anchor=\"middle\">epoch</text>"
        out += "</g>\n</svg>\n"
        return out
    }

    /// Arrowheads at a fifth, two fifths… of a path's length on the page, each pointing along
    /// its segment: which way the layer moved as training went on.
    static func arrowheads(along points: [(Double, Double)]) -> String {
        let c = SVGText.coordinate
        let lengths = zip(points, points.dropFirst()).map { hypot($1.0 - $0.0, $1.1 - $0.1) }
        let total = lengths.reduce(0, +)
        guard total > 12 else { return "" }
        var out = ""
        var start = 0.0, segment = 0
        for fraction in [0.2, 0.4, 0.6, 0.8] {
            let target = fraction * total
            while segment < lengths.count - 1 && start + lengths[segment] < target { start += lengths[segment]; segment += 1 }
            guard lengths[segment] > 0 else { continue }
            let (a, b) = (points[segment], points[segment + 1])
            let (ux, uy) = ((b.0 - a.0) / lengths[segment], (b.1 - a.1) / lengths[segment])
            let along = min(max(target - start, 0), lengths[segment])
            let tip = (a.0 + ux * along + ux * 3, a.1 + uy * along + uy * 3)
            let base = (tip.0 - ux * 7, tip.1 - uy * 7)
            out += "<polygon class=\"arrow\" points=\"\(c(tip.0)),\(c(tip.1)) \(c(base.0 - uy * 3.5)),\(c(base.1 + ux * 3.5)) \(c(base.0 + uy * 3.5)),\(c(base.1 - ux * 3.5))\" fill=\"currentColor\" fill-opacity=\"0.75\"/>"
        }
        return out
    }
}
