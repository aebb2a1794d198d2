import Charts
import Dispatch
import Engine
import Learning
import Notebook

/// `model`: trains a network on a dataset and records what the estimators need.
public struct ModelKind: BlockKind {
    public init() {}

    public let name = "model"
    public let version = 5
    public let summary = "Trains a fully connected network on a dataset, recording every layer's activations at chosen epochs."

    public var keys: [KeySpec] {
        [
            KeySpec("data", .reference(kinds: ["dataset"]), required: true,
                    doc: "The dataset to learn: classes (tishby12) with cross-entropy, or Y values (gaussian) with mse."),
            KeySpec("layers", .list(.int(min: 1, max: 4096), count: 0...32), required: true,
                    doc: "Widths of the hidden layers, e.g. [10, 7, 5, 4, 3]; the output layer is added to fit the data."),
            KeySpec("activation", .choice(Activation.allCases.map(\.rawValue)), default: "tanh", doc: "Activation of every hidden layer."),
            KeySpec("loss", .choice(Loss.allCases.map(\.rawValue)), default: "cross-entropy",
                    doc: "cross-entropy (softmax over classes) or mse (regression on Y)."),
            KeySpec("optimizer", .record([
                KeySpec("name", .choice(OptimizerKind.allCases.map(\.rawValue)), default: "adam", doc: "sgd or adam."),
                KeySpec("lr", .number(min: 1e-12, max: 100), default: 0.001, doc: "Learning rate."),
                KeySpec("momentum", .number(min: 0, max: 0.999), default: 0.0, when: ("name", ["sgd"]), doc: "Momentum of SGD."),
            ], shorthand: "name"), doc: "{name: adam, lr: 0.001}, or just the name."),
            KeySpec("batch", .int(min: 1, max: 1_000_000), default: 256, doc: "Minibatch size."),
            KeySpec("epochs", .int(min: 0, max: 1_000_000), default: 100, doc: "Passes over the training rows."),
            KeySpec("l2", .number(min: 0, max: 100), default: 0.0, doc: "L2 penalty λ: (λ/2)·Σw² is added to the loss."),
            KeySpec("record", .record([
                KeySpec("epochs", .int(min: 1, max: 1_000_000), default: 50, doc: "How many epochs to record (0 and the last included)."),
                KeySpec("spacing", .choice(["log", "linear"]), default: "log", doc: "log: dense early, where networks change fastest."),
                KeySpec("at", .list(.int(min: 0, max: 1_000_000), count: 1...100_000), doc: "Explicit epochs instead."),
            ], shorthand: "epochs"), doc: "When to record every layer's activations on all rows: {epochs: 50, spacing: log} or {at: [0, 10, 100]}."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("train_loss", doc: "Final loss on the training rows."),
            ResultSpec("test_loss", doc: "Final loss on the test rows (null without a test part)."),
            ResultSpec("train_accuracy", doc: "Final accuracy on the training rows (classification)."),
            ResultSpec("test_accuracy", doc: "Final accuracy on the test rows (classification)."),
            ResultSpec("parameters", doc: "Number of weights and biases."),
            ResultSpec("epochs", doc: "Epochs trained."),
            ResultSpec("recorded", doc: "Number of recorded epochs."),
            ResultSpec("layer_widths", doc: "Widths of every layer, the output layer last."),
            ResultSpec("activation", doc: "Activation of the hidden layers."),
            ResultSpec("classes", doc: "Number of classes (null for regression)."),
            ResultSpec("history", doc: "Curves per epoch: history.epoch, history.train_loss, history.test_loss, history.train_accuracy, history.test_accuracy."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        guard let dataID = spec.string("data"), let data = context.referenced[dataID],
              let rows = MemoryBudget.rows(ofDataset: data.spec), let record = spec["record"] else { return [] }
        let recorded = record["at"]?.arrayValue?.count ?? min(record["epochs"]?.intValue ?? 0, (spec.int("epochs") ?? 0) + 1)
        let units = (spec["layers"]?.arrayValue?.compactMap(\.intValue) ?? []).reduce(2, +)
        // Recordings as Float32, copied once more when they are handed on.
        let bytes = Double(recorded) * Double(rows) * Double(units) * 4 * 2
        return MemoryBudget.check(bytes: bytes, what: "recording \(recorded) epochs of \(units) units on \(rows) rows",
                                  at: spec.location(of: "record"))
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        let dataID = spec.string("data")!
        guard let data = input.inputs[dataID], let x = data.arrays["x"] else {
            throw BlockError("dataset '\(dataID)' has no inputs X")
        }
        let loss = Loss(rawValue: spec.string("loss")!)!
        let labelled: LabelledData
        switch (loss, data.arrays["labels"], data.arrays["y"]) {
        case (.crossEntropy, let labels?, _):
            let classes = data.values["classes"]?.intValue ?? (Int(labels.values.max() ?? 0) + 1)
            labelled = LabelledData(features: x.values, width: x.columns, targets: labels.values, targetWidth: 1, classes: classes)
        case (.mse, _, let y?):
            labelled = LabelledData(features: x.values, width: x.columns, targets: y.values, targetWidth: y.columns, classes: nil)
        case (.crossEntropy, nil, _):
            throw BlockError("cross-entropy needs class labels, and dataset '\(dataID)' has none; use loss: mse for regression")
        case (.mse, _, nil):
            throw BlockError("mse needs Y values, and dataset '\(dataID)' has none; use loss: cross-entropy for classes")
        }
        let train = data.arrays["train_index"]?.values.map { Int($0) } ?? Array(0..<labelled.count)
        let test = data.arrays["test_index"]?.values.map { Int($0) } ?? []

        let optimizer = spec["optimizer"]!
        let record = spec["record"]!
        let schedule: RecordSchedule = record["at"]?.arrayValue.map { .explicit($0.compactMap(\.intValue)) }
            ?? .spaced(count: record["epochs"]!.intValue!, logarithmic: record["spacing"]?.stringValue == "log")
        let epochs = spec.int("epochs")!
        let plan = TrainingPlan(
            hidden: spec["layers"]!.arrayValue!.compactMap(\.intValue),
            activation: Activation(rawValue: spec.string("activation")!)!,
            loss: loss,
            optimizer: OptimizerKind(rawValue: optimizer["name"]!.stringValue!)!,
            learningRate: optimizer["lr"]!.doubleValue!,
            momentum: optimizer["momentum"]?.doubleValue ?? 0,
            l2: spec.double("l2")!,
            batch: spec.int("batch")!,
            epochs: epochs,
            record: schedule,
            seed: input.seed)

        let reporter = input.progress
        let started = DispatchTime.now().uptimeNanoseconds
        let lastReport = Counter()
        let result: TrainingResult
        do {
            result = try FloatTraining.train(plan, data: labelled, train: train, test: test, recordRows: Array(0..<labelled.count)) { epoch, trainLoss in
                // About once a second: epoch, loss and time left.
                let now = DispatchTime.now().uptimeNanoseconds
                guard epoch > 0, now - lastReport.value > 1_000_000_000 || epoch == epochs else { return }
                lastReport.value = now
                let perEpoch = Double(now - started) / 1e9 / Double(epoch)
                reporter("epoch \(epoch)/\(epochs), loss \(NumberFormatting.format(trainLoss)), about \(Int((perEpoch * Double(epochs - epoch)).rounded())) s left")
            }
        } catch let failure as TrainingFailure {
            throw BlockError(failure.description)
        }

        let n = labelled.count
        var arrays: [String: NumericArray] = [
            "recorded_epochs": NumericArray(shape: [result.recordedEpochs.count], values: result.recordedEpochs.map(Double.init)),
            "targets": NumericArray(shape: [n, labelled.targets.count / n], values: labelled.targets),
        ]
        for (l, width) in result.layerWidths.enumerated() {
            arrays["layer\(l + 1)"] = NumericArray(shape: [result.recordedEpochs.count, n, width], floats: result.activations[l])
        }
        func finite(_ x: Double?) -> Value { x.map { $0.isFinite ? .double($0) : .null } ?? .null }
        let history: Value = .object([
            "epoch": .array((0...epochs).map { .int($0) }),
            "train_loss": .array(result.trainLoss.map { finite($0) }),
            "test_loss": .array(result.testLoss.map { finite($0) }),
            "train_accuracy": .array(result.trainAccuracy.map { finite($0) }),
            "test_accuracy": .array(result.testAccuracy.map { finite($0) }),
        ])
        return BlockOutput(values: [
            "train_loss": finite(result.trainLoss.last),
            "test_loss": finite(result.testLoss.last),
            "train_accuracy": finite(result.trainAccuracy.last),
            "test_accuracy": finite(result.testAccuracy.last),
            "parameters": .int(result.parameters),
            "epochs": .int(epochs),
            "recorded": .int(result.recordedEpochs.count),
            "layer_widths": .array(result.layerWidths.map { .int($0) }),
            "activation": .string(plan.activation.rawValue),
            "classes": labelled.classes.map { .int($0) } ?? .null,
            "history": history,
        ], arrays: arrays)
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let v = output.values
        var rows = [["parameters", v["parameters"]?.displayText ?? "—"],
                    ["layers", (v["layer_widths"]?.arrayValue?.map(\.displayText) ?? []).joined(separator: "-")],
                    ["epochs", v["epochs"]?.displayText ?? "—"],
                    ["train loss", v["train_loss"]?.displayText ?? "—"],
                    ["test loss", v["test_loss"]?.displayText ?? "—"]]
        if v["train_accuracy"] != .null {
            rows += [["train accuracy", v["train_accuracy"]?.displayText ?? "—"], ["test accuracy", v["test_accuracy"]?.displayText ?? "—"]]
        }
        rows.append(["recorded epochs", v["recorded"]?.displayText ?? "—"])
        var presentations: [Presentation] = [.table(Table(header: ["", "value"], rows: rows, numericColumns: [1]))]
        // The learning curves, as every training run deserves.
        if let history = v["history"], let epochs = history["epoch"]?.arrayValue, epochs.count > 1 {
            func series(_ name: String, _ key: String) -> XYChart.Series? {
                guard let ys = history[key]?.arrayValue, ys.contains(where: { $0 != .null }) else { return nil }
                return XYChart.Series(name: name, points: zip(epochs, ys).map { XYChart.Point(x: $0.doubleValue ?? .nan, y: $1.doubleValue ?? .nan) })
            }
            let chart = XYChart(style: .line, series: [series("train", "train_loss"), series("test", "test_loss")].compactMap { $0 },
                                title: "", xLabel: "epoch", yLabel: "loss (\(spec.string("loss") ?? ""))", idPrefix: "curve-\(id)")
            presentations.append(.figure(Figure(svg: chart.svg(), caption: "Learning curves of \(id): loss on the training and test rows after each epoch.")))
        }
        return presentations
    }
}

/// A mutable cell the progress closure can update.
private final class Counter: @unchecked Sendable {
    var value: UInt64 = 0
}
