import ArgumentParser
import Blocks
import Engine
import Foundation
import NumericCore
import Workflow

@main
struct InfoPlaneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplane",
        abstract: "Runs Markdown notebooks of information-theory experiments and renders them as reports.",
        discussion: """
        Exit codes: 0 success; 1 a block failed at run time (the report shows it); 64 bad command line;
        65 the notebook has errors (nothing ran, nothing written); 74 a file could not be read or written.
        """,
        version: Workflow.toolVersion,
        subcommands: [Run.self, Check.self, Graph.self, Kinds.self, Clean.self],
        defaultSubcommand: nil)
}

/// Writes to standard error, where diagnostics and progress belong.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// `--param name=value`, repeatable.
struct ParamOptions: ParsableArguments {
    @Option(name: .customLong("param"), help: ArgumentHelp("Override a front-matter parameter; the value is typed by YAML rules.", valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp("Use the parameter values of this front-matter profile (e.g. test); --param values still win.", valueName: "name"))
    var profile: String?

    func overrides() throws -> [(name: String, value: String)] {
        try params.map { text in
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("--param expects name=value, got '\(text)'")
            }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }
}

extension InfoPlaneCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run notebooks and render their reports into the output folder.")

        @Argument(help: "Notebook files (.md).")
        var notebooks: [String]

        @Option(name: .shortAndLong, help: "Folder that receives one report folder per notebook.")
        var output: String = "Output"

        @Option(help: "Cache folder (content-addressed block results).")
        var cache: String = ".infoplane/cache"

        @Flag(help: "Do not read or write the cache.")
        var noCache = false

        @Option(name: .shortAndLong, help: "Blocks computed at the same time (default: the number of cores).")
        var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

        @Flag(help: "Recompute every block, ignoring cached results (and refreshing them).")
        var force = false

        @Option(help: ArgumentHelp("Run only this block and the blocks it needs (repeatable); other blocks show cached results or 'not run'.", valueName: "id"))
        var only: [String] = []

        @OptionGroup var params: ParamOptions

        @Option(name: .customLong("allow-read"), help: ArgumentHelp("Let blocks read files under this folder too (repeatable); by default only the notebook's folder.", valueName: "dir"))
        var allowRead: [String] = []

        @Flag(help: "Write the run date and per-block ran/cached status and times into the outputs (they then differ between runs).")
        var stamp = false

        @Flag(name: .shortAndLong, help: "Print only errors and warnings.")
        var quiet = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func run() async throws {
            Interruption.install()
            MemoryTuning.keepFreedMemory()
            let overrides = try params.overrides()
            var worst = ExitStatus.success
            for path in notebooks {
                let settings = Workflow.Settings(
                    outputRoot: URL(fileURLWithPath: output, isDirectory: true),
                    cacheDirectory: noCache ? nil : URL(fileURLWithPath: cache, isDirectory: true),
                    run: RunOptions(jobs: jobs, force: force, only: only),
                    overrides: overrides, profile: params.profile, stamp: stamp)
                var settingsWithProgress = settings
                settingsWithProgress.showProgress = !quiet && isatty(2) == 1
                let quiet = self.quiet
                let workflow = Workflow(allowRead: allowRead.map { URL(fileURLWithPath: $0, isDirectory: true) })
                let result = await workflow.run(path: path, settings: settingsWithProgress) { line in
                    if !quiet || line.contains("error:") || line.contains("warning:") || line.contains("FAILED") { printError(line) }
                }
                if result.status != .success && (worst == .success || result.status.rawValue > worst.rawValue) { worst = result.status }
            }
            if worst != .success { throw ExitCode(worst.rawValue) }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate notebooks without running anything; print every problem found.")

        @Argument(help: "Notebook files (.md).")
        var notebooks: [String]

        @OptionGroup var params: ParamOptions

        @Option(name: .customLong("allow-read"), help: ArgumentHelp("Let blocks read files under this folder too (repeatable).", valueName: "dir"))
        var allowRead: [String] = []

        func run() throws {
            let overrides = try params.overrides()
            var worst = ExitStatus.success
            for path in notebooks {
                let loaded = Workflow(allowRead: allowRead.map { URL(fileURLWithPath: $0, isDirectory: true) }).load(path: path, overrides: overrides, profile: params.profile)
                if !loaded.diagnostics.isEmpty { printError(loaded.renderedDiagnostics) }
                if loaded.graph == nil {
                    worst = loaded.unreadable ? .ioError : .invalidNotebook
                } else {
                    printError("\(path): ok (\(loaded.graph!.nodes.count) blocks)")
                }
            }
            if worst != .success { throw ExitCode(worst.rawValue) }
        }
    }

    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a notebook's block graph.")

        @Argument(help: "Notebook file (.md).")
        var notebook: String

        @Option(help: "text, dot (Graphviz) or mermaid.")
        var format: GraphFormat = .text

        @OptionGroup var params: ParamOptions

        func run() throws {
            let loaded = Workflow().load(path: notebook, overrides: try params.overrides(), profile: params.profile)
            if !loaded.diagnostics.isEmpty { printError(loaded.renderedDiagnostics) }
            guard let graph = loaded.graph else { throw ExitCode((loaded.unreadable ? ExitStatus.ioError : .invalidNotebook).rawValue) }
            print(graph.rendered(as: format), terminator: "")
        }
    }

    struct Kinds: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every block kind with its keys, defaults and results.")

        func run() {
            print(KindCatalog.text(KindRegistry.standard), terminator: "")
        }
    }

    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the block cache.")

        @Option(help: "Cache folder.")
        var cache: String = ".infoplane/cache"

        func run() throws {
            do {
                try BlockCache(directory: URL(fileURLWithPath: cache, isDirectory: true)).clear()
                printError("removed \(cache)")
            } catch {
                printError("error: cannot remove \(cache): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.ioError.rawValue)
            }
        }
    }
}

extension GraphFormat: ExpressibleByArgument {}
