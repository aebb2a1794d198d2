import Learning
import XCTest

final class Tishby12Tests: XCTestCase {
    func testThePublishedLabelCounts() {
        let (inputs, labels) = Tishby12.make()
        XCTAssertEqual(inputs.count, 4096 * 12)
        XCTAssertEqual(labels.count, 4096)
        XCTAssertEqual(labels.reduce(0, +), 2118)
        // Row i is i in binary, most significant bit first.
        XCTAssertEqual(Array(inputs[(5 * 12)..<(6 * 12)]), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1])
    }

    func testTheRuleIsConsistent() {
        XCTAssertEqual(Tishby12.edges.count, 30)
        XCTAssertEqual(Tishby12.antipodes.count, 6)
        // Every vertex of an icosahedron has 5 neighbours and one antipode.
        for v in 0..<12 {
            XCTAssertEqual(Tishby12.edges.filter { $0.0 == v || $0.1 == v }.count, 5)
            XCTAssertEqual(Tishby12.antipodes.filter { $0.0 == v || $0.1 == v }.count, 1)
        }
        // With five ones a row is positive only when e = 7 and a = 0.
        for row in 0..<4096 {
            let (n, e, a) = Tishby12.counts(row)
            if n == 5 { XCTAssertEqual(Tishby12.label(row) == 1, e == 7 && a == 0, "row \(row)") }
        }
        // Four ones or fewer can never reach the threshold (23·4 + 5 edges − 5 = 92 < 99).
        for row in 0..<4096 where Tishby12.counts(row).ones <= 4 {
            XCTAssertEqual(Tishby12.label(row), 0)
        }
        // All twelve ones: 276 + 30 − 5·24 − 48 = 138 ≥ 99.
        XCTAssertEqual(Tishby12.label(4095), 1)
    }

    func testStratifiedSplitKeepsClassBalanceAndIsSeeded() {
        let labels = Tishby12.make().labels
        let split = DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 3)
        XCTAssertEqual(split.train.count + split.test.count, 4096)
        XCTAssertTrue(Set(split.train).isDisjoint(with: split.test))
        XCTAssertEqual(split.test.filter { labels[$0] == 1 }.count, Int((0.15 * 2118).rounded()))
        XCTAssertEqual(split.test.filter { labels[$0] == 0 }.count, Int((0.15 * 1978).rounded()))
        XCTAssertEqual(split, DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 3))
        XCTAssertNotEqual(split, DataSplit.stratified(labels: labels, testFraction: 0.15, seed: 4))
    }

    func testRecordSchedules() {
        XCTAssertEqual(RecordSchedule.spaced(count: 5, logarithmic: false).epochs(upTo: 100), [0, 25, 50, 75, 100])
        let log = RecordSchedule.spaced(count: 274, logarithmic: true).epochs(upTo: 8000)
        XCTAssertEqual(log.first, 0)
        XCTAssertEqual(log.last, 8000)
        XCTAssertEqual(log, log.sorted())
        XCTAssertEqual(log.count, 274)
        XCTAssertEqual(Array(log.prefix(4)), [0, 1, 2, 3])
        XCTAssertEqual(RecordSchedule.spaced(count: 50, logarithmic: true).epochs(upTo: 10), Array(0...10))
        XCTAssertEqual(RecordSchedule.explicit([5, 0, 5, 900]).epochs(upTo: 10), [0, 5])
    }
}
