import Engine
import Workflow
import XCTest

/// `wkl`, `compress` and `bootstrap` wired through the estimator block.
final class EstimatorOptionTests: XCTestCase {
    func outputs(_ text: String) async throws -> [String: BlockOutput] {
        let loaded = Workflow().load(text: text, path: "o.md")
        let graph = try XCTUnwrap(loaded.graph, loaded.renderedDiagnostics)
        let outcomes = await Runner(graph: graph, cache: nil, options: RunOptions(jobs: 1)).run()
        return outcomes.compactMapValues(\.output)
    }

    func testWeightedKLCompressionAndBootstrapResults() async throws {
        let text = """
        ```dataset g
        source: gaussian
        size: 1500
        mi: 1
        dims: [2, 2]
        ```

        ```estimator w
        of: g
        method: wkl
        k: 5
        bootstrap: {samples: 20, level: 0.9}
        ```

        ```estimator p
        of: g
        method: gaussian
        compress: {method: pca, dimensions: 1}
        ```

        ```estimator plain
        of: g
        method: ksg
        ```
        """
        let out = try await outputs(text)
        let w = try XCTUnwrap(out["w"]?.values)
        let mi = try XCTUnwrap(w["mi"]?.doubleValue), low = try XCTUnwrap(w["low"]?.doubleValue), high = try XCTUnwrap(w["high"]?.doubleValue)
        XCTAssertEqual(mi, 1, accuracy: 0.15)
        XCTAssertTrue(low < mi && mi < high, "\(low) \(mi) \(high)")
        let p = try XCTUnwrap(out["p"]?.values)
        XCTAssertEqual(p["compressed"]?["x"]?["dimensions"]?.intValue, 1)
        let explained = try XCTUnwrap(p["compressed"]?["y"]?["explained_variance"]?.doubleValue)
        XCTAssertTrue(explained > 0.4 && explained < 1, "\(explained)")
        // One of two equally informative dimensions kept per side: about half the information.
        XCTAssertLessThan(try XCTUnwrap(p["mi"]?.doubleValue), 0.75)
        // Without the new keys nothing new appears.
        let plain = try XCTUnwrap(out["plain"]?.values)
        XCTAssertNil(plain["low"])
        XCTAssertNil(plain["compressed"])
    }

    func testBadOptionsAreReportedAtTheirLines() {
        let text = """
        ```dataset g
        source: gaussian
        ```

        ```estimator a
        of: g
        method: ksg
        compress: {method: pca, dimensions: 0}
        bootstrap: {level: 2}
        ```

        ```estimator b
        of: g
        method: cs
        compress: pca
        ```
        """
        let rendered = Workflow().load(text: text, path: "o.md").renderedDiagnostics
        XCTAssertTrue(rendered.contains("o.md:8:37: error: 'dimensions' must be at least 1, found 0"), rendered)
        XCTAssertTrue(rendered.contains("o.md:9:20: error: 'level' must be at most 0.999, found 2"), rendered)
        XCTAssertTrue(rendered.contains("missing required key 'samples'"), rendered)
        XCTAssertTrue(rendered.contains("o.md:15:1: error: 'compress' applies only when method is gaussian or ksg or kl or wkl"), rendered)
    }
}
