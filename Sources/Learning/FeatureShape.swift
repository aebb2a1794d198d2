/// The layout of one layer's units: `channels` maps of `height` × `width`. A 1-D signal has
/// height 1 and `dimensions` 1; a plain feature vector has `dimensions` 0 and one unit per
/// channel. Unit (c, y, x) is number `(c * height + y) * width + x`, so flattening any shape
/// is free: the dense layer after a convolution reads the same array.
public struct FeatureShape: Sendable, Equatable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int
    /// 0 (flat), 1 (signal) or 2 (image): which convolution and pooling apply.
    public var dimensions: Int

    public init(channels: Int, height: Int, width: Int, dimensions: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.dimensions = dimensions
    }

    public static func flat(_ units: Int) -> FeatureShape { FeatureShape(channels: units, height: 1, width: 1, dimensions: 0) }
    public static func signal(channels: Int, length: Int) -> FeatureShape {
        FeatureShape(channels: channels, height: 1, width: length, dimensions: 1)
    }
    public static func image(channels: Int, height: Int, width: Int) -> FeatureShape {
        FeatureShape(channels: channels, height: height, width: width, dimensions: 2)
    }

    public var count: Int { channels * height * width }

    public var description: String {
        switch dimensions {
        case 0: return "\(count) units"
        case 1: return "\(channels) channel\(channels == 1 ? "" : "s") of length \(width)"
        default: return "\(channels) channel\(channels == 1 ? "" : "s") of \(height)×\(width)"
        }
    }
}

/// Padding of a convolution: `valid` uses only whole windows (output ⌊(n − k)/s⌋ + 1);
/// `same` pads with zeros, more after than before when odd, so the output is ⌈n/s⌉ long.
public enum Padding: String, Sendable, CaseIterable {
    case same, valid
}

/// One hidden layer of a network, as a plan describes it; the shapes follow from the input.
public enum LayerSpec: Sendable, Equatable {
    /// Fully connected, with the network's activation; flattens a spatial input.
    case dense(units: Int)
    /// 1-D or 2-D convolution (by the input's shape), square kernels and strides in 2-D, with the
    /// network's activation.
    case convolution(filters: Int, kernel: Int, stride: Int, padding: Padding)
    /// Max over non-overlapping windows of `size` (× `size` in 2-D), channel by channel.
    case maxPool(size: Int)
    /// Makes a spatial shape flat; the values do not move. Not recorded.
    case flatten
}

/// Why a layer cannot follow its input.
public struct ShapeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// 1-based, counting the layers of the plan.
    public var layer: Int
    public var message: String
    public var description: String { "layer \(layer): \(message)" }
}

extension FeatureShape {
    /// The shape after `spec`, or why `spec` cannot apply to this shape.
    public func after(_ spec: LayerSpec, layer: Int) throws(ShapeError) -> FeatureShape {
        func fail(_ message: String) -> ShapeError { ShapeError(layer: layer, message: message) }
        switch spec {
        case .dense(let units):
            return .flat(units)
        case .flatten:
            return .flat(count)
        case .convolution(let filters, let kernel, let stride, let padding):
            guard dimensions > 0 else { throw fail("a convolution needs a shaped input (give the model a shape), found \(self)") }
            for (n, axis) in [(width, "length"), (height, "height")].prefix(dimensions) where kernel > n {
                throw fail("kernel \(kernel) is larger than the input's \(dimensions == 1 ? "length" : axis) \(n) (\(self))")
            }
            func out(_ n: Int) -> Int { padding == .same ? (n + stride - 1) / stride : (n - kernel) / stride + 1 }
            return FeatureShape(channels: filters, height: dimensions == 2 ? out(height) : 1, width: out(width), dimensions: dimensions)
        case .maxPool(let size):
            guard dimensions > 0 else { throw fail("pooling needs a shaped input (give the model a shape), found \(self)") }
            guard size <= width, dimensions == 1 || size <= height else {
                throw fail("pool size \(size) is larger than the input (\(self))")
            }
            return FeatureShape(channels: channels, height: dimensions == 2 ? height / size : 1, width: width / size, dimensions: dimensions)
        }
    }
}
