@testable import Learning
import NumericCore
import XCTest

/// The register-tiled dense kernels against plain loops, on every shape class: widths below,
/// at and above the tile sizes (4 and 6 sums, 2 × 4 dot products, 4 bias sums) and batches with and
/// without leftover rows. The tiles must give each result with exactly the operations of the
/// one-at-a-time loops (the same bits), and those must be sums, not something else.
final class LayerKernelTests: XCTestCase {
    let widths = [1, 2, 3, 4, 5, 7, 10, 12, 13, 22]
    let batches = [1, 7, 16, 33, 153, 256]

    func values(_ count: Int, _ random: inout RandomStream) -> [Float] {
        (0..<count).map { _ in Float(random.normal()) }
    }

    func testWeightAndBiasGradientsAreDotsAndSums() {
        var random = RandomStream(seed: 3, stream: "kernels")
        for nIn in widths {
            for nOut in widths {
                for batch in batches {
                    let a = values(nIn * batch, &random), d = values(nOut * batch, &random)
                    var gw = [Float](repeating: .nan, count: nIn * nOut), gb = [Float](repeating: .nan, count: nOut)
                    a.withUnsafeBufferPointer { a in
                        d.withUnsafeBufferPointer { d in
                            LayerKernels.weightGradients(a.baseAddress!, d.baseAddress!, &gw, inputs: nIn, outputs: nOut, batch: batch)
                            LayerKernels.biasGradients(d.baseAddress!, &gb, outputs: nOut, batch: batch)
                            for i in 0..<nIn {
                                for j in 0..<nOut {
                                    let one = LayerKernels.dot(a.baseAddress! + i * batch, d.baseAddress! + j * batch, batch)
                                    XCTAssertEqual(gw[i * nOut + j].bitPattern, one.bitPattern, "\(nIn)x\(nOut), batch \(batch), (\(i), \(j))")
                                    let exact = (0..<batch).reduce(0.0) { $0 + Double(a[i * batch + $1]) * Double(d[j * batch + $1]) }
                                    XCTAssertEqual(Double(gw[i * nOut + j]), exact, accuracy: 1e-5 * Double(batch))
                                }
                            }
                            for j in 0..<nOut {
                                XCTAssertEqual(gb[j].bitPattern, LayerKernels.sum(d.baseAddress! + j * batch, batch).bitPattern)
                                let exact = (0..<batch).reduce(0.0) { $0 + Double(d[j * batch + $1]) }
                                XCTAssertEqual(Double(gb[j]), exact, accuracy: 1e-5 * Double(batch))
                            }
                        }
                    }
                }
            }
        }
    }

    func testWeightedSumsAreFusedMultiplyAddsInTermOrder() {
        var random = RandomStream(seed: 4, stream: "kernels")
        for terms in widths {
            for sums in widths {
                for batch in batches {
                    let x = values(terms * batch, &random), w = values(terms * sums, &random), bias = values(sums, &random)
                    let start = values(sums * batch, &random)
                    // Forward (weights w[m * sums + k], from the bias) and transposed (w[k * terms + m],
                    // adding to what the output holds), as the forward pass and the input gradient use them.
                    for transposed in [false, true] {
                        var out = transposed ? start : [Float](repeating: .nan, count: sums * batch)
                        let (termStride, sumStride) = transposed ? (1, terms) : (sums, 1)
                        x.withUnsafeBufferPointer { x in
                            w.withUnsafeBufferPointer { w in
                                bias.withUnsafeBufferPointer { bias in
                                    LayerKernels.weightedSums(of: x.baseAddress!, terms: terms, weights: w.baseAddress!, termStride: termStride,
                                                              sumStride: sumStride, start: transposed ? nil : bias.baseAddress!, into: &out,
                                                              sums: sums, batch: batch)
                                }
                            }
                        }
                        for k in 0..<sums {
                            for b in 0..<batch {
                                var s = transposed ? start[k * batch + b] : bias[k]
                                for m in 0..<terms { s.addProduct(w[k * sumStride + m * termStride], x[m * batch + b]) }
                                XCTAssertEqual(out[k * batch + b].bitPattern, s.bitPattern, "\(terms) terms, \(sums) sums, batch \(batch), transposed \(transposed)")
                            }
                        }
                    }
                }
            }
        }
    }
}
