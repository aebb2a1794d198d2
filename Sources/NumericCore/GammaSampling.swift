extension RandomStream {
    /// A Gamma(shape, 1) variate by Marsaglia & Tsang's squeeze method ("A simple method for
    /// generating gamma variables", ACM TOMS 26, 2000): for shape ≥ 1, a cubed normal accepted
    /// against the Gamma density; for shape < 1, Gamma(shape + 1) · U^(1/shape).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "the shape of a gamma variate must be positive")
        if shape < 1 {
            let boosted = gamma(shape: shape + 1)
            var u = uniform()
            while u == 0 { u = uniform() }
            return boosted * _exp(_log(u) / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let base = 1 + c * x
            guard base > 0 else { continue }
            let v = base * base * base
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0, _log(u) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
        }
    }

    /// A χ² variate with `degrees` degrees of freedom (any positive real): 2 · Gamma(degrees / 2).
    public mutating func chiSquared(degrees: Double) -> Double {
        2 * gamma(shape: degrees / 2)
    }
}
