import Foundation

/// How a block ended in one run.
public enum BlockStatus: Sendable, Hashable {
    /// Computed in this run.
    case computed
    /// Taken from the cache.
    case cached
    case failed(String)
    /// Skipped: a block it needs failed, or `--only` did not ask for it and nothing was cached.
    case notRun(String)

    public var succeeded: Bool { self == .computed || self == .cached }
}

public struct BlockOutcome: Sendable {
    public var id: String
    public var status: BlockStatus
    public var output: BlockOutput?
    /// Compute time: of this run, or, for a cached result, of the run that made it.
    public var seconds: Double
    public var cacheKey: String
    public var seed: UInt64
    /// A cached block's arrays stay on disk until a block that runs needs them.
    public var arraysOnDisk = false
    /// The shapes of those arrays, by name (read from the entry's header).
    public var arrayShapes: [String: [Int]] = [:]
}

public struct RunOptions: Sendable {
    /// Blocks computed at the same time.
    public var jobs: Int
    /// Recompute every block, ignoring (and then refreshing) the cache.
    public var force: Bool
    /// When not empty: run only these blocks and what they need.
    public var only: [String]
    /// Mixed into every cache key (the tool's version): entries made by another version of the
    /// tool are never reused.
    public var cacheSalt: String

    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, force: Bool = false, only: [String] = [],
                cacheSalt: String = "") {
        self.jobs = max(1, jobs)
        self.force = force
        self.only = only
        self.cacheSalt = cacheSalt
    }
}

/// What a run says while it goes, for progress on stderr.
public enum RunEvent: Sendable {
    case started(id: String, kind: String)
    case finished(BlockOutcome, kind: String, done: Int, total: Int)
    case warning(String)
    /// A running block's own word on how far it is.
    case progress(id: String, message: String)
}

/// Runs a validated graph: independent blocks at the same time (up to `jobs`), each block's
/// results from the cache when its key is there, failures confined to their descendants.
public struct Runner: Sendable {
    public var graph: NotebookGraph
    public var cache: BlockCache?
    public var options: RunOptions

    public init(graph: NotebookGraph, cache: BlockCache?, options: RunOptions) {
        self.graph = graph
        self.cache = cache
        self.options = options
    }

    /// Seeds and cache keys of every block; keys depend only on specs, never on results,
    /// so they are known before anything runs.
    public func plan() -> (seeds: [String: UInt64], keys: [String: String]) {
        var seeds: [String: UInt64] = [:]
        var keys: [String: String] = [:]
        for id in graph.topologicalOrder {
            let node = graph[id]!
            let seed = Seeds.blockSeed(notebookSeed: graph.notebook.frontMatter.seed, blockID: id)
            seeds[id] = seed
            let inputKeys = Dictionary(uniqueKeysWithValues: node.dependencies.map { ($0, keys[$0]!) })
            var extra: [String: Value] = ["salt": .string(options.cacheSalt)]
            let fingerprint = node.kind.fingerprint(node.spec, environment: graph.environment)
            if !fingerprint.isEmpty { extra["files"] = .object(fingerprint) }
            keys[id] = CacheKey.compute(kind: node.kind.name, kindVersion: node.kind.version, spec: node.spec,
                                        inputKeys: inputKeys, seed: seed, extra: extra)
        }
        return (seeds, keys)
    }

    public func run(progress: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> [String: BlockOutcome] {
        let (seeds, keys) = plan()
        let order = graph.topologicalOrder
        let wanted = options.only.isEmpty ? Set(order) : graph.closure(of: options.only)
        var outcomes: [String: BlockOutcome] = [:]
        let total = order.count
        func finish(_ outcome: BlockOutcome) {
            outcomes[outcome.id] = outcome
            progress(.finished(outcome, kind: graph[outcome.id]!.kind.name, done: outcomes.count, total: total))
        }

        // Blocks `--only` leaves out still show what the cache has for them.
        for id in order where !wanted.contains(id) {
            if let cache, case .hit(let entry) = cache.load(key: keys[id]!, arrays: false) {
                finish(BlockOutcome(id: id, status: .cached, output: entry.output, seconds: entry.seconds, cacheKey: keys[id]!, seed: seeds[id]!,
                                    arraysOnDisk: true, arrayShapes: entry.arrayShapes))
            } else {
                finish(BlockOutcome(id: id, status: .notRun("not asked for by --only"), output: nil, seconds: 0, cacheKey: keys[id]!, seed: seeds[id]!))
            }
        }

        var pending = order.filter { wanted.contains($0) }
        await withTaskGroup(of: BlockOutcome.self) { group in
            var running = 0
            var looked = Set<String>()
            while !pending.isEmpty || running > 0 {
                // Skip blocks whose inputs failed; start those whose inputs are all ready.
                var index = 0
                while index < pending.count {
                    let id = pending[index]
                    let node = graph[id]!
                    if let bad = node.dependencies.first(where: { outcomes[$0].map { !$0.status.succeeded } ?? false }) {
                        pending.remove(at: index)
                        let reason = outcomes[bad].map { if case .failed = $0.status { return "'\(bad)' failed" } else { return "'\(bad)' did not run" } }!
                        finish(BlockOutcome(id: id, status: .notRun(reason), output: nil, seconds: 0, cacheKey: keys[id]!, seed: seeds[id]!))
                        continue
                    }
                    let ready = node.dependencies.allSatisfy({ outcomes[$0]?.status.succeeded ?? false })
                    // From the cache (its results only) when it is there: no slot needed. Looked up
                    // once per block; a miss waits for a slot.
                    if ready, let cache, !options.force, looked.insert(id).inserted {
                        switch cache.load(key: keys[id]!, arrays: false) {
                        case .hit(let entry):
                            pending.remove(at: index)
                            finish(BlockOutcome(id: id, status: .cached, output: entry.output, seconds: entry.seconds, cacheKey: keys[id]!,
                                                seed: seeds[id]!, arraysOnDisk: true, arrayShapes: entry.arrayShapes))
                            continue
                        case .corrupt(let why):
                            progress(.warning("cache entry for '\(id)' is corrupt (\(why)); recomputing"))
                        case .miss:
                            break
                        }
                    }
                    if running < options.jobs, ready {
                        pending.remove(at: index)
                        // It runs: inputs that came from the cache without their arrays are read whole.
                        var unreadable: String?
                        for dep in node.dependencies where outcomes[dep]!.arraysOnDisk {
                            if let cache, case .hit(let entry) = cache.load(key: keys[dep]!) {
                                outcomes[dep]!.output = entry.output
                                outcomes[dep]!.arraysOnDisk = false
                            } else {
                                unreadable = dep
                            }
                        }
                        if let unreadable {
                            finish(BlockOutcome(id: id, status: .failed("the cached results of '\(unreadable)' could not be read again (removed or damaged during the run); run the notebook again"),
                                                output: nil, seconds: 0, cacheKey: keys[id]!, seed: seeds[id]!))
                            continue
                        }
                        let inputs = Dictionary(uniqueKeysWithValues: node.dependencies.map { ($0, outcomes[$0]!.output!) })
                        let inputKinds = Dictionary(uniqueKeysWithValues: node.dependencies.map { ($0, graph[$0]!.kind.name) })
                        let input = BlockInput(id: id, spec: node.spec, seed: seeds[id]!, inputs: inputs, inputKinds: inputKinds,
                                               environment: graph.environment)
                        let job = Job(kind: node.kind, input: input, key: keys[id]!, cache: cache)
                        group.addTask { await job.execute(progress: progress) }
                        running += 1
                        continue
                    }
                    index += 1
                }
                guard running > 0 else { break }
                if let outcome = await group.next() {
                    running -= 1
                    finish(outcome)
                }
            }
        }
        return outcomes
    }
}

/// One block's work: its kind's `run` on a thread of its own (block work is CPU-bound and must
/// not starve Swift's cooperative pool), then its cache entry.
private struct Job: Sendable {
    var kind: any BlockKind
    var input: BlockInput
    var key: String
    var cache: BlockCache?

    func execute(progress: @escaping @Sendable (RunEvent) -> Void) async -> BlockOutcome {
        let id = input.id
        progress(.started(id: id, kind: kind.name))
        var withProgress = self.input
        withProgress.progress = { message in progress(.progress(id: id, message: message)) }
        let input = withProgress
        let (result, seconds) = await withCheckedContinuation { (continuation: CheckedContinuation<(Result<BlockOutput, Error>, Double), Never>) in
            let thread = Thread {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = Result { try kind.run(input) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                continuation.resume(returning: (result, seconds))
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        switch result {
        case .success(let output):
            if let cache {
                do {
                    try cache.store(key: key, output: output, seconds: seconds)
                } catch {
                    progress(.warning("could not write the cache entry for '\(id)': \(error.localizedDescription)"))
                }
            }
            return BlockOutcome(id: id, status: .computed, output: output, seconds: seconds, cacheKey: key, seed: input.seed)
        case .failure(let error):
            let message = (error as? BlockError)?.message ?? "\(error)"
            return BlockOutcome(id: id, status: .failed(message), output: nil, seconds: seconds, cacheKey: key, seed: input.seed)
        }
    }
}
