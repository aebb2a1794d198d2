import NumericCore

/// A confidence interval for an estimate from re-estimating on random halves of the rows.
///
/// Drawing rows with replacement, as the classic bootstrap does, would repeat rows, and a
/// repeated row is its own nearest neighbour at distance 0: every k-NN estimator would see
/// structure that is not there. Halves drawn without replacement have no repeats, and the
/// mean of n/2 of n values has exactly the variance of a mean of n independent ones
/// (σ²/m · (1 − m/n) = σ²/n), so the spread of half-sample estimates matches the sampling
/// spread of the full estimate. The interval is the full estimate plus the percentiles of the
/// half-sample deviations from their mean, so the extra small-sample bias of the halves does
/// not shift it.
public struct BootstrapInterval: Sendable {
    public var samples: Int
    public var level: Double

    public init(samples: Int = 200, level: Double = 0.95) {
        precondition(samples >= 2 && level > 0 && level < 1)
        self.samples = samples
        self.level = level
    }

    /// - Parameters:
    ///   - estimate: the estimate on all `rows` rows.
    ///   - estimator: the estimate on the given rows (each half sorted ascending).
    public func interval(around estimate: Double, rows n: Int, seed: UInt64,
                         _ estimator: ([Int]) throws -> Double) rethrows -> ClosedRange<Double> {
        var random = RandomStream(seed: seed, stream: "bootstrap")
        var replicates: [Double] = []
        replicates.reserveCapacity(samples)
        for _ in 0..<samples {
            let half = Array(random.permutation(n).prefix(n / 2)).sorted()
            replicates.append(try estimator(half))
        }
        let mean = replicates.reduce(0, +) / Double(samples)
        let deviations = replicates.map { $0 - mean }.sorted()
        let tail = (1 - level) / 2
        return (estimate + Self.quantile(deviations, tail))...(estimate + Self.quantile(deviations, 1 - tail))
    }

    /// Linear interpolation between order statistics (type 7), for sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let f = position - Double(below)
        return sorted[below] * (1 - f) + sorted[above] * f
    }
}

extension Matrix {
    /// The given rows, in the given order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * columns)
        for r in indices { out += values[(r * columns)..<((r + 1) * columns)] }
        return Matrix(rows: indices.count, columns: columns, values: out)
    }
}
