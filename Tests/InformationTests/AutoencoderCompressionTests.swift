import Foundation
import Information
import Learning
import NumericCore
import XCTest

final class AutoencoderCompressionTests: XCTestCase {
    /// X is a smooth 2-D latent z embedded nonlinearly in 12 dimensions; Y is correlated with z.
    /// An autoencoder to 2 dimensions must keep what X says about Y.
    func testCodesOfANonlinearEmbeddingKeepTheInformation() throws {
        let n = 1500
        let pairs = GaussianPairs(mutualInformation: 1.0, xDimension: 2, yDimension: 2)
        let (z, y) = pairs.sample(count: n, seed: 4)
        var random = RandomStream(seed: 4, stream: "embedding")
        let mixing = (0..<(2 * 12)).map { _ in random.normal() }
        var x = [Double](repeating: 0, count: n * 12)
        for i in 0..<n {
            for j in 0..<12 {
                let linear = mixing[j] * z[i, 0] + mixing[12 + j] * z[i, 1]
                x[i * 12 + j] = tanh(0.7 * linear) + 0.1 * linear
            }
        }
        let compressor = AutoencoderCompression(dimensions: 2, hidden: 32, epochs: 40)
        let result = try compressor.compress(x, width: 12, seed: 9)
        XCTAssertEqual(result.codes.count, n * 2)
        XCTAssertLessThan(result.reconstructionError, 0.05, "a 2-D manifold is reconstructed from 2 codes")
        // Whitened codes.
        for j in 0..<2 {
            let column = (0..<n).map { result.codes[$0 * 2 + j] }
            let mean = column.reduce(0, +) / Double(n)
            XCTAssertEqual(mean, 0, accuracy: 1e-9)
            XCTAssertEqual(column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n), 1, accuracy: 1e-9)
        }
        let codes = Matrix(rows: n, columns: 2, values: result.codes)
        let estimate = try KSGEstimator(k: 5).mutualInformation(codes, y)
        XCTAssertEqual(estimate, 1.0, accuracy: 0.2)
        // Deterministic in the seed.
        XCTAssertEqual(try compressor.compress(x, width: 12, seed: 9).codes, result.codes)
    }
}
