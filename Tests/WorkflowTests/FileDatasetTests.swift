import Engine
import Foundation
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
