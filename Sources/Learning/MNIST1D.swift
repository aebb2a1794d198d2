import Foundation
import NumericCore

/// MNIST-1D (Greydanus 2020, "Scaling down deep learning"): ten 1-D digit shapes, each padded
/// with zeros, stretched, scaled, shifted, filled with correlated noise where it is empty,
/// sprinkled with white noise, sheared and resampled to a short sequence.
///
/// Procedural, so a data set of any size costs no download. The defaults are the published
/// ones; a test checks that the templates survive the transformations.
public struct MNIST1D: Sendable {
    /// How hard the transformations make the task. Defaults: those of the original generator.
    public struct Parameters: Sendable, Equatable {
        /// Zeros appended to the 12-point template, drawn uniformly from this range.
        public var padding: ClosedRange<Int> = 36...60
        /// The signal is multiplied by 1 + scale·(u − ½).
        public var scale: Double = 0.4
        /// Circular shifts are drawn from 0..<maxShift.
        public var maxShift: Int = 48
        /// Standard deviation of the noise before smoothing, where the shifted signal is zero.
        public var correlatedNoise: Double = 0.25
        /// Standard deviation of the white noise added everywhere.
        public var whiteNoise: Double = 0.02
        /// A linear ramp of slope shear·(u − ½) across the sequence.
        public var shear: Double = 0.75
        /// Points in each final sequence.
        public var length: Int = 40

        public init() {}

        /// The published transformations with both noises multiplied by `factor` (0: none).
        public static func noise(_ factor: Double) -> Parameters {
            var p = Parameters()
            p.correlatedNoise *= factor
            p.whiteNoise *= factor
            return p
        }
    }

    /// The random choices made for one sample, kept separate so tests can fix them.
    public struct Draw: Sendable, Equatable {
        public var padding: Int
        /// The factor the signal is multiplied by.
        public var scale: Double
        public var shift: Int
        /// The slope of the ramp subtracted from the signal.
        public var shear: Double
        /// Standard normal noise, one value per point of the stretched sequence.
        public var correlatedNoise: [Double]
        public var whiteNoise: [Double]

        public init(padding: Int, scale: Double = 1, shift: Int = 0, shear: Double = 0,
                    correlatedNoise: [Double] = [], whiteNoise: [Double] = []) {
            self.padding = padding
            self.scale = scale
            self.shift = shift
            self.shear = shear
            self.correlatedNoise = correlatedNoise
            self.whiteNoise = whiteNoise
        }
    }

    public static let classes = 10
    public static let templateLength = 12

    /// The digits 0–9 as 12-point profiles, as published.
    public static let digitShapes: [[Double]] = [
        [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
        [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
        [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
        [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
        [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
        [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
        [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
        [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
    ]

    /// Each shape standardised (mean 0, standard deviation 1), moved to start at 0 and divided
    /// by 6, so the template begins and ends at zero like the padding that follows it.
    public static let templates: [[Double]] = digitShapes.map { shape in
        let n = Double(shape.count)
        let mean = shape.reduce(0, +) / n
        let sd = (shape.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
        let standard = shape.map { ($0 - mean) / sd }
        return standard.map { ($0 - standard[0]) / 6 }
    }

    public let parameters: Parameters

    public init(parameters: Parameters = Parameters()) {
        precondition(parameters.padding.lowerBound >= 0 && parameters.maxShift >= 1 && parameters.length >= 2)
        self.parameters = parameters
    }

    /// Points of the stretched sequence: the template plus the longest padding.
    public var stretchedLength: Int { Self.templateLength + parameters.padding.upperBound }

    /// Draws one sample's random choices, in a fixed order from one stream.
    public func draw(_ random: inout RandomStream) -> Draw {
        let p = parameters
        let span = p.padding.upperBound - p.padding.lowerBound + 1
        let padding = p.padding.lowerBound + min(span - 1, Int(random.uniform() * Double(span)))
        let scale = 1 + p.scale * (random.uniform() - 0.5)
        let shift = random.integer(below: p.maxShift)
        let n = stretchedLength
        let correlated = (0..<n).map { _ in random.normal() }
        let white = (0..<n).map { _ in random.normal() }
        let shear = p.shear * (random.uniform() - 0.5)
        return Draw(padding: padding, scale: scale, shift: shift, shear: shear, correlatedNoise: correlated, whiteNoise: white)
    }

    /// One sample from a template and its draws: pad, stretch, scale, shift, fill the empty part
    /// with smoothed noise, add white noise, shear, resample to `length` points.
    public func transform(_ template: [Double], _ draw: Draw) -> [Double] {
        let p = parameters
        let n = stretchedLength
        // A tiny offset keeps the template's own zeros apart from the padding's.
        let padded = template.map { $0 + 1e-8 } + [Double](repeating: 0, count: draw.padding)
        var signal = Self.resample(padded, to: n).map { $0 * draw.scale }
        signal = (0..<n).map { signal[(($0 - draw.shift) % n + n) % n] }

        if p.correlatedNoise != 0, !draw.correlatedNoise.isEmpty {
            let smooth = Self.gaussianSmooth(draw.correlatedNoise.map { $0 * p.correlatedNoise }, sigma: 2)
            for i in 0..<n where signal[i] == 0 { signal[i] = smooth[i] }
        }
        if p.whiteNoise != 0, !draw.whiteNoise.isEmpty {
            for i in 0..<n { signal[i] += p.whiteNoise * draw.whiteNoise[i] }
        }
        if draw.shear != 0 {
            for i in 0..<n { signal[i] -= draw.shear * (Double(i) / Double(n - 1) - 0.5) }
        }
        return Self.resample(signal, to: p.length)
    }

    /// `count` samples, classes as even as can be (0–9 in turn, then shuffled), every sequence
    /// then centred and scaled by the mean and standard deviation of all values, as published.
    /// Inputs are row-major (count × length).
    public func make(count: Int, seed: UInt64) -> (inputs: [Double], labels: [Int]) {
        var random = RandomStream(seed: seed, stream: "mnist1d")
        var order = RandomStream(seed: seed, stream: "mnist1d-order")
        let permutation = order.permutation(count)
        // Sample i (class i mod 10) goes to the row that the shuffle gives it.
        var row = [Int](repeating: 0, count: count)
        for (position, i) in permutation.enumerated() { row[i] = position }
        let length = parameters.length
        var inputs = [Double](repeating: 0, count: count * length)
        for i in 0..<count {
            let sample = transform(Self.templates[i % Self.classes], draw(&random))
            inputs.replaceSubrange((row[i] * length)..<((row[i] + 1) * length), with: sample)
        }
        let labels = permutation.map { $0 % Self.classes }

        let mean = inputs.reduce(0, +) / Double(inputs.count)
        let sd = (inputs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(inputs.count)).squareRoot()
        if sd > 0 { for i in inputs.indices { inputs[i] = (inputs[i] - mean) / sd } }
        return (inputs, labels)
    }

    /// Linear interpolation of a sequence sampled evenly on [0, 1] at `count` even points.
    public static func resample(_ values: [Double], to count: Int) -> [Double] {
        guard values.count > 1 else { return [Double](repeating: values.first ?? 0, count: count) }
        let last = values.count - 1
        return (0..<count).map { j in
            let position = count == 1 ? 0 : Double(j) * Double(last) / Double(count - 1)
            let i = min(Int(position), last - 1)
            let fraction = position - Double(i)
            return values[i] + fraction * (values[i + 1] - values[i])
        }
    }

    /// A Gaussian filter of the given width in points, truncated at 4σ, mirroring the sequence
    /// at its ends (…c b a | a b c…) so the ends are not darkened.
    public static func gaussianSmooth(_ values: [Double], sigma: Double) -> [Double] {
        let radius = Int(4 * sigma + 0.5)
        var weights = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        let n = values.count
        guard n > 0 else { return [] }
        // The sequence mirrored once on each side (and again while the filter is longer than it).
        let period = 2 * n
        var extended = [Double](repeating: 0, count: n + 2 * radius)
        for j in 0..<extended.count {
            let i = ((j - radius) % period + period) % period
            extended[j] = values[i < n ? i : period - 1 - i]
        }
        var smooth = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = 0.0
            for k in 0..<weights.count { sum += weights[k] * extended[i + k] }
            smooth[i] = sum
        }
        return smooth
    }
}
