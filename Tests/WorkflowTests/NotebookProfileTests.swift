import Engine
import Foundation
import Workflow
import XCTest

/// Every notebook in Notebooks/ must render, with the small parameters of its `test` profile,
/// into a whole report whose inline numbers are all there: CI checks them all this way.
final class NotebookProfileTests: XCTestCase {
    func testEveryNotebookRendersWithItsTestProfile() async throws {
        let folder = packageRoot.appendingPathComponent("Notebooks")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 5)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-profiles-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for name in names {
            let path = folder.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.contains("profiles:") && text.contains("test:"), "\(name) declares a test profile")
            let settings = Workflow.Settings(outputRoot: scratch, cacheDirectory: scratch.appendingPathComponent(".cache"),
                                             run: RunOptions(jobs: 2), profile: "test")
            let result = await Workflow().run(path: path, settings: settings) { _ in }
            XCTAssertEqual(result.status, .success, "\(name): \(result.loaded.renderedDiagnostics)")
            let failed = result.outcomes.filter { !$0.value.status.succeeded }.map(\.key).sorted()
            XCTAssertEqual(failed, [], name)
            let report = scratch.appendingPathComponent(String(name.dropLast(3)))
            let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
            XCTAssertFalse(html.contains("result missing"), "\(name): every {{ }} has a value")
            XCTAssertTrue(FileManager.default.fileExists(atPath: report.appendingPathComponent("index.md").path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: report.appendingPathComponent("results.json").path))
        }
    }

    func testUnknownProfilesAndParamsAreErrors() {
        let text = """
        ---
        params:
          epochs: 10
        profiles:
          test: {epoch: 2}
        ---
        """
        let bad = Workflow().load(text: text, path: "nb.md", profile: "test").renderedDiagnostics
        XCTAssertTrue(bad.contains("nb.md:5:10: error: profile 'test' sets 'epoch', which is not a declared param"), bad)
        XCTAssertTrue(bad.contains("did you mean 'epochs'?"), bad)
        let missing = Workflow().load(text: text, path: "nb.md", profile: "fast").renderedDiagnostics
        XCTAssertTrue(missing.contains("error: --profile fast: the notebook has no profile 'fast'"), missing)
    }
}
