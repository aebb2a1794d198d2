/// Gaussian noise on a layer's outputs (after its activation), which makes a network stochastic
/// so that I(X;T) is finite (Butakov et al. 2024 use multiplicative noise with s = 1e-3).
public struct NoiseInjection: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// x + s·ε
        case additive
        /// x·(1 + s·ε)
        case multiplicative
    }

    public var kind: Kind
    public var scale: Double
    /// Noise also in the per-epoch evaluation and in the recordings, not only in training.
    public var atEvaluation: Bool

    public init(kind: Kind, scale: Double, atEvaluation: Bool) {
        self.kind = kind
        self.scale = scale
        self.atEvaluation = atEvaluation
    }

    /// Applies the noise with standard normal draws `epsilon`, in place.
    @inline(__always)
    func apply<T: TrainingScalar>(_ values: inout [T], epsilon: [T]) {
        let s = T(scale)
        switch kind {
        case .additive: for i in values.indices { values[i] += s * epsilon[i] }
        case .multiplicative: for i in values.indices { values[i] *= 1 + s * epsilon[i] }
        }
    }

    /// The gradient at the noisy values, taken back to the values before the noise.
    @inline(__always)
    func backpropagate<T: TrainingScalar>(_ gradient: inout [T], epsilon: [T]) {
        guard kind == .multiplicative else { return }
        let s = T(scale)
        for i in gradient.indices { gradient[i] *= 1 + s * epsilon[i] }
    }
}
