import Learning
import XCTest

/// Inputs the fuzzer found; each once crashed a reader.
final class FuzzRegressionTests: XCTestCase {
    static let crashes: [[UInt8]] = [
        // IDX header with ten dimensions whose sizes overflow when multiplied.
        Array("AAALCi0KLTEfHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHzpuYS5uYW4KYAo=".base64Decoded!),
    ]

    func testReadersRefuseWhatOnceCrashedThem() {
        for bytes in Self.crashes {
            _ = try? IDXArray.parse(bytes)
            _ = try? NPYArray.parse(bytes)
            if let table = try? CSVTable.parse(bytes), let first = table.header.first {
                _ = try? table.numbers(columns: [first])
                _ = try? table.classes(column: first)
            }
        }
    }
}

extension String {
    var base64Decoded: [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var lookup = [UInt8: UInt32]()
        for (i, c) in alphabet.enumerated() { lookup[c] = UInt32(i) }
        var out: [UInt8] = [], buffer: UInt32 = 0, bits = 0
        for c in utf8 where c != UInt8(ascii: "=") {
            guard let v = lookup[c] else { return nil }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((buffer >> UInt32(bits)) & 0xFF)) }
        }
        return out
    }
}
