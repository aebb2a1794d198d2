import Engine
import Foundation
import Workflow
import XCTest

final class LayerEntropyTests: XCTestCase {
    func testCompressedLayerEntropiesGiveAnInformationPlane() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-layers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("nb.md").path
        try """
        ```dataset digits
        source: mnist1d
        size: 400
        ```

        ```model net
        data: digits
        layers: [16, 8]
        activation: tanh
        noise: {after: [1, 2], scale: 0.001, at_evaluation: true}
        epochs: 4
        batch: 32
        record: {at: [0, 2, 4]}
        ```

        ```estimator plane
        of: net
        method: kl
        k: 5
        compress: {method: pca, dimensions: 3}
        ```

        ```plot fig-plane
        kind: information-plane
        from: plane
        ```
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: nil)
        let result = await Workflow().run(path: path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let model = try XCTUnwrap(result.outcomes["net"]?.output)
        XCTAssertEqual(model.arrays["inputs"]?.shape, [400, 40])
        let plane = try XCTUnwrap(result.outcomes["plane"]?.output?.values)
        XCTAssertEqual(plane["epochs"], [0, 2, 4])
        let ixt = try XCTUnwrap(plane["ixt"]?.arrayValue), ity = try XCTUnwrap(plane["ity"]?.arrayValue)
        XCTAssertEqual(ixt.count, 3, "two hidden layers and the output")
        XCTAssertEqual(plane["compressed"]?["x"]?["dimensions"], 3)
        // tanh layers with noise are continuous: every estimate is made.
        XCTAssertEqual(plane["failed"], 0)
        for layer in ixt + ity { XCTAssertEqual(layer.arrayValue?.compactMap(\.doubleValue).count, 3) }
    }
}
