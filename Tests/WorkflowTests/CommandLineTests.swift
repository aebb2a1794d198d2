import Engine
import Foundation
import XCTest

/// The `infoplane` binary as a user calls it: exit codes and messages.
final class CommandLineTests: XCTestCase {
    var binary: URL {
        get throws { try infoplaneBinary() }
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
        XCTAssertTrue(first.hasSuffix("invalid.md:6:9: error: 'source' must be one of gaussian, student-t, tishby12, mnist1d, gaussian-images, friedman1, csv, npy, idx, found 'gausian'; did you mean 'gaussian'?"), result.stderr)
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
        for needle in ["dataset (version 1)", "estimator (version 6)", "model (version 8)", "plot (version 2)", "table (version 2)", "method: gaussian | ksg | kl | wkl | renyi | cs | binning | kde; required", "k: integer in [1, 1000]; default 3; when method is ksg or kl or wkl"] {
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

final class InterruptionTests: XCTestCase {
    func launch(_ arguments: [String], in directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = try infoplaneBinary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testCtrlCExitsWith130AndKeepsFinishedBlocks() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-int-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let notebook = "```dataset bits\nsource: tishby12\n```\n\n```model slow\ndata: bits\nlayers: [10]\nepochs: 1000000\nrecord: {at: [0]}\n```\n"
        try notebook.write(to: scratch.appendingPathComponent("slow.md"), atomically: true, encoding: .utf8)
        let process = try launch(["run", "slow.md", "--output", "out", "--cache", "cache"], in: scratch)
        // Wait until the dataset has been cached, then interrupt the model's training.
        let deadline = Date().addingTimeInterval(30)
        var cached = false
        while Date() < deadline && !cached {
            Thread.sleep(forTimeInterval: 0.1)
            let entries = FileManager.default.enumerator(atPath: scratch.appendingPathComponent("cache").path)?.allObjects as? [String] ?? []
            cached = entries.contains { $0.hasSuffix(".entry") }
        }
        XCTAssertTrue(cached, "the dataset block should be cached before the model finishes")
        Thread.sleep(forTimeInterval: 0.3)
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        // Nothing half-written in the output folder.
        let out = (try? FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("out").path)) ?? []
        XCTAssertTrue(out.allSatisfy { !$0.contains(".tmp-") }, "\(out)")
    }

    /// SIGKILL at random moments loses at most the blocks that were running: the next run
    /// completes with the same bytes as an uninterrupted run, and every cache entry is whole.
    func testKillAtRandomMomentsThenRerunGivesTheSameReport() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let path = fixtures.appendingPathComponent("model.md").path
        // The reference: one uninterrupted run with a cache of its own.
        let reference = try launch(["run", path, "--output", "reference", "--cache", "reference-cache"], in: scratch)
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0)

        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let victim = try launch(["run", path, "--output", "out", "--cache", "cache"], in: scratch)
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.6, using: &generator))
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExit()
        }
        let final = try launch(["run", path, "--output", "out", "--cache", "cache"], in: scratch)
        final.waitUntilExit()
        XCTAssertEqual(final.terminationStatus, 0)
        for file in ["index.html", "index.md", "results.json", "figures/plane.svg", "figures/curve.svg"] {
            let a = try String(contentsOf: scratch.appendingPathComponent("reference/model/\(file)"), encoding: .utf8)
            let b = try String(contentsOf: scratch.appendingPathComponent("out/model/\(file)"), encoding: .utf8)
            XCTAssertEqual(a, b, file)
        }
        // Every entry in the cache verifies.
        let cache = scratch.appendingPathComponent("cache")
        let entries = (FileManager.default.enumerator(atPath: cache.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".entry") }
        XCTAssertFalse(entries.isEmpty)
        for entry in entries {
            let key = String((entry.split(separator: "/").last ?? "").dropLast(6))
            let bytes = try [UInt8](Data(contentsOf: cache.appendingPathComponent(entry)))
            XCTAssertNoThrow(try BlockCache.decodeForTesting(bytes, key: key), entry)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("out").path)
            .filter { !$0.hasSuffix(".lock") }
        XCTAssertEqual(leftovers, ["model"])
    }

    func testTwoRunsOfOneNotebookAtOnceBothFinishWithAWholeReport() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-two-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let path = fixtures.appendingPathComponent("small.md").path
        let a = try launch(["run", path, "--output", "out", "--cache", "cache"], in: scratch)
        let b = try launch(["run", path, "--output", "out", "--cache", "cache"], in: scratch)
        a.waitUntilExit()
        b.waitUntilExit()
        XCTAssertEqual(a.terminationStatus, 0)
        XCTAssertEqual(b.terminationStatus, 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: scratch.appendingPathComponent("out/small").path).sorted()
        XCTAssertEqual(files, ["figures", "figures/p.svg", "index.html", "index.md", "results.json"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("out").path).filter { !$0.hasSuffix(".lock") }
        XCTAssertEqual(leftovers, ["small"])
        // A third run finds every block in the cache, each entry intact.
        let c = try launch(["run", path, "--output", "out", "--cache", "cache"], in: scratch)
        c.waitUntilExit()
        XCTAssertEqual(c.terminationStatus, 0)
    }
}

/// The `infoplane` executable built beside the test bundle.
func infoplaneBinary() throws -> URL {
    var directory = Bundle.main.bundleURL
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        directory = bundle.bundleURL.deletingLastPathComponent()
    }
    let url = directory.appendingPathComponent("infoplane")
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
        // Never skipped: `swift test` builds every product, so a missing binary is a real failure.
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path,
                                                     NSLocalizedDescriptionKey: "infoplane was not built beside the tests at \(url.path)"])
    }
    return url
}
