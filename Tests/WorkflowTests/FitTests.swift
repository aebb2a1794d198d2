import Engine
import Foundation
import ScalingLaws
import Workflow
import XCTest

final class FitTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    let notebook = """
    ---
    seed: 2
    ---

    ```dataset bits
    source: gaussian
    dims: [4, 1]
    size: 300
    ```

    ```model net
    data: bits
    layers: [4]
    loss: mse
    epochs: 15
    batch: 128
    optimizer: {name: adam, lr: 0.01}
    record: {epochs: 2}
    ```

    ```sweep sizes
    template: [bits, net]
    over:
      l2: [0, 0.01]
      layers: [[2], [4], [8], [16], [32]]
    ```

    ```fit laws
    from: sizes
    x: parameters
    y: train_loss
    group: l2
    bootstrap: 10
    extrapolate: 3
    caption: Fitted laws.
    ```

    α without L2: {{ laws.laws.0.alpha }}.
    """

    func testFitsOneLawPerGroupFromASweepsRows() async throws {
        let path = folder.appendingPathComponent("nb.md").path
        try notebook.write(toFile: path, atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: folder.appendingPathComponent("cache"))
        let result = await Workflow().run(path: path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .success)
        let rows = try XCTUnwrap(result.outcomes["sizes"]?.output?.values["points"]?.arrayValue)
        let fit = try XCTUnwrap(result.outcomes["laws"]?.output?.values)
        let laws = try XCTUnwrap(fit["laws"]?.arrayValue)
        XCTAssertEqual(laws.map { $0["group"]?.stringValue }, ["0", "0.01"])
        for (index, l2) in [0.0, 0.01].enumerated() {
            // The block fits exactly the rows of its group, as the library does on them.
            let points = rows.filter { $0["l2"]?.doubleValue == l2 }
                .map { Observation(n: $0["parameters"]!.doubleValue!, loss: $0["train_loss"]!.doubleValue!) }
            XCTAssertEqual(points.count, 5)
            let expected = try XCTUnwrap(LawFitter(law: .power).fit(points))
            let law = laws[index]
            XCTAssertEqual(law["points"]?.intValue, 5)
            XCTAssertEqual(try XCTUnwrap(law["alpha"]?.doubleValue), expected["alpha"], accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(law["E"]?.doubleValue), expected["E"], accuracy: 1e-12)
            XCTAssertLessThanOrEqual(try XCTUnwrap(law["alpha_low"]?.doubleValue), try XCTUnwrap(law["alpha_high"]?.doubleValue))
            XCTAssertNotNil(law["extrapolation_error"]?.doubleValue)
        }
        let html = try String(contentsOf: folder.appendingPathComponent("out/nb/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Table 1.</span> Fitted laws."))
        XCTAssertTrue(html.contains("title=\"{{ laws.laws.0.alpha }}\">\(NumberFormatting.format(laws[0]["alpha"]!.doubleValue!))</span>"))
    }

    func testFitKeysAreCheckedAgainstTheRows() throws {
        let bad = notebook.replacingOccurrences(of: "y: train_loss", with: "y: train_los")
        let text = Workflow().load(text: bad, path: "nb.md").renderedDiagnostics
        XCTAssertTrue(text.contains("nb.md:31:4: error: 'y': sweep 'sizes' has no result 'train_los'"), text)
        XCTAssertTrue(text.contains("did you mean 'train_loss'?"), text)
    }
}

extension FitTests {
    func testALogLogPlotDrawsTheFittedLawsOverTheSweep() async throws {
        let text = notebook + """


        ```plot fig-laws
        kind: loglog
        from: sizes
        x: parameters
        y: train_loss
        series: l2
        fit: laws
        ```
        """
        let path = folder.appendingPathComponent("nb.md").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: folder.appendingPathComponent("cache"))
        let result = await Workflow().run(path: path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .success)
        let chart = try XCTUnwrap(result.outcomes["fig-laws"]?.output?.values["chart"])
        let curves = try XCTUnwrap(chart["curves"]?.arrayValue)
        XCTAssertEqual(curves.count, 2)
        let laws = try XCTUnwrap(result.outcomes["laws"]?.output?.values["laws"]?.arrayValue)
        for (curve, law) in zip(curves, laws) {
            // Each curve is its law, sampled over the sizes drawn, in the colour of its series.
            let (e, a, alpha) = (law["E"]!.doubleValue!, law["A"]!.doubleValue!, law["alpha"]!.doubleValue!)
            for (x, y) in zip(curve["x"]!.arrayValue!, curve["y"]!.arrayValue!) {
                XCTAssertEqual(y.doubleValue!, e + a * pow(x.doubleValue!, -alpha), accuracy: 1e-12)
            }
            XCTAssertNotNil(curve["series"]?.stringValue)
        }
        let svg = try String(contentsOf: folder.appendingPathComponent("out/nb/figures/fig-laws.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("α = "))
    }
}
