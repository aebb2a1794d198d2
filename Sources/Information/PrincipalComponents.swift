import CBLAS
import NumericCore

/// Principal component analysis fitted on the data at hand: the projection on the leading
/// eigenvectors of the sample covariance, each component scaled to unit variance (whitened),
/// which is how Butakov et al. (2024) compress layers before estimating entropy.
public struct PrincipalComponents: Sendable {
    /// The whitened scores, `rows × dimensions`.
    public var scores: Matrix
    /// The variance of each kept component, largest first.
    public var variances: [Double]
    /// Share of the total variance the kept components carry, in [0, 1].
    public var explainedVariance: Double

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Fits on `data` (rows are samples) and keeps `min(dimensions, columns)` components.
    /// Components with no variance are left at zero instead of being divided by it.
    public init(_ data: Matrix, dimensions: Int) throws {
        precondition(dimensions >= 1)
        let n = data.rows, d = data.columns
        guard n >= 2 else { throw Problem(description: "PCA needs at least two samples, got \(n)") }
        let kept = min(dimensions, d)
        var covariance = data.covariance().values
        var eigenvalues = [Double](repeating: 0, count: d)
        // Eigenvalues ascending, eigenvectors in the columns of `covariance`.
        let info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(d),
                                 &covariance, Int32(d), &eigenvalues)
        guard info == 0 else { throw Problem(description: "PCA: the eigen-decomposition did not converge") }
        let order = (0..<kept).map { d - 1 - $0 }
        let total = eigenvalues.reduce(0) { $0 + max($1, 0) }
        variances = order.map { max(eigenvalues[$0], 0) }
        explainedVariance = total > 0 ? min(1, variances.reduce(0, +) / total) : 1
        // Each eigenvector's sign fixed so its largest entry is positive: the same data give
        // the same scores whatever LAPACK's choice.
        var basis = [Double](repeating: 0, count: d * kept)
        for (p, column) in order.enumerated() {
            let entries = (0..<d).map { covariance[$0 * d + column] }
            let sign: Double = entries.max(by: { abs($0) < abs($1) }).map { $0 < 0 ? -1 : 1 } ?? 1
            let scale = variances[p] > 1e-12 * max(total, .leastNormalMagnitude) ? sign / variances[p].squareRoot() : 0
            for r in 0..<d { basis[r * kept + p] = entries[r] * scale }
        }
        var centered = data.values
        for c in 0..<d {
            var mean = 0.0
            for r in 0..<n { mean += data.values[r * d + c] }
            mean /= Double(n)
            for r in 0..<n { centered[r * d + c] -= mean }
        }
        var out = [Double](repeating: 0, count: n * kept)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(kept), Int32(d),
                    1, centered, Int32(d), basis, Int32(kept), 0, &out, Int32(kept))
        scores = Matrix(rows: n, columns: kept, values: out)
    }
}
