import NumericCore

/// A network of any stack of layers (dense, 1-D and 2-D convolution, max-pooling, flatten) with
/// optional noise after chosen layers, then a linear output layer. Activations are
/// feature-major, as in `DenseNetwork`, which stays the faster path for stacks of dense layers
/// only.
public struct LayerNetwork<T: TrainingScalar>: Sendable {
    public enum Operation: Sendable, Equatable {
        case dense
        case convolution(WindowGeometry)
        case maxPool(WindowGeometry)
        case flatten
    }

    public struct Layer: Sendable {
        public var operation: Operation
        public var input: FeatureShape
        public var output: FeatureShape
        /// Dense: `weights[i * outputs + j]`; convolution: `weights[((f * C + c) * k + ky) * k + kx]`
        /// (no ky in 1-D). Empty for pooling and flatten.
        public var weights: [T]
        public var bias: [T]
        public var activation: Activation
        public var noise: NoiseInjection?
        /// Flatten layers only rename the values; they are not recorded.
        public var isRecorded: Bool { operation != .flatten }
    }

    public var layers: [Layer]

    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.bias.count } }
    public var inputWidth: Int { layers.first?.input.count ?? 0 }

    /// Dense layers start as in `DenseNetwork`: Glorot-uniform, U(±sqrt(6 / (fan_in + fan_out))),
    /// or He-uniform, U(±sqrt(6 / fan_in)), for ReLU layers. Convolutions likewise, with
    /// fan_in = C·k (·k in 2-D) and fan_out = F·k (·k): a unit sees C·k inputs and each input
    /// feeds F·k units. Biases start at zero. `noiseAfter` lists recorded layers (0-based, the
    /// way they are recorded) that get `noise`.
    public init(input: FeatureShape, hidden: [LayerSpec], outputs: Int, activation: Activation,
                noise: NoiseInjection? = nil, noiseAfter: [Int] = [], seed: UInt64) throws(ShapeError) {
        var random = RandomStream(seed: seed, stream: "init")
        var shape = input
        layers = []
        var recorded = 0
        for (l, spec) in (hidden + [.dense(units: outputs)]).enumerated() {
            let next = try shape.after(spec, layer: l + 1)
            let isOutput = l == hidden.count
            var layer = Layer(operation: .flatten, input: shape, output: next, weights: [], bias: [],
                              activation: isOutput ? .linear : activation, noise: nil)
            var fans: (in: Int, out: Int)?
            switch spec {
            case .dense(let units):
                layer.operation = .dense
                fans = (shape.count, units)
            case .convolution(let filters, let kernel, let stride, let padding):
                layer.operation = .convolution(WindowGeometry(input: shape, output: next, kernel: kernel, stride: stride, padding: padding))
                let area = shape.dimensions == 2 ? kernel * kernel : kernel
                fans = (shape.channels * area, filters * area)
            case .maxPool(let size):
                layer.operation = .maxPool(WindowGeometry(input: shape, output: next, kernel: size, stride: size, padding: .valid))
                layer.activation = .linear
            case .flatten:
                layer.activation = .linear
            }
            if let fans {
                let limit = layer.activation == .relu ? (6.0 / Double(fans.in)).squareRoot() : (6.0 / Double(fans.in + fans.out)).squareRoot()
                let count = layer.operation == .dense ? fans.in * fans.out : fans.in * next.channels
                layer.weights = (0..<count).map { _ in T((2 * random.uniform() - 1) * limit) }
                layer.bias = [T](repeating: 0, count: next.channels)
            }
            if layer.isRecorded {
                if noiseAfter.contains(recorded) { layer.noise = noise }
                recorded += 1
            }
            layers.append(layer)
            shape = next
        }
    }

    /// Widths (units) of the recorded layers, the output layer last.
    public var recordedWidths: [Int] { layers.filter(\.isRecorded).map(\.output.count) }

    /// What a forward pass leaves for the backward pass.
    public struct Pass: Sendable {
        /// Every layer's outputs (after activation and noise), feature-major.
        public var outputs: [[T]]
        /// Outputs before the noise, where noise was applied (else empty): activations'
        /// derivatives are read from them.
        public var clean: [[T]]
        /// The standard normal draws of each noisy layer (else empty).
        public var epsilon: [[T]]

        /// The recorded layers' outputs, the output layer last.
        public func recorded(in network: LayerNetwork) -> [[T]] {
            zip(network.layers, outputs).filter { $0.0.isRecorded }.map(\.1)
        }
    }

    /// The forward pass of a batch (`x[i * batch + b]` is input i of row b). `epsilon(layer, n)`
    /// gives n standard normal draws for a layer with noise, or nil to leave the noise out.
    public func forward(_ x: [T], batch: Int, epsilon: (Int, Int) -> [T]?) -> Pass {
        precondition(x.count == batch * inputWidth)
        var pass = Pass(outputs: [], clean: [], epsilon: [])
        for (l, layer) in layers.enumerated() {
            let input = l == 0 ? x : pass.outputs[l - 1]
            var out: [T]
            if layer.operation == .flatten {
                out = input
            } else {
                out = [T](repeating: 0, count: batch * layer.output.count)
                input.withUnsafeBufferPointer { a in
                    layer.weights.withUnsafeBufferPointer { w in
                        layer.bias.withUnsafeBufferPointer { bias in
                            out.withUnsafeMutableBufferPointer { o in
                                let (a, o) = (a.baseAddress!, o.baseAddress!)
                                switch layer.operation {
                                case .dense:
                                    LayerKernels.denseForward(a, weights: w.baseAddress!, bias: bias.baseAddress!, o,
                                                              inputs: layer.input.count, outputs: layer.output.count, batch: batch)
                                case .convolution(let geometry):
                                    LayerKernels.convolutionForward(a, weights: w.baseAddress!, bias: bias.baseAddress!, o, geometry: geometry, batch: batch)
                                case .maxPool(let geometry):
                                    LayerKernels.maxPoolForward(a, o, geometry: geometry, batch: batch)
                                case .flatten:
                                    break
                                }
                            }
                        }
                    }
                }
                layer.activation.apply(&out)
            }
            if let noise = layer.noise, let draws = epsilon(l, out.count) {
                pass.clean.append(out)
                noise.apply(&out, epsilon: draws)
                pass.epsilon.append(draws)
            } else {
                pass.clean.append([])
                pass.epsilon.append([])
            }
            pass.outputs.append(out)
        }
        return pass
    }

    /// The forward pass with noise drawn from `noise`, or without noise when it is nil.
    public func forward(_ x: [T], batch: Int, noise: inout NoiseSource?) -> Pass {
        guard var source = noise else { return forward(x, batch: batch) { _, _ in nil } }
        let pass = forward(x, batch: batch) { _, n in source.standardNormals(n) }
        noise = source
        return pass
    }

    /// Gradients of every layer's weights and biases, in the layout of `layers` (empty for
    /// layers without parameters).
    public typealias Gradients = DenseNetwork<T>.Gradients

    /// Backpropagation from the gradient of the loss with respect to the output layer's values.
    /// A gradient on a hidden layer (`hiddenGradient`) is for dense-only networks; the model
    /// block refuses a bottleneck on any other before training.
    public func backward(input x: [T], pass: Pass, outputGradient: [T], batch: Int,
                         hiddenGradient: (layer: Int, gradient: [T])? = nil) -> Gradients {
        precondition(hiddenGradient == nil, "a hidden-layer gradient needs a dense network")
        var weightGradients = layers.map { [T](repeating: 0, count: $0.weights.count) }
        var biasGradients = layers.map { [T](repeating: 0, count: $0.bias.count) }
        var delta = outputGradient
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            if let noise = layer.noise, !pass.epsilon[l].isEmpty {
                noise.backpropagate(&delta, epsilon: pass.epsilon[l])
                layer.activation.backpropagate(&delta, outputs: pass.clean[l])
            } else {
                layer.activation.backpropagate(&delta, outputs: pass.outputs[l])
            }
            if layer.operation == .flatten { continue }
            var previous = [T](repeating: 0, count: l == 0 ? 0 : batch * layer.input.count)
            let input = l == 0 ? x : pass.outputs[l - 1]
            input.withUnsafeBufferPointer { a in
                delta.withUnsafeBufferPointer { d in
                    layer.weights.withUnsafeBufferPointer { w in
                        weightGradients[l].withUnsafeMutableBufferPointer { gw in
                            biasGradients[l].withUnsafeMutableBufferPointer { gb in
                                previous.withUnsafeMutableBufferPointer { p in
                                    let (a, d) = (a.baseAddress!, d.baseAddress!)
                                    let p = l == 0 ? nil : p.baseAddress
                                    switch layer.operation {
                                    case .dense:
                                        LayerKernels.denseBackward(a, d, weights: w.baseAddress!, weightGradient: gw.baseAddress!,
                                                                   biasGradient: gb.baseAddress!, inputGradient: p,
                                                                   inputs: layer.input.count, outputs: layer.output.count, batch: batch)
                                    case .convolution(let geometry):
                                        LayerKernels.convolutionBackward(a, d, weights: w.baseAddress!, weightGradient: gw.baseAddress!,
                                                                         biasGradient: gb.baseAddress!, inputGradient: p, geometry: geometry, batch: batch)
                                    case .maxPool(let geometry):
                                        if let p {
                                            (pass.clean[l].isEmpty ? pass.outputs[l] : pass.clean[l]).withUnsafeBufferPointer { o in
                                                LayerKernels.maxPoolBackward(a, output: o.baseAddress!, d, inputGradient: p, geometry: geometry, batch: batch)
                                            }
                                        }
                                    case .flatten:
                                        break
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
