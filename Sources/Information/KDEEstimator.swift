import NumericCore

/// Kolchinsky & Tracey's pairwise-distance bounds on the mutual information of a layer with
/// added Gaussian noise of variance σ² (T = h(X) + ε), as used by Saxe et al. (2018):
///
///     I(X;T) ≤ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (2σ²))   (KL bound)
///     I(X;T) ≥ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (8σ²))   (Bhattacharyya bound)
///
/// and I(T;Y) as the same bound of H(T) minus Σ_y p(y) times the bound within class y.
/// Values are in nats.
///
/// It costs n² kernel terms per layer; they are computed row by row in Float, with the rows
/// sorted by class so each class is one contiguous run, and every inner loop vectorises.
public struct KDEEstimator: Sendable {
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
