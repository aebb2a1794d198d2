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
        // Feature-major copies, so the distance loops run over samples and vectorise.
        let xt = Self.featureMajor(x), yt = Self.featureMajor(y)
        let (dx, dy) = (x.columns, y.columns)
        let chunks = min(n, 64)
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { sums in
            let sumsPointer = UnsafeSendable(sums)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var distanceX = [Double](repeating: 0, count: n)
                var distanceY = [Double](repeating: 0, count: n)
                var joint = [Double](repeating: 0, count: n)
                var sum = 0.0
                xt.withUnsafeBufferPointer { xs in
                    yt.withUnsafeBufferPointer { ys in
                        distanceX.withUnsafeMutableBufferPointer { ex in
                            distanceY.withUnsafeMutableBufferPointer { ey in
                                joint.withUnsafeMutableBufferPointer { ej in
                                    for i in stride(from: chunk, to: n, by: chunks) {
                                        Self.maxNormDistances(xs, dims: dx, count: n, from: i, into: ex)
                                        Self.maxNormDistances(ys, dims: dy, count: n, from: i, into: ey)
                                        for j in 0..<n { ej[j] = max(ex[j], ey[j]) }
                                        ej[i] = .infinity
                                        let epsilon = Self.kthSmallest(ej, k)
                                        // The sample itself is at distance 0 < ε in both spaces: not counted.
                                        var nx = -1, ny = -1
                                        for j in 0..<n {
                                            nx &+= ex[j] < epsilon ? 1 : 0
                                            ny &+= ey[j] < epsilon ? 1 : 0
                                        }
                                        // With ε = 0 (repeated samples) the sample itself was not counted either.
                                        nx = max(nx, 0)
                                        ny = max(ny, 0)
                                        sum += SpecialFunctions.digamma(Double(nx + 1)) + SpecialFunctions.digamma(Double(ny + 1))
                                    }
                                }
                            }
                        }
                    }
                }
                sumsPointer.value[chunk] = sum
            }
        }
        // Summing the chunks in a fixed order keeps the result independent of thread timing.
        let mean = partial.reduce(0, +) / Double(n)
        return SpecialFunctions.digamma(Double(k)) + SpecialFunctions.digamma(Double(n)) - mean
    }

    static func featureMajor(_ m: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: m.values.count)
        for r in 0..<m.rows { for c in 0..<m.columns { out[c * m.rows + r] = m.values[r * m.columns + c] } }
        return out
    }

    /// max over coordinates of |v_j − v_i|, for every sample j, from feature-major values.
    static func maxNormDistances(_ v: UnsafeBufferPointer<Double>, dims: Int, count n: Int, from i: Int,
                                 into out: UnsafeMutableBufferPointer<Double>) {
        for j in 0..<n { out[j] = 0 }
        for c in 0..<dims {
            let column = v.baseAddress! + c * n
            let center = column[i]
            for j in 0..<n { out[j] = max(out[j], abs(column[j] - center)) }
        }
    }

    /// The k-th smallest value (1-based) by partial selection.
    static func kthSmallest(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
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
