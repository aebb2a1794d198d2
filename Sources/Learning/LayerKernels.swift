/// The loops of every layer kind over a feature-major batch: unit u of a batch of B rows is the
/// contiguous run `[u * B, (u + 1) * B)`, so every innermost loop runs over the batch and
/// vectorises, whatever the layer.
enum LayerKernels {
    /// out[j] = bias[j] + Σ_i w[i * nOut + j] · a[i], for every row (see `weightedSums`).
    @inline(__always)
    static func denseForward<T: TrainingScalar>(_ a: UnsafePointer<T>, weights w: UnsafePointer<T>, bias: UnsafePointer<T>,
                                                 _ o: UnsafeMutablePointer<T>, inputs nIn: Int, outputs nOut: Int, batch: Int) {
        weightedSums(of: a, terms: nIn, weights: w, termStride: nOut, sumStride: 1, start: bias, into: o, sums: nOut, batch: batch)
    }

    /// For every sum k < `sums` and row b: out[k·batch + b] = start + Σ_m w[k·sumStride +
    /// m·termStride] · x[m·batch + b], each term added by one fused multiply-add in the order
    /// m = 0, 1, …, so every row sees the same operations wherever it sits in the batch (a row's
    /// values do not depend on the rows beside it). `start` is `bias[k]` when given, else what
    /// `out` holds. The forward pass is this with x the layer's input; the gradient at a layer's
    /// input is this with x the gradient at its output and the weights read transposed.
    /// Six (or four) sums by sixteen rows are held in registers, row blocks outermost, so a
    /// block's terms (terms × 16 values) stay in L1 while every sum is computed from them.
    /// Eight or twelve independent chains of fused multiply-adds keep the FMA units busy; one
    /// chain alone would wait on each add's latency.
    @inline(__always)
    static func weightedSums<T: TrainingScalar>(of x: UnsafePointer<T>, terms: Int, weights w: UnsafePointer<T>, termStride: Int,
                                                 sumStride: Int, start bias: UnsafePointer<T>?, into out: UnsafeMutablePointer<T>,
                                                 sums: Int, batch: Int) {
        // A constant stride lets the forward pass's four weights of a term be read as neighbours.
        if sumStride == 1 {
            weightedSumTiles(of: x, terms: terms, weights: w, termStride: termStride, sumStride: 1, start: bias, into: out, sums: sums, batch: batch)
        } else {
            weightedSumTiles(of: x, terms: terms, weights: w, termStride: termStride, sumStride: sumStride, start: bias, into: out, sums: sums, batch: batch)
        }
    }

    @inline(__always)
    static func weightedSumTiles<T: TrainingScalar>(of x: UnsafePointer<T>, terms: Int, weights w: UnsafePointer<T>, termStride: Int,
                                                     sumStride: Int, start bias: UnsafePointer<T>?, into out: UnsafeMutablePointer<T>,
                                                     sums: Int, batch: Int) {
        typealias V = SIMD8<T>
        let rowBlocks = batch / 16 * 16
        // Wide layers take six sums at a time (twelve accumulators, each weight broadcast once
        // and used twice), which keeps the FMA units busy; narrow ones only fours, whose spare
        // places cost less.
        let sixes = sums >= 12 ? sums / 6 * 6 : 0
        var b = 0
        while b < rowBlocks {
            var k = 0
            while k < sixes {
                let wk = w + k * sumStride
                func start(_ q: Int) -> (V, V) { bias.map { (V(repeating: $0[k + q]), V(repeating: $0[k + q])) } ?? load(out + (k + q) * batch + b) }
                var (s0, t0) = start(0), (s1, t1) = start(1), (s2, t2) = start(2)
                var (s3, t3) = start(3), (s4, t4) = start(4), (s5, t5) = start(5)
                var (xm, wm) = (x + b, wk)
                for _ in 0..<terms {
                    let (u, v) = load(xm)
                    var weight = V(repeating: wm[0])
                    s0.addProduct(weight, u); t0.addProduct(weight, v)
                    weight = V(repeating: wm[sumStride])
                    s1.addProduct(weight, u); t1.addProduct(weight, v)
                    weight = V(repeating: wm[2 &* sumStride])
                    s2.addProduct(weight, u); t2.addProduct(weight, v)
                    weight = V(repeating: wm[3 &* sumStride])
                    s3.addProduct(weight, u); t3.addProduct(weight, v)
                    weight = V(repeating: wm[4 &* sumStride])
                    s4.addProduct(weight, u); t4.addProduct(weight, v)
                    weight = V(repeating: wm[5 &* sumStride])
                    s5.addProduct(weight, u); t5.addProduct(weight, v)
                    xm += batch
                    wm += termStride
                }
                let target = out + k * batch + b
                store(s0, t0, target); store(s1, t1, target + batch); store(s2, t2, target + 2 * batch)
                store(s3, t3, target + 3 * batch); store(s4, t4, target + 4 * batch); store(s5, t5, target + 5 * batch)
                k += 6
            }
            while k < sums {
                // A last group of fewer than four sums repeats its last sum in the spare places:
                // the repeats compute the same values from the same starts and store them to the
                // same place, and a narrow layer's sums still run as four independent chains.
                let (k1, k2, k3) = (Swift.min(k + 1, sums - 1), Swift.min(k + 2, sums - 1), Swift.min(k + 3, sums - 1))
                func start(_ q: Int) -> (V, V) { bias.map { (V(repeating: $0[q]), V(repeating: $0[q])) } ?? load(out + q * batch + b) }
                var (s0, t0) = start(k), (s1, t1) = start(k1), (s2, t2) = start(k2), (s3, t3) = start(k3)
                let (o0, o1, o2, o3) = (k * sumStride, k1 * sumStride, k2 * sumStride, k3 * sumStride)
                var (xm, wm) = (x + b, w)
                for _ in 0..<terms {
                    let (u, v) = load(xm)
                    let (w0, w1) = (V(repeating: wm[o0]), V(repeating: wm[o1]))
                    let (w2, w3) = (V(repeating: wm[o2]), V(repeating: wm[o3]))
                    s0.addProduct(w0, u); t0.addProduct(w0, v)
                    s1.addProduct(w1, u); t1.addProduct(w1, v)
                    s2.addProduct(w2, u); t2.addProduct(w2, v)
                    s3.addProduct(w3, u); t3.addProduct(w3, v)
                    xm += batch
                    wm += termStride
                }
                store(s0, t0, out + k * batch + b); store(s1, t1, out + k1 * batch + b)
                store(s2, t2, out + k2 * batch + b); store(s3, t3, out + k3 * batch + b)
                k += 4
            }
            b += 16
        }
        for k in 0..<sums {
            weightedSum(of: x, terms: terms, weights: w, termStride: termStride, sumStride: sumStride, start: bias, into: out, k, rowBlocks..<batch, batch: batch)
        }
    }

    /// Sum k of `weightedSums` for the rows in `rows`, with the same operations.
    @inline(__always)
    static func weightedSum<T: TrainingScalar>(of x: UnsafePointer<T>, terms: Int, weights w: UnsafePointer<T>, termStride: Int,
                                                sumStride: Int, start bias: UnsafePointer<T>?, into out: UnsafeMutablePointer<T>,
                                                _ k: Int, _ rows: Range<Int>, batch: Int) {
        let target = out + k * batch, wk = w + k * sumStride
        var b = rows.lowerBound
        while b + 8 <= rows.upperBound {
            var s = bias.map { SIMD8<T>(repeating: $0[k]) } ?? UnsafeRawPointer(target + b).loadUnaligned(as: SIMD8<T>.self)
            for m in 0..<terms { s.addProduct(SIMD8(repeating: wk[m * termStride]), UnsafeRawPointer(x + m * batch + b).loadUnaligned(as: SIMD8<T>.self)) }
            UnsafeMutableRawPointer(target + b).storeBytes(of: s, as: SIMD8<T>.self)
            b += 8
        }
        while b < rows.upperBound {
            var s = bias?[k] ?? target[b]
            for m in 0..<terms { s.addProduct(wk[m * termStride], x[m * batch + b]) }
            target[b] = s
            b += 1
        }
    }

    @inline(__always)
    static func store<T: TrainingScalar>(_ low: SIMD8<T>, _ high: SIMD8<T>, _ target: UnsafeMutablePointer<T>) {
        store(low, target)
        store(high, target + 8)
    }

    /// Weight and bias gradients of a dense layer from its input `a` and the gradient `d` at its
    /// pre-activation, and the gradient at its input added into `p` when given. Weight
    /// gradients are `dot`s (two inputs by four outputs at a time, sharing loads); the input
    /// gradient is `weightedSums` over the outputs with the weights read transposed.
    @inline(__always)
    static func denseBackward<T: TrainingScalar>(_ a: UnsafePointer<T>, _ d: UnsafePointer<T>, weights w: UnsafePointer<T>,
                                                  weightGradient gw: UnsafeMutablePointer<T>, biasGradient gb: UnsafeMutablePointer<T>,
                                                  inputGradient p: UnsafeMutablePointer<T>?, inputs nIn: Int, outputs nOut: Int, batch: Int) {
        biasGradients(d, gb, outputs: nOut, batch: batch)
        weightGradients(a, d, gw, inputs: nIn, outputs: nOut, batch: batch)
        guard let p else { return }
        weightedSums(of: d, terms: nOut, weights: w, termStride: 1, sumStride: nOut, start: nil, into: p, sums: nIn, batch: batch)
    }

    /// Eight values from any address (no alignment needed).
    @inline(__always)
    static func vector<T: TrainingScalar>(at source: UnsafePointer<T>) -> SIMD8<T> {
        UnsafeRawPointer(source).loadUnaligned(as: SIMD8<T>.self)
    }

    @inline(__always)
    static func store<T: TrainingScalar>(_ value: SIMD8<T>, _ target: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(target).storeBytes(of: value, as: SIMD8<T>.self)
    }

    @inline(__always)
    static func load<T: TrainingScalar>(_ source: UnsafePointer<T>) -> (SIMD8<T>, SIMD8<T>) { (vector(at: source), vector(at: source + 8)) }
    @inline(__always)
    static func load<T: TrainingScalar>(_ source: UnsafeMutablePointer<T>) -> (SIMD8<T>, SIMD8<T>) { load(UnsafePointer(source)) }

    /// gw[i * nOut + j] = dot(a_i, d_j) for every pair, two inputs by four outputs at a time so
    /// that each load serves several products and eight independent chains of fused
    /// multiply-adds run at once. At the edges the tile repeats its last input or output in the
    /// spare places (computing a result twice, the same both times). Each result is exactly `dot`'s.
    @inline(__always)
    static func weightGradients<T: TrainingScalar>(_ a: UnsafePointer<T>, _ d: UnsafePointer<T>, _ gw: UnsafeMutablePointer<T>,
                                                    inputs nIn: Int, outputs nOut: Int, batch: Int) {
        typealias V = SIMD8<T>
        let blocks = batch / 8 * 8
        var i = 0
        while i < nIn {
            let i1 = Swift.min(i + 1, nIn - 1)
            let (a0, a1) = (a + i * batch, a + i1 * batch)
            var j = 0
            while j < nOut {
                let (j1, j2, j3) = (Swift.min(j + 1, nOut - 1), Swift.min(j + 2, nOut - 1), Swift.min(j + 3, nOut - 1))
                let (d0, d1, d2, d3) = (d + j * batch, d + j1 * batch, d + j2 * batch, d + j3 * batch)
                var (s00, s01, s02, s03) = (V(), V(), V(), V())
                var (s10, s11, s12, s13) = (V(), V(), V(), V())
                var k = 0
                while k < blocks {
                    let (x0, x1) = (vector(at: a0 + k), vector(at: a1 + k))
                    let (y0, y1, y2, y3) = (vector(at: d0 + k), vector(at: d1 + k), vector(at: d2 + k), vector(at: d3 + k))
                    s00.addProduct(x0, y0); s01.addProduct(x0, y1); s02.addProduct(x0, y2); s03.addProduct(x0, y3)
                    s10.addProduct(x1, y0); s11.addProduct(x1, y1); s12.addProduct(x1, y2); s13.addProduct(x1, y3)
                    k += 8
                }
                // A repeated place receives the same value again.
                func finish(_ row: Int, _ ai: UnsafePointer<T>, _ s0: V, _ s1: V, _ s2: V, _ s3: V) {
                    let target = gw + row * nOut
                    target[j] = finishDot(s0, ai, d0, from: blocks, batch)
                    target[j1] = finishDot(s1, ai, d1, from: blocks, batch)
                    target[j2] = finishDot(s2, ai, d2, from: blocks, batch)
                    target[j3] = finishDot(s3, ai, d3, from: blocks, batch)
                }
                finish(i, a0, s00, s01, s02, s03)
                finish(i1, a1, s10, s11, s12, s13)
                j += 4
            }
            i += 2
        }
    }

    /// gb[j] = `sum`(d_j) for every output, four outputs at a time: four independent chains of
    /// adds instead of one that waits on each add's latency. Each result is exactly `sum`'s.
    @inline(__always)
    static func biasGradients<T: TrainingScalar>(_ d: UnsafePointer<T>, _ gb: UnsafeMutablePointer<T>, outputs nOut: Int, batch: Int) {
        typealias V = SIMD4<T>
        let blocks = batch / 4 * 4
        var j = 0
        while j < nOut {
            let (j1, j2, j3) = (Swift.min(j + 1, nOut - 1), Swift.min(j + 2, nOut - 1), Swift.min(j + 3, nOut - 1))
            let (d0, d1, d2, d3) = (d + j * batch, d + j1 * batch, d + j2 * batch, d + j3 * batch)
            var (s0, s1, s2, s3) = (V(), V(), V(), V())
            var k = 0
            while k < blocks {
                s0 += UnsafeRawPointer(d0 + k).loadUnaligned(as: V.self)
                s1 += UnsafeRawPointer(d1 + k).loadUnaligned(as: V.self)
                s2 += UnsafeRawPointer(d2 + k).loadUnaligned(as: V.self)
                s3 += UnsafeRawPointer(d3 + k).loadUnaligned(as: V.self)
                k += 4
            }
            gb[j] = finishSum(s0, d0, from: blocks, batch)
            gb[j1] = finishSum(s1, d1, from: blocks, batch)
            gb[j2] = finishSum(s2, d2, from: blocks, batch)
            gb[j3] = finishSum(s3, d3, from: blocks, batch)
            j += 4
        }
    }

    /// Σ a[k]·b[k]: lane l of eight running sums takes k ≡ l (mod 8) by fused multiply-adds,
    /// the lanes are added pairwise, then the tail (a fixed order, the same in every kernel).
    @inline(__always)
    static func dot<T: TrainingScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> T {
        var s = SIMD8<T>()
        let blocks = n / 8 * 8
        var k = 0
        while k < blocks {
            s.addProduct(UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<T>.self), UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<T>.self))
            k += 8
        }
        return finishDot(s, a, b, from: blocks, n)
    }

    @inline(__always)
    static func finishDot<T: TrainingScalar>(_ s: SIMD8<T>, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, from start: Int, _ n: Int) -> T {
        var tail: T = 0
        for k in start..<n { tail.addProduct(a[k], b[k]) }
        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])) + tail
    }

    /// Σ a[k]: lane l of four running sums takes k ≡ l (mod 4), the lanes are added pairwise,
    /// then the tail.
    @inline(__always)
    static func sum<T: TrainingScalar>(_ a: UnsafePointer<T>, _ n: Int) -> T {
        var s = SIMD4<T>()
        let blocks = n / 4 * 4
        var k = 0
        while k < blocks { s += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<T>.self); k += 4 }
        return finishSum(s, a, from: blocks, n)
    }

    @inline(__always)
    static func finishSum<T: TrainingScalar>(_ s: SIMD4<T>, _ a: UnsafePointer<T>, from start: Int, _ n: Int) -> T {
        var tail: T = 0
        for k in start..<n { tail += a[k] }
        return (s[0] + s[1]) + (s[2] + s[3]) + tail
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
