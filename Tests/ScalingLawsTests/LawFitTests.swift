import Foundation
import NumericCore
@testable import ScalingLaws
import XCTest

final class LawFitTests: XCTestCase {
    let sizes: [Double] = [490, 1_100, 2_600, 7_000, 23_000, 61_000, 140_000, 289_000]

    func testPowerLawIsRecoveredFromExactData() throws {
        let truth = LawFit(law: .power, parameters: [0.7, 9.0, 0.35], objective: 0)
        let points = sizes.map { Observation(n: $0, loss: truth.predict(n: $0)) }
        let fit = try XCTUnwrap(LawFitter(law: .power).fit(points))
        XCTAssertEqual(fit["E"], 0.7, accuracy: 1e-4)
        XCTAssertEqual(fit["A"], 9.0, accuracy: 1e-2)
        XCTAssertEqual(fit["alpha"], 0.35, accuracy: 1e-4)
        XCTAssertLessThan(fit.objective, 1e-10)
    }

    func testPowerLawWithNoiseAndAnOutlierStaysClose() throws {
        let truth = LawFit(law: .power, parameters: [0.5, 4.0, 0.3], objective: 0)
        var random = RandomStream(seed: 11, stream: "noise")
        var points = sizes.map { Observation(n: $0, loss: truth.predict(n: $0) * exp(0.005 * random.normal())) }
        points[3].loss *= 1.5  // one bad run: the Huber loss keeps it from pulling the fit
        let fit = try XCTUnwrap(LawFitter(law: .power).fit(points))
        XCTAssertEqual(fit["alpha"], 0.3, accuracy: 0.05)
        for n in sizes where n != sizes[3] {
            XCTAssertEqual(fit.predict(n: n) / truth.predict(n: n), 1, accuracy: 0.02)
        }
    }

    func testChinchillaLawIsRecoveredFromExactData() throws {
        let truth = LawFit(law: .chinchilla, parameters: [0.6, 5.0, 30.0, 0.3, 0.4], objective: 0)
        var points: [Observation] = []
        for n in [500.0, 2_000, 8_000, 32_000, 128_000] {
            for d in [1_000.0, 4_000, 16_000, 64_000] { points.append(Observation(n: n, d: d, loss: truth.predict(n: n, d: d))) }
        }
        let fit = try XCTUnwrap(LawFitter(law: .chinchilla).fit(points))
        for (n, d) in [(1_000.0, 2_000.0), (100_000.0, 50_000.0)] {
            XCTAssertEqual(fit.predict(n: n, d: d), truth.predict(n: n, d: d), accuracy: 1e-3)
        }
        XCTAssertEqual(fit["alpha"], 0.3, accuracy: 0.01)
        XCTAssertEqual(fit["beta"], 0.4, accuracy: 0.01)
    }

    func testTooFewPointsOrNonPositiveLossesGiveNoFit() {
        XCTAssertNil(LawFitter(law: .power).fit([Observation(n: 10, loss: 1), Observation(n: 100, loss: 0.5)]))
        XCTAssertNil(LawFitter(law: .power).fit(sizes.map { Observation(n: $0, loss: $0 > 5000 ? 0 : 1) }))
    }

    func testCrossoverOfTwoPowerLawsMatchesTheClosedForm() throws {
        // Same exponent: E1 + A1 N^-a = E2 + A2 N^-a  =>  N = ((A2 - A1) / (E1 - E2))^(1/a).
        let first = LawFit(law: .power, parameters: [0.9, 2.0, 0.5], objective: 0)
        let second = LawFit(law: .power, parameters: [0.7, 6.0, 0.5], objective: 0)
        let expected = pow((6.0 - 2.0) / (0.9 - 0.7), 1 / 0.5)
        let found = Crossover.points(first, second, from: 10, to: 1e6)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(try XCTUnwrap(found.first).n, expected, accuracy: expected * 1e-9)
        XCTAssertEqual(try XCTUnwrap(found.first).loss, first.predict(n: expected), accuracy: 1e-12)
        XCTAssertTrue(Crossover.points(first, second, from: 10, to: 100).isEmpty)
    }

    func testBootstrapIntervalsCoverTheTruthAndAreSeeded() throws {
        let truth = LawFit(law: .power, parameters: [0.5, 4.0, 0.3], objective: 0)
        var random = RandomStream(seed: 3, stream: "noise")
        let points = (0..<3).flatMap { _ in sizes.map { Observation(n: $0, loss: truth.predict(n: $0) * exp(0.01 * random.normal())) } }
        let fitter = LawFitter(law: .power)
        let fit = try XCTUnwrap(fitter.fit(points))
        let replicates = fitter.bootstrap(points, around: fit, samples: 100, seed: 9)
        XCTAssertEqual(replicates.count, 100)
        let alpha = try XCTUnwrap(Percentile.interval(replicates.map { $0["alpha"] }, level: 0.95))
        XCTAssertLessThan(alpha.low, 0.3)
        XCTAssertGreaterThan(alpha.high, 0.3)
        XCTAssertEqual(fitter.bootstrap(points, around: fit, samples: 5, seed: 9), Array(replicates.prefix(5)))
    }

    func testPercentileInterval() throws {
        let values = (0...100).map(Double.init)
        let interval = try XCTUnwrap(Percentile.interval(values.shuffled(), level: 0.9))
        XCTAssertEqual(interval.low, 5, accuracy: 1e-12)
        XCTAssertEqual(interval.high, 95, accuracy: 1e-12)
    }

    func testLBFGSMinimisesRosenbrock() {
        let result = LBFGS().minimise(from: [-1.2, 1]) { p in
            let (x, y) = (p[0], p[1])
            return ((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
                    [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        }
        XCTAssertEqual(result.point[0], 1, accuracy: 1e-6)
        XCTAssertEqual(result.point[1], 1, accuracy: 1e-6)
    }
}
