import Learning
import NumericCore
import XCTest

/// Backpropagation against central finite differences, in Float64, for every activation and loss.
final class GradientTests: XCTestCase {
    func lossValue(_ network: DenseNetwork<Double>, _ x: [Double], _ t: [Double], _ loss: Loss, batch: Int, outputs: Int) -> Double {
        loss.evaluate(network.forward(x, batch: batch).last!, width: outputs, targets: t, batch: batch).loss
    }

    func testBackpropagationMatchesFiniteDifferences() {
        var random = RandomStream(seed: 5, stream: "gradcheck")
        let batch = 6, inputs = 4, outputs = 3
        for activation in Activation.allCases {
            for loss in Loss.allCases {
                var network = DenseNetwork<Double>(inputs: inputs, hidden: [5, 4], outputs: outputs, activation: activation, seed: 9)
                // Non-zero biases, so every path is exercised.
                for l in network.layers.indices {
                    network.layers[l].bias = network.layers[l].bias.map { _ in random.normal() * 0.3 }
                }
                let x = (0..<(batch * inputs)).map { _ in random.normal() }
                let t: [Double] = loss == .crossEntropy ? (0..<batch).map { _ in Double(random.integer(below: outputs)) }
                                                        : (0..<(batch * outputs)).map { _ in random.normal() }
                let out = network.forward(x, batch: batch)
                let gradient = loss.evaluate(out.last!, width: outputs, targets: t, batch: batch).gradient
                let analytic = network.backward(input: x, outputs: out, outputGradient: gradient, batch: batch)
                let h = 1e-6
                var worst = 0.0
                for l in network.layers.indices {
                    for i in network.layers[l].weights.indices {
                        var plus = network, minus = network
                        plus.layers[l].weights[i] += h
                        minus.layers[l].weights[i] -= h
                        let numeric = (lossValue(plus, x, t, loss, batch: batch, outputs: outputs) - lossValue(minus, x, t, loss, batch: batch, outputs: outputs)) / (2 * h)
                        worst = max(worst, abs(numeric - analytic.weights[l][i]) / max(1e-4, abs(numeric) + abs(analytic.weights[l][i])))
                    }
                    for j in network.layers[l].bias.indices {
                        var plus = network, minus = network
                        plus.layers[l].bias[j] += h
                        minus.layers[l].bias[j] -= h
                        let numeric = (lossValue(plus, x, t, loss, batch: batch, outputs: outputs) - lossValue(minus, x, t, loss, batch: batch, outputs: outputs)) / (2 * h)
                        worst = max(worst, abs(numeric - analytic.bias[l][j]) / max(1e-4, abs(numeric) + abs(analytic.bias[l][j])))
                    }
                }
                XCTAssertLessThan(worst, 1e-5, "\(activation) with \(loss)")
            }
        }
    }

    func testSGDStepAppliesL2AndMomentum() {
        var network = DenseNetwork<Double>(inputs: 1, hidden: [], outputs: 1, activation: .linear, seed: 1)
        network.layers[0].weights = [2]
        network.layers[0].bias = [1]
        var sgd = Optimizer<Double>(kind: .sgd, learningRate: 0.1, momentum: 0.5, l2: 0.01)
        let g = DenseNetwork<Double>.Gradients(weights: [[3]], bias: [[4]])
        sgd.update(&network, with: g)
        // v = g + λw = 3.02; w = 2 − 0.1·3.02. Biases have no penalty.
        XCTAssertEqual(network.layers[0].weights[0], 2 - 0.302, accuracy: 1e-12)
        XCTAssertEqual(network.layers[0].bias[0], 1 - 0.4, accuracy: 1e-12)
        sgd.update(&network, with: g)
        let v = 0.5 * 3.02 + (3 + 0.01 * (2 - 0.302))
        XCTAssertEqual(network.layers[0].weights[0], 2 - 0.302 - 0.1 * v, accuracy: 1e-12)
    }

    func testAdamFirstStepMovesEachParameterByTheLearningRate() {
        var network = DenseNetwork<Double>(inputs: 2, hidden: [], outputs: 1, activation: .linear, seed: 1)
        let before = network.layers[0].weights
        var adam = Optimizer<Double>(kind: .adam, learningRate: 0.01)
        adam.update(&network, with: .init(weights: [[5, -0.001]], bias: [[0.2]]))
        // With bias correction the first step is lr · g/|g| (up to ε).
        XCTAssertEqual(network.layers[0].weights[0], before[0] - 0.01, accuracy: 1e-8)
        XCTAssertEqual(network.layers[0].weights[1], before[1] + 0.01, accuracy: 1e-6)
    }

    func testTrainingLearnsTishby12AndIsDeterministic() throws {
        let (inputs, labels) = Tishby12.make()
        let data = LabelledData(features: inputs, width: 12, targets: labels.map(Double.init), targetWidth: 1, classes: 2)
        let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 1)
        let plan = TrainingPlan(hidden: [10, 7, 5, 4, 3], activation: .tanh, loss: .crossEntropy, optimizer: .adam,
                                learningRate: 0.01, batch: 256, epochs: 40, record: .spaced(count: 5, logarithmic: true), seed: 2)
        let result = try Trainer<Float>(plan: plan).train(data, train: split.train, test: split.test, recordRows: Array(0..<4096))
        XCTAssertEqual(result.trainLoss.count, 41)
        XCTAssertLessThan(result.trainLoss.last!, result.trainLoss.first! * 0.7)
        XCTAssertGreaterThan(result.testAccuracy.last!, 0.8)
        XCTAssertEqual(result.parameters, 12 * 10 + 10 + 10 * 7 + 7 + 7 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2)
        XCTAssertEqual(result.layerWidths, [10, 7, 5, 4, 3, 2])
        XCTAssertEqual(result.recordedEpochs, RecordSchedule.spaced(count: 5, logarithmic: true).epochs(upTo: 40))
        XCTAssertEqual(result.activations[0].count, result.recordedEpochs.count * 4096 * 10)
        // tanh units stay in (−1, 1); output rows are probabilities.
        XCTAssertTrue(result.activations[2].allSatisfy { abs($0) <= 1 })
        let last = result.activations[5]
        XCTAssertEqual(Double(last[0] + last[1]), 1, accuracy: 1e-5)
        let again = try Trainer<Float>(plan: plan).train(data, train: split.train, test: split.test, recordRows: Array(0..<4096))
        XCTAssertEqual(again.trainLoss, result.trainLoss)
        XCTAssertEqual(again.activations, result.activations)
    }

    func testDivergenceIsReportedWithEpochAndLayer() {
        let data = LabelledData(features: (0..<40).map { Double($0) * 1e3 }, width: 2, targets: (0..<20).map { Double($0) * 1e3 },
                                targetWidth: 1, classes: nil)
        let plan = TrainingPlan(hidden: [4], activation: .relu, loss: .mse, optimizer: .sgd, learningRate: 10,
                                batch: 4, epochs: 50, record: .explicit([]), seed: 1)
        XCTAssertThrowsError(try Trainer<Float>(plan: plan).train(data, train: Array(0..<20), test: [], recordRows: [])) { error in
            let failure = error as? TrainingFailure
            XCTAssertNotNil(failure)
            XCTAssertGreaterThanOrEqual(failure?.epoch ?? 0, 1)
        }
    }
}

final class FastTanhTests: XCTestCase {
    func testFastTanhIsCloseToLibm() {
        var worst: Float = 0
        var x: Float = -12
        while x <= 12 {
            worst = max(worst, abs(FastTanh.value(x) - tanhf(x)))
            x += 0.000_37
        }
        XCTAssertLessThan(worst, 2e-7)
        XCTAssertEqual(FastTanh.value(0), 0)
        XCTAssertEqual(FastTanh.value(50), 1)
        XCTAssertEqual(FastTanh.value(-50), -1)
        XCTAssertTrue(FastTanh.value(.nan).isNaN)
    }
}
