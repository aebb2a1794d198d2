import Foundation
import NumericCore

/// Friedman's first regression problem (Friedman 1991, "Multivariate adaptive regression
/// splines"): y = 10 sin(π x₁x₂) + 20 (x₃ − ½)² + 10 x₄ + 5 x₅ + σ ε, with x uniform on [0, 1]^d.
/// Features past the fifth are pure noise, so a model must learn to ignore them.
public struct Friedman1: Sendable {
    public let features: Int
    /// σ, the standard deviation of the Gaussian noise on y.
    public let noise: Double

    public init(features: Int = 10, noise: Double = 1) {
        precondition(features >= 5 && noise >= 0)
        self.features = features
        self.noise = noise
    }

    /// The noise-free target of one input (only its first five coordinates matter).
    public static func target(_ x: ArraySlice<Double>) -> Double {
        let x = Array(x)
        let s = sin(Double.pi * x[0] * x[1])
        return 10 * s + 20 * (x[2] - 0.5) * (x[2] - 0.5) + 10 * x[3] + 5 * x[4]
    }

    /// `count` rows: inputs row-major (count × features) and one target per row.
    public func sample(count: Int, seed: UInt64) -> (x: [Double], y: [Double]) {
        var random = RandomStream(seed: seed, stream: "friedman1")
        var x = [Double](), y = [Double]()
        x.reserveCapacity(count * features)
        y.reserveCapacity(count)
        for i in 0..<count {
            for _ in 0..<features { x.append(random.uniform()) }
            let clean = Self.target(x[(i * features)..<(i * features + 5)])
            y.append(noise == 0 ? clean : clean + noise * random.normal())
        }
        return (x, y)
    }
}
