import Foundation
import Information

/// The KDE bounds by their formula, as the tests' reference: every pair, Double distances from
/// the Float activations, libm exp; each unordered pair computed once and added to both rows.
func allPairsKDE(_ h: UnsafeBufferPointer<Float>, rows n: Int, width: Int, labels: [Int], noiseVariance s2: Double) -> KDEEstimator.Bounds {
    var all = [Double](repeating: 0, count: 2 * n), own = [Double](repeating: 0, count: 2 * n)
    for i in 0..<n {
        for j in i..<n {
            var d = 0.0
            for c in 0..<width { let t = Double(h[i * width + c]) - Double(h[j * width + c]); d += t * t }
            let ku = exp(-d / (2 * s2)), kl = exp(-d / (8 * s2))
            all[2 * i] += ku; all[2 * i + 1] += kl
            if i != j { all[2 * j] += ku; all[2 * j + 1] += kl }
            if labels[i] == labels[j] {
                own[2 * i] += ku; own[2 * i + 1] += kl
                if i != j { own[2 * j] += ku; own[2 * j + 1] += kl }
            }
        }
    }
    var sizes: [Int: Double] = [:]
    for l in labels { sizes[l, default: 0] += 1 }
    var upper = 0.0, lower = 0.0, classUpper = 0.0, classLower = 0.0
    for i in 0..<n {
        upper -= log(all[2 * i] / Double(n)) / Double(n)
        lower -= log(all[2 * i + 1] / Double(n)) / Double(n)
        classUpper += log(own[2 * i] / sizes[labels[i]]!) / Double(n)
        classLower += log(own[2 * i + 1] / sizes[labels[i]]!) / Double(n)
    }
    return .init(ixtUpper: upper, ixtLower: lower, ityUpper: upper + classUpper, ityLower: lower + classLower)
}
