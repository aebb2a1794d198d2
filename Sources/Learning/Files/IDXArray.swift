/// The IDX format of the MNIST files: two zero bytes, a type byte, the number of dimensions,
/// then each size and the data, big-endian.
public struct IDXArray: Sendable {
    public var shape: [Int]
    public var values: [Double]

    public static func parse(_ bytes: [UInt8]) throws -> IDXArray {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw FileFormatError("not an IDX file (it does not start with two zero bytes)")
        }
        let type = bytes[2], dims = Int(bytes[3])
        let width: Int
        switch type {
        case 0x08, 0x09: width = 1
        case 0x0B: width = 2
        case 0x0C, 0x0D: width = 4
        case 0x0E: width = 8
        default: throw FileFormatError("IDX type 0x\(String(type, radix: 16)) is not one of the format's six")
        }
        guard dims >= 1, bytes.count >= 4 + 4 * dims else { throw FileFormatError("the IDX header is cut short") }
        var shape: [Int] = []
        for d in 0..<dims {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let start = 4 + 4 * dims
        guard let count = FileFormatError.elementCount(shape), count <= (bytes.count - start) / width else {
            throw FileFormatError("the IDX data is cut short: shape \(shape) needs more than the \(bytes.count - start) bytes the file has")
        }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let o = start + i * width
            var bits: UInt64 = 0
            for k in 0..<width { bits = bits << 8 | UInt64(bytes[o + k]) }
            switch type {
            case 0x08: values[i] = Double(bytes[o])
            case 0x09: values[i] = Double(Int8(bitPattern: bytes[o]))
            case 0x0B: values[i] = Double(Int16(bitPattern: UInt16(bits)))
            case 0x0C: values[i] = Double(Int32(bitPattern: UInt32(bits)))
            case 0x0D: values[i] = Double(Float(bitPattern: UInt32(bits)))
            default: values[i] = Double(bitPattern: bits)
            }
        }
        return IDXArray(shape: shape, values: values)
    }
}
