import Engine
import Foundation
import Notebook

/// `number`: outputs `value` (and the block's seed), optionally after sleeping.
struct NumberKind: BlockKind {
    let name = "number"
    let version = 1
    let summary = "test source"
    var keys: [KeySpec] {
        [KeySpec("value", .number(min: -1000, max: 1000), required: true, doc: "the number"),
         KeySpec("sleep", .number(min: 0, max: 10), default: 0.0, doc: "seconds to sleep"),
         KeySpec("label", .string, doc: "a label")]
    }
    var results: [ResultSpec] { [ResultSpec("value", doc: "the number"), ResultSpec("seed", doc: "block seed"),
                                 ResultSpec("started", doc: "start time"), ResultSpec("ended", doc: "end time")] }

    func run(_ input: BlockInput) throws -> BlockOutput {
        let started = Date().timeIntervalSinceReferenceDate
        if let s = input.spec.double("sleep"), s > 0 { Thread.sleep(forTimeInterval: s) }
        let ended = Date().timeIntervalSinceReferenceDate
        RunLog.shared.record(input.id)
        return BlockOutput(values: ["value": .double(input.spec.double("value")!), "seed": .string(String(input.seed)),
                                    "started": .double(started), "ended": .double(ended)],
                           arrays: ["samples": NumericArray(shape: [2, 2], values: [1, 2.5, -3, .pi])])
    }

    func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] { [] }
}

/// `sum`: adds the `value` results of its inputs; fails when asked to.
struct SumKind: BlockKind {
    let name = "sum"
    let version = 1
    let summary = "test sum"
    var keys: [KeySpec] {
        [KeySpec("of", .references(kinds: ["number", "sum"]), required: true, doc: "inputs"),
         KeySpec("fail", .bool, default: false, doc: "throw instead of adding"),
         KeySpec("mode", .choice(["plain", "scaled"]), default: "plain", doc: "mode"),
         KeySpec("scale", .number(), default: 1.0, when: ("mode", ["scaled"]), doc: "scale")]
    }
    var results: [ResultSpec] { [ResultSpec("value", doc: "the sum")] }

    func run(_ input: BlockInput) throws -> BlockOutput {
        RunLog.shared.record(input.id)
        if input.spec.bool("fail") == true { throw BlockError("asked to fail") }
        let total = input.spec.ids("of").compactMap { input.inputs[$0]?.values["value"]?.doubleValue }.reduce(0, +)
        return BlockOutput(values: ["value": .double(total * (input.spec.double("scale") ?? 1))])
    }

    func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] { [] }
}

/// Which blocks actually computed, across a test.
final class RunLog: @unchecked Sendable {
    static let shared = RunLog()
    private let lock = NSLock()
    private var ids: [String] = []

    func record(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
    func take() -> [String] { lock.lock(); defer { ids = []; lock.unlock() }; return ids.sorted() }
}

let testRegistry = KindRegistry([NumberKind(), SumKind()])

func build(_ text: String, overrides: [(name: String, value: String)] = []) -> GraphBuilder.Output {
    let parsed = NotebookParser(knownKinds: testRegistry.names).parse(text, path: "t.md", overrides: overrides)
    return GraphBuilder(registry: testRegistry).build(parsed.notebook, parseDiagnostics: parsed.diagnostics)
}
