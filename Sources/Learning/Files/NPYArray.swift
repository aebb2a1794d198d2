import Foundation

/// A NumPy `.npy` file (format versions 1.0 to 3.0): little-endian or single-byte numbers,
/// C or Fortran order, any shape. Values come back as Float64 in C (row-major) order.
public struct NPYArray: Sendable {
    public var shape: [Int]
    public var values: [Double]

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func parse(_ bytes: [UInt8]) throws -> NPYArray {
        guard bytes.count >= 10, Array(bytes.prefix(6)) == magic else {
            throw FileFormatError("not an NPY file (the first bytes are not \\x93NUMPY)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FileFormatError("the NPY header is cut short") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw FileFormatError("NPY format version \(major).\(bytes[7]) is not supported (1.0 to 3.0 are)")
        }
        guard headerStart + headerLength <= bytes.count else { throw FileFormatError("the NPY header is cut short") }
        guard let header = String(validating: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self) else {
            throw FileFormatError("the NPY header is not text")
        }
        let trimmed = header.trimmingCharacters(in: " \n")
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}") else {
            throw FileFormatError("the NPY header is not a dictionary {'descr': …, 'fortran_order': …, 'shape': …}")
        }
        let descr = try field("descr", in: header)
        let fortran = try field("fortran_order", in: header)
        let shapeText = try field("shape", in: header)
        guard fortran == "True" || fortran == "False" else { throw FileFormatError("the NPY header's fortran_order is '\(fortran)'") }
        let dims = shapeText.trimmingCharacters(in: "()").split(separator: ",").map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let n = Int(d), n >= 0 else { throw FileFormatError("the NPY shape \(shapeText) is not a list of sizes") }
            shape.append(n)
        }
        let type = descr.trimmingCharacters(in: "'\"")
        guard let width = elementWidth(type) else {
            throw FileFormatError("NPY element type '\(type)' is not supported (use little-endian floats or integers, such as <f8, <f4, <i8, |u1)")
        }
        let dataStart = headerStart + headerLength
        guard let count = FileFormatError.elementCount(shape), count <= (bytes.count - dataStart) / max(width, 1) else {
            throw FileFormatError("the NPY data is cut short: shape \(shape) needs more than the \(bytes.count - dataStart) bytes the file has")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count { values[i] = read(type, raw, dataStart + i * width) }
        }
        if fortran == "True", shape.count > 1 { values = fortranToC(values, shape: shape) }
        return NPYArray(shape: shape, values: values)
    }

    static func field(_ name: String, in header: String) throws -> String {
        guard let range = header.range(of: "'\(name)'") ?? header.range(of: "\"\(name)\"") else {
            throw FileFormatError("the NPY header has no '\(name)'")
        }
        var rest = header[range.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { throw FileFormatError("the NPY header's \(name) is not closed") }
            return String(rest[...close])
        }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return String(rest).trimmingCharacters()
    }

    static func elementWidth(_ type: String) -> Int? {
        switch type {
        case "<f8", "<i8", "<u8": return 8
        case "<f4", "<i4", "<u4": return 4
        case "<i2", "<u2": return 2
        case "|u1", "|i1", "<u1", "<i1", "|b1": return 1
        default: return nil
        }
    }

    static func read(_ type: String, _ raw: UnsafeRawBufferPointer, _ offset: Int) -> Double {
        switch type {
        case "<f8": return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        case "<f4": return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
        case "<i8": return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
        case "<u8": return Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        case "<i4": return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        case "<u4": return Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        case "<i2": return Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
        case "<u2": return Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        case "|i1", "<i1": return Double(Int8(bitPattern: raw[offset]))
        default: return Double(raw[offset])
        }
    }

    static func fortranToC(_ values: [Double], shape: [Int]) -> [Double] {
        let count = values.count
        var out = [Double](repeating: 0, count: count)
        var cStrides = [Int](repeating: 1, count: shape.count), fStrides = cStrides
        for d in stride(from: shape.count - 2, through: 0, by: -1) { cStrides[d] = cStrides[d + 1] * shape[d + 1] }
        for d in 1..<shape.count { fStrides[d] = fStrides[d - 1] * shape[d - 1] }
        for c in 0..<count {
            var rest = c, f = 0
            for d in 0..<shape.count { f += (rest / cStrides[d]) * fStrides[d]; rest %= cStrides[d] }
            out[c] = values[f]
        }
        return out
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self).drop { set.contains($0) || $0 == " " }
        while let last = s.last, set.contains(last) || last == " " { s.removeLast() }
        return String(s)
    }
}
