import Charts
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Collects elements of an XML document, failing on anything not well-formed.
final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text: String }
    var elements: [Element] = []
    private var stack: [Int] = []

    static func parse(_ text: String) throws -> [Element] {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "xml", code: 1) }
        return collector.elements
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, text: ""))
        stack.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let top = stack.last { elements[top].text += string }
    }
}

final class XYChartTests: XCTestCase {
    let chart = XYChart(
        style: .scatter,
        series: [.init(name: "gaussian", points: [.init(x: 0.2, y: 0.22), .init(x: 1, y: 1.03), .init(x: 2, y: 2.0)]),
                 .init(name: "ksg", points: [.init(x: 0.2, y: 0.21), .init(x: 1, y: 0.98), .init(x: 2, y: .nan)])],
        title: "", xLabel: "true I(X;Y) (nats)", yLabel: "estimate (nats)", identityLine: true, idPrefix: "t")

    func testStructureMatchesTheData() throws {
        let elements = try XMLCollector.parse(chart.svg())
        XCTAssertEqual(elements.first?.name, "svg")
        XCTAssertEqual(elements.first?.attributes["role"], "img")
        let series = elements.filter { $0.name == "g" && $0.attributes["class"] == "series" }
        XCTAssertEqual(series.map { $0.attributes["data-name"] }, ["gaussian", "ksg"])
        // 3 + 2 finite points, drawn as markers; the NaN is left out and said so.
        let markers = elements.filter { ["circle", "rect", "polygon"].contains($0.name) && $0.attributes["class"] == nil && $0.attributes["fill"] == nil }
        XCTAssertGreaterThanOrEqual(markers.count, 5)
        XCTAssertTrue(elements.first { $0.name == "desc" }!.text.contains("1 point not drawn (non-finite)"))
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "identity" }.count, 1)
        let labels = elements.filter { $0.name == "text" && ($0.attributes["class"] ?? "").hasPrefix("label") }.map(\.text)
        XCTAssertEqual(labels, ["true I(X;Y) (nats)", "estimate (nats)"])
        let xTicks = elements.filter { $0.attributes["class"] == "tick x" }.map(\.text)
        XCTAssertEqual(xTicks, ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        let legend = elements.filter { $0.name == "text" }.map(\.text)
        XCTAssertTrue(legend.contains("gaussian") && legend.contains("ksg"))
    }

    func testSameDataSameBytes() {
        XCTAssertEqual(chart.svg(), chart.svg())
    }

    func testTextIsEscaped() throws {
        let evil = XYChart(style: .line, series: [.init(name: "</svg><script>alert(1)</script>", points: [.init(x: 0, y: 1), .init(x: 1, y: 2)]),
                                                  .init(name: "a & \"b\"", points: [.init(x: 0, y: 0)])],
                           title: "<b onload=x>", xLabel: "x", yLabel: "y")
        let svg = evil.svg()
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertFalse(svg.contains("<b "))
        XCTAssertNoThrow(try XMLCollector.parse(svg))
    }

    func testEmptyAndDegenerateDataStillDraw() throws {
        for series in [[XYChart.Series](), [.init(name: "one", points: [.init(x: 3, y: 3)])],
                       [.init(name: "bad", points: [.init(x: .nan, y: .infinity)])]] {
            let svg = XYChart(style: .line, series: series, title: "t", xLabel: "x", yLabel: "y").svg()
            XCTAssertNoThrow(try XMLCollector.parse(svg))
            XCTAssertFalse(svg.contains("nan") || svg.contains("inf"), svg)
        }
    }

    func testNiceScale() {
        let s = NiceScale(min: 0.2, max: 2.0)
        XCTAssertEqual(s.lower, 0)
        XCTAssertEqual(s.upper, 2.0, accuracy: 1e-12)
        XCTAssertEqual(s.step, 0.5, accuracy: 1e-12)
        let t = NiceScale(min: -0.013, max: 0.025)
        XCTAssertLessThanOrEqual(t.lower, -0.013)
        XCTAssertGreaterThanOrEqual(t.upper, 0.025)
        XCTAssertEqual(t.ticks.map(t.label), ["−0.02", "−0.01", "0.00", "0.01", "0.02", "0.03"])
        let flat = NiceScale(min: 5, max: 5)
        XCTAssertLessThan(flat.lower, 5)
        XCTAssertGreaterThan(flat.upper, 5)
    }
}

final class LogAxisTests: XCTestCase {
    func testLogAxesTickAtDecadesAndDropNonPositiveValues() throws {
        var chart = XYChart(style: .line, series: [.init(name: "loss", points: [
            .init(x: 490, y: 1.89), .init(x: 5_000, y: 1.2), .init(x: 289_000, y: 0.76), .init(x: 0, y: 1), .init(x: 100, y: -1)])],
            title: "", xLabel: "parameters", yLabel: "test loss")
        chart.logX = true
        chart.logY = true
        let elements = try XMLCollector.parse(chart.svg())
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "tick x" }.map(\.text), ["100", "1000", "10000", "1e5", "1e6"])
        XCTAssertTrue(elements.first { $0.name == "desc" }!.text.contains("log scale on x and y"))
        XCTAssertTrue(elements.first { $0.name == "desc" }!.text.contains("2 points not drawn"))
        XCTAssertEqual(elements.filter { $0.name == "polyline" }.count, 1)
    }
}

final class InformationPlaneChartTests: XCTestCase {
    func testPanelsLayersColoursAndColourBar() throws {
        let epochs = [0, 1, 10, 100, 1000]
        let panel = { (name: String) in
            InformationPlaneChart.Panel(title: name, epochs: epochs, layers: [
                .init(name: "L1 (10)", x: [10, 11, 11.5, 11.8, 11.9], y: [0.5, 0.8, 0.9, 0.95, 0.97]),
                .init(name: "L2 (3)", x: [2, 4, 6, 5, 3], y: [0.1, 0.4, 0.8, 0.9, .nan]),
            ])
        }
        let chart = InformationPlaneChart(panels: [panel("tanh"), panel("relu <b>")], xLabel: "I(X;T) (bits)", yLabel: "I(T;Y) (bits)", idPrefix: "p")
        let svg = chart.svg()
        let elements = try XMLCollector.parse(svg)
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "panel" }.map { $0.attributes["data-name"] }, ["tanh", "relu <b>"])
        XCTAssertEqual(elements.filter { $0.attributes["class"] == "layer" }.count, 4)
        // 5 + 4 finite points per panel, coloured from dark (early) to yellow (late).
        let circles = elements.filter { $0.name == "circle" }
        XCTAssertEqual(circles.count, 18)
        XCTAssertEqual(circles.first?.attributes["fill"], Viridis.color(0))
        XCTAssertEqual(circles[4].attributes["fill"], Viridis.color(1))
        XCTAssertEqual(Viridis.color(0), "#440154")
        XCTAssertEqual(Viridis.color(1), "#fde725")
        let barTicks = elements.filter { $0.attributes["class"] == "tick bar" }.map(\.text)
        XCTAssertEqual(barTicks.first, "1000")
        XCTAssertTrue(barTicks.contains("1") && barTicks.contains("10"))
        let labels = elements.filter { $0.name == "text" }.map(\.text)
        XCTAssertTrue(labels.contains("L1 (10)") && labels.contains("I(X;T) (bits)") && labels.contains("I(T;Y) (bits)"))
        XCTAssertFalse(svg.contains("<b>"))
    }

    func testAPlaneOf274EpochsAndSixLayersStaysSmall() {
        let epochs = Array(0..<274)
        let layers = (0..<6).map { l in
            InformationPlaneChart.LayerPath(name: "L\(l + 1)", x: epochs.map { 12 - Double(l) - Double($0) / 100 }, y: epochs.map { Double($0) / 274 })
        }
        let svg = InformationPlaneChart(panels: [.init(title: "tanh", epochs: epochs, layers: layers)], xLabel: "x", yLabel: "y").svg()
        XCTAssertLessThan(svg.utf8.count, 200_000)
    }
}
