/// The loops of every layer kind over a feature-major batch: unit u of a batch of B rows is the
/// contiguous run `[u * B, (u + 1) * B)`, so every innermost loop runs over the batch and
/// vectorises, whatever the layer.
enum LayerKernels {
    /// out[j] = bias[j] + Σ_i w[i * nOut + j] · a[i], for every row. Rows go in blocks of 32
    /// held in registers while the inputs are added in order, so each value sees exactly the
    /// operations of the plain loop (bias, then + w·a for i = 0, 1, …) and one store.
    @inline(__always)
    static func denseForward<T: TrainingScalar>(_ a: UnsafePointer<T>, weights w: UnsafePointer<T>, bias: UnsafePointer<T>,
                                                 _ o: UnsafeMutablePointer<T>, inputs nIn: Int, outputs nOut: Int, batch: Int) {
        typealias V = SIMD16<T>
        for j in 0..<nOut {
            let oj = o + j * batch
            let bj = bias[j]
            var b = 0
            while b + 32 <= batch {
                var s0 = V(repeating: bj), s1 = V(repeating: bj)
                for i in 0..<nIn {
                    let weight = V(repeating: w[i * nOut + j])
                    let ai = UnsafeRawPointer(a + i * batch + b)
                    s0 += weight * ai.loadUnaligned(as: V.self)
                    s1 += weight * ai.loadUnaligned(fromByteOffset: 16 * MemoryLayout<T>.stride, as: V.self)
                }
                UnsafeMutableRawPointer(oj + b).storeBytes(of: s0, as: V.self)
                UnsafeMutableRawPointer(oj + b + 16).storeBytes(of: s1, as: V.self)
                b += 32
            }
            while b < batch {
                var s = bj
                for i in 0..<nIn { s += w[i * nOut + j] * a[i * batch + b] }
                oj[b] = s
                b += 1
            }
        }
    }

    /// Weight and bias gradients of a dense layer from its input `a` and the gradient `d` at its
    /// pre-activation; the gradient at its input is added into `p` when given (in blocks of rows,
    /// summing over j in order, as in `denseForward`).
    @inline(__always)
    static func denseBackward<T: TrainingScalar>(_ a: UnsafePointer<T>, _ d: UnsafePointer<T>, weights w: UnsafePointer<T>,
                                                  weightGradient gw: UnsafeMutablePointer<T>, biasGradient gb: UnsafeMutablePointer<T>,
                                                  inputGradient p: UnsafeMutablePointer<T>?, inputs nIn: Int, outputs nOut: Int, batch: Int) {
        typealias V = SIMD16<T>
        for j in 0..<nOut { gb[j] = sum(d + j * batch, batch) }
        for i in 0..<nIn {
            let ai = a + i * batch
            for j in 0..<nOut { gw[i * nOut + j] = dot(ai, d + j * batch, batch) }
            if let p {
                let pi = p + i * batch
                var b = 0
                while b + 32 <= batch {
                    let target = UnsafeMutableRawPointer(pi + b)
                    var s0 = target.loadUnaligned(as: V.self), s1 = target.loadUnaligned(fromByteOffset: 16 * MemoryLayout<T>.stride, as: V.self)
                    for j in 0..<nOut {
                        let weight = V(repeating: w[i * nOut + j])
                        let dj = UnsafeRawPointer(d + j * batch + b)
                        s0 += weight * dj.loadUnaligned(as: V.self)
                        s1 += weight * dj.loadUnaligned(fromByteOffset: 16 * MemoryLayout<T>.stride, as: V.self)
                    }
                    target.storeBytes(of: s0, as: V.self)
                    target.storeBytes(of: s1, toByteOffset: 16 * MemoryLayout<T>.stride, as: V.self)
                    b += 32
                }
                while b < batch {
                    var s = pi[b]
                    for j in 0..<nOut { s += w[i * nOut + j] * d[j * batch + b] }
                    pi[b] = s
                    b += 1
                }
            }
        }
    }

    /// Σ a[k]·b[k] with eight running sums (a fixed order, so results do not vary between runs).
    @inline(__always)
    static func dot<T: TrainingScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var k = 0
        while k + 8 <= n {
            s0 += a[k] * b[k]; s1 += a[k + 1] * b[k + 1]; s2 += a[k + 2] * b[k + 2]; s3 += a[k + 3] * b[k + 3]
            s4 += a[k + 4] * b[k + 4]; s5 += a[k + 5] * b[k + 5]; s6 += a[k + 6] * b[k + 6]; s7 += a[k + 7] * b[k + 7]
            k += 8
        }
        var tail: T = 0
        while k < n { tail += a[k] * b[k]; k += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) + tail
    }

    @inline(__always)
    static func sum<T: TrainingScalar>(_ a: UnsafePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
        var k = 0
        while k + 4 <= n { s0 += a[k]; s1 += a[k + 1]; s2 += a[k + 2]; s3 += a[k + 3]; k += 4 }
        var tail: T = 0
        while k < n { tail += a[k]; k += 1 }
        return (s0 + s1) + (s2 + s3) + tail
    }
}

/// Where a convolution's or pooling's windows fall: a 1-D signal is an image of height 1 with
/// windows of height 1.
public struct WindowGeometry: Sendable, Equatable {
    public var input: FeatureShape
    public var output: FeatureShape
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var padTop: Int, padLeft: Int

    init(input: FeatureShape, output: FeatureShape, kernel: Int, stride: Int, padding: Padding) {
        self.input = input
        self.output = output
        let twoD = input.dimensions == 2
        (kernelHeight, kernelWidth) = (twoD ? kernel : 1, kernel)
        (strideY, strideX) = (twoD ? stride : 1, stride)
        func before(_ n: Int, _ out: Int) -> Int { padding == .same ? max((out - 1) * stride + kernel - n, 0) / 2 : 0 }
        (padTop, padLeft) = (twoD ? before(input.height, output.height) : 0, before(input.width, output.width))
    }

    /// Calls `body(ky, kx, inputUnitWithinChannel)` for every kernel tap of output position
    /// (oy, ox) that falls inside the input (zero padding contributes nothing).
    @inline(__always)
    func forEachTap(_ oy: Int, _ ox: Int, _ body: (Int, Int, Int) -> Void) {
        for ky in 0..<kernelHeight {
            let iy = oy * strideY + ky - padTop
            guard iy >= 0, iy < input.height else { continue }
            for kx in 0..<kernelWidth {
                let ix = ox * strideX + kx - padLeft
                guard ix >= 0, ix < input.width else { continue }
                body(ky, kx, iy * input.width + ix)
            }
        }
    }
}

extension LayerKernels {
    /// Weights are `w[((f * C + c) * kh + ky) * kw + kx]`. Like `denseForward`, rows go in
    /// blocks of 32 kept in registers while the taps are added in order.
    static func convolutionForward<T: TrainingScalar>(_ a: UnsafePointer<T>, weights w: UnsafePointer<T>, bias: UnsafePointer<T>,
                                                       _ o: UnsafeMutablePointer<T>, geometry g: WindowGeometry, batch: Int) {
        typealias V = SIMD16<T>
        let (channels, plane) = (g.input.channels, g.input.height * g.input.width)
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        for f in 0..<g.output.channels {
            for oy in 0..<g.output.height {
                // The kernel rows and columns that fall inside the input (zero padding adds nothing).
                let y0 = oy * g.strideY - g.padTop
                let kyRange = max(0, -y0)..<min(kh, g.input.height - y0)
                for ox in 0..<g.output.width {
                    let x0 = ox * g.strideX - g.padLeft
                    let kxRange = max(0, -x0)..<min(kw, g.input.width - x0)
                    let out = o + ((f * g.output.height + oy) * g.output.width + ox) * batch
                    let bf = bias[f]
                    var b = 0
                    while b + 32 <= batch {
                        var s0 = V(repeating: bf), s1 = V(repeating: bf)
                        for c in 0..<channels {
                            for ky in kyRange {
                                for kx in kxRange {
                                    let weight = V(repeating: w[((f * channels + c) * kh + ky) * kw + kx])
                                    let ai = UnsafeRawPointer(a + (c * plane + (y0 + ky) * g.input.width + x0 + kx) * batch + b)
                                    s0 += weight * ai.loadUnaligned(as: V.self)
                                    s1 += weight * ai.loadUnaligned(fromByteOffset: 16 * MemoryLayout<T>.stride, as: V.self)
                                }
                            }
                        }
                        UnsafeMutableRawPointer(out + b).storeBytes(of: s0, as: V.self)
                        UnsafeMutableRawPointer(out + b + 16).storeBytes(of: s1, as: V.self)
                        b += 32
                    }
                    while b < batch {
                        var s = bf
                        for c in 0..<channels {
                            for ky in kyRange {
                                for kx in kxRange {
                                    s += w[((f * channels + c) * kh + ky) * kw + kx] * a[(c * plane + (y0 + ky) * g.input.width + x0 + kx) * batch + b]
                                }
                            }
                        }
                        out[b] = s
                        b += 1
                    }
                }
            }
        }
    }

    /// Weight and bias gradients from the gradient `d` at the pre-activation; the gradient at the
    /// input is added into `p` when given.
    static func convolutionBackward<T: TrainingScalar>(_ a: UnsafePointer<T>, _ d: UnsafePointer<T>, weights w: UnsafePointer<T>,
                                                        weightGradient gw: UnsafeMutablePointer<T>, biasGradient gb: UnsafeMutablePointer<T>,
                                                        inputGradient p: UnsafeMutablePointer<T>?, geometry g: WindowGeometry, batch: Int) {
        let (channels, plane) = (g.input.channels, g.input.height * g.input.width)
        let (kh, kw) = (g.kernelHeight, g.kernelWidth)
        for f in 0..<g.output.channels {
            var biasSum: T = 0
            for oy in 0..<g.output.height {
                for ox in 0..<g.output.width {
                    let df = d + ((f * g.output.height + oy) * g.output.width + ox) * batch
                    biasSum += sum(df, batch)
                    for c in 0..<channels {
                        g.forEachTap(oy, ox) { ky, kx, unit in
                            let index = ((f * channels + c) * kh + ky) * kw + kx
                            let ai = a + (c * plane + unit) * batch
                            gw[index] += dot(ai, df, batch)
                            if let p {
                                let weight = w[index]
                                let pi = p + (c * plane + unit) * batch
                                for b in 0..<batch { pi[b] += weight * df[b] }
                            }
                        }
                    }
                }
            }
            gb[f] = biasSum
        }
    }

    /// Max over each window, channel by channel.
    static func maxPoolForward<T: TrainingScalar>(_ a: UnsafePointer<T>, _ o: UnsafeMutablePointer<T>, geometry g: WindowGeometry, batch: Int) {
        let plane = g.input.height * g.input.width
        for c in 0..<g.output.channels {
            for oy in 0..<g.output.height {
                for ox in 0..<g.output.width {
                    let out = o + ((c * g.output.height + oy) * g.output.width + ox) * batch
                    var first = true
                    g.forEachTap(oy, ox) { _, _, unit in
                        let ai = a + (c * plane + unit) * batch
                        if first {
                            for b in 0..<batch { out[b] = ai[b] }
                            first = false
                        } else {
                            for b in 0..<batch { out[b] = max(out[b], ai[b]) }
                        }
                    }
                }
            }
        }
    }

    /// The gradient goes to the first input of each window that equals the window's maximum
    /// (selects, not branches, so the loop over rows vectorises).
    static func maxPoolBackward<T: TrainingScalar>(_ a: UnsafePointer<T>, output o: UnsafePointer<T>, _ d: UnsafePointer<T>,
                                                    inputGradient p: UnsafeMutablePointer<T>, geometry g: WindowGeometry, batch: Int) {
        let plane = g.input.height * g.input.width
        var pending = [T](repeating: 0, count: batch)
        pending.withUnsafeMutableBufferPointer { pending in
            let pending = pending.baseAddress!
            for c in 0..<g.output.channels {
                for oy in 0..<g.output.height {
                    for ox in 0..<g.output.width {
                        let position = ((c * g.output.height + oy) * g.output.width + ox) * batch
                        let out = o + position
                        // What is still to be handed down: the gradient, until a tap takes it.
                        for b in 0..<batch { pending[b] = d[position + b] }
                        g.forEachTap(oy, ox) { _, _, unit in
                            let ai = a + (c * plane + unit) * batch
                            let pi = p + (c * plane + unit) * batch
                            for b in 0..<batch {
                                let hit = ai[b] == out[b]
                                pi[b] += hit ? pending[b] : 0
                                pending[b] = hit ? 0 : pending[b]
                            }
                        }
                    }
                }
            }
        }
    }
}
