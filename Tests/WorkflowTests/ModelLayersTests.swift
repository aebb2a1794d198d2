import Engine
import Foundation
import Workflow
import XCTest

/// `model` with convolutions, pooling, an input shape and noise: wiring, results and the errors
/// of impossible shapes, each at its line.
final class ModelLayersTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-layers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Runs a notebook of a tishby12 dataset and one model with these extra lines; returns the
    /// status, every printed line and the model's results.
    func run(model lines: String) async throws -> (status: ExitStatus, lines: [String], results: Value?) {
        let notebook = """
        ---
        title: Layers
        seed: 3
        ---

        ```dataset bits
        source: tishby12
        split: {test: 0.15}
        ```

        ```model net
        data: bits
        epochs: 3
        record: {at: [0, 3]}
        \(lines)
        ```

        """
        let path = scratch.appendingPathComponent("layers.md")
        try notebook.write(to: path, atomically: true, encoding: .utf8)
        let printed = CatalogueTests.Lines()
        let result = await Workflow().run(path: path.path, settings: .init(outputRoot: scratch.appendingPathComponent("out"), cacheDirectory: nil)) {
            printed.add($0)
        }
        let json = try? JSON.decode(String(contentsOf: scratch.appendingPathComponent("out/layers/results.json"), encoding: .utf8))
        let model = json?["blocks"]?.arrayValue?.first { $0["id"]?.stringValue == "net" }?["results"]
        return (result.status, printed.lines, model)
    }

    func firstError(_ lines: [String]) -> String {
        lines.first { $0.contains(": error: ") }.map { $0.replacingOccurrences(of: scratch.path + "/", with: "") } ?? "(no error)"
    }

    func testConvolutionalModelTrainsAndRecordsEveryLayer() async throws {
        let (status, lines, results) = try await run(model: """
        shape: [12]
        conv: [4]
        kernel: 3
        pool: 2
        layers: [5]
        noise: {after: [1, 3], scale: 0.001, at_evaluation: true}
        """)
        XCTAssertEqual(status, .success, lines.joined(separator: "\n"))
        // 12 → conv k3 valid: 4 × 10 → pool 2: 4 × 5 → dense 5 → 2 classes.
        XCTAssertEqual(results?["layer_widths"], .array([.int(40), .int(20), .int(5), .int(2)]))
        XCTAssertEqual(results?["parameters"], .int(4 * 3 + 4 + 20 * 5 + 5 + 5 * 2 + 2))
        XCTAssertNotNil(results?["train_loss"]?.doubleValue)
    }

    func testImageConvolutionAndNoiseOnADenseNetwork() async throws {
        // The 12 bits as a 3×4 image: same padding keeps 3×4 (the kernel's extra row and column
        // fall after), pooling by 2 gives 1×2.
        let (status, lines, results) = try await run(model: "shape: [3, 4]\nconv: [3]\nkernel: 2\npadding: same\npool: 2\nlayers: [4]\nactivation: relu")
        XCTAssertEqual(status, .success, lines.joined(separator: "\n"))
        XCTAssertEqual(results?["layer_widths"], .array([.int(36), .int(6), .int(4), .int(2)]))
        XCTAssertEqual(results?["parameters"], .int(3 * 4 + 3 + 6 * 4 + 4 + 4 * 2 + 2))
        let (noisy, noisyLines, noisyResults) = try await run(model: "layers: [6, 4]\nnoise: {after: [1, 2], kind: additive, scale: 0.01}")
        XCTAssertEqual(noisy, .success, noisyLines.joined(separator: "\n"))
        XCTAssertEqual(noisyResults?["layer_widths"], .array([.int(6), .int(4), .int(2)]))
    }

    func testConvolutionWithoutShapeIsAnErrorAtItsLine() async throws {
        let (_, lines, _) = try await run(model: "conv: [4]\nlayers: [5]")
        XCTAssertEqual(firstError(lines),
                       "layers.md:15:7: error: a convolution needs the input's shape: add shape: [length] for signals or shape: [height, width] for images")
    }

    func testKernelLargerThanItsInputIsAnErrorAtTheKernel() async throws {
        let (_, lines, _) = try await run(model: "shape: [12]\nconv: [4, 4]\nkernel: 5\nstride: 2\nlayers: [5]")
        // 12 → (12 − 5)/2 + 1 = 4 positions, too short for a second kernel of 5.
        XCTAssertEqual(firstError(lines), "layers.md:17:9: error: convolution 2: kernel 5 is larger than the input's length 4 (4 channels of length 4)")
    }

    func testPoolingTooLargeAndStrayConvolutionKeys() async throws {
        let (_, pooled, _) = try await run(model: "shape: [12]\nconv: [2]\nkernel: 3\npool: 11\nlayers: [5]")
        XCTAssertEqual(firstError(pooled), "layers.md:18:7: error: the pooling after convolution 1: pool size 11 is larger than the input (2 channels of length 10)")
        let (_, stray, _) = try await run(model: "kernel: 3\nlayers: [5]")
        XCTAssertEqual(firstError(stray), "layers.md:15:9: error: 'kernel' applies only to convolution layers; list their filters in 'conv', e.g. conv: [8, 16]")
    }

    func testShapeNotMatchingTheDataIsAnError() async throws {
        let (status, lines, _) = try await run(model: "shape: [4, 4]\nlayers: [5]")
        XCTAssertNotEqual(status, .success)
        XCTAssertTrue(firstError(lines).contains("the model's input shape (1 channel of 4×4) has 16 values per row, but dataset 'bits' has 12 columns"),
                      firstError(lines))
    }

    func testNoiseAfterTheOutputLayerIsAnError() async throws {
        let (_, lines, _) = try await run(model: "layers: [5, 4]\nnoise: {after: [3]}")
        XCTAssertEqual(firstError(lines), "layers.md:16:8: error: 'after' names layer 3, but the model has 2 hidden layers (the output layer takes no noise)")
    }
}
