import Foundation
@testable import Information
import XCTest

/// `LogSum` against adding libm logarithms one by one.
final class LogSumTests: XCTestCase {
    func testMatchesAddedLogarithms() {
        var state: UInt64 = 29
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        // More than the 512 terms between renormalisations; values from 1e-12 to 1e12, counts
        // of 1 (the product) and more (their own logarithm), and a subnormal term.
        var sum = LogSum(), reference = 0.0
        for i in 0..<5000 {
            let x = pow(10, 24 * next() - 12), count = i % 7 == 0 ? 3 : 1
            sum.add(x, count: count)
            reference += Double(count) * log(x)
        }
        let subnormal = Double.leastNormalMagnitude / 4
        sum.add(subnormal)
        reference += log(subnormal)
        XCTAssertEqual(sum.value, reference, accuracy: 1e-11 * abs(reference))
        XCTAssertEqual(LogSum().value, 0)
    }

    func testPowersOfTwoAreExact() {
        var sum = LogSum()
        for k in -600...600 { sum.add(pow(2, Double(k))) }
        XCTAssertEqual(sum.value, 0, accuracy: 1e-12)
        var half = LogSum()
        for _ in 0..<2000 { half.add(0.5) }
        XCTAssertEqual(half.value, -2000 * log(2.0), accuracy: 1e-12)
    }

    /// `LogSum4`'s lanes give the bits of four LogSums fed the same terms, across
    /// renormalisations, counts and subnormal terms in some lanes only.
    func testFourLanesMatchFourLogSums() {
        var state: UInt64 = 31
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        var four = LogSum4(), sums = [LogSum](repeating: LogSum(), count: 4)
        for i in 0..<3000 {
            var x = SIMD4<Double>()
            for lane in 0..<4 { x[lane] = pow(10, 24 * next() - 12) }
            if i == 700 { x[1] = Double.leastNonzeroMagnitude }
            if i == 1500 { x[2] = Double.leastNormalMagnitude / 4 }
            if i == 2100 { x[3] = Double.leastNormalMagnitude / 2 }
            let count = i % 11 == 0 ? 2 : 1
            four.add(x, count: count)
            for lane in 0..<4 { sums[lane].add(x[lane], count: count) }
        }
        let values = four.value
        for lane in 0..<4 { XCTAssertEqual(values[lane].bitPattern, sums[lane].value.bitPattern, "lane \(lane)") }
    }
}
