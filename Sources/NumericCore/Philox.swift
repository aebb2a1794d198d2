/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011):
/// a counter-based generator. The n-th output of a stream is a pure function of
/// (key, counter = n), so streams are reproducible however work is split across threads.
public struct Philox4x32: Sendable {
    public typealias Counter = (UInt32, UInt32, UInt32, UInt32)
    public typealias Key = (UInt32, UInt32)

    static let m0: UInt32 = 0xD251_1F53
    static let m1: UInt32 = 0xCD9E_8D57
    static let w0: UInt32 = 0x9E37_79B9
    static let w1: UInt32 = 0xBB67_AE85

    /// The ten-round bijection of one counter under one key.
    public static func block(_ counter: Counter, key: Key) -> Counter {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 { k = (k.0 &+ w0, k.1 &+ w1) }
            let p0 = UInt64(m0) * UInt64(c.0)
            let p1 = UInt64(m1) * UInt64(c.2)
            c = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0))
        }
        return c
    }

    /// The blocks of four consecutive counters (low, high word of `first` + 0…3; the stream's
    /// two words), lane b holding word w of block first + b in `.w`: the same bijection as
    /// `block`, four at a time in vector registers.
    @inline(__always)
    static func fourBlocks(first: UInt64, stream: (UInt32, UInt32), key: Key)
        -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        let counters = SIMD4<UInt64>(repeating: first) &+ SIMD4(0, 1, 2, 3)
        var c0 = SIMD4<UInt32>(truncatingIfNeeded: counters), c1 = SIMD4<UInt32>(truncatingIfNeeded: counters &>> 32)
        var c2 = SIMD4<UInt32>(repeating: stream.0), c3 = SIMD4<UInt32>(repeating: stream.1)
        var k = key
        for round in 0..<10 {
            if round > 0 { k = (k.0 &+ w0, k.1 &+ w1) }
            let p0 = SIMD4<UInt64>(truncatingIfNeeded: c0) &* UInt64(m0)
            let p1 = SIMD4<UInt64>(truncatingIfNeeded: c2) &* UInt64(m1)
            (c0, c1, c2, c3) = (SIMD4<UInt32>(truncatingIfNeeded: p1 &>> 32) ^ c1 ^ k.0, SIMD4<UInt32>(truncatingIfNeeded: p1),
                                SIMD4<UInt32>(truncatingIfNeeded: p0 &>> 32) ^ c3 ^ k.1, SIMD4<UInt32>(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }
}

/// A stream of random numbers named by (seed, stream name): the same pair gives the same
/// numbers on every machine and thread count.
public struct RandomStream: Sendable {
    private let key: Philox4x32.Key
    private let streamID: UInt64
    /// The next block to compute.
    private var index: UInt64 = 0
    /// Four blocks' outputs (computed together, in vector registers), handed out in order:
    /// block by block, each block's words .0, .1, .2, .3.
    private var words = SIMD16<UInt32>()
    private var used = 16
    private var spareNormal: Double?

    public init(seed: UInt64, stream: String = "") {
        self.init(seed: seed, streamID: RandomStream.streamID(stream))
    }

    public init(seed: UInt64, streamID: UInt64) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        self.streamID = streamID
    }

    /// FNV-1a of the name: stream names only need to differ, not to be secret.
    public static func streamID(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        if used == 16 { refill() }
        defer { used += 1 }
        return words[used]
    }

    /// The next four blocks.
    @inline(never)
    private mutating func refill() {
        let (c0, c1, c2, c3) = Philox4x32.fourBlocks(first: index, stream: (UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32)), key: key)
        let low = SIMD8(lowHalf: c0, highHalf: c1), high = SIMD8(lowHalf: c2, highHalf: c3)
        // Lanes (block b, word w) at 4w + b become 4b + w.
        let interleaved = SIMD16(lowHalf: low, highHalf: high)
        words = SIMD16(interleaved[0], interleaved[4], interleaved[8], interleaved[12], interleaved[1], interleaved[5], interleaved[9], interleaved[13],
                       interleaved[2], interleaved[6], interleaved[10], interleaved[14], interleaved[3], interleaved[7], interleaved[11], interleaved[15])
        index &+= 4
        used = 0
    }

    @inline(__always)
    public mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// Uniform on [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// Standard normal by the Box–Muller transform (both values of each pair are used).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        var u = uniform()
        while u == 0 { u = uniform() }
        let v = uniform()
        let r = (-2 * _log(u)).squareRoot()
        let angle = 2 * Double.pi * v
        spareNormal = r * _sin(angle)
        return r * _cos(angle)
    }

    /// Uniform integer in 0..<bound, without modulo bias (Lemire's method).
    @inline(__always)
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = nextUInt64().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = nextUInt64().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            p.withUnsafeMutableBufferPointer { p in
                for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, integer(below: i + 1)) }
            }
        }
        return p
    }
}
