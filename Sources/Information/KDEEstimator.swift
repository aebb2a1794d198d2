import CBLAS
import Dispatch

/// Kolchinsky & Tracey's pairwise-distance bounds on the mutual information of a layer with
/// added Gaussian noise of variance σ² (T = h(X) + ε), as used by Saxe et al. (2018):
///
///     I(X;T) ≤ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (2σ²))   (KL bound)
///     I(X;T) ≥ −(1/n) Σ_i log (1/n) Σ_j exp(−‖h_i − h_j‖² / (8σ²))   (Bhattacharyya bound)
///
/// and I(T;Y) as the same bound of H(T) minus Σ_y p(y) times the bound within class y.
/// Values are in nats. Distances come from one BLAS product per layer.
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

    public func bounds(_ activations: UnsafeBufferPointer<Float>, rows: Int, width: Int, labels: [Int]) -> Bounds {
        let distances = Self.squaredDistances(activations, rows: rows, width: width)
        let all = Array(0..<rows)
        let classes = Set(labels).sorted()
        let members = classes.map { c in all.filter { labels[$0] == c } }
        func bound(_ scale: Double) -> (ixt: Double, ity: Double) {
            let h = Self.pairwiseTerm(distances, rows: rows, subset: all, scale: scale)
            var conditional = 0.0
            for m in members where !m.isEmpty {
                conditional += Double(m.count) / Double(rows) * Self.pairwiseTerm(distances, rows: rows, subset: m, scale: scale)
            }
            return (h, h - conditional)
        }
        let upper = bound(1 / (2 * noiseVariance))
        let lower = bound(1 / (8 * noiseVariance))
        return Bounds(ixtUpper: upper.ixt, ixtLower: lower.ixt, ityUpper: upper.ity, ityLower: lower.ity)
    }

    /// −(1/m) Σ_i log (1/m) Σ_j exp(−scale · d_ij) over the rows in `subset`, by log-sum-exp.
    static func pairwiseTerm(_ d: [Double], rows: Int, subset: [Int], scale: Double) -> Double {
        let m = subset.count
        guard m > 0 else { return 0 }
        var total = 0.0
        for i in subset {
            let row = i * rows
            // The nearest term is exp(0) = 1 (j = i), so no shift is needed for stability.
            var sum = 0.0
            for j in subset { sum += _exponential(-scale * d[row + j]) }
            total += _logarithm(sum / Double(m))
        }
        return -total / Double(m)
    }

    /// ‖h_i − h_j‖² for all pairs, from ‖h_i‖² + ‖h_j‖² − 2 h_i·h_j (one dgemm).
    static func squaredDistances(_ a: UnsafeBufferPointer<Float>, rows: Int, width: Int) -> [Double] {
        let h = (0..<(rows * width)).map { Double(a[$0]) }
        var gram = [Double](repeating: 0, count: rows * rows)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(rows), Int32(width),
                    1, h, Int32(width), h, Int32(width), 0, &gram, Int32(rows))
        var out = gram
        for i in 0..<rows {
            for j in 0..<rows {
                out[i * rows + j] = max(0, gram[i * rows + i] + gram[j * rows + j] - 2 * gram[i * rows + j])
            }
        }
        return out
    }
}
