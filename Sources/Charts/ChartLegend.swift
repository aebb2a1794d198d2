/// A rectangle on the page, for layout: legends, labels and the data they must not cover.
public struct ChartRect: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// A point as a rectangle with a margin around it (a marker's extent).
    static func around(_ x: Double, _ y: Double, radius: Double) -> ChartRect {
        ChartRect(x: x - radius, y: y - radius, width: 2 * radius, height: 2 * radius)
    }

    func intersects(_ other: ChartRect) -> Bool {
        x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
    }
}

/// The legend of the log-log and bar charts: one row per entry (a marker, a line sample, or a
/// filled swatch), in the plot corner that covers nothing drawn, else below the plot.
struct ChartLegend {
    enum Swatch {
        case marker(Palette.Marker, color: String)
        case line(dash: String?, color: String)
        case box(color: String)
    }

    struct Entry {
        var swatch: Swatch
        var label: String
    }

    var entries: [Entry]
    var originX = 0.0
    var originY = 0.0
    var outside = false
    let rowHeight = 16.0

    var width: Double { (entries.map { SVGText.width($0.label, fontSize: 11) }.max() ?? 0) + 34 }
    var height: Double { Double(entries.count) * rowHeight + 8 }
    var box: ChartRect { ChartRect(x: originX, y: originY, width: width, height: height) }

    /// Tries the four inner corners in turn; the first that touches none of `obstacles` wins.
    mutating func place(in plot: ChartRect, avoiding obstacles: [ChartRect]) {
        let inset = 6.0
        let corners = [
            (plot.x + plot.width - width - inset, plot.y + inset),
            (plot.x + inset, plot.y + inset),
            (plot.x + plot.width - width - inset, plot.y + plot.height - height - inset),
            (plot.x + inset, plot.y + plot.height - height - inset),
        ]
        outside = true
        guard width < plot.width / 2, height < plot.height / 2 else { return }
        for corner in corners {
            let candidate = ChartRect(x: corner.0 - 4, y: corner.1 - 4, width: width + 8, height: height + 8)
            if !obstacles.contains(where: candidate.intersects) {
                (originX, originY) = corner
                outside = false
                return
            }
        }
    }

    func svg() -> String {
        let c = SVGText.coordinate
        var out = "<g class=\"legend\">\n"
        if !outside {
            out += "<rect x=\"\(c(originX))\" y=\"\(c(originY))\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.3\"/>\n"
        }
        for (i, entry) in entries.enumerated() {
            let y = originY + 4 + Double(i) * rowHeight + rowHeight / 2
            switch entry.swatch {
            case .marker(let shape, let color):
                out += "<g fill=\"\(color)\" stroke=\"\(color)\">" + XYChart.marker(shape, x: originX + 15, y: y, size: 3.5).dropLast() + "</g>"
            case .line(let dash, let color):
                let dashed = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                out += "<line x1=\"\(c(originX + 4))\" y1=\"\(c(y))\" x2=\"\(c(originX + 26))\" y2=\"\(c(y))\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed)/>"
            case .box(let color):
                out += "<rect x=\"\(c(originX + 9))\" y=\"\(c(y - 5))\" width=\"12\" height=\"10\" fill=\"\(color)\"/>"
            }
            out += "<text x=\"\(c(originX + 30))\" y=\"\(c(y + 4))\" fill=\"currentColor\">\(SVGText.escape(entry.label))</text>\n"
        }
        return out + "</g>\n"
    }
}
