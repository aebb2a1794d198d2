import Dispatch
import NumericCore

/// The Kraskov–Stögbauer–Grassberger estimator of I(X;Y) (Kraskov et al. 2004, estimator 1),
/// with the max-norm in every space:
///
///     I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩
///
/// where ε_i is the distance from sample i to its k-th neighbour in the joint space and n_x
/// (n_y) counts the other samples strictly closer than ε_i in X (Y).
///
/// This version searches neighbours exhaustively (O(N²·d), exact, split across cores); the
/// faster searches the benchmarks call for come later and must give the same numbers.
public struct KSGEstimator: Sendable {
    public var k: Int

    public init(k: Int = 3) {
        precondition(k >= 1)
        self.k = k
    }

    public struct TooFewSamples: Error, CustomStringConvertible {
        public var samples: Int
        public var k: Int
        public var description: String { "KSG with k = \(k) needs more than \(k) samples, got \(samples)" }
    }

    /// I(X;Y) in nats. Rows are samples.
    public func mutualInformation(_ x: Matrix, _ y: Matrix) throws -> Double {
        precondition(x.rows == y.rows, "X and Y must have the same number of samples")
        let n = x.rows
        guard n > k else { throw TooFewSamples(samples: n, k: k) }
        let k = self.k
        let chunks = min(n, 64)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { sums in
            let sumsPointer = UnsafeSendable(sums)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var dx = [Double](repeating: 0, count: n)
                var dy = [Double](repeating: 0, count: n)
                var joint = [Double](repeating: 0, count: n)
                var sum = 0.0
                for i in stride(from: chunk, to: n, by: chunks) {
                    Self.maxNormDistances(x, from: i, into: &dx)
                    Self.maxNormDistances(y, from: i, into: &dy)
                    for j in 0..<n { joint[j] = max(dx[j], dy[j]) }
                    joint[i] = .infinity
                    let epsilon = Self.kthSmallest(joint, k)
                    var nx = 0, ny = 0
                    for j in 0..<n where j != i {
                        if dx[j] < epsilon { nx += 1 }
                        if dy[j] < epsilon { ny += 1 }
                    }
                    sum += SpecialFunctions.digamma(Double(nx + 1)) + SpecialFunctions.digamma(Double(ny + 1))
                }
                sumsPointer.value[chunk] = sum
            }
        }
        // Summing the chunks in a fixed order keeps the result independent of thread timing.
        let mean = partial.reduce(0, +) / Double(n)
        return SpecialFunctions.digamma(Double(k)) + SpecialFunctions.digamma(Double(n)) - mean
    }

    static func maxNormDistances(_ m: Matrix, from i: Int, into out: inout [Double]) {
        let d = m.columns
        m.values.withUnsafeBufferPointer { v in
            let base = i * d
            for j in 0..<m.rows {
                var best = 0.0
                let row = j * d
                for c in 0..<d { best = max(best, abs(v[row + c] - v[base + c])) }
                out[j] = best
            }
        }
    }

    /// The k-th smallest value (1-based) by partial selection.
    static func kthSmallest(_ values: [Double], _ k: Int) -> Double {
        var best = [Double](repeating: .infinity, count: k)  // sorted ascending
        for v in values where v < best[k - 1] {
            var p = k - 1
            while p > 0 && best[p - 1] > v { best[p] = best[p - 1]; p -= 1 }
            best[p] = v
        }
        return best[k - 1]
    }
}

/// Lets worker closures write to disjoint slots of one buffer.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
