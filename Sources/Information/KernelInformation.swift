import CBLAS
import NumericCore

/// Gaussian Gram matrices, K_ij = exp(−‖x_i − x_j‖² / (2σ²)), and the two kernel measures of
/// dependence the Cauchy–Schwarz information bottleneck uses (Yu et al., ICLR 2024).
public struct GaussianGram: Sendable {
    public var values: [Double]
    public var count: Int
    public var width: Double

    /// With `width` nil, σ is the median of the pairwise distances (the "median heuristic").
    public init(_ m: Matrix, width: Double? = nil) {
        let n = m.rows, d = m.columns
        var squared = [Double](repeating: 0, count: n * n)
        m.values.withUnsafeBufferPointer { v in
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) {
                    var s = 0.0
                    for c in 0..<d { let t = v[i * d + c] - v[j * d + c]; s += t * t }
                    squared[i * n + j] = s
                    squared[j * n + i] = s
                }
            }
        }
        let sigma: Double
        if let width {
            sigma = width
        } else {
            var pairs: [Double] = []
            pairs.reserveCapacity(n * (n - 1) / 2)
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { pairs.append(squared[i * n + j]) } }
            pairs.sort()
            let median = pairs.isEmpty ? 1 : pairs[pairs.count / 2].squareRoot()
            sigma = median > 0 ? median : 1
        }
        let scale = 1 / (2 * sigma * sigma)
        values = squared.map { _exponential(-$0 * scale) }
        count = n
        self.width = sigma
    }
}

/// Cauchy–Schwarz quadratic mutual information from Gram matrices K (of X) and Q (of Y):
///
///     I_CS = log(tr(KQ)/N²) + log(1ᵀK1 · 1ᵀQ1 / N⁴) − 2 log(1ᵀKQ1 / N³)
///
/// zero for independent samples in the limit; not Shannon's mutual information. In nats.
public struct CauchySchwarzInformation: Sendable {
    public init() {}

    public func estimate(_ k: GaussianGram, _ q: GaussianGram) -> Double {
        precondition(k.count == q.count)
        let n = k.count
        var trace = 0.0, sumK = 0.0, sumQ = 0.0, cross = 0.0
        for i in 0..<n {
            var rowK = 0.0, rowQ = 0.0
            for j in 0..<n {
                let a = k.values[i * n + j], b = q.values[i * n + j]
                trace += a * b
                rowK += a
                rowQ += b
            }
            sumK += rowK
            sumQ += rowQ
            cross += rowK * rowQ
        }
        let N = Double(n)
        return _logarithm(trace / (N * N)) + _logarithm(sumK * sumQ / (N * N * N * N)) - 2 * _logarithm(cross / (N * N * N))
    }
}

/// Matrix-based Rényi α-entropy (Sánchez Giraldo, Rao & Príncipe 2015): A = K / tr K,
/// S_α(A) = log(Σ λ_i^α) / (1 − α) over A's eigenvalues; the joint entropy uses the Hadamard
/// product A∘B normalised to unit trace, and I_α = S_α(A) + S_α(B) − S_α(A∘B). In nats.
public struct MatrixRenyiInformation: Sendable {
    public var alpha: Double

    public init(alpha: Double = 1.01) {
        precondition(alpha > 0 && alpha != 1)
        self.alpha = alpha
    }

    public func entropy(_ gram: [Double], count n: Int) throws -> Double {
        var trace = 0.0
        for i in 0..<n { trace += gram[i * n + i] }
        var a = gram.map { $0 / trace }
        var eigenvalues = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")), Int32(n), &a, Int32(n), &eigenvalues)
        guard info == 0 else { throw Matrix.NotPositiveDefinite() }
        let sum = eigenvalues.reduce(0.0) { $0 + _power(max($1, 0), alpha) }
        return _logarithm(sum) / (1 - alpha)
    }

    public func mutualInformation(_ k: GaussianGram, _ q: GaussianGram) throws -> Double {
        let n = k.count
        let joint = zip(k.values, q.values).map { $0 * $1 }
        return try entropy(k.values, count: n) + entropy(q.values, count: n) - entropy(joint, count: n)
    }
}
