import NumericCore
import XCTest

final class LinearAlgebraTests: XCTestCase {
    func testDigamma() {
        let euler = 0.577_215_664_901_532_9
        XCTAssertEqual(SpecialFunctions.digamma(1), -euler, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.digamma(0.5), -euler - 2 * log(2.0), accuracy: 1e-13)
        var harmonic = 0.0
        for n in 1..<200 {
            XCTAssertEqual(SpecialFunctions.digamma(Double(n)), -euler + harmonic, accuracy: 1e-12)
            harmonic += 1 / Double(n)
        }
    }

    func testCovarianceMatchesTheDefinition() {
        let m = Matrix(rows: 4, columns: 2, values: [1, 2, 2, 4, 3, 7, 4, 9])
        let c = m.covariance()
        // x = 1..4 (var 5/3), y = 2,4,7,9 (mean 5.5, var 29/3), cov = 12/3.
        XCTAssertEqual(c[0, 0], 5.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(c[1, 1], 29.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(c[0, 1], 12.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(c[1, 0], c[0, 1])
    }

    func testLogDeterminant() throws {
        // [[4, 2], [2, 3]]: det 8.
        XCTAssertEqual(try Matrix(rows: 2, columns: 2, values: [4, 2, 2, 3]).logDeterminantSPD(), log(8), accuracy: 1e-12)
        let diag = Matrix(rows: 3, columns: 3, values: [2, 0, 0, 0, 3, 0, 0, 0, 5])
        XCTAssertEqual(try diag.logDeterminantSPD(), log(30), accuracy: 1e-12)
        XCTAssertThrowsError(try Matrix(rows: 2, columns: 2, values: [1, 2, 2, 1]).logDeterminantSPD())
    }

    func testSubmatrixAndConcatenation() {
        let a = Matrix(rows: 2, columns: 1, values: [1, 2]), b = Matrix(rows: 2, columns: 2, values: [3, 4, 5, 6])
        let ab = Matrix.concatenatingColumns(a, b)
        XCTAssertEqual(ab.values, [1, 3, 4, 2, 5, 6])
        XCTAssertEqual(ab.submatrix(rows: 1..<2, columns: 1..<3).values, [5, 6])
    }
}
