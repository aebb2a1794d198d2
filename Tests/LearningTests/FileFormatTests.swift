import Learning
import XCTest

final class FileFormatTests: XCTestCase {
    func testCSVWithQuotesCRLFAndBlankLines() throws {
        let text = "a,\"b, with comma\",label\r\n1,2.5,cat\r\n\r\n\"3\",-4e-1,\"dog\"\n5,6,cat\n"
        let table = try CSVTable.parse(Array(text.utf8))
        XCTAssertEqual(table.header, ["a", "b, with comma", "label"])
        XCTAssertEqual(try table.numbers(columns: ["a", "b, with comma"]), [1, 2.5, 3, -0.4, 5, 6])
        let classes = try table.classes(column: "label")
        XCTAssertEqual(classes.indices, [0, 1, 0])
        XCTAssertEqual(classes.names, ["cat", "dog"])
        XCTAssertEqual(table.lines, [2, 4, 5])
    }

    func testCSVErrorsNameTheLineAndColumn() {
        XCTAssertThrowsError(try CSVTable.parse(Array("a,b\n1,2\n3\n".utf8))) { error in
            XCTAssertEqual((error as? FileFormatError)?.message, "line 3: expected 2 fields as in the header, found 1")
        }
        let table = try! CSVTable.parse(Array("a,b\n1,2\n3,x\n4,nan\n".utf8))
        XCTAssertThrowsError(try table.numbers(columns: ["a", "b"])) { error in
            XCTAssertEqual((error as? FileFormatError)?.message, "line 3, column 'b': 'x' is not a number")
        }
        let nan = try! CSVTable.parse(Array("a\n1\nnan\n".utf8))
        XCTAssertThrowsError(try nan.numbers(columns: ["a"])) { error in
            XCTAssertEqual((error as? FileFormatError)?.message, "line 3, column 'a': nan is not a finite number")
        }
        XCTAssertThrowsError(try table.numbers(columns: ["c"])) { error in
            XCTAssertEqual((error as? FileFormatError)?.message, "no column 'c'; the header has 'a', 'b'")
        }
        XCTAssertThrowsError(try CSVTable.parse(Array("a\n\"open\n".utf8)))
        XCTAssertThrowsError(try CSVTable.parse([]))
        XCTAssertThrowsError(try CSVTable.parse([0xFF, 0xFE]))
    }

    static func npy(descr: String, fortran: Bool = false, shape: [Int], data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        let n = header.utf8.count
        bytes += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0]
        return bytes + Array(header.utf8) + data
    }

    func testNPYFloatIntegerFortranAndVersions() throws {
        let doubles: [Double] = [1, 2, 3, 4, 5, 6]
        let f8 = doubles.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let c = try NPYArray.parse(Self.npy(descr: "<f8", shape: [2, 3], data: f8))
        XCTAssertEqual(c.shape, [2, 3])
        XCTAssertEqual(c.values, doubles)
        // Fortran order: the same bytes are columns, so rows come out transposed.
        let f = try NPYArray.parse(Self.npy(descr: "<f8", fortran: true, shape: [2, 3], data: f8))
        XCTAssertEqual(f.values, [1, 3, 5, 2, 4, 6])
        let i4 = [Int32(-7), 9].flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        XCTAssertEqual(try NPYArray.parse(Self.npy(descr: "<i4", shape: [2], data: i4, version: 2)).values, [-7, 9])
        XCTAssertEqual(try NPYArray.parse(Self.npy(descr: "|u1", shape: [3], data: [0, 128, 255])).values, [0, 128, 255])
    }

    func testNPYErrors() {
        XCTAssertThrowsError(try NPYArray.parse(Array("not numpy at all".utf8)))
        XCTAssertThrowsError(try NPYArray.parse(Self.npy(descr: ">f8", shape: [1], data: [UInt8](repeating: 0, count: 8)))) { error in
            XCTAssertTrue((error as? FileFormatError)?.message.contains("'>f8' is not supported") ?? false)
        }
        XCTAssertThrowsError(try NPYArray.parse(Self.npy(descr: "<f8", shape: [4], data: [UInt8](repeating: 0, count: 8)))) { error in
            XCTAssertTrue((error as? FileFormatError)?.message.contains("cut short") ?? false)
        }
        XCTAssertThrowsError(try NPYArray.parse(Array(Self.npy(descr: "<f8", shape: [1], data: []).prefix(20))))
    }

    func testIDX() throws {
        // 2 images of 2×2 unsigned bytes.
        let bytes: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 255]
        let a = try IDXArray.parse(bytes)
        XCTAssertEqual(a.shape, [2, 2, 2])
        XCTAssertEqual(a.values, [1, 2, 3, 4, 5, 6, 7, 255])
        let floats: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 1] + withUnsafeBytes(of: Float(1.5).bitPattern.bigEndian, Array.init)
        XCTAssertEqual(try IDXArray.parse(floats).values, [1.5])
        XCTAssertThrowsError(try IDXArray.parse([0, 0, 0x08, 1, 0, 0, 0, 9, 1, 2]))
        XCTAssertThrowsError(try IDXArray.parse([1, 2, 3, 4]))
    }
}
