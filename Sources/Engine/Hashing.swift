import Crypto
import Foundation

/// SHA-256 in the forms the engine needs. The one place seeds and cache keys are derived.
public enum Hashing {
    public static func sha256(_ data: some DataProtocol) -> [UInt8] {
        Array(SHA256.hash(data: data))
    }

    public static func sha256Hex(_ text: String) -> String {
        hex(sha256(Data(text.utf8)))
    }

    public static func sha256Hex(data: Data) -> String {
        hex(sha256(data))
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Per-block seeds: a function of the notebook seed and the block id only, so results do not
/// depend on the order blocks run in, on `--jobs`, or on which other blocks exist.
public enum Seeds {
    public static func blockSeed(notebookSeed: Int, blockID: String) -> UInt64 {
        let digest = Hashing.sha256(Data("infoplane-seed-v1\u{0}\(notebookSeed)\u{0}\(blockID)".utf8))
        return digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}

/// The content address of a block's results.
public enum CacheKey {
    /// Bumped when the cache entry format or the key's recipe changes.
    public static let schemaVersion = 2

    /// Hashes the kind, its version, the canonical resolved spec, the keys of the inputs
    /// (so a change upstream reaches every descendant) and the block's seed.
    public static func compute(kind: String, kindVersion: Int, spec: ResolvedSpec,
                               inputKeys: [String: String], seed: UInt64, extra: [String: Value] = [:]) -> String {
        let recipe: Value = .object([
            "schema": .int(schemaVersion),
            "kind": .string(kind),
            "version": .int(kindVersion),
            "spec": spec.canonical,
            "inputs": .object(inputKeys.mapValues(Value.string)),
            "seed": .string(String(seed)),
            "extra": .object(extra),
        ])
        return Hashing.sha256Hex(JSON.encode(recipe))
    }
}
