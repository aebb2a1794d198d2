/// Parameter updates from gradients.
public enum OptimizerKind: String, Sendable, CaseIterable {
    /// Stochastic gradient descent with optional momentum: v ← μv + g, w ← w − η·v.
    case sgd
    /// Adam (Kingma & Ba 2015) with β1 = 0.9, β2 = 0.999, ε = 1e-8 and bias correction.
    case adam
}

public struct Optimizer<T: TrainingScalar>: Sendable {
    public var kind: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    /// L2 penalty: (λ/2)·Σw² is added to the loss (weights only, not biases).
    public var l2: Double
    private var first: [[T]] = []
    private var second: [[T]] = []
    private var step = 0

    public init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0, l2: Double = 0) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.l2 = l2
    }

    public mutating func update(_ network: inout DenseNetwork<T>, with gradients: DenseNetwork<T>.Gradients) {
        // Parameters in one list: weights then bias of each layer.
        var grads: [[T]] = []
        for l in network.layers.indices {
            var gw = gradients.weights[l]
            if l2 != 0 {
                let lambda = T(l2)
                for i in gw.indices { gw[i] += lambda * network.layers[l].weights[i] }
            }
            grads.append(gw)
            grads.append(gradients.bias[l])
        }
        if first.isEmpty {
            first = grads.map { [T](repeating: 0, count: $0.count) }
            second = first
        }
        step += 1
        let lr = T(learningRate)
        for p in grads.indices {
            let l = p / 2, isWeight = p % 2 == 0
            var params = isWeight ? network.layers[l].weights : network.layers[l].bias
            switch kind {
            case .sgd:
                let mu = T(momentum)
                for i in params.indices {
                    first[p][i] = mu * first[p][i] + grads[p][i]
                    params[i] -= lr * first[p][i]
                }
            case .adam:
                let (b1, b2): (T, T) = (0.9, 0.999)
                let c1 = 1 - T(pow(0.9, Double(step))), c2 = 1 - T(pow(0.999, Double(step)))
                for i in params.indices {
                    let g = grads[p][i]
                    first[p][i] = b1 * first[p][i] + (1 - b1) * g
                    second[p][i] = b2 * second[p][i] + (1 - b2) * g * g
                    let mHat = first[p][i] / c1, vHat = second[p][i] / c2
                    params[i] -= lr * mHat / ((vHat).squareRoot() + T(1e-8))
                }
            }
            if isWeight { network.layers[l].weights = params } else { network.layers[l].bias = params }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
