import Foundation
import Learning
import XCTest

final class Friedman1Tests: XCTestCase {
    func testTheTargetFormula() {
        XCTAssertEqual(Friedman1.target([0.5, 1, 0.5, 0, 0, 0.9]), 10, accuracy: 1e-12)
        XCTAssertEqual(Friedman1.target([0, 0, 0, 1, 1]), 20 * 0.25 + 10 + 5, accuracy: 1e-12)
        let (x, y) = Friedman1(features: 7, noise: 0).sample(count: 50, seed: 3)
        XCTAssertEqual(x.count, 350)
        for i in 0..<50 {
            let row = x[(i * 7)..<(i * 7 + 7)]
            XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 < 1 })
            XCTAssertEqual(y[i], Friedman1.target(row))
        }
    }

    /// E[y] = 10 E[sin(π x₁x₂)] + 20/12 + 5 + 2.5, with E[sin(π x₁x₂)] = ∫₀¹ (1 − cos πu)/(πu) du
    /// (integrating over x₂ first), computed here by Simpson's rule.
    func testTheMeanMatchesItsExactExpectation() {
        let n = 10_000
        func f(_ u: Double) -> Double { u == 0 ? 0 : (1 - cos(Double.pi * u)) / (Double.pi * u) }
        var integral = f(0) + f(1)
        for i in 1..<n { integral += (i % 2 == 1 ? 4 : 2) * f(Double(i) / Double(n)) }
        integral /= 3 * Double(n)
        let expected = 10 * integral + 20.0 / 12 + 5 + 2.5
        XCTAssertEqual(expected, 14.413, accuracy: 0.01)  // a sanity check of the quadrature

        let count = 200_000
        let (_, y) = Friedman1(features: 5, noise: 0).sample(count: count, seed: 21)
        let mean = y.reduce(0, +) / Double(count)
        let sd = (y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)).squareRoot()
        XCTAssertEqual(mean, expected, accuracy: 4 * sd / Double(count).squareRoot())
    }

    func testNoiseHasTheChosenDeviationAndTheSeedDecides() {
        let generator = Friedman1(features: 10, noise: 2)
        let (x, y) = generator.sample(count: 20_000, seed: 4)
        let residuals = (0..<20_000).map { y[$0] - Friedman1.target(x[($0 * 10)..<($0 * 10 + 10)]) }
        let sd = (residuals.reduce(0) { $0 + $1 * $1 } / 20_000).squareRoot()
        XCTAssertEqual(sd, 2, accuracy: 0.05)
        XCTAssertEqual(generator.sample(count: 30, seed: 4).y, generator.sample(count: 30, seed: 4).y)
        XCTAssertNotEqual(generator.sample(count: 30, seed: 4).y, generator.sample(count: 30, seed: 5).y)
    }
}
