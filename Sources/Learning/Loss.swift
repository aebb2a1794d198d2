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
        var gradient: [T] = []
        self.gradient(outputs, width: width, targets: targets, batch: batch, into: &gradient)
        let (loss, correct) = value(outputs, width: width, targets: targets, batch: batch)
        return (loss, gradient, correct)
    }

    /// The loss averaged over the batch and, for cross-entropy, how many rows' largest output
    /// is their label.
    public func value<T: TrainingScalar>(_ outputs: [T], width: Int, targets: [T], batch: Int) -> (loss: Double, correct: Int) {
        switch self {
        case .crossEntropy:
            var total = 0.0
            var correct = 0
            Self.withSoftmax(outputs, width: width, batch: batch) { p in
                outputs.withUnsafeBufferPointer { o in
                    targets.withUnsafeBufferPointer { t in
                        let (o, t, p) = (o.baseAddress!, t.baseAddress!, p.baseAddress!)
                        for b in 0..<batch {
                            let label = t[b].integerValue
                            precondition(label >= 0 && label < width, "class label out of range")
                            var best = 0
                            for j in 1..<width where o[j &* batch &+ b] > o[best &* batch &+ b] { best = j }
                            if best == label { correct += 1 }
                            total -= Double(T.log(max(p[label &* batch &+ b], T.leastNormalMagnitude)))
                        }
                    }
                }
            }
            return (total / Double(batch), correct)
        case .mse, .csDivergence:
            var total = 0.0
            for i in 0..<(batch * width) {
                let difference = outputs[i] - targets[i]
                total += Double(difference * difference)
            }
            return (total / Double(batch * width), 0)
        }
    }

    /// The gradient alone, into a buffer kept between batches (what a training step needs).
    public func gradient<T: TrainingScalar>(_ outputs: [T], width: Int, targets: [T], batch: Int, into gradient: inout [T]) {
        gradient.resize(to: outputs.count)
        gradient.withUnsafeMutableBufferPointer { g in
            switch self {
            case .crossEntropy:
                // (softmax − one-hot) / batch.
                Self.softmax(outputs, width: width, batch: batch, into: g)
                let scale = 1 / T(batch)
                for j in 0..<width {
                    let row = g.baseAddress! + j * batch
                    targets.withUnsafeBufferPointer { t in
                        for b in 0..<batch { row[b] = (row[b] - (t[b] == T(j) ? 1 : 0)) * scale }
                    }
                }
            case .mse, .csDivergence:
                let n = T(batch * width)
                outputs.withUnsafeBufferPointer { o in
                    targets.withUnsafeBufferPointer { t in
                        for i in 0..<o.count { g[i] = 2 * (o[i] - t[i]) / n }
                    }
                }
            }
        }
    }

    /// Softmax over units for each row of a feature-major block, in place: what the output
    /// layer of a classifier reports.
    public static func softmax<T: TrainingScalar>(_ values: inout [T], width: Int) {
        let rows = values.count / width
        let input = values
        values.withUnsafeMutableBufferPointer { softmax(input, width: width, batch: rows, into: $0) }
    }

    static func withSoftmax<T: TrainingScalar>(_ outputs: [T], width: Int, batch: Int, _ body: (UnsafeBufferPointer<T>) -> Void) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: outputs.count) { p in
            softmax(outputs, width: width, batch: batch, into: p)
            body(UnsafeBufferPointer(p))
        }
    }

    /// Softmax of each row of a feature-major block into `p`. The loops run over rows, unit by
    /// unit, so they vectorise; e^(o − max) by `TrainingScalar.vectorExp`.
    static func softmax<T: TrainingScalar>(_ outputs: [T], width: Int, batch: Int, into p: UnsafeMutableBufferPointer<T>) {
        precondition(outputs.count == width * batch && p.count >= outputs.count)
        withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * batch) { scratch in
            let maximum = scratch.baseAddress!, sum = scratch.baseAddress! + batch
            // Row pointers keep index arithmetic (and its overflow checks) out of the inner loops.
            outputs.withUnsafeBufferPointer { o in
                let (o, p) = (o.baseAddress!, p.baseAddress!)
                for b in 0..<batch { maximum[b] = o[b] }
                for j in 1..<max(width, 1) {
                    let oj = o + j * batch
                    for b in 0..<batch { maximum[b] = max(maximum[b], oj[b]) }
                }
                for b in 0..<batch { sum[b] = 0 }
                for j in 0..<width {
                    let (oj, pj) = (o + j * batch, p + j * batch)
                    for b in 0..<batch {
                        let e = T.vectorExp(oj[b] - maximum[b])
                        pj[b] = e
                        sum[b] += e
                    }
                }
                for j in 0..<width {
                    let pj = p + j * batch
                    for b in 0..<batch { pj[b] /= sum[b] }
                }
            }
        }
    }
}
