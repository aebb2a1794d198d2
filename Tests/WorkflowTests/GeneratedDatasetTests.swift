import Engine
import Foundation
import Workflow
import XCTest

/// The procedural sources (mnist1d, gaussian-images, friedman1) and `standardize`, wired
/// through a notebook: defaults, results, errors before running, and seeded bytes.
final class GeneratedDatasetTests: XCTestCase {
    func outcomes(_ text: String) async throws -> [String: BlockOutput] {
        let loaded = Workflow().load(text: text, path: "g.md")
        let graph = try XCTUnwrap(loaded.graph, loaded.renderedDiagnostics)
        let outcomes = await Runner(graph: graph, cache: nil, options: RunOptions(jobs: 1)).run()
        var outputs: [String: BlockOutput] = [:]
        for (id, outcome) in outcomes {
            if case .failed(let message) = outcome.status { XCTFail("\(id): \(message)") }
            outputs[id] = outcome.output
        }
        return outputs
    }

    func testMNIST1DDefaultsToFourThousandTrainAndOneThousandTestAndTrains() async throws {
        let out = try await outcomes("""
        ```dataset digits
        source: mnist1d
        ```

        ```model net
        data: digits
        layers: [8]
        epochs: 1
        record: {epochs: 1}
        ```
        """)
        let digits = try XCTUnwrap(out["digits"])
        XCTAssertEqual(digits.values["samples"], 5000)
        XCTAssertEqual(digits.values["train"], 4000)
        XCTAssertEqual(digits.values["test"], 1000)
        XCTAssertEqual(digits.values["classes"], 10)
        XCTAssertEqual(digits.values["x_dims"], 40)
        XCTAssertEqual(digits.arrays["x"]?.shape, [5000, 40])
        // Stratified: 100 test rows of each class.
        let labels = try XCTUnwrap(digits.arrays["labels"]?.values)
        let test = try XCTUnwrap(digits.arrays["test_index"]?.values).map { Int($0) }
        for c in 0..<10 { XCTAssertEqual(test.filter { labels[$0] == Double(c) }.count, 100) }
        XCTAssertNotNil(out["net"]?.values["test_accuracy"]?.doubleValue)
    }

    func testGaussianImagesCarryTheirTruthToAnEstimator() async throws {
        let text = """
        ```dataset pictures
        source: gaussian-images
        size: 300
        mi: 2
        shape: rectangles
        image: 32
        images: x
        ```

        ```estimator est
        of: pictures
        method: ksg
        ```
        """
        let out = try await outcomes(text)
        let pictures = try XCTUnwrap(out["pictures"])
        XCTAssertEqual(pictures.values["mi"], 2.0)
        XCTAssertEqual(pictures.values["x_dims"], 1024)
        XCTAssertEqual(pictures.values["y_dims"], 4)
        XCTAssertEqual(pictures.arrays["x"]?.shape, [300, 1024])
        XCTAssertEqual(pictures.arrays["y"], pictures.arrays["y_latent"])
        XCTAssertEqual(pictures.values["train"], 240)
        XCTAssertEqual(out["est"]?.values["truth"], 2.0)
        // Same seed, same bytes.
        let again = try await outcomes(text)
        XCTAssertEqual(again["pictures"]?.arrays["x"], pictures.arrays["x"])
    }

    func testStudentTAndSparsePairsCarryTheirTruthToEstimators() async throws {
        let text = """
        ```dataset heavy
        source: student-t
        dims: [2, 3]
        dof: 4
        correlation: 0.6
        active: 1
        size: 400
        ```

        ```dataset sparse
        source: gaussian
        dims: [25, 25]
        active: 2
        mi: 1.5
        size: 300
        ```

        ```estimator on-heavy
        of: heavy
        method: ksg
        ```

        ```estimator on-sparse
        of: sparse
        method: gaussian
        ```
        """
        let out = try await outcomes(text)
        let heavy = try XCTUnwrap(out["heavy"])
        // The Gaussian part of one active pair, plus the Student-t part (checked in LearningTests).
        let gaussianPart = try XCTUnwrap(heavy.values["gaussian_mi"]?.doubleValue)
        let tailPart = try XCTUnwrap(heavy.values["tail_mi"]?.doubleValue)
        let truth = try XCTUnwrap(heavy.values["mi"]?.doubleValue)
        XCTAssertEqual(gaussianPart, -0.5 * log(1 - 0.36), accuracy: 1e-15)
        XCTAssertGreaterThan(tailPart, 0.05)
        XCTAssertEqual(truth, gaussianPart + tailPart, accuracy: 1e-15)
        XCTAssertEqual(heavy.values["dof"], 4.0)
        XCTAssertEqual(heavy.values["correlation"], 0.6)
        XCTAssertEqual(heavy.arrays["x"]?.shape, [400, 2])
        XCTAssertEqual(heavy.arrays["y"]?.shape, [400, 3])
        XCTAssertEqual(out["on-heavy"]?.values["truth"]?.doubleValue, truth)
        let sparse = try XCTUnwrap(out["sparse"])
        XCTAssertEqual(sparse.values["mi"], 1.5)
        XCTAssertEqual(sparse.values["correlation"]?.doubleValue ?? .nan, (1 - exp(-1.5)).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(out["on-sparse"]?.values["truth"], 1.5)
        // Same seed, same bytes.
        let again = try await outcomes(text)
        XCTAssertEqual(again["heavy"]?.arrays["x"], heavy.arrays["x"])
        XCTAssertEqual(again["sparse"]?.arrays["y"], sparse.arrays["y"])
    }

    func testStudentTAndActiveKeysAreCheckedBeforeRunning() {
        let text = """
        ```dataset a
        source: gaussian
        dims: [4, 2]
        active: 3
        ```

        ```dataset b
        source: student-t
        dof: 0.1
        correlation: 1
        ```

        ```dataset c
        source: gaussian
        dof: 3
        ```

        ```dataset d
        source: student-t
        mi: 1
        ```
        """
        let loaded = Workflow().load(text: text, path: "bad.md")
        XCTAssertNil(loaded.graph)
        let rendered = loaded.renderedDiagnostics
        for expected in [
            "bad.md:4:9: error: 'active' must be at most min(dx, dy) = 2 for dims [4, 2], found 3",
            "bad.md:9:6: error: 'dof' must be at least 0.5",
            "bad.md:10:14: error: 'correlation' must be at most 0.9999",
            "bad.md:15:1: error: 'dof' applies only when source is student-t",
            "bad.md:20:1: error: 'mi' applies only when source is gaussian or gaussian-images",
        ] {
            XCTAssertTrue(rendered.contains(expected), "missing \(expected) in\n\(rendered)")
        }
    }

    func testStandardizeUsesTheTrainingRowsAndRecordsHowToUndoIt() async throws {
        let plain = "```dataset f\nsource: friedman1\nsize: 200\nfeatures: 6\nsplit: 0.25\n```\n"
        let rawRun = try await outcomes(plain)
        let raw = try XCTUnwrap(rawRun["f"])
        XCTAssertNil(raw.values["standardized"])
        let otherRun = try await outcomes(plain + "```dataset g\nsource: gaussian\nsize: 50\nstandardize: x\n```\n")
        let scaled = try XCTUnwrap(otherRun["f"])
        XCTAssertEqual(scaled.arrays["x"], raw.arrays["x"], "standardize on another block changes nothing here")

        let scaledRun = try await outcomes(plain.replacingOccurrences(of: "split: 0.25\n", with: "split: 0.25\nstandardize: both\n"))
        let out = try XCTUnwrap(scaledRun["f"])
        let train = try XCTUnwrap(out.arrays["train_index"]?.values).map { Int($0) }
        XCTAssertEqual(train.count, 150)
        let record = try XCTUnwrap(out.values["standardized"])
        for (name, columns) in [("x", 6), ("y", 1)] {
            let means = try XCTUnwrap(record["\(name)_mean"]?.arrayValue?.compactMap(\.doubleValue))
            let stds = try XCTUnwrap(record["\(name)_std"]?.arrayValue?.compactMap(\.doubleValue))
            XCTAssertEqual(means.count, columns)
            let values = try XCTUnwrap(out.arrays[name]?.values), original = try XCTUnwrap(raw.arrays[name]?.values)
            for c in 0..<columns {
                let column = train.map { values[$0 * columns + c] }
                XCTAssertEqual(column.reduce(0, +) / 150, 0, accuracy: 1e-12)
                XCTAssertEqual(column.reduce(0) { $0 + $1 * $1 } / 150, 1, accuracy: 1e-12)
            }
            // value × std + mean gives back the unscaled samples, test rows included.
            for i in values.indices { XCTAssertEqual(values[i] * stds[i % columns] + means[i % columns], original[i], accuracy: 1e-9) }
        }
    }

    func testImpossibleSettingsAreErrorsBeforeAnythingRuns() {
        let text = """
        ```dataset a
        source: gaussian-images
        image: 24
        ```

        ```dataset b
        source: gaussian-images
        shape: rectangles
        latent: 2
        ```

        ```dataset c
        source: mnist1d
        standardize: y
        ```

        ```dataset d
        source: friedman1
        features: 3
        ```

        ```dataset e
        source: tishby12
        size: 100
        ```

        ```dataset f
        source: gaussian
        latent: 3
        ```

        ```dataset g
        source: friedman1
        size: 1
        ```
        """
        let loaded = Workflow().load(text: text, path: "bad.md")
        XCTAssertNil(loaded.graph)
        let rendered = loaded.renderedDiagnostics
        for expected in [
            "bad.md:3:8: error: 'image' must be 16 or 32 (pixels per side), found 24",
            "bad.md:9:9: error: 'latent' must be 4 for rectangles, found 2",
            "bad.md:14:14: error: standardize: y needs Y values, and this mnist1d dataset has none",
            "bad.md:19:11: error: 'features' must be at least 5, found 3",
            "bad.md:24:1: error: 'size' applies only when source is gaussian or student-t or friedman1 or mnist1d or gaussian-images",
            "bad.md:29:1: error: 'latent' applies only when source is gaussian-images",
            "bad.md:34:7: error: 'size' must be at least 2, found 1",
        ] {
            XCTAssertTrue(rendered.contains(expected), "missing \(expected) in\n\(rendered)")
        }
    }
}
