@testable import NumericCore
import XCTest

final class PhiloxTests: XCTestCase {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    func testKnownAnswers() {
        let zero = Philox4x32.block((0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox4x32.block((0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF), key: (0xFFFF_FFFF, 0xFFFF_FFFF))
        XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox4x32.block((0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344), key: (0xA409_3822, 0x299F_31D0))
        XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    /// A stream hands out block 0's four words, then block 1's, …: the blocks it computes four at
    /// a time in vector registers are the known-answer `block` of each counter, also across a
    /// counter's low word wrapping into its high word and with a stream ID above 2³².
    func testStreamsAreTheBlocksOfConsecutiveCounters() {
        let seed: UInt64 = 0x1234_5678_9ABC_DEF0, streamID: UInt64 = 0xFEDC_BA98_7654_3210
        var stream = RandomStream(seed: seed, streamID: streamID)
        let words = (0..<4 * 37).map { _ in stream.nextUInt32() }
        let key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        for index in 0..<37 {
            let c = Philox4x32.block((UInt32(index), 0, UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32)), key: key)
            XCTAssertEqual(Array(words[4 * index..<4 * index + 4]), [c.0, c.1, c.2, c.3], "block \(index)")
        }
        // Four counters from 2³² − 2: the low word wraps into the high one between lanes 1 and 2.
        let first: UInt64 = 0xFFFF_FFFE
        let lanes = Philox4x32.fourBlocks(first: first, stream: (UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32)), key: key)
        for b in 0..<4 {
            let counter = first + UInt64(b)
            let c = Philox4x32.block((UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32),
                                      UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32)), key: key)
            XCTAssertEqual([lanes.0[b], lanes.1[b], lanes.2[b], lanes.3[b]], [c.0, c.1, c.2, c.3], "counter \(counter)")
        }
    }

    func testStreamsAreReproducibleAndDistinct() {
        var a = RandomStream(seed: 42, stream: "x"), b = RandomStream(seed: 42, stream: "x")
        var c = RandomStream(seed: 42, stream: "y"), d = RandomStream(seed: 43, stream: "x")
        let sa = (0..<100).map { _ in a.nextUInt32() }
        XCTAssertEqual(sa, (0..<100).map { _ in b.nextUInt32() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in c.nextUInt32() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in d.nextUInt32() })
    }

    func testUniformAndNormalMoments() {
        var r = RandomStream(seed: 1, stream: "moments")
        let n = 200_000
        let u = (0..<n).map { _ in r.uniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let z = (0..<n).map { _ in r.normal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
        // Tails: P(|z| > 2) = 0.0455.
        XCTAssertEqual(Double(z.filter { abs($0) > 2 }.count) / Double(n), 0.0455, accuracy: 0.003)
    }

    func testIntegersAndPermutations() {
        var r = RandomStream(seed: 9)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[r.integer(below: 6)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
        let p = r.permutation(1000)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertNotEqual(p, Array(0..<1000))
    }
}
