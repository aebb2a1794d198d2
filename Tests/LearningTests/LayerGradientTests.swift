import Learning
import NumericCore
import XCTest

/// Backpropagation through convolution, pooling, flatten and noise layers against central finite
/// differences in Float64, plus the shapes and values of each layer on hand-worked examples.
final class LayerGradientTests: XCTestCase {
    /// Fixed standard normal draws per layer, so noisy networks are differentiable functions.
    func fixedEpsilon(_ layer: Int, _ count: Int) -> [Double]? {
        var random = RandomStream(seed: 77, stream: "eps\(layer)")
        return (0..<count).map { _ in random.normal() }
    }

    func loss(_ network: LayerNetwork<Double>, _ x: [Double], _ t: [Double], _ loss: Loss, batch: Int, outputs: Int) -> Double {
        loss.evaluate(network.forward(x, batch: batch, epsilon: fixedEpsilon).outputs.last!, width: outputs, targets: t, batch: batch).loss
    }

    /// The worst relative difference between backpropagated and numeric gradients over every
    /// weight and bias.
    func worstGradientError(input: FeatureShape, hidden: [LayerSpec], activation: Activation, loss lossKind: Loss,
                            noise: NoiseInjection? = nil, noiseAfter: [Int] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        var random = RandomStream(seed: 5, stream: "layer-gradcheck")
        let batch = 5, outputs = 3
        var network = try LayerNetwork<Double>(input: input, hidden: hidden, outputs: outputs, activation: activation,
                                               noise: noise, noiseAfter: noiseAfter, seed: 9)
        for l in network.layers.indices {
            network.layers[l].bias = network.layers[l].bias.map { _ in random.normal() * 0.3 }
        }
        let x = (0..<(batch * input.count)).map { _ in random.normal() }
        let t: [Double] = lossKind == .crossEntropy ? (0..<batch).map { _ in Double(random.integer(below: outputs)) }
                                                    : (0..<(batch * outputs)).map { _ in random.normal() }
        let pass = network.forward(x, batch: batch, epsilon: fixedEpsilon)
        let gradient = lossKind.evaluate(pass.outputs.last!, width: outputs, targets: t, batch: batch).gradient
        let analytic = network.backward(input: x, pass: pass, outputGradient: gradient, batch: batch)
        let h = 1e-6
        var worst = 0.0
        func compare(_ numeric: Double, _ exact: Double) { worst = max(worst, abs(numeric - exact) / max(1e-4, abs(numeric) + abs(exact))) }
        for l in network.layers.indices {
            for i in network.layers[l].weights.indices {
                var plus = network, minus = network
                plus.layers[l].weights[i] += h
                minus.layers[l].weights[i] -= h
                compare((loss(plus, x, t, lossKind, batch: batch, outputs: outputs) - loss(minus, x, t, lossKind, batch: batch, outputs: outputs)) / (2 * h),
                        analytic.weights[l][i])
            }
            for j in network.layers[l].bias.indices {
                var plus = network, minus = network
                plus.layers[l].bias[j] += h
                minus.layers[l].bias[j] -= h
                compare((loss(plus, x, t, lossKind, batch: batch, outputs: outputs) - loss(minus, x, t, lossKind, batch: batch, outputs: outputs)) / (2 * h),
                        analytic.bias[l][j])
            }
        }
        return worst
    }

    func testConvolution1DGradients() throws {
        let signal = FeatureShape.signal(channels: 2, length: 11)
        for activation in Activation.allCases {
            for loss in Loss.allCases {
                // Same padding with stride 1, then valid with stride 2, pooling, flatten, dense.
                let hidden: [LayerSpec] = [.convolution(filters: 3, kernel: 3, stride: 1, padding: .same),
                                           .convolution(filters: 2, kernel: 3, stride: 2, padding: .valid),
                                           .maxPool(size: 2), .flatten, .dense(units: 4)]
                XCTAssertLessThan(try worstGradientError(input: signal, hidden: hidden, activation: activation, loss: loss), 1e-5,
                                  "\(activation) with \(loss)")
            }
        }
    }

    func testConvolution1DSamePaddingWithStrideGradients() throws {
        // Odd padding (more after than before) and an even kernel.
        let hidden: [LayerSpec] = [.convolution(filters: 2, kernel: 4, stride: 3, padding: .same), .dense(units: 3)]
        XCTAssertLessThan(try worstGradientError(input: .signal(channels: 1, length: 10), hidden: hidden, activation: .tanh, loss: .mse), 1e-5)
    }

    func testConvolution2DGradients() throws {
        let image = FeatureShape.image(channels: 1, height: 7, width: 6)
        for activation in Activation.allCases {
            let hidden: [LayerSpec] = [.convolution(filters: 2, kernel: 3, stride: 2, padding: .same),
                                       .convolution(filters: 3, kernel: 2, stride: 1, padding: .valid),
                                       .maxPool(size: 2), .dense(units: 3)]
            XCTAssertLessThan(try worstGradientError(input: image, hidden: hidden, activation: activation, loss: .crossEntropy), 1e-5, "\(activation)")
        }
        let twoChannels = FeatureShape.image(channels: 2, height: 5, width: 5)
        let hidden: [LayerSpec] = [.convolution(filters: 2, kernel: 3, stride: 1, padding: .valid), .flatten, .dense(units: 2)]
        XCTAssertLessThan(try worstGradientError(input: twoChannels, hidden: hidden, activation: .sigmoid, loss: .mse), 1e-5)
    }

    func testNoiseGradientsWithFixedDraws() throws {
        let hidden: [LayerSpec] = [.convolution(filters: 2, kernel: 3, stride: 1, padding: .same), .maxPool(size: 2), .dense(units: 4), .dense(units: 3)]
        for kind in NoiseInjection.Kind.allCases {
            for activation in [Activation.tanh, .relu] {
                for loss in Loss.allCases {
                    // Large noise, so a wrong backward pass could not hide under it; every hidden layer noisy.
                    let noise = NoiseInjection(kind: kind, scale: 0.3, atEvaluation: true)
                    XCTAssertLessThan(try worstGradientError(input: .signal(channels: 1, length: 8), hidden: hidden, activation: activation,
                                                             loss: loss, noise: noise, noiseAfter: [0, 1, 2, 3]), 1e-5, "\(kind) \(activation) \(loss)")
                }
            }
        }
    }

    func testNoiseChangesOutputsAsDefined() throws {
        let network = try LayerNetwork<Double>(input: .flat(2), hidden: [.dense(units: 3)], outputs: 1, activation: .linear,
                                               noise: NoiseInjection(kind: .multiplicative, scale: 0.5, atEvaluation: false), noiseAfter: [0], seed: 3)
        let x = [0.5, -1.0]
        let clean = network.forward(x, batch: 1) { _, _ in nil }
        let noisy = network.forward(x, batch: 1, epsilon: fixedEpsilon)
        let eps = fixedEpsilon(0, 3)!
        for j in 0..<3 { XCTAssertEqual(noisy.outputs[0][j], clean.outputs[0][j] * (1 + 0.5 * eps[j]), accuracy: 1e-12) }
        var additive = network
        additive.layers[0].noise = NoiseInjection(kind: .additive, scale: 0.5, atEvaluation: false)
        let shifted = additive.forward(x, batch: 1, epsilon: fixedEpsilon)
        for j in 0..<3 { XCTAssertEqual(shifted.outputs[0][j], clean.outputs[0][j] + 0.5 * eps[j], accuracy: 1e-12) }
    }

    func testNoiseDrawsAreStandardNormalAndReproducible() {
        var source = NoiseSource(seed: 21, stream: "noise")
        let draws: [Double] = source.standardNormals(200_001)
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        // P(|ε| > 1.96) = 5%: the shape, not only the moments.
        XCTAssertEqual(Double(draws.filter { abs($0) > 1.96 }.count) / Double(draws.count), 0.05, accuracy: 0.002)
        var again = NoiseSource(seed: 21, stream: "noise")
        XCTAssertEqual(again.standardNormals(100_000) + again.standardNormals(100_001), draws, "the same stream however it is split")
    }

    func testConvolution1DValuesByHand() throws {
        var network = try LayerNetwork<Double>(input: .signal(channels: 1, length: 5),
                                               hidden: [.convolution(filters: 1, kernel: 3, stride: 1, padding: .valid)],
                                               outputs: 1, activation: .linear, seed: 1)
        network.layers[0].weights = [1, 0, -1]
        network.layers[0].bias = [0.5]
        let x: [Double] = [1, 2, 3, 4, 5]
        XCTAssertEqual(network.forward(x, batch: 1) { _, _ in nil }.outputs[0], [-1.5, -1.5, -1.5])
        // Same padding, stride 2: output ⌈5/2⌉ = 3, padding 2 in all, 1 before: windows start at −1, 1, 3.
        var strided = try LayerNetwork<Double>(input: .signal(channels: 1, length: 5),
                                               hidden: [.convolution(filters: 1, kernel: 3, stride: 2, padding: .same)],
                                               outputs: 1, activation: .linear, seed: 1)
        strided.layers[0].weights = [1, 0, -1]
        XCTAssertEqual(strided.forward(x, batch: 1) { _, _ in nil }.outputs[0], [-2, -2, 4])
    }

    func testConvolution2DAndPoolingValuesByHand() throws {
        // A 4×4 image 0...15, a 2×2 kernel summing its window, stride 2, then nothing else.
        var network = try LayerNetwork<Double>(input: .image(channels: 1, height: 4, width: 4),
                                               hidden: [.convolution(filters: 1, kernel: 2, stride: 2, padding: .valid), .maxPool(size: 2)],
                                               outputs: 1, activation: .linear, seed: 1)
        network.layers[0].weights = [1, 1, 1, 1]
        let x = (0..<16).map(Double.init)
        let pass = network.forward(x, batch: 1) { _, _ in nil }
        // Windows {0, 1, 4, 5}, {2, 3, 6, 7}, {8, 9, 12, 13}, {10, 11, 14, 15}.
        XCTAssertEqual(pass.outputs[0], [10, 18, 42, 50] as [Double])
        XCTAssertEqual(pass.outputs[1], [50] as [Double])
        // Max-pooling of a batch of two rows, feature-major: each row keeps its own maximum.
        let pool = try LayerNetwork<Double>(input: .signal(channels: 2, length: 4), hidden: [.maxPool(size: 2)], outputs: 1, activation: .linear, seed: 1)
        // Units (channel, position): row 0 values 0,5,2,1 | 3,3,9,0; row 1 the negatives.
        let row0: [Double] = [0, 5, 2, 1, 3, 3, 9, 0]
        let batched = row0.flatMap { [$0, -$0] }
        XCTAssertEqual(pool.forward(batched, batch: 2) { _, _ in nil }.outputs[0], [5, 0, 2, -1, 3, -3, 9, 0])
    }

    func testShapesParametersAndErrors() throws {
        let network = try LayerNetwork<Float>(input: .signal(channels: 1, length: 40),
                                              hidden: [.convolution(filters: 8, kernel: 5, stride: 2, padding: .same),
                                                       .convolution(filters: 16, kernel: 5, stride: 2, padding: .valid),
                                                       .maxPool(size: 2), .flatten, .dense(units: 32)],
                                              outputs: 10, activation: .relu, seed: 1)
        // 40 → same/2: 20 → valid k5/2: 8 → pool 2: 4.
        XCTAssertEqual(network.layers.map(\.output.count), [8 * 20, 16 * 8, 16 * 4, 64, 32, 10])
        XCTAssertEqual(network.recordedWidths, [160, 128, 64, 32, 10])
        XCTAssertEqual(network.parameterCount, (8 * 5 + 8) + (16 * 8 * 5 + 16) + (64 * 32 + 32) + (32 * 10 + 10))
        // He-uniform for ReLU convolutions: |w| ≤ sqrt(6 / fan_in), fan_in = C·k = 8·5.
        XCTAssertLessThanOrEqual(network.layers[1].weights.map { abs(Double($0)) }.max()!, (6.0 / 40).squareRoot())
        XCTAssertGreaterThan(network.layers[1].weights.map { abs(Double($0)) }.max()!, 0.9 * (6.0 / 40).squareRoot())
        let image = try LayerNetwork<Float>(input: .image(channels: 1, height: 16, width: 16),
                                            hidden: [.convolution(filters: 4, kernel: 3, stride: 1, padding: .same), .maxPool(size: 2)],
                                            outputs: 2, activation: .tanh, seed: 1)
        XCTAssertEqual(image.recordedWidths, [4 * 256, 4 * 64, 2])
        XCTAssertEqual(image.parameterCount, 4 * 9 + 4 + 256 * 2 + 2)

        XCTAssertThrowsError(try LayerNetwork<Float>(input: .signal(channels: 1, length: 4),
                                                     hidden: [.convolution(filters: 2, kernel: 5, stride: 1, padding: .valid)],
                                                     outputs: 2, activation: .tanh, seed: 1)) { error in
            XCTAssertEqual("\(error)", "layer 1: kernel 5 is larger than the input's length 4 (1 channel of length 4)")
        }
        XCTAssertThrowsError(try LayerNetwork<Float>(input: .flat(12), hidden: [.maxPool(size: 2)], outputs: 2, activation: .tanh, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("pooling needs a shaped input"), "\(error)")
        }
        XCTAssertThrowsError(try LayerNetwork<Float>(input: .image(channels: 1, height: 3, width: 8), hidden: [.maxPool(size: 4)],
                                                     outputs: 2, activation: .tanh, seed: 1))
    }

    func testDenseOnlyLayerNetworkMatchesDenseNetwork() throws {
        var random = RandomStream(seed: 3, stream: "x")
        let dense = DenseNetwork<Float>(inputs: 12, hidden: [10, 7], outputs: 2, activation: .tanh, seed: 4)
        let general = try LayerNetwork<Float>(input: .flat(12), hidden: [.dense(units: 10), .dense(units: 7)], outputs: 2, activation: .tanh, seed: 4)
        let x = (0..<(12 * 9)).map { _ in Float(random.normal()) }
        XCTAssertEqual(dense.forward(x, batch: 9), general.forward(x, batch: 9) { _, _ in nil }.outputs)
        XCTAssertEqual(dense.parameterCount, general.parameterCount)
    }

    /// 1-D signals of length 16 with a bump in the first half (class 0) or the second (class 1).
    func bumps(rows: Int) -> LabelledData {
        var random = RandomStream(seed: 11, stream: "bumps")
        var features: [Double] = [], labels: [Double] = []
        for _ in 0..<rows {
            let label = random.integer(below: 2)
            let centre = Double(label * 8) + 1.5 + 5 * random.uniform()
            features += (0..<16).map { exp(-pow((Double($0) - centre) / 1.5, 2)) + 0.1 * random.normal() }
            labels.append(Double(label))
        }
        return LabelledData(features: features, width: 16, targets: labels, targetWidth: 1, classes: 2)
    }

    func testConvolutionalTrainingLearnsRecordsAndIsDeterministic() throws {
        let data = bumps(rows: 300)
        var plan = TrainingPlan(hidden: [8], activation: .tanh, loss: .crossEntropy, optimizer: .adam, learningRate: 0.01,
                                batch: 32, epochs: 25, record: .explicit([0, 25]), seed: 4, input: .signal(channels: 1, length: 16),
                                convolution: [.convolution(filters: 4, kernel: 3, stride: 1, padding: .valid), .maxPool(size: 2)])
        let (train, test) = (Array(0..<240), Array(240..<300))
        let result = try Trainer<Float>(plan: plan).train(data, train: train, test: test, recordRows: Array(0..<300))
        XCTAssertGreaterThan(result.testAccuracy.last!, 0.9)
        XCTAssertEqual(result.layerWidths, [4 * 14, 4 * 7, 8, 2])
        XCTAssertEqual(result.parameters, 4 * 3 + 4 + 28 * 8 + 8 + 8 * 2 + 2)
        XCTAssertEqual(result.activations[0].count, 2 * 300 * 56)
        let again = try Trainer<Float>(plan: plan).train(data, train: train, test: test, recordRows: Array(0..<300))
        XCTAssertEqual(again.activations, result.activations)
        XCTAssertEqual(again.trainLoss, result.trainLoss)

        // Noise only in training: the recording before training is the clean one. Noise at
        // evaluation too: it differs, by about the scale.
        plan.noise = NoiseInjection(kind: .multiplicative, scale: 0.1, atEvaluation: false)
        plan.noiseAfter = [0]
        let trainingOnly = try Trainer<Float>(plan: plan).train(data, train: train, test: test, recordRows: Array(0..<300))
        let firstRecording = 0..<(300 * 56)
        XCTAssertEqual(trainingOnly.activations[0][firstRecording], result.activations[0][firstRecording])
        XCTAssertNotEqual(trainingOnly.trainLoss.last, result.trainLoss.last)
        plan.noise?.atEvaluation = true
        let everywhere = try Trainer<Float>(plan: plan).train(data, train: train, test: test, recordRows: Array(0..<300))
        let ratios = firstRecording.compactMap { i -> Double? in
            let clean = Double(result.activations[0][i])
            return abs(clean) > 0.05 ? Double(everywhere.activations[0][i]) / clean - 1 : nil
        }
        let spread = (ratios.map { $0 * $0 }.reduce(0, +) / Double(ratios.count)).squareRoot()
        XCTAssertEqual(spread, 0.1, accuracy: 0.01, "x(1 + s·ε) / x − 1 = s·ε has standard deviation s")
    }
}

final class RecordingTests: XCTestCase {
    /// Recordings read from the evaluation passes (every recorded row is a training or test row)
    /// equal those of a separate forward pass (forced here by leaving one row out of both sets).
    func testRecordingsFromEvaluationPassesMatchAFreshForwardPass() throws {
        let (inputs, labels) = Tishby12.make()
        let data = LabelledData(features: inputs, width: 12, targets: labels.map(Double.init), targetWidth: 1, classes: 2)
        let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 1)
        let plan = TrainingPlan(hidden: [6, 3], activation: .tanh, loss: .crossEntropy, optimizer: .sgd, learningRate: 0.05,
                                batch: 256, epochs: 4, record: .explicit([0, 2, 4]), seed: 8)
        let reused = try Trainer<Float>(plan: plan).train(data, train: split.train, test: split.test, recordRows: Array(0..<4096))
        let fresh = try Trainer<Float>(plan: plan).train(data, train: split.train, test: Array(split.test.dropLast()), recordRows: Array(0..<4096))
        XCTAssertEqual(reused.recordedEpochs, [0, 2, 4])
        XCTAssertEqual(reused.trainLoss, fresh.trainLoss)
        XCTAssertEqual(reused.activations, fresh.activations)
        // The output layer holds probabilities.
        let output = reused.activations[2]
        XCTAssertEqual(Double(output[0] + output[1]), 1, accuracy: 1e-6)
    }

    /// `evaluateEvery` thins the evaluations (not the training): the evaluated epochs are every
    /// n-th, the first, the last and the recorded ones, with the values of evaluating every epoch.
    func testEvaluatingEveryFewEpochsKeepsTheSameTrainingAndValues() throws {
        let (inputs, labels) = Tishby12.make()
        let data = LabelledData(features: inputs, width: 12, targets: labels.map(Double.init), targetWidth: 1, classes: 2)
        let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 1)
        var plan = TrainingPlan(hidden: [6, 3], activation: .tanh, loss: .crossEntropy, optimizer: .sgd, learningRate: 0.05,
                                batch: 256, epochs: 12, record: .explicit([0, 3]), seed: 8)
        let every = try Trainer<Float>(plan: plan).train(data, train: split.train, test: split.test, recordRows: Array(0..<4096))
        plan.evaluateEvery = 5
        let thinned = try Trainer<Float>(plan: plan).train(data, train: split.train, test: split.test, recordRows: Array(0..<4096))
        XCTAssertEqual(every.evaluatedEpochs, Array(0...12))
        XCTAssertEqual(thinned.evaluatedEpochs, [0, 3, 5, 10, 12])
        XCTAssertEqual(thinned.trainLoss, thinned.evaluatedEpochs.map { every.trainLoss[$0] })
        XCTAssertEqual(thinned.testAccuracy, thinned.evaluatedEpochs.map { every.testAccuracy[$0] })
        XCTAssertEqual(thinned.activations, every.activations)
    }
}
