// The implementations before the fast paths (InfoPlane commit 7bfc138), kept here only to time them
// and compare values on the same recordings. FastExp is copied from NumericCore, which is not a product.
import Foundation

func _logarithm(_ x: Double) -> Double { log(x) }

enum FastExp {
    @inlinable @inline(__always)
    public static func value(_ x: Float) -> Float {
        // Only compares, selects and arithmetic: nothing that branches or traps.
        let clamped = Swift.min(Swift.max(x, -87), 88)
        let t = clamped * 1.442_695_040_888_963_4  // log₂(e)
        // Adding 1.5·2²³ rounds t to the nearest integer k and leaves k in the low bits.
        let shifted = t + 12_582_912
        let k = shifted - 12_582_912
        let kBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: Float(12_582_912).bitPattern)
        let f = (t - k) * 0.693_147_180_559_945_3
        var p: Float = 1.0 / 5040
        p = p * f + 1.0 / 720
        p = p * f + 1.0 / 120
        p = p * f + 1.0 / 24
        p = p * f + 1.0 / 6
        p = p * f + 0.5
        p = p * f + 1
        p = p * f + 1
        return p * Float(bitPattern: UInt32(bitPattern: (kBits &+ 127) &<< 23))
    }
}

public struct LegacyKDE: Sendable {
    public var noiseVariance: Double

    public init(noiseVariance: Double = 1e-3) {
        precondition(noiseVariance > 0)
        self.noiseVariance = noiseVariance
    }

    public struct Bounds: Sendable, Equatable {
        public var ixtUpper: Double
        public var ixtLower: Double
        public var ityUpper: Double
        public var ityLower: Double
    }

    /// - Parameter activations: `rows × width`, row-major.
    public func bounds(_ activations: UnsafeBufferPointer<Float>, rows n: Int, width: Int, labels: [Int]) -> Bounds {
        precondition(activations.count >= n * width && labels.count == n)
        guard n > 0 else { return Bounds(ixtUpper: 0, ixtLower: 0, ityUpper: 0, ityLower: 0) }
        // Rows grouped by class; the activations laid out feature-major in that order.
        let order = labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) }
        var runs: [Range<Int>] = []
        var start = 0
        for p in 1...n where p == n || labels[order[p]] != labels[order[p - 1]] {
            runs.append(start..<p)
            start = p
        }
        var h = [Float](repeating: 0, count: n * width)
        for (p, row) in order.enumerated() { for c in 0..<width { h[c * n + p] = activations[row * width + c] } }

        let scale = Float(1 / (2 * noiseVariance))
        var totalUpper = 0.0, totalLower = 0.0
        var classUpper = 0.0, classLower = 0.0
        var distance = [Float](repeating: 0, count: n)
        var kernel = [Float](repeating: 0, count: n), root = [Float](repeating: 0, count: n)
        h.withUnsafeBufferPointer { h in
            distance.withUnsafeMutableBufferPointer { d in
                kernel.withUnsafeMutableBufferPointer { e in
                    root.withUnsafeMutableBufferPointer { r in
                        for run in runs {
                            let share = Double(run.count) / Double(n)
                            for i in run {
                                for j in 0..<n { d[j] = 0 }
                                for c in 0..<width {
                                    let column = h.baseAddress! + c * n
                                    let center = column[i]
                                    for j in 0..<n { let t = column[j] - center; d[j] += t * t }
                                }
                                // exp(−d/8σ²) is the fourth root of exp(−d/2σ²).
                                for j in 0..<n {
                                    let k = FastExp.value(-scale * d[j])
                                    e[j] = k
                                    r[j] = k.squareRoot().squareRoot()
                                }
                                let all = (Self.sum(e, 0..<n), Self.sum(r, 0..<n))
                                let own = (Self.sum(e, run), Self.sum(r, run))
                                // The j = i term is 1, so no sum is ever zero.
                                totalUpper += _logarithm(all.0 / Double(n))
                                totalLower += _logarithm(all.1 / Double(n))
                                classUpper += share * _logarithm(own.0 / Double(run.count)) / Double(run.count)
                                classLower += share * _logarithm(own.1 / Double(run.count)) / Double(run.count)
                            }
                        }
                    }
                }
            }
        }
        let upper = -totalUpper / Double(n), lower = -totalLower / Double(n)
        return Bounds(ixtUpper: upper, ixtLower: lower, ityUpper: upper + classUpper, ityLower: lower + classLower)
    }

    /// A Float sum in eight lanes, flushed into a Double every 1024 terms to keep precision.
    static func sum(_ v: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) -> Double {
        var total = 0.0
        var j = range.lowerBound
        while j + 8 <= range.upperBound {
            var block = SIMD8<Float>(repeating: 0)
            let stop = min(range.upperBound - 7, j + 1024)
            while j < stop {
                block += SIMD8<Float>(v[j], v[j + 1], v[j + 2], v[j + 3], v[j + 4], v[j + 5], v[j + 6], v[j + 7])
                j += 8
            }
            total += Double(block.sum())
        }
        while j < range.upperBound { total += Double(v[j]); j += 1 }
        return total
    }
}

public struct LegacyBinning: Sendable {
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
