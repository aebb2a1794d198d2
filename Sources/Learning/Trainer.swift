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

    public init(hidden: [Int], activation: Activation, loss: Loss, optimizer: OptimizerKind, learningRate: Double,
                momentum: Double = 0, l2: Double = 0, batch: Int, epochs: Int, record: RecordSchedule, seed: UInt64) {
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

/// What a training run produces.
public struct TrainingResult: Sendable {
    /// Per epoch 0...epochs (epoch 0: before training).
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
        var network = DenseNetwork<T>(inputs: data.width, hidden: plan.hidden, outputs: outputs,
                                      activation: plan.activation, seed: plan.seed)
        var optimizer = Optimizer<T>(kind: plan.optimizer, learningRate: plan.learningRate, momentum: plan.momentum, l2: plan.l2)
        var random = RandomStream(seed: plan.seed, stream: "batches")
        let recordAt = Set(plan.record.epochs(upTo: plan.epochs))
        var result = TrainingResult()
        result.parameters = network.parameterCount
        result.layerWidths = network.layers.map(\.outputs)
        result.activations = network.layers.map { _ in [] }
        let features = data.features.map { T($0) }
        let targets = data.targets.map { T($0) }
        let targetWidth = data.classes == nil ? data.targetWidth : 1

        /// The rows as a feature-major batch, with their targets in the same layout.
        func gather(_ rows: ArraySlice<Int>) -> (x: [T], t: [T]) {
            let n = rows.count
            var x = [T](repeating: 0, count: n * data.width)
            var t = [T](repeating: 0, count: n * targetWidth)
            for (b, r) in rows.enumerated() {
                for i in 0..<data.width { x[i * n + b] = features[r * data.width + i] }
                for k in 0..<targetWidth { t[k * n + b] = targets[r * targetWidth + k] }
            }
            return (x, t)
        }

        // The evaluation sets never change: lay them out once.
        let trainSet = gather(train[...]), testSet = gather(test[...])

        func evaluate(_ set: (x: [T], t: [T]), rows: Int) -> (loss: Double, accuracy: Double) {
            guard rows > 0 else { return (.nan, .nan) }
            let out = network.forward(set.x, batch: rows)
            let r = plan.loss.evaluate(out.last!, width: outputs, targets: set.t, batch: rows)
            return (r.loss, data.classes == nil ? .nan : Double(r.correct) / Double(rows))
        }

        func recordLayers(epoch: Int) throws {
            let (x, _) = gather(recordRows[...])
            var out = network.forward(x, batch: recordRows.count)
            if let layer = out.firstIndex(where: { $0.contains { !$0.isFinite } }) {
                throw TrainingFailure(epoch: epoch, layer: layer)
            }
            if data.classes != nil { Loss.softmax(&out[out.count - 1], width: outputs) }
            // Recordings are row-major (`[row][unit]`), as estimators read them.
            let n = recordRows.count
            for l in out.indices {
                let width = result.layerWidths[l]
                var rowMajor = [Float](repeating: 0, count: n * width)
                for j in 0..<width { for b in 0..<n { rowMajor[b * width + j] = Float(out[l][j * n + b]) } }
                result.activations[l] += rowMajor
            }
            result.recordedEpochs.append(epoch)
        }

        func endOfEpoch(_ epoch: Int) throws {
            let (trainLoss, trainAccuracy) = evaluate(trainSet, rows: train.count)
            let (testLoss, testAccuracy) = evaluate(testSet, rows: test.count)
            if !trainLoss.isFinite {
                let (x, _) = gather(train.prefix(256))
                let out = network.forward(x, batch: min(256, train.count))
                throw TrainingFailure(epoch: epoch, layer: out.firstIndex { $0.contains { !$0.isFinite } } ?? network.layers.count - 1)
            }
            result.trainLoss.append(trainLoss)
            result.testLoss.append(testLoss)
            result.trainAccuracy.append(trainAccuracy)
            result.testAccuracy.append(testAccuracy)
            if recordAt.contains(epoch) { try recordLayers(epoch: epoch) }
            progress?(epoch, trainLoss)
        }

        try endOfEpoch(0)
        var order = train
        for epoch in 1...max(1, plan.epochs) where plan.epochs > 0 {
            // A fresh permutation of the training rows each epoch, from the one seeded stream.
            let permutation = random.permutation(order.count)
            order = permutation.map { train[$0] }
            for start in stride(from: 0, to: order.count, by: plan.batch) {
                let rows = order[start..<min(order.count, start + plan.batch)]
                let (x, t) = gather(rows)
                let out = network.forward(x, batch: rows.count)
                let evaluation = plan.loss.evaluate(out.last!, width: outputs, targets: t, batch: rows.count)
                let gradients = network.backward(input: x, outputs: out, outputGradient: evaluation.gradient, batch: rows.count)
                optimizer.update(&network, with: gradients)
            }
            try endOfEpoch(epoch)
        }
        return result
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
