import Foundation
import Learning
import NumericCore
import XCTest

final class GaussianImagesTests: XCTestCase {
    func testShapesPixelRangesAndDeterminism() {
        for shape in GaussianImages.Shape.allCases {
            for side in [16, 32] {
                let images = GaussianImages(mutualInformation: 2, latentDimension: 4, side: side, shape: shape)
                let a = images.sample(count: 60, seed: 9)
                XCTAssertEqual(a.x.count, 60 * side * side)
                XCTAssertEqual(a.y.count, 60 * side * side)
                XCTAssertEqual(a.latentX.columns, 4)
                XCTAssertTrue(a.x.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(shape) \(side)")
                XCTAssertTrue(a.y.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(shape) \(side)")
                XCTAssertGreaterThan(a.x.max()!, 0.5)
                XCTAssertEqual(a.x, images.sample(count: 60, seed: 9).x)
                XCTAssertNotEqual(a.x, images.sample(count: 60, seed: 10).x)
            }
        }
        let latentY = GaussianImages(mutualInformation: 1).sample(count: 10, seed: 1, imagesForY: false)
        XCTAssertEqual(latentY.y, latentY.latentY.values)
    }

    /// The truth is the latent pair's: k pairs of correlation ρ carry −(k/2) log(1 − ρ²) nats.
    func testTheTrueInformationIsTheLatentPairs() {
        let images = GaussianImages(mutualInformation: 3, latentDimension: 4)
        let rho = images.latent.correlation
        XCTAssertEqual(images.latent.mutualInformation, 3)
        XCTAssertEqual(-2 * log(1 - rho * rho), 3, accuracy: 1e-12)
        // The sampled latents have that correlation, pair by pair.
        let sample = images.sample(count: 4000, seed: 4)
        for j in 0..<4 {
            var xy = 0.0, xx = 0.0, yy = 0.0
            for i in 0..<4000 {
                let x = sample.latentX[i, j], y = sample.latentY[i, j]
                xy += x * y; xx += x * x; yy += y * y
            }
            XCTAssertEqual(xy / (xx * yy).squareRoot(), rho, accuracy: 0.03)
        }
    }

    /// Injective enough: a small change of any one latent coordinate changes the image.
    func testEveryLatentCoordinateShowsInTheImage() {
        var random = RandomStream(seed: 2, stream: "test")
        for shape in GaussianImages.Shape.allCases {
            let images = GaussianImages(mutualInformation: 1, latentDimension: 4, side: 16, shape: shape)
            for _ in 0..<200 {
                let z = (0..<4).map { _ in random.normal() }
                let image = images.render(z)
                for k in 0..<4 {
                    var moved = z
                    moved[k] += 0.05
                    let change = zip(image, images.render(moved)).map { abs($0 - $1) }.max()!
                    XCTAssertGreaterThan(change, 1e-6, "\(shape), coordinate \(k) of \(z)")
                }
            }
        }
    }

    /// A rectangle's pixels add up to its area, and its edges lie where the latents put them.
    func testRectanglesCoverTheirArea() {
        let images = GaussianImages(mutualInformation: 1, latentDimension: 4, side: 16, shape: .rectangles)
        var random = RandomStream(seed: 8, stream: "test")
        for _ in 0..<100 {
            let z = (0..<4).map { _ in random.normal() }
            let u = z.map(GaussianImages.normalCDF)
            let m = GaussianImages.minimumRectangleSide / 16
            let (left, right) = GaussianImages.segment(u[0], u[1], minimum: m)
            let (top, bottom) = GaussianImages.segment(u[2], u[3], minimum: m)
            XCTAssertGreaterThanOrEqual(right - left, m - 1e-12)
            XCTAssertLessThanOrEqual(right, 1)
            XCTAssertGreaterThanOrEqual(left, 0)
            XCTAssertEqual(images.render(z).reduce(0, +), (right - left) * (bottom - top) * 256, accuracy: 1e-9)
        }
    }

    /// Segments are uniform over all segments of [0, 1]: E[a] = 1/3, E[b] = 2/3 with no minimum.
    func testSegmentsAreUniform() {
        var random = RandomStream(seed: 1, stream: "test")
        var a = 0.0, b = 0.0
        let n = 100_000
        for _ in 0..<n {
            let s = GaussianImages.segment(random.uniform(), random.uniform(), minimum: 0)
            a += s.0; b += s.1
        }
        XCTAssertEqual(a / Double(n), 1.0 / 3, accuracy: 0.005)
        XCTAssertEqual(b / Double(n), 2.0 / 3, accuracy: 0.005)
        XCTAssertEqual(GaussianImages.normalCDF(0), 0.5, accuracy: 1e-15)
        XCTAssertEqual(GaussianImages.normalCDF(1.959963984540054), 0.975, accuracy: 1e-12)
    }

    /// A blob is brightest at its centre pixel.
    func testBlobsPeakAtTheirCentre() {
        let images = GaussianImages(mutualInformation: 1, latentDimension: 2, side: 32)
        // Φ(z) = (column + 0.5) / 32 puts the centre on a pixel centre.
        let z = [0.3, -0.8]
        let u = z.map(GaussianImages.normalCDF)
        let image = images.render(z)
        let peak = image.indices.max { image[$0] < image[$1] }!
        XCTAssertEqual(peak % 32, Int(u[0] * 32))
        XCTAssertEqual(peak / 32, Int(u[1] * 32))
    }
}
