import Learning
import XCTest

final class StandardizationTests: XCTestCase {
    func testFittedRowsGetMeanZeroAndDeviationOneAndUndoRestores() {
        // Three columns: a ramp, a scaled ramp plus offset, a constant.
        let rows = 10
        let values: [Double] = (0..<rows).flatMap { i -> [Double] in [Double(i), 3 * Double(i) + 7, 4] }
        let train = [0, 2, 3, 5, 7, 9]
        let scaling = Standardization(fitting: values, columns: 3, rows: train)
        let ramp = train.map(Double.init)
        let m = ramp.reduce(0, +) / 6
        let sd = (ramp.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 6).squareRoot()
        XCTAssertEqual(scaling.mean, [m, 3 * m + 7, 4])
        XCTAssertEqual(scaling.scale[0], sd, accuracy: 1e-12)
        XCTAssertEqual(scaling.scale[1], 3 * sd, accuracy: 1e-12)
        XCTAssertEqual(scaling.scale[2], 1, "a constant column is only centred")

        let standard = scaling.apply(values)
        for c in 0..<2 {
            let column = train.map { standard[$0 * 3 + c] }
            let mean = column.reduce(0, +) / 6
            XCTAssertEqual(mean, 0, accuracy: 1e-12)
            XCTAssertEqual(column.reduce(0) { $0 + $1 * $1 } / 6, 1, accuracy: 1e-12)
        }
        XCTAssertTrue((0..<rows).allSatisfy { standard[$0 * 3 + 2] == 0 })
        // Test rows are transformed with the training statistics, not their own.
        XCTAssertEqual(standard[1 * 3], (1 - m) / sd, accuracy: 1e-12)
        let restored = scaling.undo(standard)
        for i in values.indices { XCTAssertEqual(restored[i], values[i], accuracy: 1e-12) }
    }
}
