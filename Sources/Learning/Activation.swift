/// Nonlinearities of hidden layers, applied in place; derivatives are taken from the outputs.
public enum Activation: String, Sendable, CaseIterable {
    case tanh, relu, sigmoid, linear

    @inlinable
    public func apply<T: TrainingScalar>(_ buffer: UnsafeMutableBufferPointer<T>) {
        switch self {
        case .tanh: for i in buffer.indices { buffer[i] = T.tanh(buffer[i]) }
        case .relu: for i in buffer.indices { buffer[i] = max(buffer[i], 0) }
        case .sigmoid: for i in buffer.indices { buffer[i] = 1 / (1 + T.exp(-buffer[i])) }
        case .linear: break
        }
    }

    /// Multiplies `gradient` by the derivative at the layer's outputs `y`.
    @inlinable
    public func backpropagate<T: TrainingScalar>(_ gradient: UnsafeMutableBufferPointer<T>, outputs y: UnsafeBufferPointer<T>) {
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
}

extension Double: TrainingScalar {
    @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
}
