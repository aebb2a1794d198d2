import NumericCore

/// Jointly Gaussian pairs (X in R^dx, Y in R^dy) with a chosen mutual information.
///
/// The first `activePairs` coordinates of X and Y (by default all min(dx, dy) of them) are
/// paired with one shared correlation ρ; the other coordinates are independent. Each pair
/// carries −½ log(1 − ρ²) nats, so ρ = sqrt(1 − exp(−2 I / k)) gives exactly I nats over k
/// pairs. Few active pairs in many dimensions make the sparse task of Czyż et al. (2023):
/// the information sits in a few coordinates among many that carry none.
public struct GaussianPairs: Sendable {
    public let mutualInformation: Double
    public let xDimension: Int
    public let yDimension: Int
    /// How many coordinate pairs are correlated (the first ones); the rest are independent.
    public let activePairs: Int

    public init(mutualInformation: Double, xDimension: Int = 1, yDimension: Int = 1, activePairs: Int? = nil) {
        precondition(mutualInformation >= 0 && xDimension >= 1 && yDimension >= 1)
        let paired = min(xDimension, yDimension)
        precondition((1...paired).contains(activePairs ?? paired), "at most min(dx, dy) pairs can be correlated")
        self.mutualInformation = mutualInformation
        self.xDimension = xDimension
        self.yDimension = yDimension
        self.activePairs = activePairs ?? paired
    }

    /// The number of correlated coordinate pairs: min(dx, dy) unless fewer were asked for.
    public var pairedDimensions: Int { activePairs }

    /// The correlation of each paired coordinate.
    public var correlation: Double {
        Self.correlation(mutualInformation: mutualInformation, pairs: activePairs)
    }

    /// The correlation ρ that makes `pairs` coordinate pairs carry `mutualInformation` nats together.
    public static func correlation(mutualInformation: Double, pairs: Int) -> Double {
        (1 - _exp(-2 * mutualInformation / Double(pairs))).squareRoot()
    }

    /// I(X;Y) in nats of `pairs` coordinate pairs with correlation ρ each: −(pairs/2) log(1 − ρ²).
    public static func mutualInformation(correlation rho: Double, pairs: Int) -> Double {
        -0.5 * Double(pairs) * _log1p(-rho * rho)
    }

    public func sample(count: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
        var random = RandomStream(seed: seed, stream: "gaussian-pairs")
        return Self.correlatedNormals(count: count, xDimension: xDimension, yDimension: yDimension,
                                      activePairs: activePairs, correlation: correlation, random: &random)
    }

    /// Standard normal X and Y whose first `activePairs` coordinates are paired with correlation
    /// ρ, drawn row by row (X's coordinates, then Y's) from `random`.
    static func correlatedNormals(count: Int, xDimension: Int, yDimension: Int, activePairs: Int, correlation rho: Double,
                                  random: inout RandomStream) -> (x: Matrix, y: Matrix) {
        let residual = (1 - rho * rho).squareRoot()
        var x = Matrix(rows: count, columns: xDimension)
        var y = Matrix(rows: count, columns: yDimension)
        for i in 0..<count {
            for j in 0..<xDimension { x[i, j] = random.normal() }
            for j in 0..<yDimension {
                let noise = random.normal()
                y[i, j] = j < activePairs ? rho * x[i, j] + residual * noise : noise
            }
        }
        return (x, y)
    }
}
