import Learning

/// Lossy compression by an autoencoder, as Butakov et al. (ICLR 2024) compress high-dimensional
/// inputs before estimating mutual information: a dense network input → hidden → code → hidden →
/// input is trained to reproduce its (standardised) input under MSE, and the code layer's values
/// are the compressed rows. The codes are then whitened like PCA's components.
public struct AutoencoderCompression: Sendable {
    /// Units of the code layer (4 in the paper).
    public var dimensions: Int
    /// Width of the hidden layer on each side of the code.
    public var hidden: Int
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double

    public init(dimensions: Int, hidden: Int = 128, epochs: Int = 60, batch: Int = 128, learningRate: Double = 1e-3) {
        self.dimensions = dimensions
        self.hidden = hidden
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
    }

    public struct Result: Sendable {
        /// Row-major, `dimensions` columns, each with mean 0 and variance 1.
        public var codes: [Double]
        /// Mean squared reconstruction error per input value, on the standardised inputs
        /// (1 would be no better than predicting the mean).
        public var reconstructionError: Double
    }

    /// Compresses the rows of `x` (row-major, `width` columns). Deterministic in `seed`.
    public func compress(_ x: [Double], width: Int, seed: UInt64) throws -> Result {
        let n = x.count / width
        // Standardise each input column so the MSE weighs every input alike.
        var standardised = x
        for j in 0..<width {
            var mean = 0.0
            for i in 0..<n { mean += x[i * width + j] }
            mean /= Double(n)
            var variance = 0.0
            for i in 0..<n { let d = x[i * width + j] - mean; variance += d * d }
            let scale = variance > 0 ? (variance / Double(n)).squareRoot() : 1
            for i in 0..<n { standardised[i * width + j] = (x[i * width + j] - mean) / scale }
        }
        let data = LabelledData(features: standardised, width: width, targets: standardised, targetWidth: width, classes: nil)
        // tanh keeps the code bounded; the output layer is linear.
        let plan = TrainingPlan(hidden: [hidden, dimensions, hidden], activation: .tanh, loss: .mse, optimizer: .adam,
                                learningRate: learningRate, batch: batch, epochs: epochs, record: .explicit([epochs]), seed: seed)
        let rows = Array(0..<n)
        let result = try FloatTraining.train(plan, data: data, train: rows, test: [], recordRows: rows)
        // Recorded layers: hidden, code, hidden, output; the code is the second.
        let codes = result.activations[1].map(Double.init)
        return Result(codes: Whitening.whiten(codes, width: dimensions), reconstructionError: result.trainLoss.last ?? .nan)
    }
}

/// Centres each column and scales it to unit variance (a constant column is only centred).
public enum Whitening {
    public static func whiten(_ values: [Double], width: Int) -> [Double] {
        let n = values.count / width
        var out = values
        for j in 0..<width {
            var mean = 0.0
            for i in 0..<n { mean += values[i * width + j] }
            mean /= Double(n)
            var variance = 0.0
            for i in 0..<n { let d = values[i * width + j] - mean; variance += d * d }
            let scale = variance > 0 ? (variance / Double(n)).squareRoot() : 1
            for i in 0..<n { out[i * width + j] = (values[i * width + j] - mean) / scale }
        }
        return out
    }
}
