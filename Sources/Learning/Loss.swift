/// Training losses: their value on a batch and their gradient with respect to the network's
/// (linear) outputs.
public enum Loss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy against integer class labels, averaged over the batch.
    case crossEntropy = "cross-entropy"
    /// Mean squared error against targets, averaged over the batch and the outputs.
    case mse
    /// The conditional Cauchy–Schwarz divergence between the data's p(y|x) and the network's
    /// q(ŷ|x) (Yu et al. 2024; `CauchySchwarzObjective`). Training follows its gradient; the
    /// losses reported per epoch are the MSE, which a batch-free evaluation can compute.
    case csDivergence = "cs-divergence"

    /// `outputs` is feature-major (`outputs[j * batch + b]`, as `DenseNetwork.forward` gives);
    /// targets are class indices for cross-entropy (one per row) and feature-major values for
    /// MSE. The gradient comes back in the layout of `outputs`.
    public func evaluate<T: TrainingScalar>(_ outputs: [T], width: Int, targets: [T], batch: Int) -> (loss: Double, gradient: [T], correct: Int) {
        var gradient = [T](repeating: 0, count: outputs.count)
        var total = 0.0
        var correct = 0
        switch self {
        case .crossEntropy:
            var column = [T](repeating: 0, count: width)
            for b in 0..<batch {
                let label = Int(targets[b])
                var best = 0
                var maximum = outputs[b]
                for j in 1..<width where outputs[j * batch + b] > maximum { maximum = outputs[j * batch + b]; best = j }
                if best == label { correct += 1 }
                var sum: T = 0
                for j in 0..<width { let e = T.exp(outputs[j * batch + b] - maximum); column[j] = e; sum += e }
                for j in 0..<width { column[j] /= sum }
                total -= Double(T.log(max(column[label], T.leastNormalMagnitude)))
                column[label] -= 1
                for j in 0..<width { gradient[j * batch + b] = column[j] / T(batch) }
            }
            return (total / Double(batch), gradient, correct)
        case .mse, .csDivergence:
            let n = T(batch * width)
            for i in 0..<outputs.count {
                let difference = outputs[i] - targets[i]
                total += Double(difference * difference)
                gradient[i] = 2 * difference / n
            }
            return (total / Double(batch * width), gradient, 0)
        }
    }

    /// Softmax over units for each row of a feature-major block, in place: what the output
    /// layer of a classifier reports.
    public static func softmax<T: TrainingScalar>(_ values: inout [T], width: Int) {
        let rows = values.count / width
        for b in 0..<rows {
            var maximum = values[b]
            for j in 1..<width { maximum = max(maximum, values[j * rows + b]) }
            var sum: T = 0
            for j in 0..<width { values[j * rows + b] = T.exp(values[j * rows + b] - maximum); sum += values[j * rows + b] }
            for j in 0..<width { values[j * rows + b] /= sum }
        }
    }
}
