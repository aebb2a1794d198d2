import Engine
import Foundation
import Workflow
import XCTest

final class CauchySchwarzModelTests: XCTestCase {
    func testCSDivergenceAndBottleneckTrainAndReportRegressionErrors() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-cs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("nb.md").path
        try """
        ```dataset f
        source: friedman1
        size: 400
        standardize: both
        ```

        ```model net
        data: f
        layers: [12, 6]
        activation: relu
        loss: cs-divergence
        optimizer: {name: adam, lr: 0.003}
        batch: 64
        epochs: 15
        record: {keep: false}
        ```

        ```sweep betas
        template: net
        over:
          ib.beta: [0, 1]
        ```
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: nil)
        let result = await Workflow().run(path: path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let rows = try XCTUnwrap(result.outcomes["betas"]?.output?.values["points"]?.arrayValue)
        XCTAssertEqual(rows.count, 2)
        let yStd = try XCTUnwrap(result.outcomes["f"]?.output?.values["standardized"]?["y_std"]?.arrayValue?.first?.doubleValue)
        for row in rows {
            let rmse = try XCTUnwrap(row["test_rmse"]?.doubleValue), mae = try XCTUnwrap(row["test_mae"]?.doubleValue)
            XCTAssertLessThanOrEqual(mae, rmse)
            // In the units of y: the test MSE (standardised units) times the variance of y.
            XCTAssertEqual(rmse, (try XCTUnwrap(row["test_loss"]?.doubleValue)).squareRoot() * yStd, accuracy: 1e-4 * rmse)
            XCTAssertNotNil(row["ixt_cs"]?.doubleValue)
        }
        // A strong compression term keeps less about x in t.
        XCTAssertLessThan(try XCTUnwrap(rows[1]["ixt_cs"]?.doubleValue), try XCTUnwrap(rows[0]["ixt_cs"]?.doubleValue))
        let first = try XCTUnwrap(result.outcomes["net[ib.beta=0]"]?.output)
        XCTAssertNil(first.arrays["layer1"], "record keep: false keeps no recordings")
    }

    func testBottleneckNeedsADenseNetworkAndAHiddenLayer() {
        let text = """
        ```dataset f
        source: friedman1
        ```

        ```model net
        data: f
        layers: [4]
        loss: cs-divergence
        ib: {beta: 0.1, layer: 3}
        ```
        """
        let diagnostics = Workflow().load(text: text, path: "nb.md").renderedDiagnostics
        XCTAssertTrue(diagnostics.contains("nb.md:9:5: error: 'ib': layer 3 is not a hidden layer; the model has 1"), diagnostics)
    }
}
