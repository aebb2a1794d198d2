import NumericCore

/// A labelled data set in memory: rows of features and, per row, a class index (classification)
/// or target values (regression).
public struct LabelledData: Sendable {
    public var features: [Double]
    public var width: Int
    public var targets: [Double]
    public var targetWidth: Int
    public var classes: Int?

    public init(features: [Double], width: Int, targets: [Double], targetWidth: Int, classes: Int?) {
        self.features = features
        self.width = width
        self.targets = targets
        self.targetWidth = targetWidth
        self.classes = classes
    }

    public var count: Int { features.count / width }
}

/// Everything a training run is given.
public struct TrainingPlan: Sendable {
    public var hidden: [Int]
    public var activation: Activation
    public var loss: Loss
    public var optimizer: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var l2: Double
    public var batch: Int
    public var epochs: Int
    public var record: RecordSchedule
    public var seed: UInt64
    /// The shape of an input row (nil: flat features).
    public var input: FeatureShape?
    /// Layers before the dense `hidden` ones: convolutions, pooling, flatten.
    public var convolution: [LayerSpec]
    public var noise: NoiseInjection?
    /// The recorded layers (0-based, convolution layers first) that get `noise`.
    public var noiseAfter: [Int]
    /// The compression term of the Cauchy–Schwarz information bottleneck: β·I_CS(x; t) added to
    /// the loss, t being a hidden layer of a dense network.
    public var bottleneck: InformationBottleneck?
    /// Width σ of the Gaussian kernels of the Cauchy–Schwarz terms (on x, y, ŷ and t).
    public var kernelWidth: Double = 1
    /// Loss and accuracy on every training and test row after every this many epochs (and
    /// always before training, after the last epoch and at recorded epochs).
    public var evaluateEvery: Int = 1

    public init(hidden: [Int], activation: Activation, loss: Loss, optimizer: OptimizerKind, learningRate: Double,
                momentum: Double = 0, l2: Double = 0, batch: Int, epochs: Int, record: RecordSchedule, seed: UInt64,
                input: FeatureShape? = nil, convolution: [LayerSpec] = [], noise: NoiseInjection? = nil, noiseAfter: [Int] = []) {
        self.input = input
        self.convolution = convolution
        self.noise = noise
        self.noiseAfter = noiseAfter
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.momentum = momentum
        self.l2 = l2
        self.batch = batch
        self.epochs = epochs
        self.record = record
        self.seed = seed
    }
}

extension TrainingPlan {
    /// Only dense layers and no noise: `DenseNetwork`'s faster path applies.
    public var isDenseOnly: Bool { convolution.isEmpty && (noise == nil || noiseAfter.isEmpty) }

    /// Every hidden layer, the convolution part first.
    public var hiddenLayers: [LayerSpec] { convolution + hidden.map { .dense(units: $0) } }

    /// The widths of the recorded layers (output layer last) for `features` inputs and `outputs`
    /// outputs, or why the layers cannot follow each other.
    public func recordedWidths(features: Int, outputs: Int) throws(ShapeError) -> [Int] {
        var shape = input ?? .flat(features)
        var widths: [Int] = []
        for (l, spec) in (hiddenLayers + [.dense(units: outputs)]).enumerated() {
            shape = try shape.after(spec, layer: l + 1)
            if spec != .flatten { widths.append(shape.count) }
        }
        return widths
    }
}

/// β·I_CS(x; t) on the minibatch, t the output of hidden layer `layer` (0-based).
public struct InformationBottleneck: Sendable, Hashable {
    public var beta: Double
    public var layer: Int

    public init(beta: Double, layer: Int) {
        self.beta = beta
        self.layer = layer
    }
}

/// What a training run produces.
public struct TrainingResult: Sendable {
    /// The epochs the losses and accuracies below belong to, 0 (before training) to the last.
    public var evaluatedEpochs: [Int] = []
    /// Per evaluated epoch.
    public var trainLoss: [Double] = []
    public var testLoss: [Double] = []
    public var trainAccuracy: [Double] = []
    public var testAccuracy: [Double] = []
    public var recordedEpochs: [Int] = []
    /// Per layer: `[recorded epoch][row][unit]`, flattened, Float32. The output layer is recorded
    /// as softmax probabilities for classification.
    public var activations: [[Float]] = []
    public var layerWidths: [Int] = []
    public var parameters: Int = 0
    /// Every recorded layer on the test rows after the last epoch, row-major (`[row][unit]`),
    /// the raw outputs last (no softmax): what regression errors and I_CS(x; t) are computed from.
    public var finalTestOutputs: [[Double]] = []
}

public struct TrainingFailure: Error, CustomStringConvertible, Sendable {
    public var epoch: Int
    public var layer: Int
    public var description: String {
        "training diverged at epoch \(epoch): layer \(layer + 1) produced non-finite values (try a smaller learning rate)"
    }
}

/// Trains a `DenseNetwork` by minibatches, recording every layer on the recording set at the
/// chosen epochs. Deterministic in the plan's seed: batches come from one seeded stream.
public struct Trainer<T: TrainingScalar>: Sendable {
    public var plan: TrainingPlan

    public init(plan: TrainingPlan) {
        self.plan = plan
    }

    public func train(_ data: LabelledData, train: [Int], test: [Int], recordRows: [Int],
                      progress: (@Sendable (Int, Double) -> Void)? = nil) throws -> TrainingResult {
        let outputs = data.classes ?? data.targetWidth
        if plan.isDenseOnly && plan.input.map({ $0.count == data.width }) ?? true {
            let network = DenseNetwork<T>(inputs: data.width, hidden: plan.hidden, outputs: outputs,
                                          activation: plan.activation, seed: plan.seed)
            return try run(network, data, train: train, test: test, recordRows: recordRows, progress: progress)
        }
        let input = plan.input ?? .flat(data.width)
        guard input.count == data.width else {
            throw ShapeError(layer: 0, message: "the input shape (\(input)) has \(input.count) values, but the data has \(data.width) columns")
        }
        let network = try LayerNetwork<T>(input: input, hidden: plan.hiddenLayers, outputs: outputs, activation: plan.activation,
                                          noise: plan.noise, noiseAfter: plan.noiseAfter, seed: plan.seed)
        return try run(network, data, train: train, test: test, recordRows: recordRows, progress: progress)
    }

    func run<N: TrainableNetwork>(_ network: N, _ data: LabelledData, train: [Int], test: [Int], recordRows: [Int],
                                  progress: (@Sendable (Int, Double) -> Void)?) throws -> TrainingResult where N.Scalar == T {
        var network = network
        let outputs = data.classes ?? data.targetWidth
        var optimizer = Optimizer<T>(kind: plan.optimizer, learningRate: plan.learningRate, momentum: plan.momentum, l2: plan.l2)
        var random = RandomStream(seed: plan.seed, stream: "batches")
        let recordAt = Set(plan.record.epochs(upTo: plan.epochs))
        var result = TrainingResult()
        result.parameters = network.parameterCount
        result.layerWidths = network.recordedWidths
        // Noise in training comes from one stream, noise in evaluation from another, so that
        // evaluating never changes what training draws.
        var trainingNoise: NoiseSource? = network.hasNoise ? NoiseSource(seed: plan.seed, stream: "noise") : nil
        var evaluationNoise: NoiseSource? = network.hasNoise && plan.noise?.atEvaluation == true
            ? NoiseSource(seed: plan.seed, stream: "evaluation-noise") : nil
        let features = data.features.map { T($0) }
        let targets = data.targets.map { T($0) }
        let targetWidth = data.classes == nil ? data.targetWidth : 1

        /// The rows as a feature-major batch, with their targets in the same layout.
        func gather(_ rows: ArraySlice<Int>) -> (x: [T], t: [T]) {
            var batch: (x: [T], t: [T]) = ([], [])
            gather(rows, into: &batch)
            return batch
        }
        func gather(_ rows: ArraySlice<Int>, into batch: inout (x: [T], t: [T])) {
            let n = rows.count
            batch.x.resize(to: n * data.width)
            batch.t.resize(to: n * targetWidth)
            let width = data.width
            batch.x.withUnsafeMutableBufferPointer { x in
                batch.t.withUnsafeMutableBufferPointer { t in
                    features.withUnsafeBufferPointer { features in
                        targets.withUnsafeBufferPointer { targets in
                            // Raw pointers and wrapping arithmetic: the indices are in bounds by
                            // construction, and this loop runs for every batch.
                            let (x, t) = (x.baseAddress!, t.baseAddress!)
                            let (features, targets) = (features.baseAddress!, targets.baseAddress!)
                            var b = 0
                            for r in rows {
                                let (row, target) = (features + r &* width, targets + r &* targetWidth)
                                for i in 0..<width { x[i &* n &+ b] = row[i] }
                                for k in 0..<targetWidth { t[k &* n &+ b] = target[k] }
                                b &+= 1
                            }
                        }
                    }
                }
            }
        }

        // The evaluation sets never change: lay them out once.
        let trainSet = gather(train[...]), testSet = gather(test[...])

        // Where each recorded row sits in the evaluation passes (set 0: training rows, 1: test
        // rows), when all of them do: recording then reads those passes instead of running the
        // network again. A row's values do not depend on the rows beside it in its batch, so
        // the recordings are the same either way.
        let placement: [(set: Int, index: Int)]? = {
            var place: [Int: (set: Int, index: Int)] = [:]
            for (i, r) in test.enumerated() { place[r] = (1, i) }
            for (i, r) in train.enumerated() { place[r] = (0, i) }
            let found = recordRows.compactMap { place[$0] }
            return found.count == recordRows.count ? found : nil
        }()
        // Recording runs its own forward pass when a recorded row is in neither set or when
        // evaluation draws noise (the recording is then a draw of its own).
        let recordsSeparately = placement == nil || evaluationNoise != nil
        let recordInputs = recordsSeparately ? gather(recordRows[...]).x : []
        // Evaluating an epoch (every training and test row through the network as it stands)
        // reads only a snapshot of the network, so it runs on another core while the next epoch
        // trains: the same values, in the same order, as evaluating in line.
        // Evaluations run one at a time, each after the previous one's results were taken, so
        // they can pass their buffers on: by then nothing else holds them.
        let buffers = EvaluationBuffers<N.Pass>()
        let evaluateEpoch: @Sendable (N, NoiseSource?, Bool) -> Evaluation<T> = {
            [plan, trainSet, testSet, train, test, placement, recordInputs, recordCount = recordRows.count, widths = result.layerWidths,
             classes = data.classes, buffers] network, noise, recording in
            var noise = noise
            func evaluate(_ set: (x: [T], t: [T]), rows: Int, buffer: inout N.Pass?) -> Evaluation<T>.OnSet {
                guard rows > 0 else { return .init(loss: .nan, accuracy: .nan, outputs: []) }
                var pass = buffer ?? network.emptyPass
                buffer = nil
                network.forward(set.x, batch: rows, noise: &noise, reusing: &pass)
                let out = network.recorded(pass)
                buffer = pass
                let r = plan.loss.value(out.last!, width: outputs, targets: set.t, batch: rows)
                return .init(loss: r.loss, accuracy: classes == nil ? .nan : Double(r.correct) / Double(rows), outputs: out)
            }
            let trainRows = evaluate(trainSet, rows: train.count, buffer: &buffers.train)
            let testRows = evaluate(testSet, rows: test.count, buffer: &buffers.test)
            let failedLayer = trainRows.loss.isFinite ? nil
                : trainRows.outputs.firstIndex { $0.contains { !$0.isFinite } } ?? trainRows.outputs.count - 1
            var evaluation = Evaluation(train: trainRows, test: testRows, noise: noise, failedLayer: failedLayer)
            if recording {
                var layers: [[T]]
                if let placement, !recordsSeparately {
                    layers = zip(widths.indices, widths).map { l, width in
                        Self.rows(placement, width: width, train: trainRows.outputs[l], test: testRows.outputs.isEmpty ? [] : testRows.outputs[l])
                    }
                } else {
                    layers = network.recorded(network.forward(recordInputs, batch: recordCount, noise: &noise))
                    evaluation.noise = noise
                }
                if let layer = layers.firstIndex(where: { $0.contains { !$0.isFinite } }) {
                    evaluation.recordingFailure = layer
                } else {
                    if classes != nil { Loss.softmax(&layers[layers.count - 1], width: outputs) }
                    evaluation.recordings = zip(layers, widths).map { Self.rowMajor($0, width: $1, as: Float.self) }
                }
            }
            return evaluation
        }

        result.activations = result.layerWidths.map { width in
            var layer: [Float] = []
            layer.reserveCapacity(recordAt.count * recordRows.count * width)
            return layer
        }

        func finish(_ evaluation: Evaluation<T>, epoch: Int) throws {
            evaluationNoise = evaluation.noise
            if let layer = evaluation.failedLayer { throw TrainingFailure(epoch: epoch, layer: layer) }
            result.evaluatedEpochs.append(epoch)
            result.trainLoss.append(evaluation.train.loss)
            result.testLoss.append(evaluation.test.loss)
            result.trainAccuracy.append(evaluation.train.accuracy)
            result.testAccuracy.append(evaluation.test.accuracy)
            let testOutputs = evaluation.test.outputs
            if epoch == plan.epochs, !testOutputs.isEmpty {
                result.finalTestOutputs = zip(testOutputs, result.layerWidths).map { Self.rowMajor($0, width: $1, as: Double.self) }
            }
            if let layer = evaluation.recordingFailure { throw TrainingFailure(epoch: epoch, layer: layer) }
            if let recordings = evaluation.recordings {
                for l in recordings.indices { result.activations[l] += recordings[l] }
                result.recordedEpochs.append(epoch)
            }
            progress?(epoch, evaluation.train.loss)
        }

        // At most one evaluation runs beside training; the next starts once it is finished.
        var pending: (epoch: Int, task: BackgroundTask<Evaluation<T>>)?
        func endOfEpoch(_ epoch: Int) throws {
            let recording = recordAt.contains(epoch)
            guard recording || epoch == 0 || epoch == plan.epochs || epoch % max(1, plan.evaluateEvery) == 0 else { return }
            if let (previous, task) = pending {
                pending = nil
                try finish(task.value, epoch: previous)
            }
            pending = (epoch, BackgroundTask { [network, evaluationNoise] in evaluateEpoch(network, evaluationNoise, recording) })
        }

        try endOfEpoch(0)
        var order = train
        // Buffers every batch reuses: steady-state training allocates nothing on the dense path.
        var batchData: (x: [T], t: [T]) = ([], [])
        var pass = network.emptyPass
        var gradient: [T] = []
        var gradients = DenseNetwork<T>.Gradients(weights: [], bias: [])
        for epoch in 1...max(1, plan.epochs) where plan.epochs > 0 {
            // A fresh permutation of the training rows each epoch, from the one seeded stream.
            let permutation = random.permutation(order.count)
            for i in order.indices { order[i] = train[permutation[i]] }
            for start in stride(from: 0, to: order.count, by: plan.batch) {
                let rows = order[start..<min(order.count, start + plan.batch)]
                gather(rows, into: &batchData)
                network.forward(batchData.x, batch: rows.count, noise: &trainingNoise, reusing: &pass)
                plan.loss.gradient(network.output(of: pass), width: outputs, targets: batchData.t, batch: rows.count, into: &gradient)
                var hidden: (layer: Int, gradient: [T])?
                if plan.loss == .csDivergence || plan.bottleneck != nil {
                    (gradient, hidden) = kernelGradients(x: batchData.x, targets: batchData.t, pass: network.recorded(pass), outputs: outputs,
                                                         batch: rows.count, width: data.width, mse: gradient)
                }
                network.backward(input: batchData.x, pass: pass, outputGradient: &gradient, batch: rows.count,
                                 hiddenGradient: hidden, into: &gradients)
                network.update(with: gradients, optimizer: &optimizer)
            }
            try endOfEpoch(epoch)
        }
        if let (epoch, task) = pending { try finish(task.value, epoch: epoch) }
        return result
    }
}

/// The passes of the previous evaluation, for the next to overwrite. Only one evaluation runs
/// at a time (each starts after the previous one finished), which is what makes sharing safe.
final class EvaluationBuffers<Pass>: @unchecked Sendable {
    var train: Pass?
    var test: Pass?
}

/// One epoch's evaluation: loss, accuracy and every recorded layer's outputs on the training and
/// the test rows.
struct Evaluation<T: TrainingScalar>: Sendable {
    struct OnSet: Sendable {
        var loss: Double
        var accuracy: Double
        var outputs: [[T]]
    }
    var train: OnSet
    var test: OnSet
    /// The evaluation noise stream after this evaluation, for the next.
    var noise: NoiseSource?
    /// The first layer with non-finite values when the training loss is not finite.
    var failedLayer: Int?
    /// At a recorded epoch: every recorded layer on the recording rows, row-major, the output
    /// layer of a classifier as probabilities; or the first layer with a non-finite value.
    var recordings: [[Float]]?
    var recordingFailure: Int?
}

extension Trainer {
    /// The recording rows of one layer, feature-major, taken from the evaluation passes
    /// (`place.set` 0: the training rows' pass, 1: the test rows').
    static func rows(_ placement: [(set: Int, index: Int)], width: Int, train: [T], test: [T]) -> [T] {
        let n = placement.count
        var out = [T](repeating: 0, count: n * width)
        train.withUnsafeBufferPointer { train in
            test.withUnsafeBufferPointer { test in
                out.withUnsafeMutableBufferPointer { out in
                    // Unit by unit: each unit's values of a set (one contiguous run) are read in
                    // the placement's order, and written in sequence.
                    let (trainRows, testRows) = (train.count / max(width, 1), test.count / max(width, 1))
                    for j in 0..<width {
                        for (b, place) in placement.enumerated() {
                            out[j * n + b] = place.set == 0 ? train[j * trainRows + place.index] : test[j * testRows + place.index]
                        }
                    }
                }
            }
        }
        return out
    }

    /// A feature-major block as row-major (`[row][unit]`) values of another floating-point type:
    /// Float for recordings, as estimators read them; Double for the final test outputs and the
    /// Cauchy–Schwarz terms.
    static func rowMajor<U: BinaryFloatingPoint>(_ values: [T], width: Int, as _: U.Type = U.self) -> [U] {
        let n = values.count / max(width, 1)
        var out = [U](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { out in
                // Row by row: the writes run in sequence, the reads touch `width` lines that the
                // next rows read again.
                for b in 0..<n { for j in 0..<width { out[b * width + j] = U(v[j * n + b]) } }
            }
        }
        return out
    }

    /// The Cauchy–Schwarz terms' gradients on one batch: with respect to the outputs (the CS
    /// divergence replacing `mse` when the loss is cs-divergence) and to the bottleneck layer.
    func kernelGradients(x: [T], targets: [T], pass: [[T]], outputs: Int, batch: Int, width: Int,
                         mse: [T]) -> (output: [T], hidden: (layer: Int, gradient: [T])?) {
        func rowMajor(_ values: [T], columns: Int) -> [Double] { Self.rowMajor(values, width: columns, as: Double.self) }
        func featureMajor(_ values: [Double], columns: Int) -> [T] {
            var out = [T](repeating: 0, count: values.count)
            for j in 0..<columns { for b in 0..<batch { out[j * batch + b] = T(values[b * columns + j]) } }
            return out
        }
        let xs = rowMajor(x, columns: width)
        var outputGradient = mse
        if plan.loss == .csDivergence {
            let d = CauchySchwarzObjective.conditionalDivergence(x: xs, xWidth: width, targets: rowMajor(targets, columns: outputs),
                                                                 predictions: rowMajor(pass.last!, columns: outputs), width: outputs,
                                                                 sigmaX: plan.kernelWidth, sigmaY: plan.kernelWidth)
            outputGradient = featureMajor(d.gradient, columns: outputs)
        }
        guard let ib = plan.bottleneck, ib.beta > 0 else { return (outputGradient, nil) }
        let tWidth = pass[ib.layer].count / batch
        let information = CauchySchwarzObjective.quadraticInformation(x: xs, xWidth: width, t: rowMajor(pass[ib.layer], columns: tWidth),
                                                                      tWidth: tWidth, sigmaX: plan.kernelWidth, sigmaT: plan.kernelWidth)
        return (outputGradient, (ib.layer, featureMajor(information.gradient.map { $0 * ib.beta }, columns: tWidth)))
    }
}

/// Training in Float32, compiled here where the generic code is specialised: callers in other
/// modules would otherwise run the unspecialised generic code, many times slower.
public enum FloatTraining {
    public static func train(_ plan: TrainingPlan, data: LabelledData, train: [Int], test: [Int], recordRows: [Int],
                             progress: (@Sendable (Int, Double) -> Void)? = nil) throws -> TrainingResult {
        try Trainer<Float>(plan: plan).train(data, train: train, test: test, recordRows: recordRows, progress: progress)
    }
}

/// What `Trainer` needs of a network, so one training loop serves `DenseNetwork` (the fast path)
/// and `LayerNetwork`.
protocol TrainableNetwork: Sendable {
    associatedtype Scalar: TrainingScalar
    associatedtype Pass
    var parameterCount: Int { get }
    var recordedWidths: [Int] { get }
    var hasNoise: Bool { get }
    /// With `noise` nil, no noise is applied.
    func forward(_ x: [Scalar], batch: Int, noise: inout NoiseSource?) -> Pass
    /// A pass to hand to the first `forward(_:batch:noise:reusing:)`.
    var emptyPass: Pass { get }
    /// `forward` into the buffers of an earlier pass where the network can reuse them.
    func forward(_ x: [Scalar], batch: Int, noise: inout NoiseSource?, reusing pass: inout Pass)
    /// `backward` into the buffers of earlier gradients where the network can reuse them;
    /// `outputGradient` may be overwritten.
    func backward(input x: [Scalar], pass: Pass, outputGradient: inout [Scalar], batch: Int,
                  hiddenGradient: (layer: Int, gradient: [Scalar])?, into gradients: inout DenseNetwork<Scalar>.Gradients)
    /// The recorded layers' outputs, the output layer last.
    func recorded(_ pass: Pass) -> [[Scalar]]
    func output(of pass: Pass) -> [Scalar]
    /// `hiddenGradient` adds a gradient with respect to one hidden layer's output (a loss term on
    /// a representation, as the information bottleneck's).
    func backward(input x: [Scalar], pass: Pass, outputGradient: [Scalar], batch: Int,
                  hiddenGradient: (layer: Int, gradient: [Scalar])?) -> DenseNetwork<Scalar>.Gradients
    mutating func update(with gradients: DenseNetwork<Scalar>.Gradients, optimizer: inout Optimizer<Scalar>)
}

extension TrainableNetwork {
    func forward(_ x: [Scalar], batch: Int, noise: inout NoiseSource?, reusing pass: inout Pass) {
        pass = forward(x, batch: batch, noise: &noise)
    }
    func backward(input x: [Scalar], pass: Pass, outputGradient: inout [Scalar], batch: Int,
                  hiddenGradient: (layer: Int, gradient: [Scalar])?, into gradients: inout DenseNetwork<Scalar>.Gradients) {
        gradients = backward(input: x, pass: pass, outputGradient: outputGradient, batch: batch, hiddenGradient: hiddenGradient)
    }
}

extension DenseNetwork: TrainableNetwork {
    var recordedWidths: [Int] { layers.map(\.outputs) }
    var hasNoise: Bool { false }
    var emptyPass: [[T]] { [] }
    @inline(__always) func forward(_ x: [T], batch: Int, noise: inout NoiseSource?) -> [[T]] { forward(x, batch: batch) }
    @inline(__always) func forward(_ x: [T], batch: Int, noise: inout NoiseSource?, reusing pass: inout [[T]]) {
        forward(x, batch: batch, into: &pass)
    }
    @inline(__always) func backward(input x: [T], pass: [[T]], outputGradient: inout [T], batch: Int,
                                    hiddenGradient: (layer: Int, gradient: [T])?, into gradients: inout Gradients) {
        backward(input: x, outputs: pass, outputGradient: &outputGradient, batch: batch, hiddenGradient: hiddenGradient, into: &gradients)
    }
    @inline(__always) func recorded(_ pass: [[T]]) -> [[T]] { pass }
    @inline(__always) func output(of pass: [[T]]) -> [T] { pass.last! }
    @inline(__always) func backward(input x: [T], pass: [[T]], outputGradient: [T], batch: Int,
                                    hiddenGradient: (layer: Int, gradient: [T])?) -> Gradients {
        backward(input: x, outputs: pass, outputGradient: outputGradient, batch: batch, hiddenGradient: hiddenGradient)
    }
    @inline(__always) mutating func update(with gradients: Gradients, optimizer: inout Optimizer<T>) { optimizer.update(&self, with: gradients) }
}

extension LayerNetwork: TrainableNetwork {
    var hasNoise: Bool { layers.contains { $0.noise != nil } }
    var emptyPass: Pass { Pass(outputs: [], clean: [], epsilon: []) }
    @inline(__always) func recorded(_ pass: Pass) -> [[T]] { pass.recorded(in: self) }
    @inline(__always) func output(of pass: Pass) -> [T] { pass.outputs.last! }
    @inline(__always) mutating func update(with gradients: Gradients, optimizer: inout Optimizer<T>) { optimizer.update(&self, with: gradients) }
}
