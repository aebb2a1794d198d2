import Information
import Learning
import NumericCore
import XCTest

final class PrincipalComponentsTests: XCTestCase {
    /// Data in a known 2-D subspace of R^5: PCA to 2 dims keeps all the variance, its scores
    /// are white, and they span the same subspace (the data are recovered from them).
    func testRecoversALowRankSubspace() throws {
        var random = RandomStream(seed: 8, stream: "pca")
        let n = 500
        let basis: [[Double]] = [[1, 2, 0, -1, 0.5], [0, 1, 1, 1, -2]]
        var values: [Double] = []
        for _ in 0..<n {
            let a = random.normal() * 3, b = random.normal()
            values += (0..<5).map { a * basis[0][$0] + b * basis[1][$0] + 7 }
        }
        let data = Matrix(rows: n, columns: 5, values: values)
        let pca = try PrincipalComponents(data, dimensions: 2)
        XCTAssertEqual(pca.explainedVariance, 1, accuracy: 1e-12)
        let covariance = pca.scores.covariance()
        for i in 0..<2 { for j in 0..<2 { XCTAssertEqual(covariance[i, j], i == j ? 1 : 0, accuracy: 1e-9) } }
        // Least squares of every data column on the two scores leaves no residual.
        for c in 0..<5 {
            let column = Matrix(rows: n, columns: 1, values: (0..<n).map { data[$0, c] })
            let joint = Matrix.concatenatingColumns(pca.scores, column).covariance()
            // Residual variance of the column given the scores: Σcc − Σcs Σss⁻¹ Σsc, with Σss = I.
            let residual = joint[2, 2] - joint[2, 0] * joint[2, 0] - joint[2, 1] * joint[2, 1]
            XCTAssertEqual(residual / joint[2, 2], 0, accuracy: 1e-9, "column \(c)")
        }
    }

    /// Orthogonal centred columns with sums of squares 72, 32, 8, 8: keeping 2 explains 104/120.
    func testExplainedVarianceOnConstructedData() throws {
        // All ±1 patterns of three bits: the columns are centred and orthogonal.
        var values: [Double] = []
        let patterns: [[Double]] = (0..<8).map { r in (0..<3).map { bit in (r >> bit) & 1 == 0 ? 1 : -1 } }
        for r in 0..<8 {
            let p = patterns[r]
            values += [p[0] * 3, p[1] * 2, p[2], p[0] * p[1] * p[2]]
        }
        let data = Matrix(rows: 8, columns: 4, values: values)
        let pca = try PrincipalComponents(data, dimensions: 2)
        // Sample variances with n − 1 = 7: 72/7, 32/7, 8/7, 8/7.
        XCTAssertEqual(pca.variances[0], 72.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(pca.variances[1], 32.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(pca.explainedVariance, 104.0 / 120, accuracy: 1e-12)
        XCTAssertEqual(try PrincipalComponents(data, dimensions: 9).scores.columns, 4)
    }

    /// A pair whose dependence lives in 2 of 6 dimensions keeps its MI under PCA to 2 dims.
    func testMutualInformationOfARankTwoPairSurvivesPCA() throws {
        let (latentX, latentY) = GaussianPairs(mutualInformation: 1, xDimension: 2, yDimension: 2).sample(count: 4000, seed: 6)
        // Embed each side in R^6 with a fixed full-column-rank map.
        func embed(_ m: Matrix) -> Matrix {
            var values: [Double] = []
            for r in 0..<m.rows {
                let a = m[r, 0], b = m[r, 1]
                values += [a, b, a + b, a - 2 * b, 0.5 * a, 3 * b]
            }
            return Matrix(rows: m.rows, columns: 6, values: values)
        }
        let x = try PrincipalComponents(embed(latentX), dimensions: 2).scores
        let y = try PrincipalComponents(embed(latentY), dimensions: 2).scores
        XCTAssertEqual(try GaussianEstimator().mutualInformation(x, y), 1, accuracy: 0.05)
        XCTAssertEqual(try KSGEstimator(k: 3).mutualInformation(x, y), 1, accuracy: 0.1)
    }
}

final class BootstrapIntervalTests: XCTestCase {
    func interval(samples n: Int, seed: UInt64) throws -> (estimate: Double, range: ClosedRange<Double>) {
        let (x, y) = GaussianPairs(mutualInformation: 1).sample(count: n, seed: seed)
        let estimator = KSGEstimator(k: 3)
        let estimate = try estimator.mutualInformation(x, y)
        let range = try BootstrapInterval(samples: 100, level: 0.95).interval(around: estimate, rows: n, seed: seed) {
            try estimator.mutualInformation(x.selectingRows($0), y.selectingRows($0))
        }
        return (estimate, range)
    }

    func testIntervalCoversTheTruthAndShrinksWithSamples() throws {
        let small = try interval(samples: 500, seed: 2), large = try interval(samples: 4000, seed: 2)
        for r in [small, large] {
            XCTAssertTrue(r.range.contains(1), "\(r.range)")
            XCTAssertTrue(r.range.contains(r.estimate))
        }
        let ratio = (small.range.upperBound - small.range.lowerBound) / (large.range.upperBound - large.range.lowerBound)
        // Width ∝ 1/√n: 8 times the rows, about 2.8 times narrower.
        XCTAssertGreaterThan(ratio, 1.8)
        XCTAssertLessThan(ratio, 4.5)
    }

    func testSameSeedSameInterval() throws {
        XCTAssertEqual(try interval(samples: 300, seed: 5).range, try interval(samples: 300, seed: 5).range)
    }
}
