/// Parameter updates from gradients.
public enum OptimizerKind: String, Sendable, CaseIterable {
    /// Stochastic gradient descent with optional momentum: v ← μv + g, w ← w − η·v.
    case sgd
    /// Adam (Kingma & Ba 2015) with β1 = 0.9, β2 = 0.999, ε = 1e-8 and bias correction.
    case adam
}

/// A layer with trainable weights and biases (possibly none), which the optimizer updates in place.
protocol ParameterLayer {
    associatedtype Scalar
    var weights: [Scalar] { get set }
    var bias: [Scalar] { get set }
}

extension DenseNetwork.Layer: ParameterLayer {}
extension LayerNetwork.Layer: ParameterLayer {}

public struct Optimizer<T: TrainingScalar>: Sendable {
    public var kind: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    /// L2 penalty: (λ/2)·Σw² is added to the loss (weights only, not biases).
    public var l2: Double
    private var first: [[T]] = []
    private var second: [[T]] = []
    private var step = 0
    /// Adam's square roots, per batch.
    private var scratch: [T] = []

    public init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0, l2: Double = 0) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.l2 = l2
    }

    public mutating func update(_ network: inout DenseNetwork<T>, with gradients: DenseNetwork<T>.Gradients) {
        update(&network.layers, with: gradients)
    }

    public mutating func update(_ network: inout LayerNetwork<T>, with gradients: LayerNetwork<T>.Gradients) {
        update(&network.layers, with: gradients)
    }

    /// One step on every layer's weights and biases (the L2 penalty on weights only), each
    /// updated in place in its layer: this runs once a batch, so it allocates nothing.
    mutating func update<Layer: ParameterLayer>(_ layers: inout [Layer], with gradients: DenseNetwork<T>.Gradients) where Layer.Scalar == T {
        if first.isEmpty {
            // Moments per parameter array: weights then bias of each layer.
            for layer in layers {
                first.append([T](repeating: 0, count: layer.weights.count))
                first.append([T](repeating: 0, count: layer.bias.count))
            }
            second = first
        }
        step += 1
        for l in layers.indices {
            if l2 != 0 {
                var gw = gradients.weights[l]
                let lambda = T(l2)
                for i in gw.indices { gw[i] += lambda * layers[l].weights[i] }
                apply(gw, to: &layers[l].weights, slot: 2 * l)
            } else {
                apply(gradients.weights[l], to: &layers[l].weights, slot: 2 * l)
            }
            apply(gradients.bias[l], to: &layers[l].bias, slot: 2 * l + 1)
        }
    }

    private mutating func apply(_ gradient: [T], to params: inout [T], slot p: Int) {
        let lr = T(learningRate)
        // The moments move out of their arrays of arrays for the loop, so it runs over plain
        // buffers (no uniqueness check per element) and vectorises.
        var (m, v) = (first[p], second[p])
        (first[p], second[p]) = ([], [])
        defer { (first[p], second[p]) = (m, v) }
        switch kind {
        case .sgd:
            let mu = T(momentum)
            params.withUnsafeMutableBufferPointer { params in
                gradient.withUnsafeBufferPointer { gradient in
                    m.withUnsafeMutableBufferPointer { m in
                        for i in 0..<params.count {
                            m[i] = mu * m[i] + gradient[i]
                            params[i] -= lr * m[i]
                        }
                    }
                }
            }
        case .adam:
            let (b1, b2): (T, T) = (0.9, 0.999)
            let c1 = 1 - T(pow(0.9, Double(step))), c2 = 1 - T(pow(0.999, Double(step)))
            let epsilon = T(1e-8)
            scratch.resize(to: params.count)
            params.withUnsafeMutableBufferPointer { params in
                gradient.withUnsafeBufferPointer { gradient in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            scratch.withUnsafeMutableBufferPointer { root in
                                let (p, g, m, v, root) = (params.baseAddress!, gradient.baseAddress!, m.baseAddress!, v.baseAddress!, root.baseAddress!)
                                let n = params.count
                                // Eight parameters at a time by explicit vectors (the compiler does
                                // not vectorise loops over four buffers), the rest one by one with
                                // the same operations. The square roots get a loop of their own:
                                // SIMD8's squareRoot() runs lane by lane, a plain loop over one
                                // buffer becomes vector square roots.
                                typealias V = SIMD8<T>
                                var i = 0
                                while i + 8 <= n {
                                    let gi = LayerKernels.vector(at: g + i)
                                    let mi = V(repeating: b1) * LayerKernels.vector(at: m + i) + V(repeating: 1 - b1) * gi
                                    let vi = V(repeating: b2) * LayerKernels.vector(at: v + i) + V(repeating: 1 - b2) * gi * gi
                                    LayerKernels.store(mi, m + i); LayerKernels.store(vi, v + i); LayerKernels.store(vi / V(repeating: c2), root + i)
                                    i += 8
                                }
                                while i < n {
                                    let gi = g[i]
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    root[i] = v[i] / c2
                                    i += 1
                                }
                                for i in 0..<n { root[i] = root[i].squareRoot() }
                                i = 0
                                while i + 8 <= n {
                                    let step = V(repeating: lr) * (LayerKernels.vector(at: m + i) / V(repeating: c1)) / (LayerKernels.vector(at: root + i) + V(repeating: epsilon))
                                    LayerKernels.store(LayerKernels.vector(at: p + i) - step, p + i)
                                    i += 8
                                }
                                while i < n {
                                    p[i] -= lr * (m[i] / c1) / (root[i] + epsilon)
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
