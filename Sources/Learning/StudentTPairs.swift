import NumericCore

/// Jointly multivariate Student-t pairs (X in R^dx, Y in R^dy) with ν degrees of freedom and a
/// known mutual information: heavy-tailed data on which estimators can be checked.
///
/// The dispersion matrix is that of `GaussianPairs`: unit variances, and the first
/// `activePairs` coordinates of X and Y paired with correlation ρ. A sample is a correlated
/// Gaussian vector (X, Y) divided by one shared scale sqrt(W/ν), W ~ χ²_ν, drawn once per
/// sample: the shared scale makes X and Y dependent even when ρ = 0.
///
/// The true mutual information has two parts (the formula used by Czyż et al. 2023, "Beyond
/// normal: on the evaluation of mutual information estimators", derived here from the entropy
/// of the multivariate t). In d dimensions with dispersion Σ,
///   h = ½ log det Σ + (d/2) log(νπ) + log Γ(ν/2) − log Γ((ν+d)/2) + ((ν+d)/2) [ψ((ν+d)/2) − ψ(ν/2)],
/// and the marginals of a multivariate t are t with the same ν and the sub-blocks of Σ. In
/// I = h(X) + h(Y) − h(X,Y) the log det terms give the Gaussian value −½ log det Σ / (det Σx det Σy)
/// = −(k/2) log(1 − ρ²) for k active pairs, the (d/2) log(νπ) terms cancel, and the rest is
///   c(ν, m, n) = f(ν) − f(ν + m) − f(ν + n) + f(ν + m + n),  f(x) = log Γ(x/2) − (x/2) ψ(x/2),
/// for m = dx, n = dy (the ψ(ν/2) terms collect to −(ν/2) ψ(ν/2), which is inside f(ν)).
/// c ≥ 0 and c → 0 as ν → ∞ (about m·n / (2ν²)), where the t becomes Gaussian.
public struct StudentTPairs: Sendable {
    public let degreesOfFreedom: Double
    public let correlation: Double
    public let xDimension: Int
    public let yDimension: Int
    /// How many coordinate pairs of the dispersion are correlated (the first ones).
    public let activePairs: Int

    public init(degreesOfFreedom: Double, correlation: Double, xDimension: Int = 1, yDimension: Int = 1, activePairs: Int? = nil) {
        let paired = min(xDimension, yDimension)
        precondition(degreesOfFreedom > 0 && xDimension >= 1 && yDimension >= 1)
        precondition(correlation > -1 && correlation < 1, "the correlation must lie in (−1, 1)")
        precondition((1...paired).contains(activePairs ?? paired), "at most min(dx, dy) pairs can be correlated")
        self.degreesOfFreedom = degreesOfFreedom
        self.correlation = correlation
        self.xDimension = xDimension
        self.yDimension = yDimension
        self.activePairs = activePairs ?? paired
    }

    /// The mutual information, in nats, that Gaussian data with the same dispersion would carry.
    public var gaussianInformation: Double {
        GaussianPairs.mutualInformation(correlation: correlation, pairs: activePairs)
    }

    /// The information, in nats, that the shared heavy-tailed scale adds: c(ν, dx, dy).
    public var tailInformation: Double {
        Self.tailInformation(degreesOfFreedom: degreesOfFreedom, xDimension: xDimension, yDimension: yDimension)
    }

    /// The true I(X;Y) in nats: the Gaussian part plus the Student-t term.
    public var mutualInformation: Double { gaussianInformation + tailInformation }

    /// c(ν, m, n) = f(ν) − f(ν + m) − f(ν + n) + f(ν + m + n), f(x) = log Γ(x/2) − (x/2) ψ(x/2):
    /// the mutual information of a multivariate t beyond its Gaussian part (see the type's notes).
    public static func tailInformation(degreesOfFreedom nu: Double, xDimension m: Int, yDimension n: Int) -> Double {
        func f(_ x: Double) -> Double {
            let half = x / 2
            return SpecialFunctions.logGamma(half) - half * SpecialFunctions.digamma(half)
        }
        let (dm, dn) = (Double(m), Double(n))
        return f(nu) - f(nu + dm) - f(nu + dn) + f(nu + dm + dn)
    }

    public func sample(count: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
        var normals = RandomStream(seed: seed, stream: "student-t-pairs")
        var scales = RandomStream(seed: seed, stream: "student-t-scale")
        var (x, y) = GaussianPairs.correlatedNormals(count: count, xDimension: xDimension, yDimension: yDimension,
                                                     activePairs: activePairs, correlation: correlation, random: &normals)
        for i in 0..<count {
            var w = scales.chiSquared(degrees: degreesOfFreedom)
            // A χ² this small is below 1e-300 only with ν tiny; keep the division finite.
            if w < .leastNormalMagnitude { w = .leastNormalMagnitude }
            let scale = 1 / (w / degreesOfFreedom).squareRoot()
            for j in 0..<xDimension { x[i, j] *= scale }
            for j in 0..<yDimension { y[i, j] *= scale }
        }
        return (x, y)
    }
}
