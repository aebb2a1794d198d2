import Engine
import Foundation
import Workflow
import XCTest

final class SweepTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ notebook: String) throws -> String {
        let url = folder.appendingPathComponent("nb.md")
        try notebook.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func run(_ path: String) async -> Workflow.RunResult {
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: folder.appendingPathComponent("cache"))
        return await Workflow().run(path: path, settings: settings) { _ in }
    }

    func notebook(mi: String = "[0.2, 1.0]", extra: String = "") -> String {
        """
        ---
        seed: 5
        ---

        ```dataset pairs
        source: gaussian
        mi: 1.0
        size: 400
        ```

        ```estimator est
        of: pairs
        method: ksg
        ```

        ```sweep grid
        template: [pairs, est]
        over:
          mi: \(mi)
          k: [3, 5]
        caption: KSG over MI and k.
        ```

        ```table tbl-grid
        from: grid
        columns: [pairs.mi, k, mi, truth]
        ```
        \(extra)
        There are {{ grid.count }} points.
        """
    }

    func testGridExpandsIntoOneBlockPerDistinctSetting() throws {
        let loaded = Workflow().load(text: notebook(), path: folder.appendingPathComponent("nb.md").path)
        let graph = try XCTUnwrap(loaded.graph, loaded.renderedDiagnostics)
        // The dataset varies with mi only, so two points share each dataset; `k` clashes with no
        // result name... but `mi` is also the estimator's result, so its column is `pairs.mi`.
        XCTAssertEqual(graph.nodes.map(\.id), [
            "pairs[pairs.mi=0.2]", "est[pairs.mi=0.2, k=3]", "est[pairs.mi=0.2, k=5]",
            "pairs[pairs.mi=1.0]", "est[pairs.mi=1.0, k=3]", "est[pairs.mi=1.0, k=5]",
            "grid", "tbl-grid",
        ])
        XCTAssertEqual(graph["est[pairs.mi=1.0, k=5]"]?.dependencies, ["pairs[pairs.mi=1.0]"])
        XCTAssertEqual(graph["est[pairs.mi=1.0, k=5]"]?.spec.int("k"), 5)
        XCTAssertEqual(graph["pairs[pairs.mi=0.2]"]?.spec.double("mi"), 0.2)
        XCTAssertEqual(graph["grid"]?.dependencies.count, 4)
        XCTAssertEqual(graph.templates["pairs"], ["grid"])
        XCTAssertNil(graph["pairs"], "templates run only through their sweep")
    }

    func testEachPointIsItsOwnCachedBlockSoExtendingAGridRunsOnlyNewPoints() async throws {
        let path = try write(notebook())
        let first = await run(path)
        XCTAssertEqual(first.status, .success)
        let rows = try XCTUnwrap(first.outcomes["grid"]?.output?.values["points"]?.arrayValue)
        XCTAssertEqual(rows.count, 4)
        // Rows carry the grid values and the collected estimator's results, in grid order.
        XCTAssertEqual(rows.map { $0["pairs.mi"]?.doubleValue }, [0.2, 0.2, 1.0, 1.0])
        XCTAssertEqual(rows.map { $0["k"]?.intValue }, [3, 5, 3, 5])
        for row in rows {
            XCTAssertEqual(row["truth"]?.doubleValue, row["pairs.mi"]?.doubleValue)
            XCTAssertEqual(try XCTUnwrap(row["mi"]?.doubleValue), try XCTUnwrap(row["truth"]?.doubleValue), accuracy: 0.25)
        }
        let html = try String(contentsOf: folder.appendingPathComponent("out/nb/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Table 1.</span> KSG over MI and k."))
        XCTAssertTrue(html.contains("<strong>Template</strong> of <a href=\"#block-grid\">"))
        XCTAssertTrue(html.contains("There are <span class=\"result\" title=\"{{ grid.count }}\">4</span> points."))

        _ = try write(notebook(mi: "[0.2, 1.0, 2.0]"))
        let second = await run(path)
        XCTAssertEqual(second.status, .success)
        let ran = Set(second.outcomes.filter { $0.value.status == .computed }.map(\.key))
        XCTAssertEqual(ran, ["pairs[pairs.mi=2.0]", "est[pairs.mi=2.0, k=3]", "est[pairs.mi=2.0, k=5]", "grid", "tbl-grid"])
        let again = try XCTUnwrap(second.outcomes["grid"]?.output?.values["points"]?.arrayValue)
        XCTAssertEqual(Array(again.prefix(4)), rows, "old points keep their numbers")
    }

    func testSeedReplicatesGiveFreshRandomness() async throws {
        let path = try write("""
        ```dataset pairs
        source: gaussian
        mi: 0.5
        size: 300
        ```

        ```estimator est
        of: pairs
        method: gaussian
        ```

        ```sweep reps
        template: [pairs, est]
        over:
          seed: [1, 2, 3]
        ```
        """)
        let result = await run(path)
        XCTAssertEqual(result.status, .success)
        let estimates = try XCTUnwrap(result.outcomes["reps"]?.output?.values["points"]?.arrayValue).compactMap { $0["mi"]?.doubleValue }
        XCTAssertEqual(estimates.count, 3)
        XCTAssertEqual(Set(estimates).count, 3, "each replicate draws its own data")
    }

    func testMistakesInASweepAreReportedWhereTheyAreWritten() throws {
        func diagnostics(_ text: String) -> String {
            Workflow().load(text: text, path: "nb.md").renderedDiagnostics
        }
        let base = """
        ```dataset pairs
        source: gaussian
        mi: 1.0
        ```

        ```estimator est
        of: pairs
        method: ksg
        ```

        """
        // Line 13 is the first key under `over:`.
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  kk: [1, 2]\n```\n")
            .contains("nb.md:13:3: error: no template of sweep 's' has a key 'kk'"), diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  kk: [1, 2]\n```\n"))
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: [3, -1]\n```\n")
            .contains("nb.md:13:10: error: 'k' must be at least 1, found -1"))
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: 3\n```\n")
            .contains("nb.md:13:6: error: 'over': 'k' must list the values to try"))
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: [3]\n```\n\n```table t\nfrom: est\ncolumns: [mi]\n```\n")
            .contains("error: 't' refers to 'est', a template of sweep 's' that runs once per point"))
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: [3]\n```\n\nShown: {{ est.mi }}\n")
            .contains("error: {{ est.mi }}: 'est' is a template of sweep 's' and has one result per point"))
        XCTAssertTrue(diagnostics(base + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: [3]\n  mi: [1, 2]\n  size: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]\n  method: [ksg, kl, gaussian, ksg, kl, gaussian, ksg, kl, gaussian, ksg]\n  units: [bits, nats, bits, nats, bits, nats, bits, nats, bits, nats]\n  est.seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]\n```\n")
            .contains("error: the sweep has 110000 points; at most 10000 are allowed"))
        // A template whose own spec is wrong is reported once, and the sweep does not trip on it.
        XCTAssertTrue(diagnostics(base.replacingOccurrences(of: "method: ksg", with: "method: ksgg") + "```sweep s\ntemplate: [pairs, est]\nover:\n  k: [3]\n```\n")
            .contains("nb.md:8:9: error: 'method' must be one of"))
    }
}

extension SweepTests {
    func testATableSummarisesRowsByGroupWithMeanAndStandardDeviation() async throws {
        let path = try write("""
        ```dataset pairs
        source: gaussian
        mi: 0.5
        size: 300
        ```

        ```estimator est
        of: pairs
        method: gaussian
        ```

        ```sweep reps
        template: [pairs, est]
        over:
          mi: [0.5, 1.0]
          seed: [1, 2, 3]
        ```

        ```table tbl-reps
        from: reps
        columns: [pairs.mi, mi]
        by: [pairs.mi]
        ```
        """)
        let result = await run(path)
        XCTAssertEqual(result.status, .success)
        let rows = try XCTUnwrap(result.outcomes["reps"]?.output?.values["points"]?.arrayValue)
        let summary = try XCTUnwrap(result.outcomes["tbl-reps"]?.output?.values["summary"]?.arrayValue)
        XCTAssertEqual(summary.count, 2)
        for (index, truth) in [0.5, 1.0].enumerated() {
            let estimates = rows.filter { $0["pairs.mi"]?.doubleValue == truth }.compactMap { $0["mi"]?.doubleValue }
            XCTAssertEqual(estimates.count, 3)
            let mean = estimates.reduce(0, +) / 3
            let sd = (estimates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
            XCTAssertEqual(try XCTUnwrap(summary[index]["mi"]?["mean"]?.doubleValue), mean, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(summary[index]["mi"]?["sd"]?.doubleValue), sd, accuracy: 1e-12)
            XCTAssertEqual(summary[index]["mi"]?["n"]?.intValue, 3)
        }
        let cells = try XCTUnwrap(result.outcomes["tbl-reps"]?.output?.values["cells"]?.arrayValue)
        XCTAssertEqual(cells.first?.arrayValue?.count, 3, "pairs.mi, runs, mi")
        XCTAssertEqual(cells.first?.arrayValue?[1], "3")
    }
}

extension SweepTests {
    func testWhereKeepsOnlyTheRowsWithTheListedValues() async throws {
        let path = try write(notebook() + """


        ```table tbl-where
        from: grid
        columns: [pairs.mi, k]
        where: {k: [5], pairs.mi: [1.0, 7]}
        ```
        """)
        let result = await run(path)
        XCTAssertEqual(result.status, .success)
        let cells = try XCTUnwrap(result.outcomes["tbl-where"]?.output?.values["cells"]?.arrayValue)
        XCTAssertEqual(cells, [["1.00", "5"]])
    }
}

extension SweepTests {
    /// Cached blocks are read without their arrays; a block that must run gets its inputs whole.
    func testACachedInputIsReadWholeWhenABlockThatNeedsItRuns() async throws {
        let path = try write(notebook())
        let first = await run(path)
        XCTAssertEqual(first.status, .success)
        let rerun = await run(path)
        let dataset = try XCTUnwrap(rerun.outcomes["pairs[pairs.mi=0.2]"])
        XCTAssertEqual(dataset.status, .cached)
        XCTAssertTrue(dataset.arraysOnDisk)
        XCTAssertTrue(dataset.output?.arrays.isEmpty ?? false)
        // A new k: the estimators run on the cached datasets and agree with a run without cache.
        _ = try write(notebook().replacingOccurrences(of: "k: [3, 5]", with: "k: [4]"))
        let changed = await run(path)
        XCTAssertEqual(changed.status, .success)
        XCTAssertEqual(changed.outcomes["est[pairs.mi=0.2, k=4]"]?.status, .computed)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("fresh"), cacheDirectory: nil)
        let fresh = await Workflow().run(path: path, settings: settings) { _ in }
        XCTAssertEqual(changed.outcomes["est[pairs.mi=0.2, k=4]"]?.output?.values["mi"],
                       fresh.outcomes["est[pairs.mi=0.2, k=4]"]?.output?.values["mi"])
    }
}
