import Foundation
import XCTest

/// The `infoplane` binary as a user calls it: exit codes and messages.
final class CommandLineTests: XCTestCase {
    var binary: URL {
        get throws {
            var directory = Bundle.main.bundleURL
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                directory = bundle.bundleURL.deletingLastPathComponent()
            }
            let url = directory.appendingPathComponent("infoplane")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw XCTSkip("infoplane was not built beside the tests at \(url.path)")
            }
            return url
        }
    }

    func infoplane(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testCheckReportsErrorsWithLocationsAndExitCode65() throws {
        let result = try infoplane(["check", fixtures.appendingPathComponent("invalid.md").path])
        XCTAssertEqual(result.status, 65)
        let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasSuffix("invalid.md:6:9: error: 'source' must be one of gaussian, tishby12, found 'gausian'; did you mean 'gaussian'?"), result.stderr)
    }

    func testMissingFileIsAnIOError() throws {
        let result = try infoplane(["check", "/nonexistent/notebook.md"])
        XCTAssertEqual(result.status, 74)
        XCTAssertTrue(result.stderr.contains("/nonexistent/notebook.md: error: cannot read the notebook"))
    }

    func testUnknownParamIsANotebookError() throws {
        let result = try infoplane(["check", fixtures.appendingPathComponent("small.md").path, "--param", "m=3"])
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(result.stderr.contains("the notebook has no parameter 'm'"))
    }

    func testGraphFormats() throws {
        let path = fixtures.appendingPathComponent("small.md").path
        let text = try infoplane(["graph", path])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("estimator k1"))
        let dot = try infoplane(["graph", path, "--format", "dot"])
        XCTAssertTrue(dot.stdout.contains("\"d1\" -> \"k1\";"))
        let mermaid = try infoplane(["graph", path, "--format", "mermaid"])
        XCTAssertTrue(mermaid.stdout.hasPrefix("flowchart LR"))
    }

    func testKindsListsEveryKindWithKeys() throws {
        let result = try infoplane(["kinds"])
        XCTAssertEqual(result.status, 0)
        for needle in ["dataset (version 1)", "estimator (version 1)", "model (version 4)", "plot (version 2)", "table (version 1)", "method: gaussian | ksg | binning | kde; required", "k: integer in [1, 1000]; default 3; when method is ksg"] {
            XCTAssertTrue(result.stdout.contains(needle), needle)
        }
    }

    func testRunWritesReportAndSaysWhatRan() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let path = fixtures.appendingPathComponent("small.md").path
        let first = try infoplane(["run", path, "--output", "out", "--cache", "c"], in: scratch)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("ran      estimator k1"))
        XCTAssertTrue(first.stderr.contains("small: 7 blocks (7 ran, 0 cached, 0 failed, 0 not run)"))
        let second = try infoplane(["run", path, "--output", "out", "--cache", "c"], in: scratch)
        XCTAssertTrue(second.stderr.contains("small: 7 blocks (0 ran, 7 cached, 0 failed, 0 not run)"), second.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out/small/index.html").path))
        let failing = try infoplane(["run", fixtures.appendingPathComponent("failing.md").path, "--output", "out", "--cache", "c"], in: scratch)
        XCTAssertEqual(failing.status, 1)
        let badOnly = try infoplane(["run", path, "--only", "nope", "--output", "out", "--cache", "c"], in: scratch)
        XCTAssertEqual(badOnly.status, 64)
    }
}
