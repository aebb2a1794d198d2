import NumericCore

/// Jointly Gaussian pairs (X in R^dx, Y in R^dy) with a chosen mutual information.
///
/// The first min(dx, dy) coordinates of X and Y are paired with one shared correlation ρ; the
/// other coordinates are independent. Each pair carries −½ log(1 − ρ²) nats, so
/// ρ = sqrt(1 − exp(−2 I / k)) gives exactly I nats over k pairs.
public struct GaussianPairs: Sendable {
    public let mutualInformation: Double
    public let xDimension: Int
    public let yDimension: Int

    public init(mutualInformation: Double, xDimension: Int = 1, yDimension: Int = 1) {
        precondition(mutualInformation >= 0 && xDimension >= 1 && yDimension >= 1)
        self.mutualInformation = mutualInformation
        self.xDimension = xDimension
        self.yDimension = yDimension
    }

    public var pairedDimensions: Int { min(xDimension, yDimension) }

    /// The correlation of each paired coordinate.
    public var correlation: Double {
        (1 - _exp(-2 * mutualInformation / Double(pairedDimensions))).squareRoot()
    }

    public func sample(count: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
        var random = RandomStream(seed: seed, stream: "gaussian-pairs")
        let rho = correlation
        let residual = (1 - rho * rho).squareRoot()
        var x = Matrix(rows: count, columns: xDimension)
        var y = Matrix(rows: count, columns: yDimension)
        for i in 0..<count {
            for j in 0..<xDimension { x[i, j] = random.normal() }
            for j in 0..<yDimension {
                let noise = random.normal()
                y[i, j] = j < pairedDimensions ? rho * x[i, j] + residual * noise : noise
            }
        }
        return (x, y)
    }
}
