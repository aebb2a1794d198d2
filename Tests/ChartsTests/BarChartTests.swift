import Charts
import Foundation
import XCTest

final class BarChartTests: XCTestCase {
    static let chart = BarChart(
        groups: ["gaussian", "ksg", "kl"],
        series: [.init(name: "n = 200", values: [0.48, 0.41, 0.52], low: [0.45, 0.35, 0.40], high: [0.51, 0.47, 0.64]),
                 .init(name: "n = 2000", values: [0.50, 0.47, .nan], low: [0.49, 0.45, .nan], high: [0.51, 0.49, .nan])],
        xLabel: "estimator", yLabel: "I(X;Y) (nats)", idPrefix: "bars")

    func testBarsErrorBarsAndAxisMatchTheData() throws {
        let svg = Self.chart.svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let bars = tree.all("rect", class: "bar")
        // Five finite values, five bars; the NaN is left out.
        XCTAssertEqual(bars.count, 5)
        XCTAssertEqual(bars.map { $0["data-group"] }, ["gaussian", "ksg", "kl", "gaussian", "ksg"])
        XCTAssertEqual(tree.all("g", class: "series").map { $0["fill"] }, [Palette.color(0), Palette.color(1)])
        XCTAssertEqual(tree.all("path", class: "error").count, 5)

        // The value axis starts at zero, and every bar stands on it with a length in proportion.
        let yTicks = tree.all("text").filter { $0.classes == ["tick", "y"] }
        XCTAssertEqual(yTicks.first?.text, "0.0")
        let zero = tree.all("line", class: "zero").first!.number("y1")!
        XCTAssertEqual(zero, yTicks.first!.number("y")! - 4, accuracy: 0.01)
        let values = [0.48, 0.41, 0.52, 0.50, 0.47]
        for (bar, value) in zip(bars, values) {
            XCTAssertEqual(bar.number("y")! + bar.number("height")!, zero, accuracy: 0.02)
            XCTAssertEqual(bar.number("height")! / bars[0].number("height")!, value / 0.48, accuracy: 0.002)
        }
        // Bars of one group sit side by side and do not overlap; groups do not either.
        let boxes = bars.map { SVGTree.box(of: $0)! }.sorted { $0.x0 < $1.x0 }
        for (a, b) in zip(boxes, boxes.dropFirst()) { XCTAssertLessThanOrEqual(a.x1, b.x0 + 0.01) }
        XCTAssertEqual(tree.all("text").filter { $0.classes == ["tick", "x"] }.map(\.text), ["gaussian", "ksg", "kl"])
        XCTAssertTrue(tree.all("desc").first!.text.contains("n = 2000: 0.5, 0.47, none"))
    }

    func testNegativeValuesHangBelowZero() throws {
        let chart = BarChart(groups: ["a", "b"], series: [.init(name: "change", values: [2, -1])], xLabel: "x", yLabel: "y")
        let tree = try SVGTree(chart.svg())
        let zero = tree.all("line", class: "zero").first!.number("y1")!
        let bars = tree.all("rect", class: "bar")
        XCTAssertEqual(bars[0].number("y")! + bars[0].number("height")!, zero, accuracy: 0.01)
        XCTAssertEqual(bars[1].number("y")!, zero, accuracy: 0.01)
        XCTAssertEqual(bars[0].number("height")! / bars[1].number("height")!, 2, accuracy: 0.01)
        XCTAssertTrue(tree.all("g", class: "legend").isEmpty, "one series needs no legend")
    }

    func testLongGroupNamesTurnInsteadOfOverlapping() throws {
        let groups = (1...12).map { "a rather long group name \($0)" }
        let chart = BarChart(groups: groups, series: [.init(name: "s", values: groups.indices.map(Double.init))], xLabel: "x", yLabel: "y")
        let svg = chart.svg()
        try ChartChecks.assertReadable(svg)
        let labels = try SVGTree(svg).all("text").filter { $0.classes == ["tick", "x"] }
        XCTAssertEqual(labels.count, 12)
        XCTAssertTrue(labels.allSatisfy { $0["transform"]?.hasPrefix("rotate(-40") == true })
        // Parallel turned labels are apart when their spacing across the slant exceeds a line.
        let spacing = labels[1].number("x")! - labels[0].number("x")!
        XCTAssertGreaterThan(spacing * sin(40 * Double.pi / 180), 11)
    }

    func testLegendKeepsOffTallBars() throws {
        // Tall bars at both ends and in the middle: no corner is free, so the legend goes below.
        let chart = BarChart(groups: ["a", "b", "c"], series: [.init(name: "first", values: [10, 10, 10]), .init(name: "second", values: [9.8, 9.9, 9.7])],
                             xLabel: "x", yLabel: "y")
        let svg = chart.svg()
        try ChartChecks.assertReadable(svg)
        let tree = try SVGTree(svg)
        let legendTexts = tree.inside(class: "legend").filter { $0.name == "text" }
        XCTAssertEqual(legendTexts.map(\.text), ["first", "second"])
        XCTAssertGreaterThan(legendTexts[0].number("y")!, 400)
        XCTAssertEqual(tree.root.number("height")!, 400 + 2 * 16 + 8 + 8, accuracy: 0.01)
    }

    func testSameDataSameBytesAndEscapedText() throws {
        XCTAssertEqual(Self.chart.svg(), Self.chart.svg())
        let evil = BarChart(groups: ["<script>"], series: [.init(name: "a & b", values: [1]), .init(name: "\"q\"", values: [2])], xLabel: "<b>", yLabel: "y")
        let svg = evil.svg()
        XCTAssertFalse(svg.contains("<script") || svg.contains("<b>"))
        try ChartChecks.assertReadable(svg)
    }
}
