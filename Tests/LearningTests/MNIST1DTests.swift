import Learning
import NumericCore
import XCTest

final class MNIST1DTests: XCTestCase {
    func testShapesClassBalanceAndScaling() {
        let (inputs, labels) = MNIST1D().make(count: 1003, seed: 5)
        XCTAssertEqual(inputs.count, 1003 * 40)
        XCTAssertEqual(labels.count, 1003)
        let counts = (0..<10).map { c in labels.filter { $0 == c }.count }
        XCTAssertEqual(counts, [101, 101, 101, 100, 100, 100, 100, 100, 100, 100])
        // Shuffled: not the generation order 0, 1, 2, …
        XCTAssertNotEqual(Array(labels.prefix(10)), Array(0..<10))
        // The whole set is centred and scaled to unit standard deviation, as published.
        let mean = inputs.reduce(0, +) / Double(inputs.count)
        let variance = inputs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(inputs.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-12)
        XCTAssertEqual(variance, 1, accuracy: 1e-12)
    }

    func testSameSeedSameSamplesOtherSeedOthers() {
        let a = MNIST1D().make(count: 50, seed: 11), b = MNIST1D().make(count: 50, seed: 11)
        let c = MNIST1D().make(count: 50, seed: 12)
        XCTAssertEqual(a.inputs, b.inputs)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertNotEqual(a.inputs, c.inputs)
    }

    func testTemplatesStartAtZeroWithTheirShapeKept() {
        for (shape, template) in zip(MNIST1D.digitShapes, MNIST1D.templates) {
            XCTAssertEqual(template.count, 12)
            XCTAssertEqual(template[0], 0)
            // An affine image of the published shape: same correlation structure, std 1/6.
            let mean = template.reduce(0, +) / 12
            let sd = (template.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 12).squareRoot()
            XCTAssertEqual(sd, 1.0 / 6, accuracy: 1e-12)
            let slope = (template[1] - template[0]) / (shape[1] - shape[0])
            for i in 0..<12 { XCTAssertEqual(template[i], slope * (shape[i] - shape[0]), accuracy: 1e-12) }
        }
    }

    /// With no noise, scale 1, no shear and the longest padding, the stretch is the identity, so the
    /// sample is the padded template, shifted and linearly resampled from 72 to 40 points.
    func testANoiseFreeSampleIsTheShiftedResampledTemplate() {
        let generator = MNIST1D(parameters: .noise(0))
        let template = MNIST1D.templates[3]
        for shift in [0, 5, 47] {
            let sample = generator.transform(template, .init(padding: 60, shift: shift))
            XCTAssertEqual(sample.count, 40)
            // The padded template as a function on the 72 grid points, rolled right by `shift`.
            func value(at point: Int) -> Double {
                let source = ((point - shift) % 72 + 72) % 72
                return source < 12 ? template[source] + 1e-8 : 0
            }
            for j in 0..<40 {
                let position = Double(j) * 71 / 39
                let left = Int(position.rounded(.down)), fraction = position - Double(left)
                let expected = left >= 71 ? value(at: 71) : value(at: left) * (1 - fraction) + value(at: left + 1) * fraction
                XCTAssertEqual(sample[j], expected, accuracy: 1e-12, "shift \(shift), point \(j)")
            }
        }
        // Scale and shear act as documented: a factor, then a centred ramp.
        let plain = generator.transform(template, .init(padding: 60))
        let changed = generator.transform(template, .init(padding: 60, scale: 1.2, shear: 0.3))
        for j in 0..<40 {
            XCTAssertEqual(changed[j], 1.2 * plain[j] - 0.3 * (Double(j) / 39 - 0.5), accuracy: 1e-12)
        }
    }

    func testSmoothingKeepsConstantsAndSpreadsAnImpulseAsAGaussian() {
        let constant = MNIST1D.gaussianSmooth([Double](repeating: 3, count: 30), sigma: 2)
        for v in constant { XCTAssertEqual(v, 3, accuracy: 1e-12) }
        var impulse = [Double](repeating: 0, count: 41)
        impulse[20] = 1
        let spread = MNIST1D.gaussianSmooth(impulse, sigma: 2)
        XCTAssertEqual(spread.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(spread[22] / spread[20], exp(-0.5), accuracy: 1e-12)
        XCTAssertEqual(spread[29], 0)  // truncated at 4σ = 8 points
        XCTAssertEqual(MNIST1D.resample([1, 2, 3], to: 3), [1, 2, 3])
        XCTAssertEqual(MNIST1D.resample([0, 4], to: 5), [0, 1, 2, 3, 4])
    }

    /// The digits stay recognisable through the published noise: matching each sample against
    /// every clean template at every padding and shift (a matched filter) names the right class
    /// far more often than chance (10%).
    func testNoisySamplesStillMatchTheirOwnTemplateBest() {
        let generator = MNIST1D()
        let clean = MNIST1D(parameters: .noise(0))
        var bank: [(label: Int, signal: [Double])] = []
        for label in 0..<10 {
            for padding in stride(from: 36, through: 60, by: 4) {
                for shift in stride(from: 0, to: 48, by: 2) {
                    bank.append((label, centred(clean.transform(MNIST1D.templates[label], .init(padding: padding, shift: shift)))))
                }
            }
        }
        var random = RandomStream(seed: 3, stream: "test")
        var right = 0
        let count = 200
        for i in 0..<count {
            let label = i % 10
            let sample = centred(generator.transform(MNIST1D.templates[label], generator.draw(&random)))
            let best = bank.max { correlation($0.signal, sample) < correlation($1.signal, sample) }!
            if best.label == label { right += 1 }
        }
        XCTAssertGreaterThan(Double(right) / Double(count), 0.5, "\(right) of \(count) matched")
    }

    private func centred(_ v: [Double]) -> [Double] {
        let m = v.reduce(0, +) / Double(v.count)
        return v.map { $0 - m }
    }

    private func correlation(_ a: [Double], _ b: [Double]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in a.indices { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i] }
        return ab / max((aa * bb).squareRoot(), 1e-300)
    }
}
