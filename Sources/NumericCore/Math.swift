#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func _log(_ x: Double) -> Double { log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) func _sin(_ x: Double) -> Double { sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { cos(x) }

public enum SpecialFunctions {
    /// The digamma function ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series.
    /// Accurate to ~1e-13 (checked against ψ(1) = −γ and ψ(n+1) = ψ(n) + 1/n in tests).
    public static func digamma(_ x: Double) -> Double {
        precondition(x > 0, "digamma is defined here for x > 0")
        var x = x
        var shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))))
        return shift + log(x) - 0.5 / x - series
    }
}

extension SpecialFunctions {
    /// log Γ(x) for x > 0, from the C library (`lgamma`).
    public static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma is used here for x > 0")
        return lgamma(x)
    }
}
