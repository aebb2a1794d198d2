import Benchmark
import Foundation
import Workflow

/// A notebook of `blocks` blocks: datasets, estimators on them, and plots of the estimators.
func generatedNotebook(blocks: Int) -> String {
    var text = "---\ntitle: Generated\nseed: 1\nparams:\n  n: 500\n---\n\n# Generated notebook\n\n"
    let datasets = blocks / 4, plots = blocks / 4, estimators = blocks - datasets - plots
    for d in 0..<datasets {
        text += "Dataset \(d) has a known information content.\n\n```dataset d\(d)\nsource: gaussian\nmi: \(Double(d % 10) / 2)\nsize: ${params.n}\n```\n\n"
    }
    for e in 0..<estimators {
        text += "```estimator e\(e)\nof: d\(e % datasets)\nmethod: \(e % 2 == 0 ? "gaussian" : "ksg")\n```\n\nIts estimate is {{ e\(e).mi }}.\n\n"
    }
    for p in 0..<plots {
        let from = (0..<4).map { "e\((p * 2 + $0) % estimators)" }.joined(separator: ", ")
        text += "```plot p\(p)\nkind: scatter\nfrom: [\(from)]\nx: truth\ny: mi\nseries: method\ncaption: Plot \(p).\n```\n\n"
    }
    return text
}

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(5), maxIterations: 200)

    // Goal: under 50 ms.
    let text = generatedNotebook(blocks: 200)
    Benchmark("Parse and validate a 200-block notebook") { benchmark in
        for _ in benchmark.scaledIterations {
            let loaded = Workflow().load(text: text, path: "generated.md")
            precondition(loaded.graph?.nodes.count == 200, loaded.renderedDiagnostics)
            blackHole(loaded)
        }
    }

    // Goal: under 0.3 s. Everything a rerun does: read, parse, validate, load every block from
    // the cache, render HTML, Markdown, JSON and SVG, write the report.
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-bench-\(getpid())")
    let settings = Workflow.Settings(outputRoot: scratch.appendingPathComponent("out"),
                                     cacheDirectory: scratch.appendingPathComponent("cache"))
    let quickstart = repositoryRoot.appendingPathComponent("Notebooks/quickstart.md").path
    Benchmark("Fully cached rerun of the quickstart",
              configuration: .init(setup: {
                  let warm = await Workflow().run(path: quickstart, settings: settings) { _ in }
                  precondition(warm.status == .success)
              }, teardown: {
                  try? FileManager.default.removeItem(at: scratch)
              })) { benchmark in
        for _ in benchmark.scaledIterations {
            let result = await Workflow().run(path: quickstart, settings: settings) { _ in }
            precondition(result.outcomes.values.allSatisfy { $0.status == .cached })
            blackHole(result)
        }
    }
}
