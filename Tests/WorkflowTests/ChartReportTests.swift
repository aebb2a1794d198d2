import Engine
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Workflow
import XCTest

/// The report of a notebook with every kind of chart, read as a browser and a screen reader would.
final class ChartReportTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-charts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    func render(_ notebook: String) async throws -> (Workflow.RunResult, URL) {
        let settings = Workflow.Settings(outputRoot: scratch.appendingPathComponent("out"), cacheDirectory: nil,
                                         run: RunOptions(jobs: 2, force: false), overrides: [])
        let result = await Workflow().run(path: notebook, settings: settings) { _ in }
        return (result, scratch.appendingPathComponent("out/\(URL(fileURLWithPath: notebook).deletingPathExtension().lastPathComponent)"))
    }

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    /// Well-formed HTML5 as far as a test can tell: non-void tags balanced, ids unique,
    /// in-page links land, inline SVGs parse as XML.
    static func assertWellFormed(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") || html.hasPrefix("<!doctype html>"), "no doctype", file: file, line: line)
        var stack: [String] = []
        var ids: [String] = []
        var targets: [String] = []
        for tag in WorkflowTests.tags(in: html) where !tag.hasPrefix("<!") {
            let body = tag.dropFirst().dropLast()
            let closing = body.hasPrefix("/")
            let name = String(body.drop { $0 == "/" }.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }).lowercased()
            if closing {
                guard let open = stack.popLast() else { XCTFail("</\(name)> closes nothing", file: file, line: line); return }
                if open != name { XCTFail("</\(name)> closes <\(open)>", file: file, line: line); return }
                continue
            }
            for (key, list) in [("id", 0), ("href", 1)] {
                guard let range = tag.range(of: " \(key)=\"") else { continue }
                let value = String(tag[range.upperBound...].prefix { $0 != "\"" })
                if list == 0 { ids.append(value) } else if value.hasPrefix("#") { targets.append(String(value.dropFirst())) }
            }
            if !voidElements.contains(name) && !body.hasSuffix("/") { stack.append(name) }
        }
        XCTAssertEqual(stack, [], "tags left open", file: file, line: line)
        let duplicates = Dictionary(grouping: ids, by: { $0 }).filter { $1.count > 1 }.keys.sorted()
        XCTAssertEqual(duplicates, [], "duplicate ids", file: file, line: line)
        for target in Set(targets) { XCTAssertTrue(ids.contains(target), "href=\"#\(target)\" has no target", file: file, line: line) }
        var rest = Substring(html)
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            let svg = String(rest[start.lowerBound..<end.upperBound])
            XCTAssertNoThrow(try XMLParserCheck.parse(svg), "an inline SVG is not XML", file: file, line: line)
            rest = rest[end.upperBound...]
        }
    }

    func testEveryChartKindRendersAValidReport() async throws {
        let (result, folder) = try await render(fixtures.appendingPathComponent("charts.md").path)
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        Self.assertWellFormed(html)
        // Four plots and the model's own figure (its learning curves), third in the page.
        XCTAssertEqual(html.components(separatedBy: "<figure id=").count - 1, 5)
        for link in ["#figure-1", "#figure-2", "#figure-4", "#figure-5", "#block-small"] { XCTAssertTrue(html.contains("href=\"\(link)\""), link) }

        let figures = folder.appendingPathComponent("figures")
        let bars = try String(contentsOf: figures.appendingPathComponent("fig-bars.svg"), encoding: .utf8)
        // Two methods by two sizes; the error bars from truth to estimate.
        XCTAssertEqual(bars.components(separatedBy: "class=\"bar\"").count - 1, 4)
        XCTAssertEqual(bars.components(separatedBy: "class=\"error\"").count - 1, 4)
        let loglog = try String(contentsOf: figures.appendingPathComponent("fig-sizes.svg"), encoding: .utf8)
        XCTAssertTrue(loglog.contains("Log-log chart of mi (nats) against samples (nats)") || loglog.contains("Log-log chart of mi"), loglog)
        XCTAssertTrue(loglog.contains(">100<") && loglog.contains(">10000<"), "decade ticks 100…10000")
        let band = try String(contentsOf: figures.appendingPathComponent("fig-band.svg"), encoding: .utf8)
        XCTAssertEqual(band.components(separatedBy: "class=\"band\"").count - 1, 1)
        let plane = try String(contentsOf: figures.appendingPathComponent("fig-plane.svg"), encoding: .utf8)
        XCTAssertEqual(plane.components(separatedBy: "class=\"bound\"").count - 1, 3)
        XCTAssertGreaterThan(plane.components(separatedBy: "class=\"arrow\"").count - 1, 0)

        let md = try String(contentsOf: folder.appendingPathComponent("index.md"), encoding: .utf8)
        for name in ["fig-bars", "fig-sizes", "fig-band", "fig-plane"] { XCTAssertTrue(md.contains("figures/\(name).svg"), name) }
    }

    func testTheQuickstartReportIsWellFormed() throws {
        let html = try String(contentsOf: packageRoot.appendingPathComponent("Output/quickstart/index.html"), encoding: .utf8)
        Self.assertWellFormed(html)
    }

    func testBadChartSpecsAreCaughtBeforeRunning() throws {
        func diagnostics(_ plot: String) -> String {
            let text = """
            ```dataset d
            source: gaussian
            ```

            ```estimator e
            of: d
            method: gaussian
            ```

            ```plot p
            \(plot)
            ```
            """
            return Workflow().load(text: text, path: "bad.md").renderedDiagnostics
        }
        XCTAssertTrue(diagnostics("kind: line\nfrom: e\nx: truth\ny: mi\nlower: truth").contains("bad.md:15:8: error: 'lower' needs 'upper' too"),
                      diagnostics("kind: line\nfrom: e\nx: truth\ny: mi\nlower: truth"))
        XCTAssertTrue(diagnostics("kind: bar\nfrom: e\nx: method\ny: mi\nlower: truth\nupper: mu").contains("'upper': estimator 'e' has no result 'mu'"))
        XCTAssertTrue(diagnostics("kind: scatter\nfrom: e\nx: truth\ny: mi\nlower: truth\nupper: mi").contains("'lower' applies only when kind is line or bar"))
        XCTAssertTrue(diagnostics("kind: loglog\nfrom: e\nx: truth\ny: mi\narrows: true").contains("'arrows' applies only when kind is information-plane"))
        XCTAssertTrue(diagnostics("kind: loglog\nfrom: e\ny: mi").contains("missing required key 'x'"))
    }

    func testBoundsNeedKDE() async throws {
        let text = try String(contentsOf: fixtures.appendingPathComponent("model.md"), encoding: .utf8)
            .replacingOccurrences(of: "caption: Plane.", with: "bounds: true\ncaption: Plane.")
        let loaded = Workflow().load(text: text, path: "model.md")
        XCTAssertNil(loaded.graph)
        XCTAssertTrue(loaded.renderedDiagnostics.contains("'bounds' shades between the kde bounds, but 'bins' uses method binning"), loaded.renderedDiagnostics)
    }
}

/// Parses a string as XML, throwing what the parser found wrong.
enum XMLParserCheck {
    static func parse(_ text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        guard parser.parse() else { throw parser.parserError ?? NSError(domain: "xml", code: 1) }
    }
}
