import CBLAS
import Dispatch
import NumericCore

/// The weighted Kozachenko–Leonenko entropy estimator (Berrett, Samworth & Yuan 2019): a
/// weighted sum of the plain estimators for the 1st … K-th neighbour,
///
///     ĥ_w = Σ_j w_j ĥ_j,   ĥ_j = ψ(n) − ψ(j) + log V_d + (d/n) Σ_i log ρ_(j),i
///
/// with weights that cancel the leading bias terms: Σ_j w_j = 1 and
/// Σ_j w_j Γ(j + 2l/d) / Γ(j) = 0 for l = 1 … ⌊d/4⌋, the solution of least Euclidean norm.
/// For d ≤ 3 that is the plain average over j = 1 … K. Distances are Euclidean; values in nats.
/// Above four dimensions the plain estimator's bias no longer vanishes fast enough for
/// √n-efficiency, which is what the weights restore.
public struct WeightedKozachenkoLeonenko: EntropyEstimator {
    /// The largest neighbour rank used; raised to ⌊d/4⌋ + 1 when the constraints need more.
    public var k: Int

    public init(k: Int = 5) {
        precondition(k >= 1)
        self.k = k
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Neighbour ranks used in dimension d.
    public func ranks(dimension d: Int) -> Int { max(k, d / 4 + 1) }

    /// The weights w_1 … w_K for dimension d: the minimum-norm solution of the constraints
    /// A w = e₁, each constraint row scaled to its largest entry, by LAPACK's LQ-based `dgels`
    /// (the rows are nearly collinear in high dimension; normal equations would square that).
    public func weights(dimension d: Int) -> [Double] {
        let rankCount = ranks(dimension: d)
        let constraints = d / 4 + 1
        var a = [Double](repeating: 1, count: constraints * rankCount)
        for l in stride(from: 1, to: constraints, by: 1) {
            let row = (1...rankCount).map { j in _exponential(_logGamma(Double(j) + 2 * Double(l) / Double(d)) - _logGamma(Double(j))) }
            let scale = row.max()!
            for j in 0..<rankCount { a[l * rankCount + j] = row[j] / scale }
        }
        var b = [Double](repeating: 0, count: rankCount)
        b[0] = 1
        let info = LAPACKE_dgels(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int32(constraints), Int32(rankCount), 1,
                                 &a, Int32(rankCount), &b, 1)
        precondition(info == 0, "the weight constraints are independent for distinct Γ-ratio rows")
        return b
    }

    /// ĥ_w(X) in nats. Rows are samples.
    public func entropy(_ m: Matrix) throws -> Double {
        let n = m.rows, d = m.columns
        let rankCount = ranks(dimension: d)
        guard n > rankCount else {
            throw Problem(description: "weighted Kozachenko–Leonenko in \(d) dimensions uses \(rankCount) neighbours and needs more than \(rankCount) samples, got \(n)")
        }
        let w = weights(dimension: d)
        // Σ_i log ρ_(j),i for each rank j, summed per chunk then in chunk order.
        let chunks = min(n, 64)
        var sums = [Double](repeating: 0, count: chunks * rankCount)
        var duplicates = [Int](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { sumsOut in
            duplicates.withUnsafeMutableBufferPointer { dupOut in
                let out = UnsafeSendable((sumsOut, dupOut))
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var distances = [Double](repeating: 0, count: n)
                    var nearest = [Double](repeating: 0, count: rankCount)
                    var zero = 0
                    m.values.withUnsafeBufferPointer { v in
                        for i in stride(from: chunk, to: n, by: chunks) {
                            for j in 0..<n {
                                var s = 0.0
                                for c in 0..<d { let t = v[i * d + c] - v[j * d + c]; s += t * t }
                                distances[j] = s
                            }
                            distances[i] = .infinity
                            Self.smallest(distances, into: &nearest)
                            if nearest[0] == 0 { zero += 1; continue }
                            for j in 0..<rankCount { out.value.0[chunk * rankCount + j] += 0.5 * _logarithm(nearest[j]) }
                        }
                    }
                    out.value.1[chunk] = zero
                }
            }
        }
        let zeros = duplicates.reduce(0, +)
        if zeros > 0 {
            throw Problem(description: "\(zeros) samples have exact duplicates; weighted KL entropy needs continuous data")
        }
        let logVolume = Double(d) / 2 * _logarithm(Double.pi) - _logGamma(Double(d) / 2 + 1)
        var h = 0.0
        for j in 0..<rankCount {
            let logSum = (0..<chunks).reduce(0.0) { $0 + sums[$1 * rankCount + j] }
            let plain = SpecialFunctions.digamma(Double(n)) - SpecialFunctions.digamma(Double(j + 1)) + logVolume
                + Double(d) / Double(n) * logSum
            h += w[j] * plain
        }
        return h
    }

    /// The `out.count` smallest values, ascending.
    static func smallest(_ values: [Double], into out: inout [Double]) {
        let k = out.count
        for s in 0..<k { out[s] = .infinity }
        for v in values where v < out[k - 1] {
            var p = k - 1
            while p > 0 && out[p - 1] > v { out[p] = out[p - 1]; p -= 1 }
            out[p] = v
        }
    }
}
