/// Mutual information of a deterministic layer by binning (Shwartz-Ziv & Tishby 2017):
/// each unit's activation is put in one of `bins` equal-width bins, each row becomes a pattern
/// of bin indices, and entropies are those of the pattern frequencies.
///
/// With X uniform over distinct inputs and T a function of X, I(X;T) = H(T); and
/// I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y). Values are in nats.
///
/// Patterns are counted, per class too, in one pass with an open-addressing hash table of twice
/// the rows; only the distinct patterns are then sorted, so that the entropy terms are summed in
/// ascending pattern order (the same order, and the same bits, as sorting all the rows).
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

        // Distinct codes with their counts in all rows and per class.
        var capacity = 16
        while capacity < 2 * rows { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        var distinct: [UInt64] = []
        distinct.reserveCapacity(rows)
        var counts = [Int32](repeating: 0, count: rows * (classCount + 1))
        func find(_ code: UInt64) -> (slot: Int, entry: Int) {
            var slot = Int(truncatingIfNeeded: (code &* 0x9E37_79B9_7F4A_7C15) >> 20) & (capacity - 1)
            while true {
                let e = Int(slots[slot])
                if e < 0 || distinct[e] == code { return (slot, e) }
                slot = (slot + 1) & (capacity - 1)
            }
        }
        for r in 0..<rows {
            var (slot, e) = find(codes[r])
            if e < 0 {
                e = distinct.count
                slots[slot] = Int32(e)
                distinct.append(codes[r])
            }
            counts[e * (classCount + 1)] += 1
            counts[e * (classCount + 1) + 1 + classes.index[r]] += 1
        }
        let order = Self.radixSorted(distinct)
        var total = 0.0
        var within = [Double](repeating: 0, count: classCount)
        let n = Double(rows)
        for code in order {
            let e = find(code).entry
            let p = Double(counts[e * (classCount + 1)]) / n
            total -= p * _logarithm(p)
            for c in 0..<classCount {
                let k = counts[e * (classCount + 1) + 1 + c]
                if k > 0 {
                    let q = Double(k) / Double(classes.sizes[c])
                    within[c] -= q * _logarithm(q)
                }
            }
        }
        var conditional = 0.0
        for c in 0..<classCount { conditional += Double(classes.sizes[c]) / n * within[c] }
        return Estimate(ixt: total, ity: total - conditional)
    }

    /// The codes in ascending order: least significant digit first, 11 bits a pass, only as
    /// many passes as the largest code needs.
    static func radixSorted(_ codes: [UInt64]) -> [UInt64] {
        var largest: UInt64 = 0
        for c in codes { largest |= c }
        var source = codes, target = [UInt64](repeating: 0, count: codes.count)
        var shift: UInt64 = 0
        var counts = [Int](repeating: 0, count: 2048)
        while shift < 64 && (largest >> shift) != 0 {
            for k in counts.indices { counts[k] = 0 }
            for c in source { counts[Int((c >> shift) & 2047)] += 1 }
            var total = 0
            for k in counts.indices { let here = counts[k]; counts[k] = total; total += here }
            for c in source {
                let k = Int((c >> shift) & 2047)
                target[counts[k]] = c
                counts[k] += 1
            }
            swap(&source, &target)
            shift += 11
        }
        return source
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
