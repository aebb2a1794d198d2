import Charts
import Dispatch
import Engine
import Learning
import Notebook

/// `model`: trains a network on a dataset and records what the estimators need.
public struct ModelKind: BlockKind {
    public init() {}

    public let name = "model"
    public let version = 8  // 8: `evaluate`, the history's epochs are the evaluated ones
    public let summary = "Trains a network (dense layers, optionally after 1-D or 2-D convolutions) on a dataset, recording every layer's activations at chosen epochs."

    public var keys: [KeySpec] {
        [
            KeySpec("data", .reference(kinds: ["dataset"]), required: true,
                    doc: "The dataset to learn: classes (tishby12) with cross-entropy, or Y values (gaussian) with mse."),
            KeySpec("layers", .list(.int(min: 1, max: 4096), count: 0...32), required: true,
                    doc: "Widths of the hidden layers, e.g. [10, 7, 5, 4, 3]; the output layer is added to fit the data."),
            KeySpec("activation", .choice(Activation.allCases.map(\.rawValue)), default: "tanh", doc: "Activation of every hidden layer."),
            KeySpec("loss", .choice(Loss.allCases.map(\.rawValue)), default: "cross-entropy",
                    doc: "cross-entropy (softmax over classes), mse (regression on Y), or cs-divergence (regression: the conditional Cauchy–Schwarz divergence of Yu et al. 2024; per-epoch losses are then reported as MSE)."),
            KeySpec("optimizer", .record([
                KeySpec("name", .choice(OptimizerKind.allCases.map(\.rawValue)), default: "adam", doc: "sgd or adam."),
                KeySpec("lr", .number(min: 1e-12, max: 100), default: 0.001, doc: "Learning rate."),
                KeySpec("momentum", .number(min: 0, max: 0.999), default: 0.0, when: ("name", ["sgd"]), doc: "Momentum of SGD."),
            ], shorthand: "name"), doc: "{name: adam, lr: 0.001}, or just the name."),
            KeySpec("batch", .int(min: 1, max: 1_000_000), default: 256, doc: "Minibatch size."),
            KeySpec("epochs", .int(min: 0, max: 1_000_000), default: 100, doc: "Passes over the training rows."),
            KeySpec("evaluate", .int(min: 1, max: 1_000_000), default: 1,
                    doc: "Loss and accuracy on every training and test row after every this many epochs (always before training, after the last epoch and at recorded epochs). A divergence is found at the next evaluation."),
            KeySpec("l2", .number(min: 0, max: 100), default: 0.0, doc: "L2 penalty λ: (λ/2)·Σw² is added to the loss."),
            KeySpec("shape", .list(.int(min: 1, max: 65_536), count: 1...2),
                    doc: "Shape of an input row: [length] (a 1-D signal) or [height, width] (an image); flat features without it."),
            KeySpec("channels", .int(min: 1, max: 4096),
                    doc: "Channels of a shaped input (default 1), channel-major in each row: channel c's values come together."),
            KeySpec("conv", .list(.int(min: 1, max: 4096), count: 1...16),
                    doc: "Filters of each convolution layer, before the dense layers, e.g. [8, 16, 32]; 1-D or 2-D by the shape."),
            KeySpec("kernel", .int(min: 1, max: 1024), doc: "Kernel size of every convolution (default 3; k×k in 2-D)."),
            KeySpec("stride", .int(min: 1, max: 1024), doc: "Stride of every convolution (default 1)."),
            KeySpec("padding", .choice(Padding.allCases.map(\.rawValue)), doc: "valid (default: whole windows only) or same (zero padding, output ⌈n/stride⌉)."),
            KeySpec("pool", .int(min: 1, max: 1024), doc: "Max-pooling window after every convolution (default 1: none)."),
            KeySpec("noise", .record([
                KeySpec("after", .list(.int(min: 1, max: 64), count: 1...64), required: true,
                        doc: "Hidden layers (numbered as recorded: layer1 first) whose outputs get noise."),
                KeySpec("scale", .number(min: 0, max: 100), default: 0.001, doc: "s, the noise's scale."),
                KeySpec("kind", .choice(NoiseInjection.Kind.allCases.map(\.rawValue)), default: "multiplicative",
                        doc: "multiplicative x(1 + s·ε) or additive x + s·ε, ε ~ N(0, 1)."),
                KeySpec("at_evaluation", .bool, default: false, doc: "Noise also in the per-epoch evaluation and the recordings."),
            ]), doc: "Gaussian noise after chosen layers: {after: [1, 2], scale: 1e-3, kind: multiplicative, at_evaluation: true}."),
            KeySpec("ib", .record([
                KeySpec("beta", .number(min: 0, max: 1e6), required: true, doc: "β, the weight of I_CS(x; t) in the loss."),
                KeySpec("layer", .int(min: 1, max: 64), doc: "The hidden layer t (numbered as recorded; default: the last hidden layer)."),
            ], shorthand: "beta"),
                    doc: "The compression term of the Cauchy–Schwarz information bottleneck (Yu et al. 2024): β·I_CS(x; t) added to the loss, from Gaussian Gram matrices of each batch; dense networks only. {beta: 0.01, layer: 2}, or just β."),
            KeySpec("sigma", .number(min: 1e-6, max: 1e6),
                    doc: "Width σ of the Gaussian kernels of the Cauchy–Schwarz terms (cs-divergence loss, ib, ixt_cs) on x, y, ŷ and t (default 1, as in Yu et al.'s code; standardise the data)."),
            KeySpec("record", .record([
                KeySpec("epochs", .int(min: 1, max: 1_000_000), default: 50, doc: "How many epochs to record (0 and the last included)."),
                KeySpec("spacing", .choice(["log", "linear"]), default: "log", doc: "log: dense early, where networks change fastest."),
                KeySpec("at", .list(.int(min: 0, max: 1_000_000), count: 1...100_000), doc: "Explicit epochs instead."),
                KeySpec("keep", .bool, doc: "false: keep no recordings at all (for sweeps that need only the final metrics; estimators then cannot read the model)."),
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
            ResultSpec("layer_widths", doc: "Units of every recorded layer, the output layer last (a convolution's: channels × positions)."),
            ResultSpec("activation", doc: "Activation of the hidden layers."),
            ResultSpec("classes", doc: "Number of classes (null for regression)."),
            ResultSpec("test_rmse", doc: "Regression: root mean squared error on the test rows, in the units of the data's Y (undoing the dataset's standardize)."),
            ResultSpec("test_mae", doc: "Regression: mean absolute error on the test rows, in the units of Y."),
            ResultSpec("ixt_cs", doc: "Regression: I_CS(x; t) on the test rows (at most 2000) after training, t the ib layer or the last hidden layer, with kernel width sigma."),
            ResultSpec("history", doc: "Curves per evaluated epoch (every epoch by default; see `evaluate`): history.epoch, history.train_loss, history.test_loss, history.train_accuracy, history.test_accuracy."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        let architecture: Architecture
        switch Architecture.read(spec) {
        case .success(let a): architecture = a
        case .failure(let problem): return [problem]
        }
        if let ib = spec["ib"] {
            let hidden = spec["layers"]?.arrayValue?.count ?? 0
            if spec["conv"] != nil || spec["noise"] != nil {
                return [.error("'ib' works on dense networks only (no conv, no noise)", at: spec.location(of: "ib"))]
            }
            if let layer = ib["layer"]?.intValue, layer > hidden {
                return [.error("'ib': layer \(layer) is not a hidden layer; the model has \(hidden)", at: spec.location(of: "ib"))]
            }
            if hidden == 0 { return [.error("'ib' needs a hidden layer for t", at: spec.location(of: "ib"))] }
        }
        guard spec["record"]?["keep"] != .bool(false) else { return [] }
        guard let dataID = spec.string("data"), let data = context.referenced[dataID],
              let rows = MemoryBudget.rows(ofDataset: data.spec), let record = spec["record"] else { return [] }
        let recorded = record["at"]?.arrayValue?.count ?? min(record["epochs"]?.intValue ?? 0, (spec.int("epochs") ?? 0) + 1)
        // Every recorded layer's units (a convolution's are channels × positions); 2 outputs.
        let units = architecture.recordedUnits ?? (spec["layers"]?.arrayValue?.compactMap(\.intValue) ?? []).reduce(2, +)
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
        case (.mse, _, let y?), (.csDivergence, _, let y?):
            labelled = LabelledData(features: x.values, width: x.columns, targets: y.values, targetWidth: y.columns, classes: nil)
        case (.csDivergence, _, nil):
            throw BlockError("cs-divergence needs Y values, and dataset '\(dataID)' has none; it is a regression loss")
        case (.crossEntropy, nil, _):
            throw BlockError("cross-entropy needs class labels, and dataset '\(dataID)' has none; use loss: mse for regression")
        case (.mse, _, nil):
            throw BlockError("mse needs Y values, and dataset '\(dataID)' has none; use loss: cross-entropy for classes")
        }
        let train = data.arrays["train_index"]?.values.map { Int($0) } ?? Array(0..<labelled.count)
        let test = data.arrays["test_index"]?.values.map { Int($0) } ?? []

        let optimizer = spec["optimizer"]!
        let record = spec["record"]!
        let keep = record["keep"] != .bool(false)
        let schedule: RecordSchedule = !keep ? .explicit([]) : record["at"]?.arrayValue.map { .explicit($0.compactMap(\.intValue)) }
            ?? .spaced(count: record["epochs"]!.intValue!, logarithmic: record["spacing"]?.stringValue == "log")
        let epochs = spec.int("epochs")!
        let architecture: Architecture
        switch Architecture.read(spec) {
        case .success(let a): architecture = a
        case .failure(let problem): throw BlockError(problem.message)
        }
        if let input = architecture.input, input.count != labelled.width {
            throw BlockError("the model's input shape (\(input)) has \(input.count) values per row, but dataset '\(dataID)' has \(labelled.width) columns")
        }
        var plan = TrainingPlan(
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
            seed: input.seed,
            input: architecture.input,
            convolution: architecture.convolution,
            noise: architecture.noise,
            noiseAfter: architecture.noiseAfter)
        let hiddenCount = plan.hiddenLayers.count
        let bottleneckLayer = (spec["ib"]?["layer"]?.intValue ?? hiddenCount) - 1
        if let beta = spec["ib"]?["beta"]?.doubleValue {
            plan.bottleneck = InformationBottleneck(beta: beta, layer: bottleneckLayer)
        }
        plan.kernelWidth = spec.double("sigma") ?? 1
        plan.evaluateEvery = spec.int("evaluate") ?? 1

        let reporter = input.progress
        let started = DispatchTime.now().uptimeNanoseconds
        let lastReport = Counter()
        let result: TrainingResult
        do {
            result = try FloatTraining.train(plan, data: labelled, train: train, test: test, recordRows: keep ? Array(0..<labelled.count) : []) { epoch, trainLoss in
                // About once a second: epoch, loss and time left.
                let now = DispatchTime.now().uptimeNanoseconds
                guard epoch > 0, now - lastReport.value > 1_000_000_000 || epoch == epochs else { return }
                lastReport.value = now
                let perEpoch = Double(now - started) / 1e9 / Double(epoch)
                reporter("epoch \(epoch)/\(epochs), loss \(NumberFormatting.format(trainLoss)), about \(Int((perEpoch * Double(epochs - epoch)).rounded())) s left")
            }
        } catch let failure as TrainingFailure {
            throw BlockError(failure.description)
        } catch let failure as ShapeError {
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
        if keep {
            // The inputs of the recorded rows, for estimators of I(X;T) that need X itself.
            arrays["inputs"] = NumericArray(shape: [n, labelled.width], floats: labelled.features.map(Float.init))
        } else {
            arrays = arrays.filter { !$0.key.hasPrefix("layer") }
        }
        func finite(_ x: Double?) -> Value { x.map { $0.isFinite ? .double($0) : .null } ?? .null }
        var regression: [String: Value] = [:]
        if labelled.classes == nil, !test.isEmpty, let predictions = result.finalTestOutputs.last {
            regression = Self.regressionResults(predictions: predictions, labelled: labelled, test: test,
                                                yScale: data.values["standardized"]?["y_std"]?.arrayValue?.compactMap(\.doubleValue),
                                                representation: result.finalTestOutputs.indices.dropLast().contains(bottleneckLayer)
                                                    ? result.finalTestOutputs[bottleneckLayer] : nil,
                                                sigma: plan.kernelWidth)
        }
        let history: Value = .object([
            "epoch": .array(result.evaluatedEpochs.map { .int($0) }),
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
        ].merging(regression) { a, _ in a }, arrays: arrays)
    }

    /// RMSE and MAE on the test rows in the units of Y, and I_CS(x; t) on at most 2000 of them.
    static func regressionResults(predictions: [Double], labelled: LabelledData, test: [Int], yScale: [Double]?,
                                  representation: [Double]?, sigma: Double) -> [String: Value] {
        let width = labelled.targetWidth
        var squared = 0.0, absolute = 0.0
        for (b, r) in test.enumerated() {
            for k in 0..<width {
                let scale = yScale.map { k < $0.count ? $0[k] : 1 } ?? 1
                let error = (predictions[b * width + k] - labelled.targets[r * width + k]) * scale
                squared += error * error
                absolute += abs(error)
            }
        }
        let count = Double(test.count * width)
        var values: [String: Value] = ["test_rmse": .double((squared / count).squareRoot()), "test_mae": .double(absolute / count)]
        if let t = representation {
            let n = min(test.count, 2000)
            let tWidth = t.count / test.count
            var xs = [Double](), ts = [Double]()
            for b in 0..<n {
                xs += labelled.features[(test[b] * labelled.width)..<((test[b] + 1) * labelled.width)]
                ts += t[(b * tWidth)..<((b + 1) * tWidth)]
            }
            let information = CauchySchwarzObjective.quadraticInformation(x: xs, xWidth: labelled.width, t: ts, tWidth: tWidth, sigmaX: sigma, sigmaT: sigma)
            values["ixt_cs"] = information.value.isFinite ? .double(information.value) : .null
        }
        return values
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
            let every = spec.int("evaluate") ?? 1
            let when = every == 1 ? "after each epoch" : "every \(every) epochs"
            presentations.append(.figure(Figure(svg: chart.svg(), caption: "Learning curves of \(id): loss on the training and test rows \(when).")))
        }
        return presentations
    }
}

/// The layers a model spec asks for beyond dense ones: input shape, convolutions, noise. New keys
/// have no defaults (absent means: as before), so specs without them keep their cache keys.
private struct Architecture {
    var input: FeatureShape?
    var convolution: [LayerSpec] = []
    var noise: NoiseInjection?
    /// 0-based recorded layers.
    var noiseAfter: [Int] = []
    /// Units of every recorded layer with 2 outputs, when a shape makes them differ from the widths.
    var recordedUnits: Int?

    static func read(_ spec: ResolvedSpec) -> Result<Architecture, Diagnostic> {
        var architecture = Architecture()
        let channels = spec.int("channels") ?? 1
        if let shape = spec["shape"]?.arrayValue?.compactMap(\.intValue) {
            architecture.input = shape.count == 1 ? .signal(channels: channels, length: shape[0])
                                                  : .image(channels: channels, height: shape[0], width: shape[1])
        } else if spec["channels"] != nil {
            return .failure(.error("'channels' needs 'shape': give the length or height and width of each channel", at: spec.location(of: "channels")))
        }
        let filters = spec["conv"]?.arrayValue?.compactMap(\.intValue) ?? []
        for key in ["kernel", "stride", "padding", "pool"] where filters.isEmpty && spec[key] != nil {
            return .failure(.error("'\(key)' applies only to convolution layers; list their filters in 'conv', e.g. conv: [8, 16]",
                                   at: spec.location(of: key)))
        }
        if !filters.isEmpty && architecture.input == nil {
            return .failure(.error("a convolution needs the input's shape: add shape: [length] for signals or shape: [height, width] for images",
                                   at: spec.location(of: "conv")))
        }
        let (kernel, stride, pool) = (spec.int("kernel") ?? 3, spec.int("stride") ?? 1, spec.int("pool") ?? 1)
        let padding = spec.string("padding").flatMap(Padding.init(rawValue:)) ?? .valid
        for f in filters {
            architecture.convolution.append(.convolution(filters: f, kernel: kernel, stride: stride, padding: padding))
            if pool > 1 { architecture.convolution.append(.maxPool(size: pool)) }
        }
        let dense = spec["layers"]?.arrayValue?.compactMap(\.intValue) ?? []
        if let input = architecture.input {
            let plan = TrainingPlan(hidden: dense, activation: .linear, loss: .mse, optimizer: .sgd, learningRate: 0, batch: 1, epochs: 0,
                                    record: .explicit([]), seed: 0, input: input, convolution: architecture.convolution)
            do {
                architecture.recordedUnits = try plan.recordedWidths(features: input.count, outputs: 2).reduce(0, +)
            } catch {
                // Name the layer as the spec writes it: convolution k is the k-th entry of conv.
                let convolutionIndex = architecture.convolution.prefix(error.layer).filter {
                    if case .convolution = $0 { return true } else { return false }
                }.count
                let key = error.layer <= architecture.convolution.count ? (pool > 1 ? "pool" : "kernel") : "layers"
                let detail = error.message.contains("pool") ? "the pooling after convolution \(convolutionIndex)" : "convolution \(convolutionIndex)"
                return .failure(.error("\(detail): \(error.message)", at: spec.location(of: spec[key] != nil ? key : "conv"),
                                       notes: [.init("each convolution and pooling shrinks the input; use a smaller kernel, stride or pool, padding: same, or fewer layers")]))
            }
        }
        if let noise = spec["noise"] {
            let hiddenLayers = architecture.convolution.count + dense.count
            let after = noise["after"]?.arrayValue?.compactMap(\.intValue) ?? []
            if let wrong = after.first(where: { $0 > hiddenLayers }) {
                return .failure(.error("'after' names layer \(wrong), but the model has \(hiddenLayers) hidden layer\(hiddenLayers == 1 ? "" : "s") (the output layer takes no noise)",
                                       at: spec.location(of: "noise")))
            }
            architecture.noise = NoiseInjection(kind: NoiseInjection.Kind(rawValue: noise["kind"]?.stringValue ?? "") ?? .multiplicative,
                                                scale: noise["scale"]?.doubleValue ?? 1e-3, atEvaluation: noise["at_evaluation"]?.boolValue ?? false)
            architecture.noiseAfter = after.map { $0 - 1 }
        }
        return .success(architecture)
    }
}

/// A mutable cell the progress closure can update.
private final class Counter: @unchecked Sendable {
    var value: UInt64 = 0
}
