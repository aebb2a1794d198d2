/// Per-column centring and scaling, fitted on some rows (the training part) and applied to all,
/// so the test rows are transformed without being looked at.
public struct Standardization: Sendable, Equatable {
    public var mean: [Double]
    /// The divisor of each column: its standard deviation over the fitted rows (population form,
    /// dividing by n), or 1 where that column is constant, so it is only centred.
    public var scale: [Double]

    public init(mean: [Double], scale: [Double]) {
        precondition(mean.count == scale.count)
        self.mean = mean
        self.scale = scale
    }

    /// Fits the mean and standard deviation of each column of a row-major array over `rows`.
    public init(fitting values: [Double], columns: Int, rows: [Int]) {
        precondition(columns > 0 && !rows.isEmpty)
        var mean = [Double](repeating: 0, count: columns)
        for r in rows { for c in 0..<columns { mean[c] += values[r * columns + c] } }
        mean = mean.map { $0 / Double(rows.count) }
        var square = [Double](repeating: 0, count: columns)
        for r in rows {
            for c in 0..<columns {
                let d = values[r * columns + c] - mean[c]
                square[c] += d * d
            }
        }
        let scale = square.map { s -> Double in
            let sd = (s / Double(rows.count)).squareRoot()
            return sd > 0 && sd.isFinite ? sd : 1
        }
        self.init(mean: mean, scale: scale)
    }

    public var columns: Int { mean.count }

    /// (value − mean) / scale, column by column, for every row.
    public func apply(_ values: [Double]) -> [Double] {
        values.indices.map { (values[$0] - mean[$0 % columns]) / scale[$0 % columns] }
    }

    /// value · scale + mean: the inverse of `apply`.
    public func undo(_ values: [Double]) -> [Double] {
        values.indices.map { values[$0] * scale[$0 % columns] + mean[$0 % columns] }
    }
}
