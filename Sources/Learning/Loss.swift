/// Training losses: their value on a batch and their gradient with respect to the network's
/// (linear) outputs.
public enum Loss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy against integer class labels, averaged over the batch.
    case crossEntropy = "cross-entropy"
    /// Mean squared error against targets, averaged over the batch and the outputs.
    case mse

    /// Targets: class indices for cross-entropy (one per row), values for MSE (`width` per row).
    public func evaluate<T: TrainingScalar>(_ outputs: [T], width: Int, targets: [T], batch: Int) -> (loss: Double, gradient: [T], correct: Int) {
        var gradient = [T](repeating: 0, count: outputs.count)
        var total = 0.0
        var correct = 0
        switch self {
        case .crossEntropy:
            for b in 0..<batch {
                let row = b * width
                let label = Int(targets[b])
                var best = 0
                var maximum = outputs[row]
                for j in 1..<width where outputs[row + j] > maximum { maximum = outputs[row + j]; best = j }
                if best == label { correct += 1 }
                var sum: T = 0
                for j in 0..<width { let e = T.exp(outputs[row + j] - maximum); gradient[row + j] = e; sum += e }
                for j in 0..<width { gradient[row + j] /= sum }
                total -= Double(T.log(max(gradient[row + label], T.leastNormalMagnitude)))
                gradient[row + label] -= 1
                for j in 0..<width { gradient[row + j] /= T(batch) }
            }
            return (total / Double(batch), gradient, correct)
        case .mse:
            let n = T(batch * width)
            for i in 0..<outputs.count {
                let difference = outputs[i] - targets[i]
                total += Double(difference * difference)
                gradient[i] = 2 * difference / n
            }
            return (total / Double(batch * width), gradient, 0)
        }
    }

    /// Softmax of each row, in place: what the output layer of a classifier reports.
    public static func softmax<T: TrainingScalar>(_ values: inout [T], width: Int) {
        let rows = values.count / width
        for b in 0..<rows {
            let row = b * width
            let maximum = values[row..<(row + width)].max()!
            var sum: T = 0
            for j in 0..<width { values[row + j] = T.exp(values[row + j] - maximum); sum += values[row + j] }
            for j in 0..<width { values[row + j] /= sum }
        }
    }
}
