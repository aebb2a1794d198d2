import Foundation
import Learning
import NumericCore
import XCTest

/// The heavy-tailed and sparse tasks: their true mutual information against independent
/// computations (numerical integration, Monte Carlo with the exact densities, limits), and their
/// samples against their moments.
final class StudentTPairsTests: XCTestCase {
    /// log of the density of a multivariate t with ν degrees of freedom, dispersion of unit
    /// variances and `pairs` coordinate pairs of correlation ρ (X's coordinate j with Y's j).
    func logDensity(_ x: [Double], _ y: [Double], nu: Double, rho: Double, pairs: Int) -> Double {
        var q = 0.0
        for j in 0..<max(x.count, y.count) {
            let a = j < x.count ? x[j] : 0, b = j < y.count ? y[j] : 0
            if j < pairs {
                q += (a * a + b * b - 2 * rho * a * b) / (1 - rho * rho)
            } else {
                q += a * a + b * b
            }
        }
        let d = Double(x.count + y.count)
        let logDet = Double(pairs) * log(1 - rho * rho)
        return lgamma((nu + d) / 2) - lgamma(nu / 2) - d / 2 * log(nu * .pi) - 0.5 * logDet - (nu + d) / 2 * log1p(q / nu)
    }

    /// A marginal: a t with ν degrees of freedom and identity dispersion.
    func logMarginal(_ x: [Double], nu: Double) -> Double {
        let d = Double(x.count)
        let q = x.reduce(0) { $0 + $1 * $1 }
        return lgamma((nu + d) / 2) - lgamma(nu / 2) - d / 2 * log(nu * .pi) - (nu + d) / 2 * log1p(q / nu)
    }

    /// I(X;Y) of a 1 × 1 pair by the midpoint rule on (−π/2, π/2)², after x = tan θ.
    func integratedInformation(nu: Double, rho: Double, points: Int) -> Double {
        let h = Double.pi / Double(points)
        var total = 0.0
        for a in 0..<points {
            let ta = -Double.pi / 2 + (Double(a) + 0.5) * h
            let x = tan(ta), jx = 1 / (cos(ta) * cos(ta))
            let px = logMarginal([x], nu: nu)
            for b in 0..<points {
                let tb = -Double.pi / 2 + (Double(b) + 0.5) * h
                let y = tan(tb), jy = 1 / (cos(tb) * cos(tb))
                let joint = logDensity([x], [y], nu: nu, rho: rho, pairs: 1)
                total += exp(joint) * (joint - px - logMarginal([y], nu: nu)) * jx * jy
            }
        }
        return total * h * h
    }

    func testTheTruthMatchesNumericalIntegrationInOneDimension() {
        // (ν = 1 is left to the radial integral below: its integrand is singular in the corners
        // of the square, where the midpoint rule converges slowly.)
        for (nu, rho) in [(2.0, 0.0), (3.0, 0.5), (5.0, 0.8)] {
            let pairs = StudentTPairs(degreesOfFreedom: nu, correlation: rho)
            let integrated = integratedInformation(nu: nu, rho: rho, points: 1200)
            XCTAssertEqual(pairs.mutualInformation, integrated, accuracy: 2e-4, "ν = \(nu), ρ = \(rho)")
        }
        // The bivariate Cauchy with independent dispersion is radially symmetric:
        // p(r) = (1 + r²)^(−3/2) / (2π), h(X, Y) = −∫ 2πr p log p dr, taken over r = eˢ (a smooth
        // integrand decaying exponentially both ways), and its marginals are standard Cauchy with
        // h = log 4π, so I = 2 log 4π − h(X, Y).
        let (low, high, steps) = (-40.0, 40.0, 80_000)
        let ds = (high - low) / Double(steps)
        var joint = 0.0
        for i in 0..<steps {
            let r = exp(low + (Double(i) + 0.5) * ds)
            let logP = -1.5 * log1p(r * r) - log(2 * Double.pi)
            joint -= 2 * Double.pi * r * r * exp(logP) * logP
        }
        joint *= ds
        XCTAssertEqual(StudentTPairs(degreesOfFreedom: 1, correlation: 0).mutualInformation, 2 * log(4 * Double.pi) - joint, accuracy: 1e-9)
        // The bivariate Cauchy with independent dispersion, by hand from ψ(1/2), ψ(1), ψ(3/2):
        // f(1) − 2 f(2) + f(3) = (½ log π + ½ γ + log 2) − 2γ + (log(√π/2) − 3 + 1.5γ + 3 log 2) = log π + 3 log 2 − 3.
        let cauchy = StudentTPairs(degreesOfFreedom: 1, correlation: 0)
        XCTAssertEqual(cauchy.mutualInformation, log(Double.pi) + 3 * log(2.0) - 3, accuracy: 1e-12)
    }

    /// I = E[log p(x, y) − log p(x) − log p(y)] over the sampler's own draws, with the exact
    /// densities: checks the formula and the sampler together, in several dimensions.
    func testTheTruthMatchesMonteCarloOverTheSamplersDraws() {
        for (nu, rho, dx, dy, active) in [(4.0, 0.6, 2, 3, 2), (2.0, 0.3, 3, 3, 1), (3.0, 0.0, 5, 5, 5)] {
            let pairs = StudentTPairs(degreesOfFreedom: nu, correlation: rho, xDimension: dx, yDimension: dy, activePairs: active)
            let n = 100_000
            let (x, y) = pairs.sample(count: n, seed: 3)
            var sum = 0.0, squares = 0.0
            for i in 0..<n {
                let xi = (0..<dx).map { x[i, $0] }, yi = (0..<dy).map { y[i, $0] }
                let term = logDensity(xi, yi, nu: nu, rho: rho, pairs: active) - logMarginal(xi, nu: nu) - logMarginal(yi, nu: nu)
                sum += term
                squares += term * term
            }
            let mean = sum / Double(n)
            let standardError = ((squares / Double(n) - mean * mean) / Double(n)).squareRoot()
            XCTAssertEqual(pairs.mutualInformation, mean, accuracy: 4 * standardError + 1e-3, "ν \(nu) ρ \(rho) \(dx)×\(dy)")
        }
    }

    func testTheTailTermVanishesAsTheTailsBecomeGaussian() {
        var previous = Double.infinity
        for nu in [1.0, 2, 3, 5, 10, 30, 100, 1000] {
            let tail = StudentTPairs.tailInformation(degreesOfFreedom: nu, xDimension: 3, yDimension: 2)
            XCTAssertGreaterThan(tail, 0)
            XCTAssertLessThan(tail, previous, "the tail term falls as ν grows")
            previous = tail
        }
        // About m·n / (2ν²) for large ν.
        let big = StudentTPairs.tailInformation(degreesOfFreedom: 1e4, xDimension: 3, yDimension: 2)
        XCTAssertEqual(big, 6 / (2 * 1e8), accuracy: 1e-9)
        let nearGaussian = StudentTPairs(degreesOfFreedom: 1e5, correlation: 0.7, xDimension: 4, yDimension: 4)
        XCTAssertEqual(nearGaussian.mutualInformation, -2 * log(1 - 0.49), accuracy: 1e-8)
        XCTAssertEqual(nearGaussian.gaussianInformation, GaussianPairs(mutualInformation: -2 * log(1 - 0.49), xDimension: 4, yDimension: 4).mutualInformation,
                       accuracy: 1e-12)
    }

    func testSamplesHaveTheirCovarianceAndAreSeeded() {
        // ν = 6: covariance ν/(ν − 2) Σ = 1.5 Σ, and finite fourth moments.
        let pairs = StudentTPairs(degreesOfFreedom: 6, correlation: 0.6, xDimension: 3, yDimension: 2, activePairs: 1)
        let n = 200_000
        let (x, y) = pairs.sample(count: n, seed: 11)
        func moment(_ a: (Int) -> Double, _ b: (Int) -> Double) -> Double {
            var s = 0.0
            for i in 0..<n { s += a(i) * b(i) }
            return s / Double(n)
        }
        XCTAssertEqual(moment({ x[$0, 0] }, { x[$0, 0] }), 1.5, accuracy: 0.05)
        XCTAssertEqual(moment({ y[$0, 1] }, { y[$0, 1] }), 1.5, accuracy: 0.05)
        XCTAssertEqual(moment({ x[$0, 0] }, { y[$0, 0] }), 1.5 * 0.6, accuracy: 0.04)
        XCTAssertEqual(moment({ x[$0, 1] }, { y[$0, 1] }), 0, accuracy: 0.03, "an inactive pair is uncorrelated")
        XCTAssertEqual(moment({ x[$0, 2] }, { x[$0, 0] }), 0, accuracy: 0.03)
        // Uncorrelated but dependent: the shared scale couples the squares.
        XCTAssertGreaterThan(moment({ x[$0, 1] * x[$0, 1] }, { y[$0, 1] * y[$0, 1] }), 1.5 * 1.5 * 1.2)

        let again = pairs.sample(count: 50, seed: 11), other = pairs.sample(count: 50, seed: 12)
        XCTAssertEqual(again.x.values, Array(x.values.prefix(150)), "same seed, same rows")
        XCTAssertNotEqual(other.x.values, again.x.values)
    }

    func testSparseGaussianPairsPutTheirInformationInTheActivePairs() {
        let sparse = GaussianPairs(mutualInformation: 1, xDimension: 25, yDimension: 25, activePairs: 2)
        XCTAssertEqual(sparse.pairedDimensions, 2)
        XCTAssertEqual(sparse.correlation, (1 - exp(-1.0)).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(GaussianPairs.mutualInformation(correlation: sparse.correlation, pairs: 2), 1, accuracy: 1e-14)
        let n = 50_000
        let (x, y) = sparse.sample(count: n, seed: 4)
        func correlation(_ j: Int) -> Double {
            var s = 0.0
            for i in 0..<n { s += x[i, j] * y[i, j] }
            return s / Double(n)
        }
        XCTAssertEqual(correlation(0), sparse.correlation, accuracy: 0.02)
        XCTAssertEqual(correlation(1), sparse.correlation, accuracy: 0.02)
        for j in 2..<25 { XCTAssertEqual(correlation(j), 0, accuracy: 0.02, "pair \(j) is independent") }
        // Without `activePairs` the draws are those of before: every pair active.
        let dense = GaussianPairs(mutualInformation: 1, xDimension: 3, yDimension: 3)
        XCTAssertEqual(dense.activePairs, 3)
        XCTAssertEqual(dense.sample(count: 20, seed: 4).y.values,
                       GaussianPairs(mutualInformation: 1, xDimension: 3, yDimension: 3, activePairs: 3).sample(count: 20, seed: 4).y.values)
    }
}
