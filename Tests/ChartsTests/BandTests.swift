import Charts
import Foundation
import XCTest

final class LineBandTests: XCTestCase {
    static let chart: XYChart = {
        let epochs = (0..<30).map(Double.init)
        func curve(_ scale: Double) -> [XYChart.Point] { epochs.map { .init(x: $0, y: scale * exp(-$0 / 10)) } }
        return XYChart(style: .line, series: [
            .init(name: "tanh", points: curve(2), lower: epochs.map { 2 * exp(-$0 / 10) - 0.3 }, upper: epochs.map { 2 * exp(-$0 / 10) + 0.4 }),
            .init(name: "relu", points: curve(1)),
        ], title: "", xLabel: "epoch", yLabel: "test loss", idPrefix: "band")
    }()

    func testBandSurroundsItsLineAndWidensTheAxis() throws {
        let svg = Self.chart.svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let bands = tree.all("polygon", class: "band")
        XCTAssertEqual(bands.count, 1, "only tanh has a band")
        XCTAssertTrue(tree.isInside(bands[0], class: "series"))
        XCTAssertEqual(tree.nodes[bands[0].parent!]["data-name"], "tanh")
        // Upper edge forwards, lower edge back: 60 corners for 30 points.
        let corners = bands[0]["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        XCTAssertEqual(corners.count, 60)
        // The top of the band (2.4 at epoch 0) fits on the y axis: a tick at or above it.
        let yTicks = tree.all("text").filter { $0.classes == ["tick", "y"] }.compactMap { Double($0.text.replacingOccurrences(of: "−", with: "-")) }
        XCTAssertGreaterThanOrEqual(yTicks.max()!, 2.4)
        XCTAssertLessThanOrEqual(yTicks.min()!, -0.3 + 2 * exp(-2.9))
        // The line runs inside the band at every epoch.
        let line = tree.inside(class: "series").first { $0.name == "polyline" }!
        let linePoints = line["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        for (i, p) in linePoints.enumerated() {
            XCTAssertLessThan(corners[i][1], p[1], "upper edge above the line (smaller y on the page)")
            XCTAssertGreaterThan(corners[59 - i][1], p[1])
        }
        XCTAssertTrue(tree.all("desc").first!.text.contains("shaded band from lower to upper around tanh"))
    }

    func testWithoutBandsTheChartIsAsBefore() {
        var plain = Self.chart
        plain.series[0].lower = nil
        plain.series[0].upper = nil
        XCTAssertFalse(plain.svg().contains("class=\"band\""))
        XCTAssertEqual(plain.svg(), XYChart(style: .line, series: plain.series.map { .init(name: $0.name, points: $0.points) }, title: "", xLabel: "epoch", yLabel: "test loss", idPrefix: "band").svg())
    }
}

final class InformationPlaneBoundsTests: XCTestCase {
    static func plane(epochs: Int, layers: Int, bounds: Bool, arrows: Bool) -> InformationPlaneChart {
        let e = Array(0..<epochs)
        let paths = (0..<layers).map { l in
            let x = e.map { 2 + Double(l) + 3 * Double($0) / Double(epochs) }
            let y = e.map { 0.2 + 0.6 * Double($0) / Double(epochs) }
            return InformationPlaneChart.LayerPath(name: "L\(l + 1)", x: x, y: y,
                                                   xLower: bounds ? x.map { $0 - 0.8 } : nil, yLower: bounds ? y.map { $0 - 0.1 } : nil)
        }
        var chart = InformationPlaneChart(panels: [.init(title: "tanh", epochs: e, layers: paths)], xLabel: "I(X;T)", yLabel: "I(T;Y)", idPrefix: "pb")
        chart.arrows = arrows
        return chart
    }

    func testBoundsAreShadedBetweenTheTwoPaths() throws {
        let svg = Self.plane(epochs: 20, layers: 3, bounds: true, arrows: false).svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let regions = tree.all("polygon", class: "bound")
        XCTAssertEqual(regions.count, 3)
        XCTAssertEqual(regions.map { $0["fill"] }, (0..<3).map(Palette.color))
        XCTAssertEqual(tree.all("polyline", class: "lower").count, 3)
        XCTAssertEqual(regions[0]["points"]!.split(separator: " ").count, 40)
        // The axis reaches down to the lowest lower bound (x = 2 − 0.8).
        let xTicks = tree.all("text").filter { $0.classes == ["tick", "x"] }.compactMap { Double($0.text) }
        XCTAssertLessThanOrEqual(xTicks.min()!, 1.2)
        XCTAssertTrue(tree.all("desc").first!.text.contains("Shaded"))
        XCTAssertEqual(tree.all("rect").filter { ($0["fill"] ?? "").hasPrefix("url(#pb-bar)") }.count, 1, "colour bar")
    }

    func testArrowsPointTheWayTimeRuns() throws {
        let svg = Self.plane(epochs: 20, layers: 2, bounds: false, arrows: true).svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let arrows = tree.all("polygon", class: "arrow")
        XCTAssertEqual(arrows.count, 8, "four per layer")
        // Paths run right and up (x and y grow with the epoch): the tip is the corner furthest right.
        for arrow in arrows {
            let corners = arrow["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
            XCTAssertEqual(corners[0][0], corners.map { $0[0] }.max()!)
            XCTAssertEqual(corners[0][1], corners.map { $0[1] }.min()!)
        }
        XCTAssertTrue(Self.plane(epochs: 20, layers: 2, bounds: false, arrows: false).svg().contains("arrow") == false)
    }

    func testA274EpochSixLayerPlaneWithBoundsAndArrowsStaysSmall() throws {
        let svg = Self.plane(epochs: 274, layers: 6, bounds: true, arrows: true).svg()
        XCTAssertLessThan(svg.utf8.count, 200_000)
        try ChartChecks.assertReadable(svg)
        XCTAssertEqual(try SVGTree(svg).all("circle").count, 274 * 6)
    }
}
