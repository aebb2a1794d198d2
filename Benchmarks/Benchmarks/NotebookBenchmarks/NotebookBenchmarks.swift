import Benchmark
import Foundation
import Learning
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

    // The Tishby net of issue 4 (12-10-7-5-4-3-2 tanh, SGD, batch 256), 100 epochs with every
    // layer recorded on all 4096 inputs at 20 log-spaced epochs and the loss and accuracy on
    // every row after each epoch. Divide by 100 for a time per epoch (0.6 ms here).
    let (inputs, labels) = Tishby12.make()
    let data = LabelledData(features: inputs, width: 12, targets: labels.map(Double.init), targetWidth: 1, classes: 2)
    let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 1)
    let plan = TrainingPlan(hidden: [10, 7, 5, 4, 3], activation: .tanh, loss: .crossEntropy, optimizer: .sgd, learningRate: 0.01,
                            batch: 256, epochs: 100, record: .spaced(count: 20, logarithmic: true), seed: 1)
    Benchmark("Train the Tishby net for 100 epochs", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            let result = try FloatTraining.train(plan, data: data, train: split.train, test: split.test, recordRows: Array(0..<4096))
            blackHole(result)
        }
    }
}
