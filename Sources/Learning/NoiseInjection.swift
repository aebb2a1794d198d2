import NumericCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Standard normal draws for noise layers, from the Philox4x32 stream named by (seed, stream)
/// and numbered as `RandomStream` numbers its blocks. Each block's four words make four draws by
/// the Box–Muller transform in Float on 24-bit uniforms (tails end at 5.8σ, immaterial for
/// noise): many times faster than `RandomStream.normal()`, which matters when every unit of
/// every row gets a draw.
public struct NoiseSource: Sendable {
    private let key: Philox4x32.Key
    private let streamID: UInt64
    private var block: UInt64 = 0

    public init(seed: UInt64, stream: String) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        streamID = RandomStream.streamID(stream)
    }

    public mutating func standardNormals<T: TrainingScalar>(_ n: Int) -> [T] {
        var draws = [T](repeating: 0, count: n)
        draws.withUnsafeMutableBufferPointer { out in
            var i = 0
            while i < n {
                let words = Philox4x32.block((UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
                                              UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32)), key: key)
                block &+= 1
                pair(words.0, words.1, into: out, at: i)
                pair(words.2, words.3, into: out, at: i + 2)
                i += 4
            }
        }
        return draws
    }

    /// Two draws from two words, as many as fit before the end.
    @inline(__always)
    private func pair<T: TrainingScalar>(_ w1: UInt32, _ w2: UInt32, into out: UnsafeMutableBufferPointer<T>, at i: Int) {
        guard i < out.count else { return }
        let u1 = (Float(w1 >> 8) + 1) * 0x1p-24
        let u2 = Float(w2 >> 8) * 0x1p-24
        let r = (-2 * logf(u1)).squareRoot()
        let angle = 2 * Float.pi * u2
        out[i] = T(r * cosf(angle))
        if i + 1 < out.count { out[i + 1] = T(r * sinf(angle)) }
    }
}
