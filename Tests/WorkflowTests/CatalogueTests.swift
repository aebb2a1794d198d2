import Engine
import Foundation
import Workflow
import XCTest

/// Every bad notebook in Tests/WorkflowTests/Catalogue gives exactly its expected first error
/// line and exit code, never a crash, and never a partial report.
final class CatalogueTests: XCTestCase {
    struct Case {
        var file: String
        var status: Int32
        /// The first `path:line:col: error:` line, with the catalogue folder left out; a line
        /// ending in "memory;" is matched as a prefix (the rest names this machine's memory).
        var firstError: String
    }

    static let folder = packageRoot.appendingPathComponent("Tests/WorkflowTests/Catalogue")

    static func cases() throws -> [Case] {
        let manifest = try String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8)
        return manifest.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            return Case(file: fields[0], status: Int32(fields[1])!, firstError: fields[2])
        }
    }

    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func add(_ text: String) { lock.lock(); lines += text.split(separator: "\n").map(String.init); lock.unlock() }
    }

    func testEveryBadNotebookFailsAsCatalogued() async throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".md") }
        XCTAssertEqual(Set(onDisk), Set(cases.map(\.file)), "every catalogue file has an expectation, and every expectation a file")
        for item in cases {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-cat-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let path = Self.folder.appendingPathComponent(item.file).path
            let lines = Lines()
            let result = await Workflow().run(path: path, settings: .init(outputRoot: scratch, cacheDirectory: nil)) { lines.add($0) }
            XCTAssertEqual(result.status.rawValue, item.status, item.file)
            let first = lines.lines.first { $0.contains(": error: ") } ?? "(no error line)"
            let expected = Self.folder.path + "/" + item.firstError
            if item.firstError.hasSuffix("memory;") {
                XCTAssertTrue(first.hasPrefix(expected), "\(item.file): \(first)")
            } else {
                XCTAssertEqual(first, expected, item.file)
            }
            let written = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
            if item.status == ExitStatus.invalidNotebook.rawValue {
                XCTAssertTrue(written.filter { !$0.hasSuffix(".lock") }.isEmpty, "\(item.file) wrote \(written)")
            } else {
                // A run-time failure still gives a whole report, with the error in it.
                let name = String(item.file.dropLast(3))
                let html = try String(contentsOf: scratch.appendingPathComponent("\(name)/index.html"), encoding: .utf8)
                XCTAssertTrue(html.contains("class=\"error-box\""), item.file)
                XCTAssertTrue(html.hasSuffix("</html>\n"), item.file)
            }
        }
    }
}
