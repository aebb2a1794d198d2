import Foundation
import NumericCore
import XCTest

/// Digamma and log-gamma at values known in closed form (the Student-t truth rests on them),
/// and the gamma and χ² samplers against their moments.
final class SpecialFunctionTests: XCTestCase {
    let euler = 0.577_215_664_901_532_9

    func testDigammaAtFractionsKnownInClosedForm() {
        // Gauss's digamma theorem at p/q: ψ(1/4) = −γ − π/2 − 3 log 2, ψ(1/3) = −γ − π/(2√3) − (3/2) log 3,
        // ψ(3/4) = −γ + π/2 − 3 log 2; and ψ(3/2) = 2 − γ − 2 log 2.
        XCTAssertEqual(SpecialFunctions.digamma(0.25), -euler - .pi / 2 - 3 * log(2.0), accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.digamma(1.0 / 3), -euler - .pi / (2 * 3.0.squareRoot()) - 1.5 * log(3.0), accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.digamma(0.75), -euler + .pi / 2 - 3 * log(2.0), accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.digamma(1.5), 2 - euler - 2 * log(2.0), accuracy: 1e-13)
    }

    func testDigammaFollowsItsRecurrenceAndAsymptotics() {
        for x in stride(from: 0.05, through: 30, by: 0.37) {
            XCTAssertEqual(SpecialFunctions.digamma(x + 1) - SpecialFunctions.digamma(x), 1 / x, accuracy: 1e-11 * max(1, 1 / x))
        }
        // ψ(x) = log x − 1/(2x) − 1/(12x²) + O(x⁻⁴) for large x.
        for x in [1e3, 1e5, 1e8] {
            XCTAssertEqual(SpecialFunctions.digamma(x), log(x) - 0.5 / x - 1 / (12 * x * x), accuracy: 1e-12)
        }
        // ψ is the derivative of log Γ: a central difference agrees.
        for x in [0.3, 1.7, 4.2, 11.5] {
            let h = 1e-5
            let slope = (SpecialFunctions.logGamma(x + h) - SpecialFunctions.logGamma(x - h)) / (2 * h)
            XCTAssertEqual(SpecialFunctions.digamma(x), slope, accuracy: 1e-8)
        }
    }

    func testLogGamma() {
        XCTAssertEqual(SpecialFunctions.logGamma(0.5), 0.5 * log(Double.pi), accuracy: 1e-14)
        XCTAssertEqual(SpecialFunctions.logGamma(1), 0, accuracy: 1e-15)
        XCTAssertEqual(SpecialFunctions.logGamma(6), log(120.0), accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.logGamma(1.5), log(Double.pi.squareRoot() / 2), accuracy: 1e-14)
    }

    func testGammaAndChiSquaredSamplesHaveTheirMoments() {
        var random = RandomStream(seed: 5, stream: "gamma-test")
        let n = 200_000
        for shape in [0.3, 0.5, 1.0, 1.5, 4.0, 25.0] {
            var sum = 0.0, squares = 0.0
            for _ in 0..<n {
                let g = random.gamma(shape: shape)
                XCTAssertGreaterThanOrEqual(g, 0)
                sum += g
                squares += g * g
            }
            let mean = sum / Double(n), variance = squares / Double(n) - mean * mean
            // Gamma(a, 1): mean a, variance a; standard error of the mean sqrt(a / n).
            XCTAssertEqual(mean, shape, accuracy: 5 * (shape / Double(n)).squareRoot(), "shape \(shape)")
            XCTAssertEqual(variance, shape, accuracy: 0.05 * shape, "shape \(shape)")
        }
        var chi = 0.0
        for _ in 0..<n { chi += random.chiSquared(degrees: 3) }
        XCTAssertEqual(chi / Double(n), 3, accuracy: 0.03)
        // Same seed, same draws.
        var a = RandomStream(seed: 8, stream: "g"), b = RandomStream(seed: 8, stream: "g")
        XCTAssertEqual((0..<50).map { _ in a.gamma(shape: 2.5) }, (0..<50).map { _ in b.gamma(shape: 2.5) })
    }
}
