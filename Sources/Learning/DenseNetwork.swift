import NumericCore

/// A fully connected network: hidden layers with one activation, then a linear output layer.
///
/// Activations are kept feature-major: unit j of a batch of B rows is the contiguous run
/// `[j * B, (j + 1) * B)`. At the widths studied here (a few to a few hundred units) the long,
/// vectorisable loops then run over the batch, not over a handful of units, and no BLAS call's
/// setup cost is paid.
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

    /// Every layer's outputs for a batch, feature-major. `x` is feature-major too
    /// (`x[i * batch + b]` is input i of row b). The last output is the linear output layer
    /// (logits for classification).
    public func forward(_ x: [T], batch: Int) -> [[T]] {
        var outputs: [[T]] = []
        forward(x, batch: batch, into: &outputs)
        return outputs
    }

    /// `forward` into buffers kept from an earlier batch: steady-state training allocates
    /// nothing (every value is overwritten, so the buffers need no clearing).
    public func forward(_ x: [T], batch: Int, into outputs: inout [[T]]) {
        precondition(x.count == batch * inputWidth)
        if outputs.count != layers.count { outputs = layers.map { _ in [] } }
        for l in layers.indices {
            let layer = layers[l]
            let (nIn, nOut) = (layer.inputs, layer.outputs)
            // Moved out and back so that writing it while reading the layer below copies nothing.
            var out = outputs[l]
            outputs[l] = []
            out.resize(to: batch * nOut)
            (l == 0 ? x : outputs[l - 1]).withUnsafeBufferPointer { a in
                layer.weights.withUnsafeBufferPointer { w in
                    layer.bias.withUnsafeBufferPointer { bias in
                        out.withUnsafeMutableBufferPointer { o in
                            LayerKernels.denseForward(a.baseAddress!, weights: w.baseAddress!, bias: bias.baseAddress!, o.baseAddress!,
                                                      inputs: nIn, outputs: nOut, batch: batch)
                        }
                    }
                }
            }
            layer.activation.apply(&out)
            outputs[l] = out
        }
    }

    /// Gradients of every layer's weights and biases, in the layout of `layers`.
    public struct Gradients: Sendable {
        public var weights: [[T]]
        public var bias: [[T]]
        /// The gradient flowing down between layers, kept for the next batch's backward pass.
        var scratch: [T] = []

        public init(weights: [[T]], bias: [[T]]) {
            self.weights = weights
            self.bias = bias
        }
    }

    /// Backpropagation from the gradient of the loss with respect to the output layer's values
    /// (feature-major, like `forward`).
    /// `hiddenGradient`, when given, is added to the gradient with respect to that hidden layer's
    /// output (after its activation) on the way down.
    public func backward(input x: [T], outputs: [[T]], outputGradient: [T], batch: Int,
                         hiddenGradient: (layer: Int, gradient: [T])? = nil) -> Gradients {
        var gradients = Gradients(weights: [], bias: [])
        var delta = outputGradient
        backward(input: x, outputs: outputs, outputGradient: &delta, batch: batch, hiddenGradient: hiddenGradient, into: &gradients)
        return gradients
    }

    /// `backward` into the buffers of an earlier batch's gradients. `outputGradient` serves as
    /// working space: it is overwritten.
    public func backward(input x: [T], outputs: [[T]], outputGradient delta: inout [T], batch: Int,
                         hiddenGradient: (layer: Int, gradient: [T])? = nil, into gradients: inout Gradients) {
        if gradients.weights.count != layers.count {
            gradients.weights = layers.map { [T](repeating: 0, count: $0.weights.count) }
            gradients.bias = layers.map { [T](repeating: 0, count: $0.bias.count) }
        }
        var previous = gradients.scratch
        gradients.scratch = []
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let (nIn, nOut) = (layer.inputs, layer.outputs)
            if let extra = hiddenGradient, extra.layer == l {
                for i in delta.indices { delta[i] += extra.gradient[i] }
            }
            // Through the activation: dL/dz = dL/dy · f'(z), with f' read from y.
            layer.activation.backpropagate(&delta, outputs: outputs[l])
            // The kernel adds into the input gradient, so it starts at zero.
            previous.removeAll(keepingCapacity: true)
            if l > 0 { previous.append(contentsOf: repeatElement(0, count: batch * nIn)) }
            var (gw, gb) = (gradients.weights[l], gradients.bias[l])
            (gradients.weights[l], gradients.bias[l]) = ([], [])
            (l == 0 ? x : outputs[l - 1]).withUnsafeBufferPointer { a in
                delta.withUnsafeBufferPointer { d in
                    layer.weights.withUnsafeBufferPointer { w in
                        gw.withUnsafeMutableBufferPointer { gw in
                            gb.withUnsafeMutableBufferPointer { gb in
                                previous.withUnsafeMutableBufferPointer { p in
                                    LayerKernels.denseBackward(a.baseAddress!, d.baseAddress!, weights: w.baseAddress!,
                                                               weightGradient: gw.baseAddress!, biasGradient: gb.baseAddress!,
                                                               inputGradient: l == 0 ? nil : p.baseAddress, inputs: nIn, outputs: nOut, batch: batch)
                                }
                            }
                        }
                    }
                }
            }
            (gradients.weights[l], gradients.bias[l]) = (gw, gb)
            swap(&delta, &previous)
        }
        gradients.scratch = previous
    }
}

extension Array where Element: TrainingScalar {
    /// Sets the count keeping the storage when it is large enough: how training reuses one
    /// buffer from batch to batch (new elements are zero).
    @inline(__always)
    mutating func resize(to count: Int) {
        if self.count > count {
            removeLast(self.count - count)
        } else if self.count < count {
            append(contentsOf: repeatElement(0, count: count - self.count))
        }
    }
}
