import Blocks
import Engine
import Foundation
import Notebook
import Report

/// The steps behind each command: read, parse, validate, run, render, write.
public struct Workflow: Sendable {
    public static let toolVersion = "0.1.0"

    public var registry: KindRegistry
    /// Folders outside a notebook's own that its blocks may read (`--allow-read`).
    public var allowRead: [URL]

    public init(registry: KindRegistry = .standard, allowRead: [URL] = []) {
        self.registry = registry
        self.allowRead = allowRead
    }

    /// A notebook read and validated: the graph is there only when there were no errors.
    public struct Loaded: Sendable {
        public var path: String
        public var notebook: Notebook?
        public var graph: NotebookGraph?
        public var diagnostics: [Diagnostic]
        /// True when the file itself could not be read.
        public var unreadable: Bool

        /// Diagnostics as the user sees them.
        public var renderedDiagnostics: String {
            diagnostics.map { $0.rendered(path: path) }.joined(separator: "\n")
        }
    }

    public func load(path: String, overrides: [(name: String, value: String)] = [], profile: String? = nil) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            return Loaded(path: path, notebook: nil, graph: nil,
                          diagnostics: [.error("cannot read the notebook (no such file, or not readable)", at: nil)], unreadable: true)
        }
        return load(bytes: Array(data), path: path, overrides: overrides, profile: profile)
    }

    /// A notebook from raw bytes: checked to be text first (not empty, no NUL, valid UTF-8).
    public func load(bytes: [UInt8], path: String, overrides: [(name: String, value: String)] = [], profile: String? = nil) -> Loaded {
        if let problem = TextCheck.problem(in: bytes) {
            return Loaded(path: path, notebook: nil, graph: nil, diagnostics: [problem], unreadable: false)
        }
        return load(text: String(decoding: bytes, as: UTF8.self), path: path, overrides: overrides, profile: profile)
    }

    public func load(text: String, path: String, overrides: [(name: String, value: String)] = [], profile: String? = nil) -> Loaded {
        let parsed = NotebookParser(knownKinds: registry.names).parse(text, path: path, overrides: overrides, profile: profile)
        let environment = RunEnvironment(notebookDirectory: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                         allowedDirectories: allowRead)
        let built = GraphBuilder(registry: registry, environment: environment).build(parsed.notebook, parseDiagnostics: parsed.diagnostics)
        return Loaded(path: path, notebook: parsed.notebook, graph: built.graph, diagnostics: built.diagnostics, unreadable: false)
    }

    public struct Settings: Sendable {
        /// Reports go to `outputRoot/NAME/`.
        public var outputRoot: URL
        /// Nil: no cache at all.
        public var cacheDirectory: URL?
        public var run: RunOptions
        public var overrides: [(name: String, value: String)]
        /// A front-matter profile of parameter values, applied before `overrides`.
        public var profile: String?
        /// Put the run date and per-block times into the outputs.
        public var stamp: Bool
        /// Print blocks' progress lines (training epochs); the CLI sets it when stderr is a terminal.
        public var showProgress = false

        public init(outputRoot: URL, cacheDirectory: URL?, run: RunOptions = RunOptions(),
                    overrides: [(name: String, value: String)] = [], profile: String? = nil, stamp: Bool = false) {
            self.profile = profile
            self.outputRoot = outputRoot
            self.cacheDirectory = cacheDirectory
            self.run = run
            self.overrides = overrides
            self.stamp = stamp
        }
    }

    public struct RunResult: Sendable {
        public var status: ExitStatus
        public var outcomes: [String: BlockOutcome]
        public var reportFolder: URL?
        public var loaded: Loaded
    }

    /// Runs one notebook and writes its report. Diagnostics and progress go to `log`.
    public func run(path: String, settings: Settings, log: @escaping @Sendable (String) -> Void) async -> RunResult {
        let loaded = load(path: path, overrides: settings.overrides, profile: settings.profile)
        if !loaded.diagnostics.isEmpty { log(loaded.renderedDiagnostics) }
        guard let graph = loaded.graph else {
            return RunResult(status: loaded.unreadable ? .ioError : .invalidNotebook, outcomes: [:], reportFolder: nil, loaded: loaded)
        }
        for id in settings.run.only where graph[id] == nil {
            log("\(path): error: --only \(id): the notebook has no block '\(id)'")
            return RunResult(status: .usage, outcomes: [:], reportFolder: nil, loaded: loaded)
        }

        let name = Self.reportName(for: path)
        let start = DispatchTime.now().uptimeNanoseconds
        let cache = settings.cacheDirectory.map(BlockCache.init(directory:))
        var options = settings.run
        options.cacheSalt = "infoplane \(Self.toolVersion)"
        let showProgress = settings.showProgress
        let outcomes = await Runner(graph: graph, cache: cache, options: options).run { event in
            if case .progress = event, !showProgress { return }
            log(Self.describe(event))
        }

        var presentations: [String: [Presentation]] = [:]
        // Sweep points show only through their sweep's table.
        for node in graph.nodes where node.sweepPoint == nil {
            if let output = outcomes[node.id]?.output {
                presentations[node.id] = node.kind.present(output, spec: node.spec, id: node.id)
            }
        }
        let stamp = settings.stamp ? RunStamp(date: ISO8601DateFormatter().string(from: Date())) : nil
        let report = ReportRenderer.render(ReportInput(graph: graph, outcomes: outcomes, presentations: presentations,
                                                       toolVersion: Self.toolVersion, stamp: stamp))
        let folder = settings.outputRoot.appendingPathComponent(name, isDirectory: true)
        do {
            try OutputWriter.write(report, to: folder)
        } catch {
            log("\(path): error: cannot write the report to \(folder.path): \(error.localizedDescription)")
            return RunResult(status: .ioError, outcomes: outcomes, reportFolder: nil, loaded: loaded)
        }

        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let counts = Dictionary(grouping: outcomes.values, by: { outcome -> String in
            switch outcome.status {
            case .computed: return "ran"
            case .cached: return "cached"
            case .failed: return "failed"
            case .notRun: return "not run"
            }
        }).mapValues(\.count)
        let summary = ["ran", "cached", "failed", "not run"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        log("\(name): \(outcomes.count) blocks (\(summary)) in \(String(format: "%.2f", seconds)) s -> \(folder.appendingPathComponent("index.html").path)")
        // Run-time failures, once more, in the compiler-style form editors jump to.
        for node in graph.nodes {
            if case .failed(let message)? = outcomes[node.id]?.status {
                log(Diagnostic.error("\(node.kind.name) '\(node.id)' failed: \(message)", at: node.block.location).rendered(path: path))
            }
        }
        let failed = outcomes.values.contains { if case .failed = $0.status { return true }; return false }
        return RunResult(status: failed ? .blockFailed : .success, outcomes: outcomes, reportFolder: folder, loaded: loaded)
    }

    /// `Notebooks/quickstart.md` -> `quickstart`.
    public static func reportName(for path: String) -> String {
        let file = URL(fileURLWithPath: path).lastPathComponent
        return file.hasSuffix(".md") ? String(file.dropLast(3)) : file
    }

    static func describe(_ event: RunEvent) -> String {
        switch event {
        case .started(let id, let kind):
            return "  start    \(kind) \(id)"
        case .finished(let outcome, let kind, let done, let total):
            let counter = "[\(done)/\(total)]"
            switch outcome.status {
            case .computed:
                return "\(counter) ran      \(kind) \(outcome.id)  \(String(format: "%.3f", outcome.seconds)) s"
            case .cached:
                return "\(counter) cached   \(kind) \(outcome.id)  (computed in \(String(format: "%.3f", outcome.seconds)) s)"
            case .failed(let message):
                return "\(counter) FAILED   \(kind) \(outcome.id): \(message)"
            case .notRun(let reason):
                return "\(counter) not run  \(kind) \(outcome.id): \(reason)"
            }
        case .warning(let message):
            return "warning: \(message)"
        case .progress(let id, let message):
            return "  ...      \(id): \(message)"
        }
    }
}
