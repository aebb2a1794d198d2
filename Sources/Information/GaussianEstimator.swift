import NumericCore

/// Mutual information of jointly Gaussian data in closed form from sample covariances:
/// I(X;Y) = ½ (log det Σx + log det Σy − log det Σ), in nats.
public struct GaussianEstimator: Sendable {
    public init() {}

    public func mutualInformation(_ x: Matrix, _ y: Matrix) throws -> Double {
        precondition(x.rows == y.rows, "X and Y must have the same number of samples")
        let joint = Matrix.concatenatingColumns(x, y).covariance()
        let dx = x.columns, d = joint.rows
        let sx = joint.submatrix(rows: 0..<dx, columns: 0..<dx)
        let sy = joint.submatrix(rows: dx..<d, columns: dx..<d)
        let mi = 0.5 * (try sx.logDeterminantSPD() + sy.logDeterminantSPD() - joint.logDeterminantSPD())
        return max(0, mi)
    }
}
