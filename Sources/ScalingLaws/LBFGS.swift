/// Limited-memory BFGS with a backtracking (Armijo) line search: enough for the handful of
/// parameters of a scaling law, and deterministic (no randomness, a fixed order of sums).
public struct LBFGS: Sendable {
    /// Pairs of (step, gradient change) kept for the inverse-Hessian estimate.
    public var memory = 8
    public var maximumIterations = 500
    /// Stops when the gradient's largest component falls below this.
    public var gradientTolerance = 1e-10
    /// Stops when an iteration lowers the objective by less than this, relatively.
    public var relativeTolerance = 1e-14

    public init() {}

    /// Minimises `objective`, which returns the value and the gradient at a point.
    public func minimise(from start: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> (point: [Double], value: Double) {
        var x = start
        var (f, g) = objective(x)
        guard f.isFinite else { return (x, f) }
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        for _ in 0..<maximumIterations {
            if g.map(abs).max() ?? 0 < gradientTolerance { break }
            // Two-loop recursion: direction = -H g.
            var q = g
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * Self.dot(steps[i], q)
                for j in q.indices { q[j] -= alphas[i] * changes[i][j] }
            }
            if let s = steps.last, let y = changes.last {
                let scale = Self.dot(s, y) / Self.dot(y, y)
                for j in q.indices { q[j] *= scale }
            }
            for i in steps.indices {
                let beta = rhos[i] * Self.dot(changes[i], q)
                for j in q.indices { q[j] += steps[i][j] * (alphas[i] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = Self.dot(direction, g)
            if !(slope < 0) {
                // Not a descent direction: restart from steepest descent.
                direction = g.map { -$0 }
                slope = -Self.dot(g, g)
                steps.removeAll(); changes.removeAll(); rhos.removeAll()
            }
            var t = 1.0
            var accepted: (x: [Double], f: Double, g: [Double])?
            for _ in 0..<60 {
                let candidate = zip(x, direction).map { $0 + t * $1 }
                let (fc, gc) = objective(candidate)
                if fc.isFinite && fc <= f + 1e-4 * t * slope { accepted = (candidate, fc, gc); break }
                t *= 0.5
            }
            // Too short a step (the slope is still steep where it lands) gives a curvature pair
            // that is useless or negative: step further while the objective keeps falling.
            if var best = accepted, Self.dot(best.g, direction) < 0.9 * slope {
                var longer = t * 2
                for _ in 0..<30 {
                    let candidate = zip(x, direction).map { $0 + longer * $1 }
                    let (fc, gc) = objective(candidate)
                    guard fc.isFinite, fc <= f + 1e-4 * longer * slope, fc < best.f else { break }
                    best = (candidate, fc, gc)
                    if Self.dot(gc, direction) >= 0.9 * slope { break }
                    longer *= 2
                }
                accepted = best
            }
            guard let (xNew, fNew, gNew) = accepted else { break }
            let s = zip(xNew, x).map { $0 - $1 }, y = zip(gNew, g).map { $0 - $1 }
            let sy = Self.dot(s, y)
            if sy > 1e-300 {
                steps.append(s); changes.append(y); rhos.append(1 / sy)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); rhos.removeFirst() }
            }
            let improvement = f - fNew
            x = xNew; f = fNew; g = gNew
            if improvement <= relativeTolerance * max(abs(f), 1e-300) { break }
        }
        return (x, f)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}
