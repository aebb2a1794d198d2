/// One-dimensional samples in sorted order, for exact counts of points strictly within a
/// radius by two binary searches. Subtraction is monotone, so the points with
/// `abs(v − q) < r` form one run of the sorted values.
struct SortedLine {
    let values: [Double]

    init(_ values: UnsafeBufferPointer<Double>) {
        self.values = values.sorted()
    }

    func count(within radius: Double, of q: Double) -> Int {
        // Not even q itself is closer than 0.
        guard radius > 0 else { return 0 }
        return values.withUnsafeBufferPointer { v in
            // First index not left of the run, then first index right of it.
            let from = Self.partition(v) { !($0 < q && abs($0 - q) >= radius) }
            let to = Self.partition(v) { $0 > q && abs($0 - q) >= radius }
            return max(0, to - from)
        }
    }

    /// The first index where `isAfter` holds, for a predicate false then true along `v`.
    @inline(__always)
    private static func partition(_ v: UnsafeBufferPointer<Double>, _ isAfter: (Double) -> Bool) -> Int {
        var lo = 0, hi = v.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAfter(v[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
