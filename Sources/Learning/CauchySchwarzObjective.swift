import Foundation

/// The two terms of the Cauchy-Schwarz information bottleneck for regression (Yu et al., ICLR
/// 2024), on one minibatch, with their gradients: the conditional CS divergence between the
/// data's p(y|x) and the network's q(ŷ|x), which replaces the MSE, and the CS quadratic mutual
/// information I_CS(x; t) of a representation t, the compression term weighted by β.
///
/// Both are built from Gaussian Gram matrices κ(a, b) = exp(−|a − b|² / (2σ²)) of the batch.
/// Arrays are row-major (`[row * width + column]`) in Float64: a batch of a few hundred rows
/// makes Gram matrices small enough that precision, not speed, is the concern.
public enum CauchySchwarzObjective {
    /// D_CS(p(y|x) ‖ q(ŷ|x)) estimated with kernel sums, where p's samples are the targets and
    /// q's the predictions at the same inputs. With K the Gram matrix of x and d_j = Σ_i K_ji:
    ///   A = Σ_j Σ_i K_ji κ(y_j, y_i) / d_j²,   B = the same over predictions,
    ///   C = Σ_j Σ_i K_ji ½[κ(y_j, ŷ_i) + κ(ŷ_j, y_i)] / d_j²,
    ///   D = log A + log B − 2 log C  (≥ 0 by Cauchy-Schwarz for each j; 0 when ŷ = y).
    /// Without x (`x` empty) K is all ones and D is the unconditional CS divergence of p(y), q(ŷ).
    /// Returns D and its gradient with respect to the predictions.
    public static func conditionalDivergence(x: [Double], xWidth: Int, targets y: [Double], predictions p: [Double],
                                             width: Int, sigmaX: Double, sigmaY: Double) -> (value: Double, gradient: [Double]) {
        let n = y.count / width
        let kx = x.isEmpty ? [Double](repeating: 1, count: n * n) : gram(x, width: xWidth, sigma: sigmaX)
        var inverseDensity2 = [Double](repeating: 0, count: n)
        for j in 0..<n {
            var d = 0.0
            for i in 0..<n { d += kx[j * n + i] }
            inverseDensity2[j] = 1 / (d * d)
        }
        let lyy = gram(y, width: width, sigma: sigmaY)
        let lpp = gram(p, width: width, sigma: sigmaY)
        let lyp = crossGram(y, p, width: width, sigma: sigmaY)  // lyp[j * n + i] = κ(y_j, ŷ_i)
        var a = 0.0, b = 0.0, c = 0.0
        for j in 0..<n {
            var sa = 0.0, sb = 0.0, sc = 0.0
            for i in 0..<n {
                let k = kx[j * n + i]
                sa += k * lyy[j * n + i]
                sb += k * lpp[j * n + i]
                sc += k * 0.5 * (lyp[j * n + i] + lyp[i * n + j])
            }
            a += sa * inverseDensity2[j]; b += sb * inverseDensity2[j]; c += sc * inverseDensity2[j]
        }
        let value = log(a) + log(b) - 2 * log(c)

        // dB/dŷ_k = −(1/σ²) Σ_i K_ki κ(ŷ_k, ŷ_i)(ŷ_k − ŷ_i)(1/d_k² + 1/d_i²);
        // dC/dŷ_k = −(1/2σ²) Σ_i K_ki κ(ŷ_k, y_i)(ŷ_k − y_i)(1/d_k² + 1/d_i²).
        let s2 = sigmaY * sigmaY
        var gradient = [Double](repeating: 0, count: p.count)
        for k in 0..<n {
            for i in 0..<n {
                let weight = kx[k * n + i] * (inverseDensity2[k] + inverseDensity2[i])
                let bTerm = -lpp[k * n + i] * weight / s2 / b
                let cTerm = -0.5 * lyp[i * n + k] * weight / s2 / c
                for m in 0..<width {
                    gradient[k * width + m] += bTerm * (p[k * width + m] - p[i * width + m])
                        - 2 * cTerm * (p[k * width + m] - y[i * width + m])
                }
            }
        }
        return (value, gradient)
    }

    /// I_CS(x; t) = log(Σ K∘Q / N²) + log(ΣK · ΣQ / N⁴) − 2 log(Σ_i (K1)_i (Q1)_i / N³), with K
    /// and Q the Gram matrices of x and t; and its gradient with respect to t.
    public static func quadraticInformation(x: [Double], xWidth: Int, t: [Double], tWidth: Int,
                                            sigmaX: Double, sigmaT: Double) -> (value: Double, gradient: [Double]) {
        let n = t.count / tWidth
        let k = gram(x, width: xWidth, sigma: sigmaX)
        let q = gram(t, width: tWidth, sigma: sigmaT)
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
        var kRow = [Double](repeating: 0, count: n), qRow = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for l in 0..<n {
                s1 += k[i * n + l] * q[i * n + l]
                kRow[i] += k[i * n + l]
                qRow[i] += q[i * n + l]
            }
            s2 += kRow[i]; s3 += qRow[i]; s4 += kRow[i] * qRow[i]
        }
        let nn = Double(n)
        let value = log(s1 / (nn * nn)) + log(s2 * s3 / (nn * nn * nn * nn)) - 2 * log(s4 / (nn * nn * nn))

        // dI/dQ_il = K_il/S1 + 1/S3 − 2 (K1)_i/S4; Q_il = κ(t_i, t_l) depends on t_i through
        // row i and column i.
        let sigma2 = sigmaT * sigmaT
        var gradient = [Double](repeating: 0, count: t.count)
        for i in 0..<n {
            for l in 0..<n where l != i {
                let g = 2 * k[i * n + l] / s1 + 2 / s3 - 2 * (kRow[i] + kRow[l]) / s4
                let factor = -q[i * n + l] * g / sigma2
                for m in 0..<tWidth { gradient[i * tWidth + m] += factor * (t[i * tWidth + m] - t[l * tWidth + m]) }
            }
        }
        return (value, gradient)
    }

    /// The Gaussian Gram matrix of the rows of `a` (n × n, row-major).
    static func gram(_ a: [Double], width: Int, sigma: Double) -> [Double] {
        crossGram(a, a, width: width, sigma: sigma)
    }

    /// κ(a_j, b_i) at `[j * n + i]`.
    static func crossGram(_ a: [Double], _ b: [Double], width: Int, sigma: Double) -> [Double] {
        let n = a.count / width
        let scale = -1 / (2 * sigma * sigma)
        var out = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in 0..<n {
                var d2 = 0.0
                for m in 0..<width { let d = a[j * width + m] - b[i * width + m]; d2 += d * d }
                out[j * n + i] = exp(scale * d2)
            }
        }
        return out
    }
}
