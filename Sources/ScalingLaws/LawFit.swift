import Foundation
import NumericCore

/// The laws fitted to loss-against-size data.
public enum ScalingLaw: String, Sendable, CaseIterable {
    /// L(N) = E + A·N^(−α).
    case power
    /// L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022).
    case chinchilla

    /// Parameter names, in the order of `LawFit.parameters`.
    public var parameterNames: [String] {
        switch self {
        case .power: return ["E", "A", "alpha"]
        case .chinchilla: return ["E", "A", "B", "alpha", "beta"]
        }
    }
}

/// One measured loss: at model size `n` (parameters) and, for the Chinchilla law, data size `d`.
public struct Observation: Sendable, Hashable {
    public var n: Double
    public var d: Double
    public var loss: Double

    public init(n: Double, d: Double = 1, loss: Double) {
        self.n = n
        self.d = d
        self.loss = loss
    }
}

/// A fitted law: parameters in the order of `ScalingLaw.parameterNames`.
public struct LawFit: Sendable, Hashable {
    public var law: ScalingLaw
    public var parameters: [Double]
    /// The Huber objective at the optimum (sum over points, on log residuals).
    public var objective: Double

    public subscript(name: String) -> Double {
        parameters[law.parameterNames.firstIndex(of: name)!]
    }

    public func predict(n: Double, d: Double = 1) -> Double {
        switch law {
        case .power: return parameters[0] + parameters[1] * pow(n, -parameters[2])
        case .chinchilla: return parameters[0] + parameters[1] * pow(n, -parameters[3]) + parameters[2] * pow(d, -parameters[4])
        }
    }
}

/// Fits a law the way Hoffmann et al. (2022) did: minimise the Huber loss of the residuals of
/// log L, with E, A, B written as exponentials (so they stay positive) and the prediction as a
/// log-sum-exp, from every start of a grid, keeping the best optimum.
public struct LawFitter: Sendable {
    public var law: ScalingLaw
    /// Huber's delta on log residuals (1e-3 in the papers: close to least absolute deviations).
    public var delta: Double

    public init(law: ScalingLaw, delta: Double = 1e-3) {
        self.law = law
        self.delta = delta
    }

    /// The best fit over the grid of starts, or nil when there are fewer points than parameters
    /// or a loss is not positive.
    public func fit(_ points: [Observation]) -> LawFit? {
        fit(points, starts: startGrid)
    }

    /// A fit from given starts (in the internal log parameterisation): what bootstrap refits use,
    /// starting from the full fit.
    func fit(_ points: [Observation], starts: [[Double]]) -> LawFit? {
        guard points.count >= law.parameterNames.count, points.allSatisfy({ $0.loss > 0 && $0.n > 0 && $0.d > 0 }) else { return nil }
        let data = points.map { (x: log($0.n), z: log($0.d), target: log($0.loss)) }
        var best: (point: [Double], value: Double)?
        let optimiser = LBFGS()
        for start in starts {
            let result = optimiser.minimise(from: start) { theta in objective(theta, data) }
            if result.value.isFinite, best == nil || result.value < best!.value - 1e-15 { best = result }
        }
        guard let best else { return nil }
        return LawFit(law: law, parameters: natural(best.point), objective: best.value)
    }

    /// Refits on resampled points (with replacement), seeded: the spread of the parameters.
    public func bootstrap(_ points: [Observation], around fit: LawFit, samples: Int, seed: UInt64) -> [LawFit] {
        var random = RandomStream(seed: seed, stream: "bootstrap")
        let start = internalParameters(fit)
        var fits: [LawFit] = []
        for _ in 0..<samples {
            let resampled = (0..<points.count).map { _ in points[random.integer(below: points.count)] }
            // Starting at the full fit and at a few grid points keeps refits fast and robust.
            if let refit = self.fit(resampled, starts: [start] + Array(startGrid.prefix(4))) { fits.append(refit) }
        }
        return fits
    }

    // MARK: - Internals

    /// Sum of Huber losses of log residuals, and its gradient, at internal parameters θ.
    private func objective(_ theta: [Double], _ data: [(x: Double, z: Double, target: Double)]) -> (value: Double, gradient: [Double]) {
        var value = 0.0
        var gradient = [Double](repeating: 0, count: theta.count)
        for point in data {
            // log L̂ = logsumexp of the terms; each term's share of L̂ is its softmax weight.
            let t0 = theta[0]
            let t1 = law == .power ? theta[1] - theta[2] * point.x : theta[1] - theta[3] * point.x
            let t2 = law == .power ? -Double.infinity : theta[2] - theta[4] * point.z
            let top = max(t0, t1, t2)
            let (e0, e1, e2) = (exp(t0 - top), exp(t1 - top), exp(t2 - top))
            let sum = e0 + e1 + e2
            let prediction = top + log(sum)
            let (w0, w1, w2) = (e0 / sum, e1 / sum, e2 / sum)
            let r = prediction - point.target
            let (h, dh) = abs(r) <= delta ? (0.5 * r * r, r) : (delta * (abs(r) - 0.5 * delta), delta * (r < 0 ? -1 : 1))
            value += h
            gradient[0] += dh * w0
            gradient[1] += dh * w1
            if law == .power {
                gradient[2] -= dh * w1 * point.x
            } else {
                gradient[2] += dh * w2
                gradient[3] -= dh * w1 * point.x
                gradient[4] -= dh * w2 * point.z
            }
        }
        return (value, gradient)
    }

    /// Internal (e, a, [b], α, [β]) to (E, A, [B], α, [β]).
    private func natural(_ theta: [Double]) -> [Double] {
        switch law {
        case .power: return [exp(theta[0]), exp(theta[1]), theta[2]]
        case .chinchilla: return [exp(theta[0]), exp(theta[1]), exp(theta[2]), theta[3], theta[4]]
        }
    }

    private func internalParameters(_ fit: LawFit) -> [Double] {
        let p = fit.parameters
        switch law {
        case .power: return [log(max(p[0], 1e-300)), log(p[1]), p[2]]
        case .chinchilla: return [log(max(p[0], 1e-300)), log(p[1]), log(p[2]), p[3], p[4]]
        }
    }

    /// Starts spread over the plausible range of losses (nats), prefactors and exponents.
    private var startGrid: [[Double]] {
        let es: [Double] = [-2, -1, -0.5, 0, 0.5, 1]
        let amplitudes: [Double] = [-1, 0, 1, 2, 4, 8]
        let exponents: [Double] = [0.05, 0.2, 0.5, 1, 2]
        var grid: [[Double]] = []
        switch law {
        case .power:
            for e in es { for a in amplitudes { for alpha in exponents { grid.append([e, a, alpha]) } } }
        case .chinchilla:
            for e in [-1.0, 0, 0.5] { for a in [0.0, 2, 5] { for b in [0.0, 2, 5] {
                for alpha in [0.1, 0.5, 1] { for beta in [0.1, 0.5, 1] { grid.append([e, a, b, alpha, beta]) } }
            } } }
        }
        return grid
    }
}

/// Where two fitted power laws cross: the sizes at which their predictions are equal.
public enum Crossover {
    /// Sizes in [low, high] where `first` and `second` predict the same loss, from the sign
    /// changes of their difference on a log grid, each refined by bisection.
    public static func points(_ first: LawFit, _ second: LawFit, from low: Double, to high: Double, d: Double = 1) -> [(n: Double, loss: Double)] {
        guard low > 0, high > low else { return [] }
        let steps = 2000
        func gap(_ logN: Double) -> Double { first.predict(n: exp(logN), d: d) - second.predict(n: exp(logN), d: d) }
        var found: [(Double, Double)] = []
        let (a, b) = (log(low), log(high))
        var previous = gap(a)
        for i in 1...steps {
            var right = a + (b - a) * Double(i) / Double(steps)
            let value = gap(right)
            if previous == 0 || value == 0 || (previous < 0) != (value < 0) {
                var left = a + (b - a) * Double(i - 1) / Double(steps)
                var leftValue = previous
                for _ in 0..<100 {
                    let middle = 0.5 * (left + right)
                    let m = gap(middle)
                    if (m < 0) == (leftValue < 0) { left = middle; leftValue = m } else { right = middle }
                }
                let n = exp(0.5 * (left + right))
                if found.last.map({ abs(log($0.0) - log(n)) > 1e-6 }) ?? true { found.append((n, first.predict(n: n, d: d))) }
            }
            previous = value
        }
        return found.map { (n: $0.0, loss: $0.1) }
    }
}

/// Percentile intervals from bootstrap replicates.
public enum Percentile {
    /// The central `level` interval of `values` (linear interpolation between order statistics).
    public static func interval(_ values: [Double], level: Double) -> (low: Double, high: Double)? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let i = Int(position.rounded(.down)), fraction = position - Double(i)
            return i + 1 < sorted.count ? sorted[i] + fraction * (sorted[i + 1] - sorted[i]) : sorted[i]
        }
        let tail = (1 - level) / 2
        return (quantile(tail), quantile(1 - tail))
    }
}
