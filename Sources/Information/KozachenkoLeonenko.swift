import Dispatch
import NumericCore

/// The Kozachenko–Leonenko estimator of differential entropy from k-nearest-neighbour distances
/// (Euclidean), and mutual information as h(X) + h(Y) − h(X,Y):
///
///     ĥ = ψ(n) − ψ(k) + log V_d + (d/n) Σ_i log ε_i
///
/// where ε_i is the distance from sample i to its k-th nearest neighbour and V_d = π^(d/2) / Γ(d/2 + 1)
/// is the volume of the unit ball. Values in nats. Neighbours are found exhaustively on all
/// cores (O(n² d)), exact.
public struct KozachenkoLeonenko: EntropyEstimator {
    public var k: Int

    public init(k: Int = 5) {
        precondition(k >= 1)
        self.k = k
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public func entropy(_ m: Matrix) throws -> Double {
        let n = m.rows, d = m.columns
        guard n > k else { throw Problem(description: "Kozachenko–Leonenko with k = \(k) needs more than \(k) samples, got \(n)") }
        let k = self.k
        let chunks = min(n, 64)
        var sums = [Double](repeating: 0, count: chunks)
        var duplicates = [Int](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { sumsOut in
            duplicates.withUnsafeMutableBufferPointer { dupOut in
                let out = (UnsafeSendable(sumsOut), UnsafeSendable(dupOut))
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var distances = [Double](repeating: 0, count: n)
                    var sum = 0.0, zero = 0
                    m.values.withUnsafeBufferPointer { v in
                        for i in stride(from: chunk, to: n, by: chunks) {
                            for j in 0..<n {
                                var s = 0.0
                                for c in 0..<d { let t = v[i * d + c] - v[j * d + c]; s += t * t }
                                distances[j] = s
                            }
                            distances[i] = .infinity
                            let epsilon = distances.withUnsafeMutableBufferPointer { KSGEstimator.kthSmallest($0, k) }.squareRoot()
                            if epsilon > 0 { sum += _logarithm(epsilon) } else { zero += 1 }
                        }
                    }
                    out.0.value[chunk] = sum
                    out.1.value[chunk] = zero
                }
            }
        }
        if duplicates.reduce(0, +) > 0 {
            throw Problem(description: "\(duplicates.reduce(0, +)) samples have \(k) or more exact duplicates; KL entropy needs continuous data")
        }
        let logVolume = Double(d) / 2 * _logarithm(Double.pi) - _logGamma(Double(d) / 2 + 1)
        return SpecialFunctions.digamma(Double(n)) - SpecialFunctions.digamma(Double(k)) + logVolume
            + Double(d) / Double(n) * sums.reduce(0, +)
    }
}
