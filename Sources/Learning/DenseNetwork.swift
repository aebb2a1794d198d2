import NumericCore

/// A fully connected network: hidden layers with one activation, then a linear output layer.
///
/// Activations are kept batch-major and contiguous (`[batch × width]`): at the widths of the
/// networks studied here (a few to a few hundred units) plain loops over that layout beat
/// BLAS calls, whose setup costs more than the arithmetic.
public struct DenseNetwork<T: TrainingScalar>: Sendable {
    public struct Layer: Sendable {
        public var inputs: Int
        public var outputs: Int
        /// Row i holds the weights from input i: `weights[i * outputs + j]`.
        public var weights: [T]
        public var bias: [T]
        public var activation: Activation
    }

    public var layers: [Layer]

    public var inputWidth: Int { layers.first?.inputs ?? 0 }
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.bias.count } }

    /// Glorot-uniform weights, U(±sqrt(6 / (fan_in + fan_out))), for tanh, sigmoid and linear
    /// layers; He-uniform, U(±sqrt(6 / fan_in)), for ReLU layers. Biases start at zero.
    public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation, seed: UInt64) {
        var random = RandomStream(seed: seed, stream: "init")
        let widths = [inputs] + hidden + [outputs]
        layers = []
        for l in 0..<(widths.count - 1) {
            let (fanIn, fanOut) = (widths[l], widths[l + 1])
            let isOutput = l == widths.count - 2
            let layerActivation = isOutput ? Activation.linear : activation
            let limit = layerActivation == .relu ? (6.0 / Double(fanIn)).squareRoot() : (6.0 / Double(fanIn + fanOut)).squareRoot()
            let weights = (0..<(fanIn * fanOut)).map { _ in T((2 * random.uniform() - 1) * limit) }
            layers.append(Layer(inputs: fanIn, outputs: fanOut, weights: weights, bias: [T](repeating: 0, count: fanOut),
                                activation: layerActivation))
        }
    }

    /// Every layer's outputs for a batch (`x` is `[batch × inputWidth]`); the last is the
    /// linear output layer (logits for classification).
    public func forward(_ x: [T], batch: Int) -> [[T]] {
        precondition(x.count == batch * inputWidth)
        var outputs: [[T]] = []
        outputs.reserveCapacity(layers.count)
        for (l, layer) in layers.enumerated() {
            let input = l == 0 ? x : outputs[l - 1]
            var out = [T](repeating: 0, count: batch * layer.outputs)
            let (nIn, nOut) = (layer.inputs, layer.outputs)
            input.withUnsafeBufferPointer { a in
                layer.weights.withUnsafeBufferPointer { w in
                    layer.bias.withUnsafeBufferPointer { bias in
                        out.withUnsafeMutableBufferPointer { o in
                            for b in 0..<batch {
                                let row = b * nOut
                                for j in 0..<nOut { o[row + j] = bias[j] }
                                for i in 0..<nIn {
                                    let v = a[b * nIn + i]
                                    if v == 0 { continue }
                                    let wRow = i * nOut
                                    for j in 0..<nOut { o[row + j] += v * w[wRow + j] }
                                }
                            }
                            layer.activation.apply(o)
                        }
                    }
                }
            }
            outputs.append(out)
        }
        return outputs
    }

    /// Gradients of every layer's weights and biases, in the layout of `layers`.
    public struct Gradients: Sendable {
        public var weights: [[T]]
        public var bias: [[T]]

        public init(weights: [[T]], bias: [[T]]) {
            self.weights = weights
            self.bias = bias
        }
    }

    /// Backpropagation from the gradient of the loss with respect to the output layer's values.
    public func backward(input x: [T], outputs: [[T]], outputGradient: [T], batch: Int) -> Gradients {
        var weightGradients = layers.map { [T](repeating: 0, count: $0.weights.count) }
        var biasGradients = layers.map { [T](repeating: 0, count: $0.bias.count) }
        var delta = outputGradient
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let (nIn, nOut) = (layer.inputs, layer.outputs)
            // Through the activation: dL/dz = dL/dy · f'(z), with f' read from y.
            delta.withUnsafeMutableBufferPointer { d in
                outputs[l].withUnsafeBufferPointer { y in layer.activation.backpropagate(d, outputs: y) }
            }
            let input = l == 0 ? x : outputs[l - 1]
            var previous = [T](repeating: 0, count: l == 0 ? 0 : batch * nIn)
            input.withUnsafeBufferPointer { a in
                delta.withUnsafeBufferPointer { d in
                    layer.weights.withUnsafeBufferPointer { w in
                        weightGradients[l].withUnsafeMutableBufferPointer { gw in
                            biasGradients[l].withUnsafeMutableBufferPointer { gb in
                                previous.withUnsafeMutableBufferPointer { p in
                                    for b in 0..<batch {
                                        let dRow = b * nOut
                                        for j in 0..<nOut { gb[j] += d[dRow + j] }
                                        for i in 0..<nIn {
                                            let v = a[b * nIn + i]
                                            let wRow = i * nOut
                                            var back: T = 0
                                            for j in 0..<nOut {
                                                gw[wRow + j] += v * d[dRow + j]
                                                back += w[wRow + j] * d[dRow + j]
                                            }
                                            if l > 0 { p[b * nIn + i] = back }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            delta = previous
        }
        return Gradients(weights: weightGradients, bias: biasGradients)
    }
}
