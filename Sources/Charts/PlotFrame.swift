/// One rectangle of data space on the page: its scales, its grid, its frame and tick labels,
/// shared by every chart so they look alike.
struct PlotFrame {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var x: NiceScale
    var y: NiceScale

    func px(_ v: Double) -> Double { left + (v - x.lower) / (x.upper - x.lower) * width }
    func py(_ v: Double) -> Double { top + (1 - (v - y.lower) / (y.upper - y.lower)) * height }

    /// Light grid lines at the ticks, in the text colour so charts follow light and dark pages.
    func grid() -> String {
        let c = SVGText.coordinate
        var out = "<g class=\"grid\" stroke=\"currentColor\" stroke-opacity=\"0.12\" stroke-width=\"1\">\n"
        for t in x.ticks { out += "<line x1=\"\(c(px(t)))\" y1=\"\(c(top))\" x2=\"\(c(px(t)))\" y2=\"\(c(top + height))\"/>\n" }
        for t in y.ticks { out += "<line x1=\"\(c(left))\" y1=\"\(c(py(t)))\" x2=\"\(c(left + width))\" y2=\"\(c(py(t)))\"/>\n" }
        return out + "</g>\n"
    }

    func border() -> String {
        let c = SVGText.coordinate
        return "<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.6\"/>\n"
    }

    /// Tick labels under the x axis; `dropLast` leaves room for a neighbouring panel's first.
    func xTickLabels(dropLast: Bool = false) -> String {
        let c = SVGText.coordinate
        var out = ""
        for t in x.ticks where !dropLast || t < x.upper - x.step / 2 {
            out += "<text class=\"tick x\" x=\"\(c(px(t)))\" y=\"\(c(top + height + 16))\" text-anchor=\"middle\">\(SVGText.escape(x.label(t)))</text>\n"
        }
        return out
    }

    func yTickLabels() -> String {
        let c = SVGText.coordinate
        var out = ""
        for t in y.ticks {
            out += "<text class=\"tick y\" x=\"\(c(left - 6))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\">\(SVGText.escape(y.label(t)))</text>\n"
        }
        return out
    }

    /// The x-axis label centred under the frame.
    func xLabel(_ text: String) -> String {
        let c = SVGText.coordinate
        return "<text class=\"label x\" x=\"\(c(left + width / 2))\" y=\"\(c(top + height + 38))\" text-anchor=\"middle\" font-size=\"13\">\(SVGText.escape(text))</text>\n"
    }
}

/// The opening of every chart's SVG document: size, accessibility, fonts and colour scheme.
enum SVGDocument {
    static let font = "DejaVu Sans, Helvetica, Arial, sans-serif"

    static func open(width: Double, height: Double, idPrefix: String, title: String, description: String) -> String {
        let c = SVGText.coordinate
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\" "
        out += "role=\"img\" aria-labelledby=\"\(idPrefix)-title \(idPrefix)-desc\" class=\"ipchart\" font-family=\"\(font)\" font-size=\"11\">\n"
        // Standalone files (GitHub, image viewers) follow the viewer's light or dark scheme too.
        out += "<style>.ipchart{color:#1b1f24}@media (prefers-color-scheme:dark){.ipchart{color:#e6edf3}}</style>\n"
        out += "<title id=\"\(idPrefix)-title\">\(SVGText.escape(title))</title>\n"
        out += "<desc id=\"\(idPrefix)-desc\">\(SVGText.escape(description))</desc>\n"
        return out
    }

    /// The y-axis label, turned to run up the left edge.
    static func yLabel(_ text: String, centre: Double) -> String {
        let y = SVGText.coordinate(centre)
        return "<text class=\"label y\" x=\"14\" y=\"\(y)\" text-anchor=\"middle\" font-size=\"13\" fill=\"currentColor\" transform=\"rotate(-90 14 \(y))\">\(SVGText.escape(text))</text>\n"
    }
}
