import Foundation
@testable import Learning
import NumericCore
import XCTest

final class CauchySchwarzObjectiveTests: XCTestCase {
    func sample(_ count: Int, seed: UInt64, stream: String) -> [Double] {
        var random = RandomStream(seed: seed, stream: stream)
        return (0..<count).map { _ in random.normal() }
    }

    /// Central differences of `f` at `point`, one coordinate at a time.
    func numericGradient(_ point: [Double], _ f: ([Double]) -> Double) -> [Double] {
        let h = 1e-6
        return point.indices.map { i in
            var plus = point, minus = point
            plus[i] += h; minus[i] -= h
            return (f(plus) - f(minus)) / (2 * h)
        }
    }

    func testConditionalDivergenceGradientMatchesFiniteDifferences() {
        let n = 9
        let x = sample(n * 3, seed: 1, stream: "x"), y = sample(n * 2, seed: 1, stream: "y"), p = sample(n * 2, seed: 1, stream: "p")
        for (xs, width) in [(x, 3), ([Double](), 0)] {
            let (value, gradient) = CauchySchwarzObjective.conditionalDivergence(x: xs, xWidth: width, targets: y, predictions: p, width: 2, sigmaX: 1.3, sigmaY: 0.8)
            XCTAssertGreaterThan(value, 0)
            let numeric = numericGradient(p) {
                CauchySchwarzObjective.conditionalDivergence(x: xs, xWidth: width, targets: y, predictions: $0, width: 2, sigmaX: 1.3, sigmaY: 0.8).value
            }
            for (a, b) in zip(gradient, numeric) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
        }
    }

    func testDivergenceIsZeroForPerfectPredictionsAndGrowsWithError() {
        let n = 20
        let x = sample(n * 2, seed: 2, stream: "x"), y = sample(n, seed: 2, stream: "y")
        let exact = CauchySchwarzObjective.conditionalDivergence(x: x, xWidth: 2, targets: y, predictions: y, width: 1, sigmaX: 1, sigmaY: 1)
        XCTAssertEqual(exact.value, 0, accuracy: 1e-12)
        XCTAssertTrue(exact.gradient.allSatisfy { abs($0) < 1e-12 })
        let small = CauchySchwarzObjective.conditionalDivergence(x: x, xWidth: 2, targets: y, predictions: y.map { $0 + 0.1 }, width: 1, sigmaX: 1, sigmaY: 1).value
        let large = CauchySchwarzObjective.conditionalDivergence(x: x, xWidth: 2, targets: y, predictions: y.map { $0 + 0.5 }, width: 1, sigmaX: 1, sigmaY: 1).value
        XCTAssertGreaterThan(small, 0)
        XCTAssertGreaterThan(large, small)
    }

    func testQuadraticInformationGradientMatchesFiniteDifferences() {
        let n = 8
        let x = sample(n * 4, seed: 3, stream: "x"), t = sample(n * 3, seed: 3, stream: "t")
        let (_, gradient) = CauchySchwarzObjective.quadraticInformation(x: x, xWidth: 4, t: t, tWidth: 3, sigmaX: 1.5, sigmaT: 0.9)
        let numeric = numericGradient(t) {
            CauchySchwarzObjective.quadraticInformation(x: x, xWidth: 4, t: $0, tWidth: 3, sigmaX: 1.5, sigmaT: 0.9).value
        }
        for (a, b) in zip(gradient, numeric) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
    }

    func testQuadraticInformationByHandOnTwoPoints() {
        // Two points: K = [[1, a], [a, 1]], Q = [[1, b], [b, 1]].
        let x: [Double] = [0, 1], t: [Double] = [0, 2]
        let a = exp(-0.5), b = exp(-2.0)
        let s1 = 2 + 2 * a * b, s2 = 2 + 2 * a, s3 = 2 + 2 * b, s4 = 2 * (1 + a) * (1 + b)
        let expected = log(s1 / 4) + log(s2 * s3 / 16) - 2 * log(s4 / 8)
        let value = CauchySchwarzObjective.quadraticInformation(x: x, xWidth: 1, t: t, tWidth: 1, sigmaX: 1, sigmaT: 1).value
        XCTAssertEqual(value, expected, accuracy: 1e-14)
        // Independent of x (t constant): no information.
        XCTAssertEqual(CauchySchwarzObjective.quadraticInformation(x: x, xWidth: 1, t: [3, 3], tWidth: 1, sigmaX: 1, sigmaT: 1).value, 0, accuracy: 1e-14)
    }
}

extension CauchySchwarzObjectiveTests {
    /// A loss on a hidden layer's output enters backpropagation at that layer:
    /// J = Σ c·output + Σ d·t, differentiated by finite differences in every weight.
    func testHiddenLayerGradientEntersBackpropagation() {
        let (inputs, batch) = (3, 5)
        let network = DenseNetwork<Double>(inputs: inputs, hidden: [4, 3], outputs: 2, activation: .tanh, seed: 3)
        let x = sample(inputs * batch, seed: 5, stream: "x")
        let c = sample(2 * batch, seed: 5, stream: "c"), d = sample(3 * batch, seed: 5, stream: "d")
        func objective(_ net: DenseNetwork<Double>) -> Double {
            let out = net.forward(x, batch: batch)
            return zip(out[2], c).reduce(0) { $0 + $1.0 * $1.1 } + zip(out[1], d).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let gradients = network.backward(input: x, outputs: network.forward(x, batch: batch), outputGradient: c, batch: batch,
                                         hiddenGradient: (layer: 1, gradient: d))
        for l in network.layers.indices {
            for i in network.layers[l].weights.indices {
                var plus = network, minus = network
                plus.layers[l].weights[i] += 1e-6
                minus.layers[l].weights[i] -= 1e-6
                XCTAssertEqual(gradients.weights[l][i], (objective(plus) - objective(minus)) / 2e-6, accuracy: 1e-6)
            }
        }
    }
}
