import Engine
import Foundation
import XCTest

final class ValueTests: XCTestCase {
    func testJSONRoundTripKeepsIntegersApartFromDoubles() throws {
        let value: Value = ["i": 1, "d": 1.0, "tiny": 1e-300, "neg": -2.5, "s": "a\"b\\c\n<é>", "n": .null,
                            "list": [1, 2.0, "x", true], "nested": ["k": [1, 2]]]
        let text = JSON.encode(value)
        XCTAssertEqual(try JSON.decode(text), value)
        XCTAssertEqual(try JSON.decode(JSON.encode(value, pretty: true)), value)
        XCTAssertTrue(text.contains("\"d\":1.0"))
        XCTAssertTrue(text.contains("\"i\":1,"))
        XCTAssertFalse(text.contains("<"), "JSON must be safe to embed in HTML")
    }

    func testJSONIsCanonical() {
        XCTAssertEqual(JSON.encode(["b": 1, "a": 2]), "{\"a\":2,\"b\":1}")
        XCTAssertEqual(JSON.encode(.double(.nan)), "null")
    }

    func testJSONRejectsGarbage() {
        for bad in ["", "{", "[1,", "\"abc", "{\"a\" 1}", "tru", "1 2", "{1:2}"] {
            XCTAssertThrowsError(try JSON.decode(bad), bad)
        }
    }

    func testNumberFormatting() {
        XCTAssertEqual(NumberFormatting.format(0), "0")
        XCTAssertEqual(NumberFormatting.format(1), "1.00")
        XCTAssertEqual(NumberFormatting.format(0.2), "0.200")
        XCTAssertEqual(NumberFormatting.format(12.345), "12.3")
        XCTAssertEqual(NumberFormatting.format(9.9996), "10.0")
        XCTAssertEqual(NumberFormatting.format(-0.01352), "-0.0135")
        XCTAssertEqual(NumberFormatting.format(0.000773), "7.73e-4")
        XCTAssertEqual(NumberFormatting.format(1234567), "1.23e6")
        XCTAssertEqual(NumberFormatting.format(123456), "123456")
        XCTAssertEqual(NumberFormatting.format(.nan), "NaN")
    }

    func testCacheEntryFormatRoundTripAndChecksum() throws {
        let output = BlockOutput(values: ["x": 1.5, "name": "é"], arrays: ["a": NumericArray(shape: [3], values: [1, -0.0, .infinity]),
                                                                   "f": NumericArray(shape: [2, 2], floats: [1.5, -2, -.infinity, 3e-30])])
        let bytes = BlockCache.encodeForTesting(output, key: "k", seconds: 0.25)
        let entry = try BlockCache.decodeForTesting(bytes, key: "k")
        XCTAssertEqual(entry.output, output)
        XCTAssertEqual(entry.seconds, 0.25)
        XCTAssertThrowsError(try BlockCache.decodeForTesting(bytes, key: "other"))
        for index in [0, 12, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[index] ^= 0x01
            XCTAssertThrowsError(try BlockCache.decodeForTesting(damaged, key: "k"), "byte \(index)")
        }
        XCTAssertThrowsError(try BlockCache.decodeForTesting(Array(bytes.prefix(20)), key: "k"))
        // The results alone, from the bytes up to the header's checksum: verified, no arrays.
        let headerLength = bytes[9..<17].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let prefix = Array(bytes.prefix(17 + headerLength + 32))
        let light = try BlockCache.decodeForTesting(prefix, key: "k", arrays: false)
        XCTAssertEqual(light.output.values, output.values)
        XCTAssertTrue(light.output.arrays.isEmpty)
        XCTAssertFalse(light.hasArrays)
        var damagedHeader = prefix
        damagedHeader[20] ^= 0x01
        XCTAssertThrowsError(try BlockCache.decodeForTesting(damagedHeader, key: "k", arrays: false))
        XCTAssertThrowsError(try BlockCache.decodeForTesting(prefix, key: "k"), "the arrays are not in a prefix")
        // NaN survives too (it equals nothing, so it is checked on its own).
        let nan = BlockOutput(arrays: ["n": NumericArray(shape: [2], floats: [.nan, 1])])
        let back = try BlockCache.decodeForTesting(BlockCache.encodeForTesting(nan, key: "n", seconds: 0), key: "n")
        XCTAssertTrue(back.output.arrays["n"]!.floats[0].isNaN)
    }
}
