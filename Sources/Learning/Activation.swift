/// Nonlinearities of hidden layers, applied in place; derivatives are taken from the outputs.
public enum Activation: String, Sendable, CaseIterable {
    case tanh, relu, sigmoid, linear

    @inlinable
    public func apply<T: TrainingScalar>(_ values: inout [T]) {
        switch self {
        case .tanh: T.tanhInPlace(&values)
        case .relu: for i in values.indices { values[i] = max(values[i], 0) }
        case .sigmoid: for i in values.indices { values[i] = 1 / (1 + T.exp(-values[i])) }
        case .linear: break
        }
    }

    /// Multiplies `gradient` by the derivative at the layer's outputs `y`.
    @inlinable
    public func backpropagate<T: TrainingScalar>(_ gradient: inout [T], outputs y: [T]) {
        switch self {
        case .tanh: for i in gradient.indices { gradient[i] *= 1 - y[i] * y[i] }
        case .relu: for i in gradient.indices where y[i] <= 0 { gradient[i] = 0 }
        case .sigmoid: for i in gradient.indices { gradient[i] *= y[i] * (1 - y[i]) }
        case .linear: break
        }
    }
}

/// The floating-point types networks train in: Float for speed, Double for gradient checks.
public protocol TrainingScalar: BinaryFloatingPoint, Sendable where RawSignificand: FixedWidthInteger {
    static func tanh(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// tanh of every element; Float uses `FastTanh`, which vectorises.
    static func tanhInPlace(_ values: inout [Self])
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Float: TrainingScalar {
    @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func tanhInPlace(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] = FastTanh.value(v[i]) }
        }
    }
}

extension Double: TrainingScalar {
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func tanhInPlace(_ values: inout [Double]) {
        for i in values.indices { values[i] = Glibc.tanh(values[i]) }
    }
}

/// tanh for Float without a libm call, so loops over it vectorise: tanh x = (e − 1)/(e + 1)
/// with e = exp(2x) = 2^k · exp(f), k = round(2x·log₂e), |f| ≤ ln2/2, and exp(f) by its Taylor
/// series to degree 7 (relative error < 1e-8). Absolute error against libm stays below 2e-7
/// (checked in the tests); |x| ≥ 9 gives ±1 as in Float.
public enum FastTanh {
    @inlinable @inline(__always)
    public static func value(_ x: Float) -> Float {
        // Only compares, selects and arithmetic, nothing that branches or traps, so the loop
        // vectorises; a NaN flows through to a NaN result.
        let clamped = Swift.min(Swift.max(x, -9), 9)
        let t = clamped * 2.885_390_081_777_927  // 2·log₂(e)
        // Adding 1.5·2²³ rounds t to the nearest integer k and leaves k in the low bits.
        let shifted = t + 12_582_912
        let k = shifted - 12_582_912
        let kBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: Float(12_582_912).bitPattern)
        let f = (t - k) * 0.693_147_180_559_945_3
        var p: Float = 1.0 / 5040
        p = p * f + 1.0 / 720
        p = p * f + 1.0 / 120
        p = p * f + 1.0 / 24
        p = p * f + 1.0 / 6
        p = p * f + 0.5
        p = p * f + 1
        p = p * f + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (kBits &+ 127) &<< 23))
        let e = p * scale
        return (e - 1) / (e + 1)
    }
}
