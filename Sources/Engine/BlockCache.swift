import Foundation

/// A content-addressed store of block results on disk (`.infoplane/cache/` by default).
///
/// One file per entry, named by its key. Entries are written to a temporary file and renamed,
/// so an interrupted run never leaves half an entry; each carries a SHA-256 of its bytes that is
/// checked on every read, so a damaged entry is recomputed rather than trusted.
///
/// Layout: `IPCACHE2\n`, header length (UInt64 LE), header JSON, 32 bytes of SHA-256 over
/// everything before them, array bytes (Float64 or Float32 LE), then 32 bytes of SHA-256 over
/// everything before them. The header's own checksum lets a run read only the small results of
/// a cached block (what reports need) and leave its arrays (recordings: megabytes) on disk
/// unless a block that runs needs them.
public struct BlockCache: Sendable {
    public var directory: URL
    static let magic = Array("IPCACHE2\n".utf8)

    public init(directory: URL) {
        self.directory = directory
    }

    public struct Entry: Sendable {
        public var output: BlockOutput
        /// Compute time when the entry was made.
        public var seconds: Double
        /// False when only the results were read (`load(key:arrays: false)`): `output.arrays` is empty.
        public var hasArrays = true
        /// The arrays' shapes by name, known from the header even when the arrays were not read.
        public var arrayShapes: [String: [Int]] = [:]
    }

    public enum LoadResult: Sendable {
        case hit(Entry)
        case miss
        /// The entry exists but cannot be trusted; it has been removed.
        case corrupt(String)
    }

    func url(for key: String) -> URL {
        directory.appendingPathComponent(String(key.prefix(2)), isDirectory: true)
            .appendingPathComponent(key + ".entry")
    }

    /// The entry of `key`; with `arrays: false` only its results (values), read and verified
    /// without touching the array bytes.
    public func load(key: String, arrays: Bool = true) -> LoadResult {
        let file = url(for: key)
        let bytes: [UInt8]
        if arrays {
            guard let data = try? Data(contentsOf: file) else { return .miss }
            bytes = Array(data)
        } else {
            guard let handle = try? FileHandle(forReadingFrom: file) else { return .miss }
            defer { try? handle.close() }
            let prefix = (try? handle.read(upToCount: Self.magic.count + 8)).map(Array.init) ?? []
            var length: UInt64 = 0
            if prefix.count == Self.magic.count + 8 {
                for i in 0..<8 { length |= UInt64(prefix[Self.magic.count + i]) << (8 * UInt64(i)) }
            }
            let rest = length < 1 << 32 ? (try? handle.read(upToCount: Int(length) + 32)).map(Array.init) ?? [] : []
            bytes = prefix + rest
        }
        do {
            return .hit(try Self.decode(bytes, key: key, arrays: arrays))
        } catch {
            try? FileManager.default.removeItem(at: file)
            return .corrupt("\(error)")
        }
    }

    public func store(key: String, output: BlockOutput, seconds: Double) throws {
        let file = url(for: key)
        let folder = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = Self.encode(output, key: key, seconds: seconds)
        let temporary = folder.appendingPathComponent(".\(key).\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        try Data(bytes).write(to: temporary)
        if rename(temporary.path, file.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename cache entry: \(String(cString: strerror(code)))"])
        }
    }

    /// Removes every entry.
    public func clear() throws {
        if FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
    }

    // MARK: - Format

    static func encode(_ output: BlockOutput, key: String, seconds: Double) -> [UInt8] {
        var arraysMeta: [Value] = []
        var payload: [UInt8] = []
        for name in output.arrays.keys.sorted() {
            let array = output.arrays[name]!
            let offset = payload.count
            let dtype: String
            switch array.storage {
            case .float64(let values):
                dtype = "f8"
                payload.reserveCapacity(payload.count + values.count * 8)
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
            case .float32(let values):
                dtype = "f4"
                payload.reserveCapacity(payload.count + values.count * 4)
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
            }
            arraysMeta.append(.object([
                "name": .string(name),
                "shape": .array(array.shape.map(Value.int)),
                "dtype": .string(dtype),
                "offset": .int(offset),
            ]))
        }
        let header: [String: Value] = [
            "key": .string(key),
            "seconds": .double(seconds),
            "values": .object(output.values),
            "arrays": .array(arraysMeta),
        ]
        let headerBytes = Array(JSON.encode(.object(header)).utf8)
        var bytes = magic
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += headerBytes
        bytes += Hashing.sha256(bytes)
        bytes += payload
        bytes += Hashing.sha256(bytes)
        return bytes
    }

    struct CorruptEntry: Error, CustomStringConvertible {
        var description: String
    }

    /// With `arrays: false`, `bytes` may end after the header's checksum.
    static func decode(_ bytes: [UInt8], key: String, arrays loadArrays: Bool = true) throws -> Entry {
        guard bytes.count >= magic.count + 8 + 32, Array(bytes.prefix(magic.count)) == magic else {
            throw CorruptEntry(description: "not a cache entry")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[magic.count + i]) << (8 * UInt64(i)) }
        let headerStart = magic.count + 8
        guard length <= UInt64(bytes.count - headerStart - 32) else { throw CorruptEntry(description: "bad header length") }
        let headerEnd = headerStart + Int(length)
        guard Hashing.sha256(bytes[..<headerEnd]) == Array(bytes[headerEnd..<(headerEnd + 32)]) else {
            throw CorruptEntry(description: "header checksum mismatch")
        }
        let header = try JSON.decode(String(decoding: bytes[headerStart..<headerEnd], as: UTF8.self))
        guard header["key"]?.stringValue == key, case .object(let values)? = header["values"],
              let seconds = header["seconds"]?.doubleValue, let meta = header["arrays"]?.arrayValue else {
            throw CorruptEntry(description: "header does not match its key")
        }
        var shapes: [String: [Int]] = [:]
        for item in meta {
            if let name = item["name"]?.stringValue, let shape = item["shape"]?.arrayValue?.compactMap(\.intValue) { shapes[name] = shape }
        }
        guard loadArrays else { return Entry(output: BlockOutput(values: values), seconds: seconds, hasArrays: false, arrayShapes: shapes) }
        guard bytes.count >= headerEnd + 64 else { throw CorruptEntry(description: "truncated") }
        let body = bytes[..<(bytes.count - 32)]
        guard Hashing.sha256(body) == Array(bytes.suffix(32)) else { throw CorruptEntry(description: "checksum mismatch") }
        let payloadStart = headerEnd + 32
        let payloadCount = body.count - payloadStart
        var arrays: [String: NumericArray] = [:]
        for item in meta {
            guard let name = item["name"]?.stringValue, let offset = item["offset"]?.intValue,
                  let shape = item["shape"]?.arrayValue?.compactMap(\.intValue) else { throw CorruptEntry(description: "bad array header") }
            let count = shape.reduce(1, *)
            let wide = item["dtype"]?.stringValue != "f4"
            let width = wide ? 8 : 4
            guard shape.allSatisfy({ $0 >= 0 }), offset >= 0, count >= 0, offset + count * width <= payloadCount else {
                throw CorruptEntry(description: "array out of bounds")
            }
            let base = payloadStart + offset
            if wide {
                var values = [Double](repeating: 0, count: count)
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count {
                        values[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + i * 8, as: UInt64.self)))
                    }
                }
                arrays[name] = NumericArray(shape: shape, values: values)
            } else {
                var values = [Float](repeating: 0, count: count)
                bytes.withUnsafeBytes { raw in
                    for i in 0..<count {
                        values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + i * 4, as: UInt32.self)))
                    }
                }
                arrays[name] = NumericArray(shape: shape, floats: values)
            }
        }
        return Entry(output: BlockOutput(values: values, arrays: arrays), seconds: seconds, arrayShapes: shapes)
    }
}

extension BlockCache {
    /// The entry format, exposed for tests of its checksum and round trip.
    public static func encodeForTesting(_ output: BlockOutput, key: String, seconds: Double) -> [UInt8] {
        encode(output, key: key, seconds: seconds)
    }

    public static func decodeForTesting(_ bytes: [UInt8], key: String, arrays: Bool = true) throws -> Entry {
        try decode(bytes, key: key, arrays: arrays)
    }
}
