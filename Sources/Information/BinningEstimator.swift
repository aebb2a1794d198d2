/// Mutual information of a deterministic layer by binning (Shwartz-Ziv & Tishby 2017):
/// each unit's activation is put in one of `bins` equal-width bins, each row becomes a pattern
/// of bin indices, and entropies are those of the pattern frequencies.
///
/// With X uniform over distinct inputs and T a function of X, I(X;T) = H(T); and
/// I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y). Values are in nats.
///
/// Patterns are counted, per class too, in one pass with an open-addressing hash table of twice
/// the rows, and each entropy is log n − (1/n) Σ c log c over the patterns' counts c, summed in
/// order of the patterns' first appearance (so the same rows give the same bits).
public struct BinningEstimator: Sendable {
    public var bins: Int

    public init(bins: Int = 30) {
        precondition(bins >= 1)
        self.bins = bins
    }

    public struct Estimate: Sendable, Equatable {
        public var ixt: Double
        public var ity: Double

        public init(ixt: Double, ity: Double) {
            self.ixt = ixt
            self.ity = ity
        }
    }

    /// - Parameters:
    ///   - activations: `rows × width`, row-major.
    ///   - labels: one class per row.
    ///   - range: the interval split into bins; values outside are clipped into the end bins.
    public func estimate(_ activations: UnsafeBufferPointer<Float>, rows: Int, width: Int, labels: [Int],
                         range: ClosedRange<Double>) -> Estimate {
        precondition(activations.count >= rows * width && labels.count == rows)
        guard rows > 0 else { return Estimate(ixt: 0, ity: 0) }
        let codes = patterns(activations, rows: rows, width: width, range: range)
        let classes = KDEEstimator.denseClasses(labels)
        let classCount = classes.sizes.count

        // Distinct codes with their counts in all rows and per class, in order of first appearance.
        var capacity = 16
        while capacity < 2 * rows { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        var distinct = [UInt64](repeating: 0, count: rows)
        var counts = [Int32](repeating: 0, count: rows * (classCount + 1))
        var distinctCount = 0
        slots.withUnsafeMutableBufferPointer { slots in
            distinct.withUnsafeMutableBufferPointer { distinct in
                counts.withUnsafeMutableBufferPointer { counts in
                    for r in 0..<rows {
                        let code = codes[r]
                        var slot = Int(truncatingIfNeeded: (code &* 0x9E37_79B9_7F4A_7C15) >> 20) & (capacity - 1)
                        var e = Int(slots[slot])
                        while e >= 0 && distinct[e] != code {
                            slot = (slot + 1) & (capacity - 1)
                            e = Int(slots[slot])
                        }
                        if e < 0 {
                            e = distinctCount
                            slots[slot] = Int32(e)
                            distinct[e] = code
                            distinctCount += 1
                        }
                        counts[e * (classCount + 1)] += 1
                        counts[e * (classCount + 1) + 1 + classes.index[r]] += 1
                    }
                }
            }
        }
        // H = log n − (1/n) Σ_pattern c log c over the patterns' counts c, and the same within
        // each class; c log c from a table.
        var total = 0.0
        var within = [Double](repeating: 0, count: classCount)
        for e in 0..<distinctCount {
            total += Self.countTimesLog(Int(counts[e * (classCount + 1)]))
            for c in 0..<classCount {
                within[c] += Self.countTimesLog(Int(counts[e * (classCount + 1) + 1 + c]))
            }
        }
        let n = Double(rows)
        let entropy = max(0, _logarithm(n) - total / n)
        var conditional = 0.0
        for c in 0..<classCount {
            let size = Double(classes.sizes[c])
            conditional += size / n * max(0, _logarithm(size) - within[c] / size)
        }
        return Estimate(ixt: entropy, ity: entropy - conditional)
    }

    /// c log c for the counts of up to 2¹⁶ rows, computed once (0 log 0 = 0).
    static let countLogCount: [Double] = (0...(1 << 16)).map { $0 == 0 ? 0 : Double($0) * _logarithm(Double($0)) }

    @inline(__always)
    static func countTimesLog(_ c: Int) -> Double {
        c < countLogCount.count ? countLogCount[c] : Double(c) * _logarithm(Double(c))
    }

    /// One code per row: the bin indices, packed into 64 bits when they fit, else the rows'
    /// patterns numbered in order of first appearance (exactly, by an open-addressing table).
    func patterns(_ a: UnsafeBufferPointer<Float>, rows: Int, width: Int, range: ClosedRange<Double>) -> [UInt64] {
        let low = Float(range.lowerBound)
        let span = Float(range.upperBound - range.lowerBound)
        let scale = span > 0 ? Float(bins) / span : 0
        let last = Float(bins - 1)
        var bitsPerUnit = 1
        while (1 << bitsPerUnit) < bins { bitsPerUnit += 1 }
        @inline(__always) func binIndex(_ v: Float) -> UInt64 {
            // Clamped in Float first, so that NaN (bin 0) and huge values never trap; on
            // [0, last] truncation is the floor, without a call to floorf.
            let x = (v - low) * scale
            return UInt64(x > 0 ? (x < last ? x : last) : 0)
        }
        var codes = [UInt64](repeating: 0, count: rows)
        if width * bitsPerUnit <= 64 && bins <= 1 << 22, let base = a.baseAddress {
            // The bin indices of a chunk of rows 16 values at a time (the same Float steps as
            // `binIndex`, so the same bins), then packed row by row.
            let shift = UInt64(bitsPerUnit)
            let chunkRows = 256
            let chunk = UnsafeMutablePointer<UInt32>.allocate(capacity: chunkRows * width + 16)
            defer { chunk.deallocate() }
            let lows = SIMD16(repeating: low), scales = SIMD16(repeating: scale), lasts = SIMD16(repeating: last)
            codes.withUnsafeMutableBufferPointer { codes in
                for first in stride(from: 0, to: rows, by: chunkRows) {
                    let count = min(chunkRows, rows - first), values = base + first * width
                    var i = 0
                    while i + 16 <= count * width {
                        var x = (UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self) - lows) * scales
                        x = x.replacing(with: 0, where: .!(x .> 0))
                        x = x.replacing(with: lasts, where: .!(x .< lasts))
                        // On [0, 2²²] truncation, and then 2²³ added, leave the integer in the low mantissa bits.
                        let bits = unsafeBitCast(x.rounded(.towardZero) + 0x1p23, to: SIMD16<UInt32>.self) & 0x7F_FFFF
                        UnsafeMutableRawPointer(chunk + i).storeBytes(of: bits, as: SIMD16<UInt32>.self)
                        i += 16
                    }
                    while i < count * width {
                        chunk[i] = UInt32(truncatingIfNeeded: binIndex(values[i]))
                        i += 1
                    }
                    for r in 0..<count {
                        var code: UInt64 = 0
                        for u in 0..<width { code = code << shift | UInt64(chunk[r &* width &+ u]) }
                        codes[first + r] = code
                    }
                }
            }
            return codes
        }
        if width * bitsPerUnit <= 64 {
            let shift = UInt64(bitsPerUnit)
            for r in 0..<rows {
                var code: UInt64 = 0
                for u in 0..<width { code = code << shift | binIndex(a[r * width + u]) }
                codes[r] = code
            }
            return codes
        }
        // Wide layers: number the distinct patterns exactly.
        var pattern = [UInt16](repeating: 0, count: rows * width)
        for i in 0..<(rows * width) { pattern[i] = UInt16(binIndex(a[i])) }
        var capacity = 16
        while capacity < 2 * rows { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        var firstRow: [Int] = []
        for r in 0..<rows {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for u in 0..<width { hash = (hash ^ UInt64(pattern[r * width + u])) &* 0x100_0000_01B3 }
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (capacity - 1)
            while true {
                let e = Int(slots[slot])
                if e < 0 {
                    slots[slot] = Int32(firstRow.count)
                    codes[r] = UInt64(firstRow.count)
                    firstRow.append(r)
                    break
                }
                let q = firstRow[e]
                if (0..<width).allSatisfy({ pattern[q * width + $0] == pattern[r * width + $0] }) {
                    codes[r] = UInt64(e)
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
        }
        return codes
    }
}
