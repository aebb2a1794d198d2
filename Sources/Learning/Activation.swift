import NumericCore

/// Nonlinearities of hidden layers, applied in place; derivatives are taken from the outputs.
public enum Activation: String, Sendable, CaseIterable {
    case tanh, relu, sigmoid, linear

    @inlinable
    public func apply<T: TrainingScalar>(_ values: inout [T]) {
        switch self {
        case .tanh: T.tanhInPlace(&values)
        case .relu: values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] = max(v[i], 0) } }
        case .sigmoid: values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] = 1 / (1 + T.exp(-v[i])) } }
        case .linear: break
        }
    }

    /// Multiplies `gradient` by the derivative at the layer's outputs `y`. Written as selects
    /// over raw buffers so the loops vectorise.
    @inlinable
    public func backpropagate<T: TrainingScalar>(_ gradient: inout [T], outputs y: [T]) {
        precondition(gradient.count == y.count)
        gradient.withUnsafeMutableBufferPointer { g in
            y.withUnsafeBufferPointer { y in
                switch self {
                case .tanh: for i in g.indices { g[i] *= 1 - y[i] * y[i] }
                case .relu: for i in g.indices { g[i] = y[i] <= 0 ? 0 : g[i] }
                case .sigmoid: for i in g.indices { g[i] *= y[i] * (1 - y[i]) }
                case .linear: break
                }
            }
        }
    }
}

/// The floating-point types networks train in: Float for speed, Double for gradient checks.
public protocol TrainingScalar: BinaryFloatingPoint, SIMDScalar, Sendable where RawSignificand: FixedWidthInteger {
    static func tanh(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// exp for loops that should vectorise: `FastExp` for Float (relative error below 1e-7),
    /// libm for Double (the precision of gradient checks).
    static func vectorExp(_ x: Self) -> Self
    /// tanh of every element; Float uses `FastTanh`, which vectorises.
    static func tanhInPlace(_ values: inout [Self])
    /// The value as an integer (a class label), by the concrete conversion rather than the
    /// generic one, which is slow.
    var integerValue: Int { get }
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
    @inlinable @inline(__always) public static func vectorExp(_ x: Float) -> Float { FastExp.value(x) }
    @inlinable @inline(__always) public var integerValue: Int { Int(self) }
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
    @inlinable public static func vectorExp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable @inline(__always) public var integerValue: Int { Int(self) }
    @inlinable public static func tanhInPlace(_ values: inout [Double]) {
        for i in values.indices { values[i] = Glibc.tanh(values[i]) }
    }
}

/// tanh for Float without a libm call, so loops over it vectorise: tanh x = (e − 1)/(e + 1)
/// with e = exp(2x) = 2^k · e^f, k = round(2x·log₂e), |f| ≤ ln2/2, and e^f by a degree-5
/// polynomial fitted for least maximum relative error on that interval (9.3e-8, below Float's
/// rounding), evaluated by fused multiply-adds: about 20 vector operations for eight values, the
/// largest cost of training a narrow tanh network. Absolute error against libm stays below
/// 2e-7 (checked in the tests); |x| ≥ 9 gives ±1 as in Float; a NaN comes out as NaN.
public enum FastTanh {
    @inlinable @inline(__always)
    public static func value(_ x: Float) -> Float {
        let t = Swift.min(Swift.max(x, -9), 9) * 2.885_390_081_777_926_8  // 2·log₂(e)
        // Adding 1.5·2²³ rounds t to the nearest integer k and leaves k in the low bits.
        let shifted = t + 12_582_912
        let k = shifted - 12_582_912
        let kBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: Float(12_582_912).bitPattern)
        let f = (t - k) * 0.693_147_180_559_945_3
        var p: Float = 0.008_291_808_553_511_948
        p = Float(0.041_898_299_118_489_246).addingProduct(p, f)
        p = Float(0.166_676_139_265_819_45).addingProduct(p, f)
        p = Float(0.499_991_463_866_312_77).addingProduct(p, f)
        p = Float(0.999_999_714_582_807_1).addingProduct(p, f)
        p = Float(1).addingProduct(p, f)
        let e = p * Float(bitPattern: UInt32(bitPattern: (kBits &+ 127) &<< 23))
        return (e - 1) / (e + 1)
    }
}
