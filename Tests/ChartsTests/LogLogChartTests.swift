import Charts
import Foundation
import XCTest

/// Two scaling laws, the points they were measured at, and where the two cross.
enum ScalingFixture {
    static let sizes: [Double] = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6]
    @Sendable static func tanh(_ n: Double) -> Double { 1.0 + 30 * pow(n, -0.3) }
    @Sendable static func relu(_ n: Double) -> Double { 0.5 + 300 * pow(n, -0.45) }

    /// Where relu's law falls below tanh's, by bisection on log N.
    static var crossing: Double {
        var lo = 1.0, hi = 8.0
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if relu(pow(10, mid)) > tanh(pow(10, mid)) { lo = mid } else { hi = mid }
        }
        return pow(10, (lo + hi) / 2)
    }

    static var chart: LogLogChart {
        let n = crossing
        return LogLogChart(
            series: [.init(name: "tanh", points: sizes.map { .init(x: $0, y: tanh($0) * 1.01) }),
                     .init(name: "relu", points: sizes.map { .init(x: $0, y: relu($0) * 0.99) } + [.init(x: 0, y: 1), .init(x: 10, y: -2)])],
            curves: [.init(label: "1 + 30·N^−0.3", series: "tanh", tanh),
                     .init(label: "0.5 + 300·N^−0.45", series: "relu", relu)],
            crossovers: [.init(x: n, y: tanh(n), label: "N* = \(Int(n.rounded()))")],
            xLabel: "parameters N", yLabel: "test loss", idPrefix: "ll")
    }
}

final class LogLogChartTests: XCTestCase {
    /// The exponent a decade label stands for: "1000" → 3, "1e5" → 5, "0.01" → −2.
    func exponent(_ label: String) -> Double {
        let plain = label.replacingOccurrences(of: "−", with: "-")
        if let e = plain.range(of: "e") { return Double(plain[e.upperBound...])! }
        return log10(Double(plain)!)
    }

    func testPointsCurvesAndCrossoverMatchTheData() throws {
        let svg = ScalingFixture.chart.svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let series = tree.all("g", class: "series")
        XCTAssertEqual(series.map { $0["data-name"] }, ["tanh", "relu"])
        // 7 markers each: relu's 0 and −2 cannot be drawn on log axes, and the description says so.
        XCTAssertEqual(series.map { $0.children.count }, [7, 7])
        let desc = tree.all("desc").first!.text
        XCTAssertTrue(desc.contains("2 points not drawn"), desc)
        XCTAssertTrue(desc.contains("fitted: 1 + 30·N^−0.3; 0.5 + 300·N^−0.45"), desc)
        XCTAssertTrue(desc.contains("crossovers: N* = "), desc)

        // Decades on x from 10^3 to 10^6, with eight minor ticks in each.
        let xTicks = tree.all("text", class: "tick").filter { $0.classes.contains("x") }
        XCTAssertEqual(xTicks.map(\.text), ["1000", "10000", "1e5", "1e6"])
        let minor = tree.inside(class: "minor").filter { $0.name == "line" }
        let yDecades = tree.all("text").filter { $0.classes == ["tick", "y"] }.map(\.text)
        XCTAssertEqual(yDecades, ["1", "10", "100"])
        XCTAssertEqual(minor.count, 3 * 8 + 2 * 8)

        // Curves sampled over the whole axis, in their series' colours, with different dashes.
        let curves = tree.all("polyline", class: "curve")
        XCTAssertEqual(curves.map { $0["data-name"] }, ["1 + 30·N^−0.3", "0.5 + 300·N^−0.45"])
        XCTAssertEqual(curves.map { $0["stroke"] }, [Palette.color(0), Palette.color(1)])
        XCTAssertNotEqual(curves[0]["stroke-dasharray"], curves[1]["stroke-dasharray"])
        XCTAssertEqual(curves[0]["points"]?.split(separator: " ").count, 97)

        // Page positions back to data through the axis labels: each curve passes through its law.
        let xs = xTicks.map { (exponent($0.text), $0.number("x")!) }
        func dataX(_ px: Double) -> Double { xs[0].0 + (px - xs[0].1) / (xs[1].1 - xs[0].1) * (xs[1].0 - xs[0].0) }
        let ring = tree.inside(class: "crossover").first { $0.name == "circle" }!
        let (cx, cy) = (ring.number("cx")!, ring.number("cy")!)
        XCTAssertEqual(pow(10, dataX(cx)), ScalingFixture.crossing, accuracy: ScalingFixture.crossing * 0.01)
        for curve in curves {
            let points = curve["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
            let i = points.firstIndex { $0[0] >= cx }!
            let (a, b) = (points[i - 1], points[i])
            let y = a[1] + (cx - a[0]) / (b[0] - a[0]) * (b[1] - a[1])
            XCTAssertEqual(y, cy, accuracy: 1.5, "the crossover ring sits on \(curve["data-name"]!)")
        }
        let label = tree.inside(class: "crossover").first { $0.name == "text" }!
        XCTAssertEqual(label.text, "N* = \(Int(ScalingFixture.crossing.rounded()))")
    }

    func testLegendListsSeriesAndCurves() throws {
        let tree = try SVGTree(ScalingFixture.chart.svg())
        let legend = tree.inside(class: "legend").filter { $0.name == "text" }.map(\.text)
        XCTAssertEqual(legend, ["tanh", "relu", "1 + 30·N^−0.3", "0.5 + 300·N^−0.45"])
    }

    func testSameDataSameBytes() {
        XCTAssertEqual(ScalingFixture.chart.svg(), ScalingFixture.chart.svg())
    }

    func testManyDecadesThinTheLabelsAndDropMinorTicks() throws {
        let points = (-6...9).map { LogLogChart.Point(x: pow(10, Double($0)), y: pow(10, Double($0) / 2)) }
        let svg = LogLogChart(series: [.init(name: "wide", points: points)], xLabel: "x", yLabel: "y").svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let labels = tree.all("text").filter { $0.classes == ["tick", "x"] }.map(\.text)
        XCTAssertLessThan(labels.count, 16)
        XCTAssertEqual(labels.first, "1e−6")
        XCTAssertTrue(tree.inside(class: "minor").filter { $0.name == "line" }.count < 15 * 8)
        // Every decade still gets its grid line.
        XCTAssertEqual(tree.inside(class: "grid").filter { $0.name == "line" && $0["x1"] == $0["x2"] }.count, 16)
    }

    func testOneDecadeLabelsTwoAndFive() throws {
        let svg = LogLogChart(series: [.init(name: "s", points: [.init(x: 1.5, y: 3), .init(x: 8, y: 4)])], xLabel: "x", yLabel: "y").svg()
        try ChartChecks.assertReadable(svg)
        let labels = try SVGTree(svg).all("text").filter { $0.classes == ["tick", "x"] }.map(\.text)
        XCTAssertEqual(labels, ["1", "2", "5", "10"])
    }

    func testNothingDrawableStillGivesAValidChart() throws {
        for series in [[LogLogChart.Series](), [.init(name: "bad", points: [.init(x: -1, y: 2), .init(x: .nan, y: 1)])]] {
            let svg = LogLogChart(series: series, crossovers: [.init(x: 0, y: 1, label: "never")], xLabel: "x", yLabel: "y").svg()
            try ChartChecks.assertReadable(svg)
            XCTAssertTrue(try SVGTree(svg).all("g", class: "crossover").isEmpty)
        }
    }

    func testCrossoverLabelsNeverOverlapEachOther() throws {
        var chart = ScalingFixture.chart
        chart.crossovers = (0..<4).map { .init(x: 3e4 * (1 + Double($0) * 0.02), y: 2, label: "crossing number \($0)") }
        let tree = try SVGTree(chart.svg())
        let boxes = tree.inside(class: "crossover").filter { $0.name == "text" }.compactMap(SVGTree.box(ofText:))
        XCTAssertEqual(boxes.count, 4)
        for i in boxes.indices { for j in boxes.indices where i < j { XCTAssertFalse(boxes[i].intersects(boxes[j]), "\(boxes[i]) \(boxes[j])") } }
        try ChartChecks.assertReadable(chart.svg())
    }
}

final class LogLogJoinedPointsTests: XCTestCase {
    func testJoinedPointsKeepTheLegendOffTheirLines() throws {
        // Two long diagonal lines through the corners: the legend must find a free corner or go below.
        let up = (0...20).map { LogLogChart.Point(x: pow(10, Double($0) / 5), y: pow(10, Double($0) / 10)) }
        let down = (0...20).map { LogLogChart.Point(x: pow(10, Double($0) / 5), y: pow(10, 2 - Double($0) / 10)) }
        var chart = LogLogChart(series: [.init(name: "up", points: up), .init(name: "down", points: down)], xLabel: "x", yLabel: "y")
        chart.connectPoints = true
        let svg = chart.svg()
        try ChartChecks.assertReadable(svg)
        XCTAssertEqual(try SVGTree(svg).inside(class: "series").filter { $0.name == "polyline" }.count, 2)
    }
}
