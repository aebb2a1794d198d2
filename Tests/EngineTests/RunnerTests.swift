import Engine
import Foundation
import XCTest

final class RunnerTests: XCTestCase {
    var cacheDirectory: URL!

    override func setUp() {
        cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-runner-\(UUID().uuidString)")
        _ = RunLog.shared.take()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: cacheDirectory)
    }

    let chain = """
    ---
    seed: 3
    ---
    ```number a
    value: 1
    ```
    ```number b
    value: 2
    ```
    ```sum ab
    of: [a, b]
    ```
    ```sum top
    of: [ab]
    ```
    ```number lone
    value: 5
    ```
    """

    func run(_ text: String, options: RunOptions = RunOptions(jobs: 2), cache: Bool = true,
             events: EventLog? = nil) async throws -> [String: BlockOutcome] {
        let graph = try XCTUnwrap(build(text).graph)
        let runner = Runner(graph: graph, cache: cache ? BlockCache(directory: cacheDirectory) : nil, options: options)
        return await runner.run { event in events?.add(event) }
    }

    func testResultsFlowAlongReferences() async throws {
        let outcomes = try await run(chain)
        XCTAssertEqual(outcomes.count, 5)
        XCTAssertEqual(outcomes["top"]?.output?.values["value"], .double(3))
        XCTAssertTrue(outcomes.values.allSatisfy { $0.status == .computed })
    }

    func testRerunWithNothingChangedComputesNothing() async throws {
        _ = try await run(chain)
        XCTAssertEqual(RunLog.shared.take(), ["a", "ab", "b", "lone", "top"])
        let again = try await run(chain)
        XCTAssertEqual(RunLog.shared.take(), [])
        XCTAssertTrue(again.values.allSatisfy { $0.status == .cached })
        XCTAssertEqual(again["top"]?.output?.values["value"], .double(3))
        // A cached block's arrays stay on disk (nothing ran that needed them) and survive bit for bit.
        XCTAssertEqual(again["a"]?.arraysOnDisk, true)
        XCTAssertEqual(again["a"]?.output?.arrays, [:])
        guard case .hit(let entry)? = again["a"].map({ BlockCache(directory: cacheDirectory).load(key: $0.cacheKey) }) else {
            return XCTFail("the entry of 'a' is in the cache")
        }
        XCTAssertEqual(entry.output.arrays["samples"], NumericArray(shape: [2, 2], values: [1, 2.5, -3, .pi]))
    }

    func testChangingOneBlockRerunsExactlyItAndItsDescendants() async throws {
        _ = try await run(chain)
        _ = RunLog.shared.take()
        let edited = chain.replacingOccurrences(of: "value: 2", with: "value: 20")
        let outcomes = try await run(edited)
        XCTAssertEqual(RunLog.shared.take(), ["ab", "b", "top"])
        XCTAssertEqual(outcomes["top"]?.output?.values["value"], .double(21))
        XCTAssertEqual(outcomes["a"]?.status, .cached)
        XCTAssertEqual(outcomes["lone"]?.status, .cached)
    }

    func testChangingTheSeedRerunsEverything() async throws {
        _ = try await run(chain)
        _ = RunLog.shared.take()
        _ = try await run(chain.replacingOccurrences(of: "seed: 3", with: "seed: 4"))
        XCTAssertEqual(RunLog.shared.take(), ["a", "ab", "b", "lone", "top"])
    }

    func testForceIgnoresTheCache() async throws {
        _ = try await run(chain)
        _ = RunLog.shared.take()
        let outcomes = try await run(chain, options: RunOptions(jobs: 2, force: true))
        XCTAssertEqual(RunLog.shared.take(), ["a", "ab", "b", "lone", "top"])
        XCTAssertTrue(outcomes.values.allSatisfy { $0.status == .computed })
    }

    func testOnlyRunsTheBlockAndWhatItNeeds() async throws {
        let outcomes = try await run(chain, options: RunOptions(jobs: 2, only: ["ab"]))
        XCTAssertEqual(RunLog.shared.take(), ["a", "ab", "b"])
        XCTAssertEqual(outcomes["top"]?.status, .notRun("not asked for by --only"))
        // Later, --only shows what the cache already holds for the others.
        _ = try await run(chain, options: RunOptions(jobs: 2, only: ["lone"]))
        XCTAssertEqual(RunLog.shared.take(), ["lone"])
        let third = try await run(chain, options: RunOptions(jobs: 2, only: ["lone"]))
        XCTAssertEqual(third["ab"]?.status, .cached)
    }

    func testCorruptEntryIsRecomputedWithAWarning() async throws {
        let first = try await run(chain)
        _ = RunLog.shared.take()
        let key = try XCTUnwrap(first["b"]?.cacheKey)
        let file = cacheDirectory.appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key + ".entry")
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: file)
        let events = EventLog()
        let outcomes = try await run(chain, events: events)
        XCTAssertEqual(RunLog.shared.take(), ["b"])
        XCTAssertEqual(outcomes["b"]?.status, .computed)
        XCTAssertEqual(outcomes["top"]?.status, .cached)
        XCTAssertTrue(events.warnings.contains { $0.contains("cache entry for 'b' is corrupt") })
        // And the entry was rewritten whole.
        let again = try await run(chain)
        XCTAssertEqual(again["b"]?.status, .cached)
    }

    func testAFailureStopsOnlyItsDescendants() async throws {
        let text = chain.replacingOccurrences(of: "of: [a, b]", with: "of: [a, b]\nfail: true")
        let outcomes = try await run(text)
        XCTAssertEqual(outcomes["ab"]?.status, .failed("asked to fail"))
        XCTAssertEqual(outcomes["top"]?.status, .notRun("'ab' failed"))
        XCTAssertEqual(outcomes["lone"]?.status, .computed)
        XCTAssertEqual(outcomes["a"]?.status, .computed)
        // A failure is never cached.
        _ = RunLog.shared.take()
        _ = try await run(text)
        XCTAssertEqual(RunLog.shared.take(), ["ab"])
    }

    func testIndependentBlocksOverlapInTime() async throws {
        let text = "```number s1\nvalue: 1\nsleep: 0.4\n```\n```number s2\nvalue: 2\nsleep: 0.4\n```\n"
        let parallel = try await run(text, options: RunOptions(jobs: 2), cache: false)
        let (a1, b1) = try interval(parallel["s1"]), (a2, b2) = try interval(parallel["s2"])
        XCTAssertTrue(a1 < b2 && a2 < b1, "two independent blocks with --jobs 2 must run at the same time")
        let serial = try await run(text, options: RunOptions(jobs: 1), cache: false)
        let (c1, d1) = try interval(serial["s1"]), (c2, d2) = try interval(serial["s2"])
        XCTAssertTrue(d1 <= c2 || d2 <= c1, "with --jobs 1 blocks run one at a time")
    }

    func testSeedsDependOnNotebookSeedAndIDOnly() async throws {
        let one = try await run(chain, options: RunOptions(jobs: 1), cache: false)
        let many = try await run(chain + "\n```number extra\nvalue: 9\n```\n", options: RunOptions(jobs: 4), cache: false)
        for id in ["a", "b", "lone"] {
            XCTAssertEqual(one[id]?.seed, many[id]?.seed)
            XCTAssertEqual(one[id]?.output?.values["seed"], .string(String(Seeds.blockSeed(notebookSeed: 3, blockID: id))))
        }
        XCTAssertNotEqual(Seeds.blockSeed(notebookSeed: 3, blockID: "a"), Seeds.blockSeed(notebookSeed: 3, blockID: "b"))
        XCTAssertNotEqual(Seeds.blockSeed(notebookSeed: 3, blockID: "a"), Seeds.blockSeed(notebookSeed: 4, blockID: "a"))
    }

    func testCacheKeysChangeWithKindVersionSpecAndInputs() throws {
        let spec = ResolvedSpec(values: ["value": .double(1)], locations: [:], blockLocation: .init(line: 1, column: 1))
        let base = CacheKey.compute(kind: "number", kindVersion: 1, spec: spec, inputKeys: [:], seed: 1)
        XCTAssertEqual(base, CacheKey.compute(kind: "number", kindVersion: 1, spec: spec, inputKeys: [:], seed: 1))
        XCTAssertNotEqual(base, CacheKey.compute(kind: "number", kindVersion: 2, spec: spec, inputKeys: [:], seed: 1))
        XCTAssertNotEqual(base, CacheKey.compute(kind: "other", kindVersion: 1, spec: spec, inputKeys: [:], seed: 1))
        XCTAssertNotEqual(base, CacheKey.compute(kind: "number", kindVersion: 1, spec: spec, inputKeys: ["x": "k"], seed: 1))
        XCTAssertNotEqual(base, CacheKey.compute(kind: "number", kindVersion: 1, spec: spec, inputKeys: [:], seed: 2))
        var other = spec
        other.values["value"] = .double(2)
        XCTAssertNotEqual(base, CacheKey.compute(kind: "number", kindVersion: 1, spec: other, inputKeys: [:], seed: 1))
        XCTAssertEqual(base.count, 64)
    }

    private func interval(_ outcome: BlockOutcome?) throws -> (Double, Double) {
        let values = try XCTUnwrap(outcome?.output?.values)
        return (try XCTUnwrap(values["started"]?.doubleValue), try XCTUnwrap(values["ended"]?.doubleValue))
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []
    func add(_ e: RunEvent) { lock.lock(); events.append(e); lock.unlock() }
    var warnings: [String] {
        lock.lock(); defer { lock.unlock() }
        return events.compactMap { if case .warning(let w) = $0 { return w } else { return nil } }
    }
}

final class CacheVersionTests: XCTestCase {
    /// Entries made by another version of the tool are never reused.
    func testAnotherToolVersionRecomputes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-salt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let graph = try XCTUnwrap(build("```number a\nvalue: 1\n```\n").graph)
        let cache = BlockCache(directory: directory)
        _ = await Runner(graph: graph, cache: cache, options: RunOptions(jobs: 1, cacheSalt: "infoplane 1.0")).run()
        let same = await Runner(graph: graph, cache: cache, options: RunOptions(jobs: 1, cacheSalt: "infoplane 1.0")).run()
        XCTAssertEqual(same["a"]?.status, .cached)
        let newer = await Runner(graph: graph, cache: cache, options: RunOptions(jobs: 1, cacheSalt: "infoplane 1.1")).run()
        XCTAssertEqual(newer["a"]?.status, .computed)
    }
}
