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
        /// Row-major, `dimensions` columns, each with mean 0 and variance 1 (a constant one only centred).
        public var codes: [Double]
        /// Mean squared reconstruction error per input value, on the standardised inputs
        /// (1 would be no better than predicting the mean).
        public var reconstructionError: Double
    }

    /// Compresses the rows of `x` (row-major, `width` columns). Deterministic in `seed`.
    public func compress(_ x: [Double], width: Int, seed: UInt64) throws -> Result {
        let n = x.count / width
        // Standardise each input column so the MSE weighs every input alike.
        let standardised = Standardization(fitting: x, columns: width, rows: Array(0..<n)).apply(x)
        let data = LabelledData(features: standardised, width: width, targets: standardised, targetWidth: width, classes: nil)
        // tanh keeps the code bounded; the output layer is linear.
        let plan = TrainingPlan(hidden: [hidden, dimensions, hidden], activation: .tanh, loss: .mse, optimizer: .adam,
                                learningRate: learningRate, batch: batch, epochs: epochs, record: .explicit([epochs]), seed: seed)
        let rows = Array(0..<n)
        let result = try FloatTraining.train(plan, data: data, train: rows, test: [], recordRows: rows)
        // Recorded layers: hidden, code, hidden, output; the code is the second.
        let codes = result.activations[1].map(Double.init)
        let scaled = Standardization(fitting: codes, columns: dimensions, rows: rows).apply(codes)
        return Result(codes: scaled, reconstructionError: result.trainLoss.last ?? .nan)
    }
}
