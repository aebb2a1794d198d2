import CBLAS

/// A dense row-major matrix of Float64.
public struct Matrix: Sendable, Hashable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "\(values.count) values for a \(rows)x\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Columns side by side: [A B].
    public static func concatenatingColumns(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.rows == b.rows)
        var out = [Double]()
        out.reserveCapacity(a.rows * (a.columns + b.columns))
        for r in 0..<a.rows {
            out += a.values[(r * a.columns)..<((r + 1) * a.columns)]
            out += b.values[(r * b.columns)..<((r + 1) * b.columns)]
        }
        return Matrix(rows: a.rows, columns: a.columns + b.columns, values: out)
    }

    /// The sample covariance of the columns (rows are observations), with the n − 1 divisor;
    /// the product runs through BLAS.
    public func covariance() -> Matrix {
        precondition(rows > 1, "covariance needs at least two rows")
        var centered = values
        for c in 0..<columns {
            var mean = 0.0
            for r in 0..<rows { mean += values[r * columns + c] }
            mean /= Double(rows)
            for r in 0..<rows { centered[r * columns + c] -= mean }
        }
        var out = [Double](repeating: 0, count: columns * columns)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(columns), Int32(rows),
                    1 / Double(rows - 1), centered, Int32(columns), 0, &out, Int32(columns))
        for i in 0..<columns { for j in 0..<i { out[i * columns + j] = out[j * columns + i] } }
        return Matrix(rows: columns, columns: columns, values: out)
    }

    public struct NotPositiveDefinite: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "matrix is not positive definite (degenerate or collinear data)" }
    }

    /// log det of a symmetric positive-definite matrix, by Cholesky (LAPACK dpotrf).
    public func logDeterminantSPD() throws -> Double {
        precondition(rows == columns)
        if rows == 0 { return 0 }
        var a = values
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(rows), &a, Int32(rows))
        guard info == 0 else { throw NotPositiveDefinite() }
        var sum = 0.0
        for i in 0..<rows { sum += _log(a[i * rows + i]) }
        return 2 * sum
    }

    /// The sub-matrix of the given rows and columns.
    public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(rowRange.count * columnRange.count)
        for r in rowRange { out += values[(r * columns + columnRange.lowerBound)..<(r * columns + columnRange.upperBound)] }
        return Matrix(rows: rowRange.count, columns: columnRange.count, values: out)
    }
}
