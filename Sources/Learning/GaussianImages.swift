import Foundation
import NumericCore

/// Images of known mutual information (Butakov et al., ICLR 2024): a correlated Gaussian latent
/// pair of chosen I(X;Y), each latent pushed through the normal CDF to the parameters of a shape
/// drawn on a small square image.
///
/// The drawing is injective (different parameters give different images), and mutual information
/// is unchanged by injective maps, so the images carry exactly the latent pair's I(X;Y): a test of
/// estimators on high-dimensional data whose truth is known.
public struct GaussianImages: Sendable {
    public enum Shape: String, Sendable, CaseIterable {
        /// A 2-D Gaussian blob: centre x, centre y, width x, width y.
        case blobs
        /// An axis-aligned rectangle, anti-aliased by the area it covers in each pixel: left and
        /// right edge, top and bottom edge.
        case rectangles
    }

    public let latent: GaussianPairs
    public let side: Int
    public let shape: Shape

    /// Blob widths (standard deviations) run over this range, as fractions of the image side.
    public static let blobWidths: ClosedRange<Double> = 0.08...0.25
    /// The width of a blob whose latent has no coordinate for it.
    public static let fixedBlobWidth = 0.2
    /// Rectangles are at least this many pixels wide and high, so no edge is lost inside one pixel.
    public static let minimumRectangleSide = 2.0

    /// Latent dimensions each shape can take: blobs 1–4 (a missing centre sits in the middle, a
    /// missing width is fixed; three latents give a round blob), rectangles exactly 4.
    public static func latentDimensions(for shape: Shape) -> ClosedRange<Int> {
        shape == .blobs ? 1...4 : 4...4
    }

    public init(mutualInformation: Double, latentDimension: Int = 4, side: Int = 16, shape: Shape = .blobs) {
        precondition(Self.latentDimensions(for: shape).contains(latentDimension) && side >= 4)
        latent = GaussianPairs(mutualInformation: mutualInformation, xDimension: latentDimension, yDimension: latentDimension)
        self.side = side
        self.shape = shape
    }

    public var pixels: Int { side * side }

    /// Φ(z), the standard normal CDF: maps each latent coordinate to a uniform one on (0, 1).
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// The image (row-major, `side` × `side`, values in [0, 1]) drawn from one latent vector.
    public func render(_ z: [Double]) -> [Double] {
        let u = z.map(Self.normalCDF)
        let n = Double(side)
        var image = [Double](repeating: 0, count: pixels)
        switch shape {
        case .blobs:
            let widths = Self.blobWidths
            let cx = u.count > 0 ? u[0] : 0.5, cy = u.count > 1 ? u[1] : 0.5
            let wx = u.count > 2 ? widths.lowerBound + (widths.upperBound - widths.lowerBound) * u[2] : Self.fixedBlobWidth
            let wy = u.count > 3 ? widths.lowerBound + (widths.upperBound - widths.lowerBound) * u[3] : (u.count > 2 ? wx : Self.fixedBlobWidth)
            for row in 0..<side {
                let dy = ((Double(row) + 0.5) / n - cy) / wy
                for column in 0..<side {
                    let dx = ((Double(column) + 0.5) / n - cx) / wx
                    image[row * side + column] = exp(-0.5 * (dx * dx + dy * dy))
                }
            }
        case .rectangles:
            let minimum = Self.minimumRectangleSide / n
            let (left, right) = Self.segment(u[0], u[1], minimum: minimum)
            let (top, bottom) = Self.segment(u[2], u[3], minimum: minimum)
            func covered(_ pixel: Int, _ from: Double, _ to: Double) -> Double {
                max(0, min(to * n, Double(pixel + 1)) - max(from * n, Double(pixel)))
            }
            for row in 0..<side {
                let dy = covered(row, top, bottom)
                guard dy > 0 else { continue }
                for column in 0..<side { image[row * side + column] = dy * covered(column, left, right) }
            }
        }
        return image
    }

    /// Two uniforms to a segment [a, b] of [0, 1] at least `minimum` long, uniform over all such
    /// segments: a has the density of the shorter sides left over, b is uniform after a.
    public static func segment(_ u0: Double, _ u1: Double, minimum: Double) -> (Double, Double) {
        let a = (1 - minimum) * (1 - (1 - u0).squareRoot())
        return (a, a + minimum + u1 * (1 - a - minimum))
    }

    /// `count` latent pairs and their images: X is always images; Y is images too unless
    /// `imagesForY` is false, when it is the Y latent itself. Arrays are row-major.
    public func sample(count: Int, seed: UInt64, imagesForY: Bool = true)
        -> (x: [Double], y: [Double], latentX: Matrix, latentY: Matrix) {
        let (zx, zy) = latent.sample(count: count, seed: seed)
        var x = [Double](), y = [Double]()
        x.reserveCapacity(count * pixels)
        y.reserveCapacity(count * (imagesForY ? pixels : zy.columns))
        for i in 0..<count {
            x += render((0..<zx.columns).map { zx[i, $0] })
            let row = (0..<zy.columns).map { zy[i, $0] }
            y += imagesForY ? render(row) : row
        }
        return (x, y, zx, zy)
    }
}
