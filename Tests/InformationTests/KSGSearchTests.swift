@testable import Information
import Learning
import NumericCore
import XCTest

/// The fast neighbour searches must give exactly the numbers of the all-pairs reference.
final class KSGSearchTests: XCTestCase {
    let shapes = [(1, 1), (1, 3), (2, 2), (3, 1), (5, 5), (8, 8), (1, 20), (10, 12), (25, 25), (50, 50)]

    func testFastSearchEqualsExhaustiveOnContinuousData() throws {
        for (dx, dy) in shapes {
            let (x, y) = GaussianPairs(mutualInformation: 1, xDimension: dx, yDimension: dy).sample(count: 401, seed: 31)
            for k in [1, 3, 6] {
                let estimator = KSGEstimator(k: k)
                XCTAssertEqual(try estimator.mutualInformation(x, y), try estimator.exhaustiveMutualInformation(x, y), "d \(dx)×\(dy), k \(k)")
            }
        }
    }

    /// Discrete values: many equal distances, ε = 0 for repeated rows.
    func testFastSearchEqualsExhaustiveWithTiesAndDuplicates() throws {
        var random = RandomStream(seed: 5, stream: "ties")
        for (dx, dy) in [(1, 1), (2, 1), (3, 3), (1, 18), (20, 20)] {
            let n = 300
            let x = Matrix(rows: n, columns: dx, values: (0..<(n * dx)).map { _ in Double(Int(random.uniform() * 4)) })
            // Y copies part of X, so the pair is dependent.
            let y = Matrix(rows: n, columns: dy, values: (0..<(n * dy)).map { v in
                random.uniform() < 0.5 ? x.values[(v / dy) * dx] : Double(Int(random.uniform() * 3)) })
            for k in [1, 3, 10] {
                let estimator = KSGEstimator(k: k)
                let fast = try estimator.mutualInformation(x, y)
                XCTAssertTrue(fast.isFinite)
                XCTAssertEqual(fast, try estimator.exhaustiveMutualInformation(x, y), "d \(dx)×\(dy), k \(k)")
            }
        }
    }

    /// Both search strategies on the same data, whichever one the estimator picks.
    func testTreeAndBruteForceCountsAgree() {
        for (dx, dy) in [(1, 1), (2, 3), (6, 6), (12, 10)] {
            let (x, y) = GaussianPairs(mutualInformation: 2, xDimension: dx, yDimension: dy).sample(count: 333, seed: 2)
            let estimator = KSGEstimator(k: 4)
            let tree = estimator.treeCounts(x, y), brute = estimator.bruteForceCounts(x, y)
            XCTAssertEqual(tree.x, brute.x, "d \(dx)×\(dy)")
            XCTAssertEqual(tree.y, brute.y, "d \(dx)×\(dy)")
        }
    }

    /// Exact symmetries: swapping X and Y, and scaling both by a power of two, change nothing.
    func testExactSymmetries() throws {
        for d in [1, 4, 30] {
            let (x, y) = GaussianPairs(mutualInformation: 1.5, xDimension: d, yDimension: d).sample(count: 500, seed: 9)
            let estimator = KSGEstimator(k: 3)
            let base = try estimator.mutualInformation(x, y)
            XCTAssertEqual(try estimator.mutualInformation(y, x), base)
            let scale = { (m: Matrix) in Matrix(rows: m.rows, columns: m.columns, values: m.values.map { $0 * 8 }) }
            XCTAssertEqual(try estimator.mutualInformation(scale(x), scale(y)), base)
        }
    }

    /// In 1-D the neighbours depend only on the order of the values along each axis when the
    /// transform is strictly increasing and the same for X and Y up to an exact shift.
    func testOneDimensionalShiftInvariance() throws {
        let (x, y) = GaussianPairs(mutualInformation: 1).sample(count: 2000, seed: 4)
        let shifted = { (m: Matrix) in Matrix(rows: m.rows, columns: 1, values: m.values.map { ($0 * 1024).rounded() / 1024 + 64 }) }
        let rounded = { (m: Matrix) in Matrix(rows: m.rows, columns: 1, values: m.values.map { ($0 * 1024).rounded() / 1024 }) }
        let estimator = KSGEstimator(k: 3)
        XCTAssertEqual(try estimator.mutualInformation(shifted(x), shifted(y)), try estimator.mutualInformation(rounded(x), rounded(y)))
    }

    func testClosedFormGaussianTruth() throws {
        for (mi, d) in [(1.0, 1), (0.5, 2), (1.0, 3)] {
            let (x, y) = GaussianPairs(mutualInformation: mi, xDimension: d, yDimension: d).sample(count: 5000, seed: 17)
            XCTAssertEqual(try KSGEstimator(k: 3).mutualInformation(x, y), mi, accuracy: 0.05 * Double(d), "mi \(mi), d \(d)")
        }
    }
}

final class WeightedKozachenkoLeonenkoTests: XCTestCase {
    func testWeightsSolveTheConstraints() {
        for d in [1, 3, 4, 8, 13, 20] {
            let estimator = WeightedKozachenkoLeonenko(k: 5)
            let w = estimator.weights(dimension: d)
            XCTAssertEqual(w.count, max(5, d / 4 + 1))
            XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-8, "d \(d)")  // the rows are nearly collinear at d = 20
            for l in stride(from: 1, through: d / 4, by: 1) {
                let terms = w.indices.map { j in w[j] * exp(lgamma(Double(j + 1) + 2 * Double(l) / Double(d)) - lgamma(Double(j + 1))) }
                let scale = terms.map(abs).max()!
                XCTAssertEqual(terms.reduce(0, +) / scale, 0, accuracy: 1e-8, "d \(d), l \(l)")
            }
            // With the sum constraint alone, the shortest weights are the plain average.
            if d <= 3 { for v in w { XCTAssertEqual(v, 0.2, accuracy: 1e-14) } }
        }
    }

    /// h(N(0, Σ)) = d/2 · log(2πe) + ½ log det Σ, with Σ diagonal of scales s_c².
    func testEntropyOfGaussiansInSeveralDimensions() throws {
        var random = RandomStream(seed: 12, stream: "wkl")
        for d in [1, 2, 5, 8] {
            let n = 4000
            let scales = (0..<d).map { 0.5 + Double($0) * 0.3 }
            let values = (0..<(n * d)).map { random.normal() * scales[$0 % d] }
            let truth = Double(d) / 2 * log(2 * .pi * exp(1)) + scales.map { log($0) }.reduce(0, +)
            let estimate = try WeightedKozachenkoLeonenko(k: 5).entropy(Matrix(rows: n, columns: d, values: values))
            XCTAssertEqual(estimate, truth, accuracy: 0.04 * Double(d), "d \(d)")
        }
    }

    func testMutualInformationOfGaussianPairs() throws {
        for (mi, d) in [(1.0, 1), (1.0, 3), (2.0, 4)] {
            let (x, y) = GaussianPairs(mutualInformation: mi, xDimension: d, yDimension: d).sample(count: 4000, seed: 3)
            XCTAssertEqual(try WeightedKozachenkoLeonenko(k: 5).mutualInformation(x, y), mi, accuracy: 0.08 * Double(d), "mi \(mi), d \(d)")
        }
    }

    /// T = class centre + noise, classes far apart: I(T;Y) = H(Y) = log 3.
    func testLabelInformation() throws {
        var random = RandomStream(seed: 1, stream: "labels")
        let n = 1500
        let labels = (0..<n).map { $0 % 3 }
        let t = Matrix(rows: n, columns: 2, values: (0..<(2 * n)).map { Double(labels[$0 / 2]) * 40 + random.normal() })
        XCTAssertEqual(try WeightedKozachenkoLeonenko(k: 5).mutualInformation(t, labels: labels), log(3), accuracy: 0.03)
        XCTAssertThrowsError(try WeightedKozachenkoLeonenko(k: 5).entropy(Matrix(rows: 4, columns: 1, values: [1, 2, 3, 4])))
    }
}
