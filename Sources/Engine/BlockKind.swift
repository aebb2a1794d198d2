import Foundation
import Notebook

/// What a block kind is to the engine: a schema of keys, a version, and a pure function from a
/// resolved spec, a seed and its inputs to results.
///
/// Kinds live outside the engine (module Blocks) and reach it through a `KindRegistry`, so the
/// engine can be tested with kinds made for the test.
public protocol BlockKind: Sendable {
    /// The word after the fence: ```` ```dataset pairs ````.
    var name: String { get }
    /// Bump when results for the same spec change: old cache entries are then never reused.
    var version: Int { get }
    /// One line for `infoplane kinds`.
    var summary: String { get }
    var keys: [KeySpec] { get }
    var results: [ResultSpec] { get }

    /// Checks that need more than the schema (e.g. a plot's `x` must be a result of its inputs).
    func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic]

    /// What outside the notebook the results depend on (a hash of each file read), mixed into
    /// the cache key: editing a CSV reruns its block, touching it without a change does not.
    func fingerprint(_ spec: ResolvedSpec, environment: RunEnvironment) -> [String: Value]

    /// Computes the block's results. Must depend only on its arguments.
    func run(_ input: BlockInput) throws -> BlockOutput

    /// How the results read in a report.
    func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation]

    /// Result keys a `{{ id.key }}`, a table column or a plot axis may name for this spec.
    func resultNames(for spec: ResolvedSpec) -> [String]
}

extension BlockKind {
    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] { [] }

    public func fingerprint(_ spec: ResolvedSpec, environment: RunEnvironment) -> [String: Value] { [:] }

    public func resultNames(for spec: ResolvedSpec) -> [String] {
        results.filter { $0.applies(to: spec) }.map(\.name)
    }
}

/// What a kind's `check` can see of the rest of the notebook.
public struct CheckContext: Sendable {
    /// The referenced blocks, by id: their kind and resolved spec.
    public var referenced: [String: (kind: any BlockKind, spec: ResolvedSpec)]
    public var environment: RunEnvironment
}

extension CheckContext {
    /// An error when `name` — a result key, a sweep's column, or a dotted path whose first key is
    /// a result — names no result of the referenced block `id`; nil when it does (or `id` is not
    /// referenced). The message names `shown` (what the user should look at), with the nearest
    /// result name and the list of them.
    public func unknownResult(_ name: String, shown: String, of id: String, key: String, at location: SourceLocation) -> Diagnostic? {
        guard let (kind, spec) = referenced[id] else { return nil }
        let names = kind.resultNames(for: spec)
        guard !names.contains(name), !names.contains(String(name.split(separator: ".").first ?? "")) else { return nil }
        var notes: [Diagnostic.Note] = [.init("results of \(kind.name) '\(id)': \(names.joined(separator: ", "))")]
        if let near = NameSuggestion.nearest(to: shown, in: names) { notes.insert(.init("did you mean '\(near)'?"), at: 0) }
        return .error("'\(key)': \(kind.name) '\(id)' has no result '\(shown)'", at: location, notes: notes)
    }
}

/// Everything a block's `run` receives.
public struct BlockInput: Sendable {
    public var id: String
    public var spec: ResolvedSpec
    /// Derived from the notebook seed and the block id (`Seeds.blockSeed`): the block's only
    /// source of randomness.
    public var seed: UInt64
    /// Results of the blocks this one references, by id.
    public var inputs: [String: BlockOutput]
    /// Kinds of those blocks, by id.
    public var inputKinds: [String: String]
    /// Says how a long computation is going ("epoch 120/2000, loss 0.31"); shown on a terminal.
    public var progress: @Sendable (String) -> Void
    /// Where the notebook is and what it may read.
    public var environment: RunEnvironment

    public init(id: String, spec: ResolvedSpec, seed: UInt64, inputs: [String: BlockOutput], inputKinds: [String: String],
                progress: @escaping @Sendable (String) -> Void = { _ in },
                environment: RunEnvironment = RunEnvironment(notebookDirectory: URL(fileURLWithPath: "."))) {
        self.environment = environment
        self.id = id
        self.spec = spec
        self.seed = seed
        self.inputs = inputs
        self.inputKinds = inputKinds
        self.progress = progress
    }
}

/// A block's results: small values (shown in prose, saved in results.json), large numeric
/// arrays (passed to later blocks, kept in the cache only). Figures are drawn from these by the
/// kind's `present`, so a change in how charts look never needs a stale cache entry cleared.
public struct BlockOutput: Sendable, Hashable {
    public var values: [String: Value]
    public var arrays: [String: NumericArray]

    public init(values: [String: Value] = [:], arrays: [String: NumericArray] = [:]) {
        self.values = values
        self.arrays = arrays
    }
}

/// A dense row-major array of numbers: Float64, or Float32 where volume matters (recorded
/// activations), which halves the cache.
public struct NumericArray: Sendable, Hashable {
    public enum Storage: Sendable, Hashable {
        case float64([Double])
        case float32([Float])
    }

    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.storage = .float64(values)
    }

    public init(shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "shape \(shape) does not match \(floats.count) values")
        self.shape = shape
        self.storage = .float32(floats)
    }

    /// The numbers as Float64 (converted when stored as Float32).
    public var values: [Double] {
        switch storage {
        case .float64(let v): return v
        case .float32(let v): return v.map(Double.init)
        }
    }

    /// The numbers as Float32 (converted when stored as Float64).
    public var floats: [Float] {
        switch storage {
        case .float64(let v): return v.map(Float.init)
        case .float32(let v): return v
        }
    }

    public var count: Int { shape.reduce(1, *) }
    public var rows: Int { shape.first ?? 0 }
    public var columns: Int { shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1 }
}

/// A run-time failure of a block, shown in the report's error box.
public struct BlockError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A piece of a block's report.
public enum Presentation: Sendable, Hashable {
    case table(Table)
    case figure(Figure)
    case text(String)
}

public struct Table: Sendable, Hashable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns holding numbers are right-aligned.
    public var numericColumns: Set<Int>
    /// A table with a caption is numbered ("Table 2.") in the report; one without is not.
    public var caption: String?

    public init(header: [String], rows: [[String]], numericColumns: Set<Int> = [], caption: String? = nil) {
        self.header = header
        self.rows = rows
        self.numericColumns = numericColumns
        self.caption = caption
    }
}

public struct Figure: Sendable, Hashable {
    public var svg: String
    public var caption: String
    public init(svg: String, caption: String) {
        self.svg = svg
        self.caption = caption
    }
}
