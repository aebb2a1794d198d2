import Engine
import Foundation
import Learning
import Workflow
import XCTest

final class FileDatasetTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        // y = 2x + small noise: strongly dependent columns.
        var csv = "x,noise,y,kind\n"
        for i in 0..<200 {
            let x = Double(i % 37) / 37 - 0.5, noise = Double((i * 7919) % 101) / 1000
            csv += "\(x),\(noise),\(2 * x + noise),\(i % 2 == 0 ? "even" : "odd")\n"
        }
        try csv.write(to: folder.appendingPathComponent("data/table.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ notebook: String, _ name: String = "nb.md") throws -> String {
        let url = folder.appendingPathComponent(name)
        try notebook.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func run(_ path: String, allowRead: [URL] = []) async -> Workflow.RunResult {
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: folder.appendingPathComponent("cache"))
        return await Workflow(allowRead: allowRead).run(path: path, settings: settings) { _ in }
    }

    let notebook = """
    ```dataset table
    source: csv
    path: data/table.csv
    x: [x]
    y: [y]
    ```

    ```estimator mi
    of: table
    method: gaussian
    ```

    ```dataset classes
    source: csv
    path: data/table.csv
    x: [x, noise]
    label: kind
    split: 0.25
    ```
    """

    func testCSVColumnsLabelsSplitAndEstimate() async throws {
        let result = await run(try write(notebook))
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let table = try XCTUnwrap(result.outcomes["table"]?.output)
        XCTAssertEqual(table.values["samples"], 200)
        XCTAssertEqual(table.arrays["x"]?.shape, [200, 1])
        XCTAssertEqual(table.arrays["y"]?.values.first, 2 * -0.5 + 0)
        XCTAssertGreaterThan(try XCTUnwrap(result.outcomes["mi"]?.output?.values["mi"]?.doubleValue), 1.5)
        let classes = try XCTUnwrap(result.outcomes["classes"]?.output)
        XCTAssertEqual(classes.values["classes"], 2)
        XCTAssertEqual(classes.values["test"], 50)
        XCTAssertEqual(classes.arrays["labels"]?.values.prefix(4), [0, 1, 0, 1])
    }

    func testEditingTheFileRerunsItsBlocksAndTouchingItDoesNot() async throws {
        let path = try write(notebook)
        _ = await run(path)
        // Same bytes, new modification time: everything from the cache.
        let csv = folder.appendingPathComponent("data/table.csv")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: csv.path)
        let touched = await run(path)
        XCTAssertTrue(touched.outcomes.values.allSatisfy { $0.status == .cached })
        // One value changed: both datasets and the estimator rerun.
        var text = try String(contentsOf: csv, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n0.", with: "\n0.0", options: [], range: text.range(of: "\n0."))
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let edited = await run(path)
        XCTAssertEqual(edited.outcomes["table"]?.status, .computed)
        XCTAssertEqual(edited.outcomes["mi"]?.status, .computed)
        XCTAssertEqual(edited.outcomes["classes"]?.status, .computed)
    }

    func testPathsOutsideTheNotebookFolderAreRefusedUnlessAllowed() async throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.copyItem(at: folder.appendingPathComponent("data/table.csv"), to: outside.appendingPathComponent("t.csv"))
        // Directly, through '..', and through a symbolic link that points outside.
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("data/link.csv"), withDestinationURL: outside.appendingPathComponent("t.csv"))
        for reference in [outside.appendingPathComponent("t.csv").path, "../\(outside.lastPathComponent)/t.csv", "data/link.csv"] {
            let path = try write("```dataset d\nsource: csv\npath: \(reference)\n```\n")
            let refused = await run(path)
            XCTAssertEqual(refused.status, .invalidNotebook, reference)
            XCTAssertTrue(refused.loaded.renderedDiagnostics.contains("nb.md:3:7: error: '\(reference)' is outside the notebook's folder; pass --allow-read DIR"), refused.loaded.renderedDiagnostics)
        }
        let allowed = await run(try write("```dataset d\nsource: csv\npath: data/link.csv\nx: [x, y]\n```\n"), allowRead: [outside])
        XCTAssertEqual(allowed.status, .success, allowed.loaded.renderedDiagnostics)
    }

    func testMissingFilesAndBadRowsAreClearErrors() async throws {
        let missing = await run(try write("```dataset d\nsource: csv\npath: data/nope.csv\n```\n"))
        XCTAssertEqual(missing.status, .invalidNotebook)
        XCTAssertTrue(missing.loaded.renderedDiagnostics.contains("nb.md:3:7: error: no file 'data/nope.csv'"), missing.loaded.renderedDiagnostics)
        try "a,b\n1,2\n3,oops\n".write(to: folder.appendingPathComponent("data/bad.csv"), atomically: true, encoding: .utf8)
        let bad = await run(try write("```dataset d\nsource: csv\npath: data/bad.csv\n```\n"))
        XCTAssertEqual(bad.status, .blockFailed)
        guard case .failed(let message)? = bad.outcomes["d"]?.status else { return XCTFail("must fail") }
        XCTAssertEqual(message, "data/bad.csv: line 3, column 'b': 'oops' is not a number")
    }
}

/// `table` with `file`: the rows of a CSV file, its columns checked before running, its
/// contents in the cache key.
final class FileTableTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-filetable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "method,task,ms\nksg,g1,0.98\nkl,g1,42.5\nksg,g5,9.96\n".write(to: folder.appendingPathComponent("times.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func run(_ notebook: String) async throws -> Workflow.RunResult {
        let url = folder.appendingPathComponent("nb.md")
        try notebook.write(to: url, atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: folder.appendingPathComponent("cache"))
        return await Workflow().run(path: url.path, settings: settings) { _ in }
    }

    func testRowsColumnsAndWhereFromAFile() async throws {
        let result = try await run("```table t\nfile: times.csv\ncolumns: [task, ms]\nwhere: {method: [ksg]}\n```\n")
        XCTAssertEqual(result.status, .success, result.loaded.renderedDiagnostics)
        let output = try XCTUnwrap(result.outcomes["t"]?.output)
        XCTAssertEqual(output.values["header"], .array(["task", "ms"]))
        XCTAssertEqual(output.values["cells"], .array([.array(["g1", "0.980"]), .array(["g5", "9.96"])]))
        XCTAssertEqual(output.values["numeric"], .array([1]), "numbers align right; names do not")
    }

    func testEditingTheFileRedrawsTheTable() async throws {
        let notebook = "```table t\nfile: times.csv\ncolumns: [method, ms]\n```\n"
        _ = try await run(notebook)
        let again = try await run(notebook)
        XCTAssertEqual(again.outcomes["t"]?.status, .cached)
        try "method,task,ms\nksg,g1,1.5\n".write(to: folder.appendingPathComponent("times.csv"), atomically: true, encoding: .utf8)
        let edited = try await run(notebook)
        XCTAssertEqual(edited.outcomes["t"]?.status, .computed)
        XCTAssertEqual(edited.outcomes["t"]?.output?.values["rows"], 1)
    }

    func testBadTablesAreErrorsBeforeRunning() async throws {
        let cases: [(String, String)] = [
            ("```table t\nfile: times.csv\ncolumns: [method, seconds]\n```\n",
             "nb.md:3:10: error: 'columns': 'seconds' is not a column of 'times.csv' (method, task, ms)"),
            ("```table t\nfile: nope.csv\ncolumns: [method]\n```\n", "nb.md:2:7: error: no file 'nope.csv'"),
            ("```table t\ncolumns: [method]\n```\n", "nb.md:2:10: error: a table needs 'from' (blocks) or 'file' (a CSV file)"),
        ]
        for (notebook, message) in cases {
            let result = try await run(notebook)
            XCTAssertEqual(result.status, .invalidNotebook, notebook)
            XCTAssertTrue(result.loaded.renderedDiagnostics.contains(message), result.loaded.renderedDiagnostics)
        }
    }
}

/// The estimators notebook's time table reads timings measured outside the report
/// (scripts/estimator-times.sh --write): they must belong to this version of the notebook.
final class EstimatorTimesTests: XCTestCase {
    func testTheTimingsFileHoldsTheReportsEstimates() throws {
        let csv = try CSVTable.parse([UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("Notebooks/data/estimator-times.csv"))))
        let json = try JSON.decode(try String(contentsOf: packageRoot.appendingPathComponent("Output/estimators/results.json"), encoding: .utf8))
        var reported: [String: Double] = [:]
        for block in json["blocks"]?.arrayValue ?? [] where block["kind"]?.stringValue == "estimator" {
            reported[block["id"]!.stringValue!] = block["results"]?["mi"]?.doubleValue
        }
        XCTAssertGreaterThan(reported.count, 20)
        let id = try XCTUnwrap(csv.header.firstIndex(of: "estimator")), estimate = try XCTUnwrap(csv.header.firstIndex(of: "estimate"))
        let ms = try XCTUnwrap(csv.header.firstIndex(of: "ms"))
        XCTAssertEqual(Set(csv.rows.map { $0[id] }), Set(reported.keys), "one timing per estimator of the report")
        for row in csv.rows {
            let expected = try XCTUnwrap(reported[row[id]], row[id])
            let measured = try XCTUnwrap(Double(row[estimate]), row[id])
            XCTAssertEqual(measured, expected, accuracy: 1e-12 * max(1, abs(expected)), "\(row[id]): rerun scripts/estimator-times.sh --write")
            XCTAssertGreaterThan(try XCTUnwrap(Double(row[ms])), 0, row[id])
        }
    }
}

final class DataInjectionTests: XCTestCase {
    /// Strings from data files (headers, labels, values in error messages) are text everywhere.
    func testHeadersAndValuesFromAFileAreEscaped() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-inject-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let header = "\"<script>alert(1)</script>\",\"</svg><img src=x onerror=alert(2)>\",\"[x](javascript:alert(3))\""
        try "\(header)\n1,2,3\n4,<b>5</b>,6\n".write(to: folder.appendingPathComponent("evil.csv"), atomically: true, encoding: .utf8)
        let notebook = "```dataset d\nsource: csv\npath: evil.csv\n```\n"
        try notebook.write(to: folder.appendingPathComponent("nb.md"), atomically: true, encoding: .utf8)
        let settings = Workflow.Settings(outputRoot: folder.appendingPathComponent("out"), cacheDirectory: nil)
        let result = await Workflow().run(path: folder.appendingPathComponent("nb.md").path, settings: settings) { _ in }
        XCTAssertEqual(result.status, .blockFailed)
        let html = try String(contentsOf: folder.appendingPathComponent("out/nb/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("&lt;b&gt;5&lt;/b&gt;"), "the bad value is shown, escaped")
        for tag in WorkflowTests.tags(in: html) {
            XCTAssertFalse(tag.lowercased().hasPrefix("<script") || tag.lowercased().hasPrefix("<img") || tag.lowercased().hasPrefix("<b>"), tag)
        }
        let md = try String(contentsOf: folder.appendingPathComponent("out/nb/index.md"), encoding: .utf8)
        XCTAssertFalse(md.contains("<b>5"))
        XCTAssertTrue(md.contains("&lt;b&gt;5&lt;/b&gt;"))
    }
}
