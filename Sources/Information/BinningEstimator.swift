/// Mutual information of a deterministic layer by binning (Shwartz-Ziv & Tishby 2017):
/// each unit's activation is put in one of `bins` equal-width bins, each row becomes a pattern
/// of bin indices, and entropies are those of the pattern frequencies.
///
/// With X uniform over distinct inputs and T a function of X, I(X;T) = H(T); and
/// I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y). Values are in nats.
public struct BinningEstimator: Sendable {
    public var bins: Int

    public init(bins: Int = 30) {
        precondition(bins >= 1)
        self.bins = bins
    }

    public struct Estimate: Sendable, Equatable {
        public var ixt: Double
        public var ity: Double
    }

    /// - Parameters:
    ///   - activations: `rows × width`, row-major.
    ///   - labels: one class per row.
    ///   - range: the interval split into bins; values outside are clipped into the end bins.
    public func estimate(_ activations: UnsafeBufferPointer<Float>, rows: Int, width: Int, labels: [Int],
                         range: ClosedRange<Double>) -> Estimate {
        precondition(activations.count >= rows * width && labels.count == rows)
        let codes = patterns(activations, rows: rows, width: width, range: range)
        let total = Self.entropy(of: codes)
        var conditional = 0.0
        let classes = Set(labels)
        for c in classes {
            let members = codes.indices.filter { labels[$0] == c }.map { codes[$0] }
            conditional += Double(members.count) / Double(rows) * Self.entropy(of: members)
        }
        return Estimate(ixt: total, ity: total - conditional)
    }

    /// One code per row: the bin indices, packed into 64 bits when they fit, else hashed
    /// together with the row's full pattern kept apart by the pattern table.
    func patterns(_ a: UnsafeBufferPointer<Float>, rows: Int, width: Int, range: ClosedRange<Double>) -> [UInt64] {
        let low = Float(range.lowerBound)
        let span = Float(range.upperBound - range.lowerBound)
        let scale = span > 0 ? Float(bins) / span : 0
        let last = bins - 1
        var bitsPerUnit = 1
        while (1 << bitsPerUnit) < bins { bitsPerUnit += 1 }
        func binIndex(_ v: Float) -> Int {
            let b = Int(((v - low) * scale).rounded(.down))
            return v.isNaN ? 0 : min(max(b, 0), last)
        }
        if width * bitsPerUnit <= 64 {
            return (0..<rows).map { r in
                var code: UInt64 = 0
                for u in 0..<width { code = code << UInt64(bitsPerUnit) | UInt64(binIndex(a[r * width + u])) }
                return code
            }
        }
        // Wide layers: number the distinct patterns exactly.
        var table: [[UInt16]: UInt64] = [:]
        return (0..<rows).map { r in
            let pattern = (0..<width).map { UInt16(binIndex(a[r * width + $0])) }
            if let code = table[pattern] { return code }
            let code = UInt64(table.count)
            table[pattern] = code
            return code
        }
    }

    /// Entropy (nats) of the empirical distribution of codes.
    static func entropy(of codes: [UInt64]) -> Double {
        guard !codes.isEmpty else { return 0 }
        let sorted = codes.sorted()
        let n = Double(sorted.count)
        var h = 0.0
        var run = 1
        for i in 1...sorted.count {
            if i < sorted.count && sorted[i] == sorted[i - 1] {
                run += 1
            } else {
                let p = Double(run) / n
                h -= p * _logarithm(p)
                run = 1
            }
        }
        return h
    }
}
