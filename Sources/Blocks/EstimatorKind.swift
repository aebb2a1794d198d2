import Dispatch
import Engine
import Information
import NumericCore
import Notebook

/// `estimator`: estimates I(X;Y) on a dataset, or I(X;T) and I(T;Y) for every recorded layer
/// and epoch of a model (the data of an information plane).
public struct EstimatorKind: BlockKind {
    public init() {}

    public let name = "estimator"
    public let version = 6  // 3: KDE bounds from the 8×8 leaf kernel (values move by ~1e-8 nats); 4: tight node pairs of narrow layers by a Taylor expansion, trees in principal axes (values move by ~1e-8 nats, within 1e-6 by construction); 5: KDE rows on a line by a grid series, full leaves, far blocks of projected layers dropped; binning as log n − Σ c log c / n (values move by < 1e-8 nats); 6: KDE carries principal directions and k-d trees along chains of 4 epochs of a layer (values move by ~1e-9 nats)
    public let summary = "Estimates I(X;Y) of a dataset, or I(X;T) and I(T;Y) of every recorded layer and epoch of a model."

    static let datasetMethods = ["gaussian", "ksg", "kl", "wkl", "renyi", "cs"]
    /// Estimators of Shannon's mutual information, whose error against the truth means something.
    static let shannonMethods = ["gaussian", "ksg", "kl", "wkl"]
    static let modelMethods = ["binning", "kde", "kl", "wkl"]
    /// Methods that take entropies of (compressed) layers, as Butakov et al. do.
    static let layerEntropyMethods = ["kl", "wkl"]

    public var keys: [KeySpec] {
        [
            KeySpec("of", .reference(kinds: ["dataset", "model"]), required: true,
                    doc: "A dataset (methods gaussian, ksg) or a model whose recorded layers are estimated (binning, kde)."),
            KeySpec("method", .choice(Self.datasetMethods + Self.modelMethods.filter { !Self.datasetMethods.contains($0) }), required: true,
                    doc: "gaussian: closed form from the sample covariance. ksg: Kraskov–Stögbauer–Grassberger estimator 1, max-norm. kl: Kozachenko–Leonenko entropies, h(X) + h(Y) − h(X,Y). wkl: weighted Kozachenko–Leonenko entropies (Berrett, Samworth & Yuan 2019), h(X) + h(Y) − h(X,Y), or h(X) − Σ_y p(y) h(X | y) on a labelled dataset without Y. renyi: matrix-based Rényi α-information from Gram matrices. cs: Cauchy–Schwarz quadratic information from Gram matrices. binning: equal-width bins per unit (I(X;T) = H(T)). kde: Kolchinsky–Tracey upper and lower bounds with Gaussian noise."),
            KeySpec("k", .int(min: 1, max: 1000), default: 3, when: ("method", ["ksg", "kl", "wkl"]),
                    doc: "Neighbours for KSG and KL; for wkl the largest neighbour rank weighted (raised to ⌊d/4⌋ + 1 in d dimensions when the weights need more)."),
            KeySpec("compress", .record([
                // Required, so that a block without `compress` resolves (and hashes) as before.
                KeySpec("method", .choice(["pca", "autoencoder"]), required: true,
                        doc: "pca: principal components of the data themselves, largest variance first. autoencoder: the code layer of a dense autoencoder trained on each side (Butakov et al. compress images this way)."),
                KeySpec("dimensions", .int(min: 1, max: 10_000), default: 4,
                        doc: "Components (or code units) kept for X and for Y (each capped at its own dimension)."),
                KeySpec("epochs", .int(min: 1, max: 100_000), default: 30, when: ("method", ["autoencoder"]),
                        doc: "Training epochs of each autoencoder (Adam, learning rate 0.001, batches of 128, MSE)."),
                KeySpec("hidden", .int(min: 1, max: 4096), default: 64, when: ("method", ["autoencoder"]),
                        doc: "Width of the tanh layer on each side of the code."),
            ], shorthand: "method"), when: ("method", Self.shannonMethods),
                    doc: "Compress X and Y before estimating (Butakov et al. 2024): {method: pca, dimensions: 4}, or just the method. Each side is projected on its leading principal components and whitened (every component scaled to unit variance)."),
            KeySpec("bootstrap", .record([
                KeySpec("samples", .int(min: 2, max: 100_000), required: true, doc: "Re-estimates on random halves of the rows (200 is usual)."),
                KeySpec("level", .number(min: 0.5, max: 0.999), default: 0.95, doc: "Coverage of the interval."),
            ], shorthand: "samples"), when: ("method", Self.datasetMethods),
                    doc: "A confidence interval for the estimate: {samples: 200, level: 0.95}, or just the number of samples. Each replicate re-estimates on a seeded random half of the rows drawn without replacement (repeated rows would pass for nearest neighbours); the interval is the estimate plus the percentiles of the replicates' deviations from their mean. Costs `samples` estimates on n/2 rows."),
            KeySpec("alpha", .number(min: 0.01, max: 100), default: 1.01, when: ("method", ["renyi"]), doc: "Order α of the Rényi entropy (not 1)."),
            KeySpec("sigma", .number(min: 1e-12, max: 1e12), when: ("method", ["renyi", "cs"]),
                    doc: "Width σ of the Gaussian kernels; default: the median pairwise distance, for X and Y separately."),
            KeySpec("bins", .int(min: 1, max: 1000), default: 30, when: ("method", ["binning"]), doc: "Bins per unit."),
            KeySpec("range", .choice(["activation", "observed", "fixed"]), default: "activation", when: ("method", ["binning"]),
                    doc: "What the bins cover: activation ([−1, 1] for tanh, [0, 1] for sigmoid and the softmax output, else the observed range), observed ([min, max] of the layer at each epoch), or fixed ([low, high])."),
            KeySpec("low", .number(min: -1e9, max: 1e9), default: -1.0, when: ("range", ["fixed"]), doc: "Lower end of fixed bins."),
            KeySpec("high", .number(min: -1e9, max: 1e9), default: 1.0, when: ("range", ["fixed"]), doc: "Upper end of fixed bins."),
            KeySpec("noise", .number(min: 1e-12, max: 1e6), default: 1e-3, when: ("method", ["kde"]),
                    doc: "Variance σ² of the Gaussian noise added to each unit (1e-3 in Saxe et al.)."),
            KeySpec("every", .int(min: 1, max: 100_000), default: 1, when: ("method", Self.modelMethods),
                    doc: "Estimate every n-th recorded epoch only (the last is always included): kde costs n² per layer and epoch."),
            KeySpec("estimate_layers", .list(.int(min: 1, max: 64), count: 1...64), when: ("method", Self.layerEntropyMethods),
                    doc: "On a model: the recorded layers to estimate (1 is the first hidden layer; default all). A layer without noise makes I(X;T) diverge, as the output layer does."),
            KeySpec("units", .choice(["nats", "bits"]), default: "nats", frontMatterDefault: "units",
                    doc: "Units of the results; defaults to the notebook's `units`, else nats."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("mi", when: ("method", Self.datasetMethods), doc: "The estimate of I(X;Y)."),
            ResultSpec("truth", when: ("method", Self.datasetMethods), doc: "The true I(X;Y) when the dataset knows it, else null."),
            ResultSpec("error", when: ("method", Self.datasetMethods), doc: "Estimate minus truth, when the truth is known (Shannon estimators only; null for renyi and cs)."),
            ResultSpec("widths", when: ("method", ["renyi", "cs"]), doc: "The kernel widths σ used for X and Y."),
            ResultSpec("low", when: ("method", Self.datasetMethods), doc: "Lower end of the bootstrap interval (null without `bootstrap`)."),
            ResultSpec("high", when: ("method", Self.datasetMethods), doc: "Upper end of the bootstrap interval (null without `bootstrap`)."),
            ResultSpec("compressed", when: ("method", Self.shannonMethods),
                       doc: "With `compress`: compressed.x and compressed.y, each with dimensions (kept) and explained_variance (share of the variance kept, PCA) or reconstruction_error (mean squared error per standardised value, autoencoder); null without."),
            ResultSpec("samples", doc: "Number of samples used."),
            ResultSpec("method", doc: "The method used."),
            ResultSpec("units", doc: "nats or bits."),
            ResultSpec("epochs", when: ("method", Self.modelMethods), doc: "The recorded epochs."),
            ResultSpec("ixt", when: ("method", Self.modelMethods), doc: "I(X;T) per layer (a list per layer, one value per recorded epoch); the upper bound for kde."),
            ResultSpec("ity", when: ("method", Self.modelMethods), doc: "I(T;Y) per layer, like ixt."),
            ResultSpec("ixt_lower", when: ("method", ["kde"]), doc: "Lower bound of I(X;T), like ixt."),
            ResultSpec("ity_lower", when: ("method", ["kde"]), doc: "Lower bound of I(T;Y), like ixt."),
            ResultSpec("layers", when: ("method", Self.modelMethods),
                       doc: "Per layer (layers.1, layers.2, …): width, ixt_first, ixt_max, ixt_last, ity_last."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        guard let id = spec.string("of"), let target = context.referenced[id], let method = spec.string("method") else { return [] }
        let wanted = target.kind.name == "model" ? Self.modelMethods : Self.datasetMethods
        guard !wanted.contains(method) else { return [] }
        return [.error("method '\(method)' does not apply to \(target.kind.name) '\(id)'",
                       at: spec.location(of: "method"),
                       notes: [.init("on a \(target.kind.name), use \(wanted.joined(separator: " or "))")])]
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let method = input.spec.string("method")!
        let unit = InformationUnit(rawValue: input.spec.string("units")!) ?? .nats
        if input.inputKinds[input.spec.string("of")!] == "model" {
            if Self.layerEntropyMethods.contains(method) { return try runEntropiesOnModel(input, method: method, unit: unit) }
            return try runOnModel(input, method: method, unit: unit)
        }
        return try runOnDataset(input, method: method, unit: unit)
    }

    // MARK: - On a dataset

    private func runOnDataset(_ input: BlockInput, method: String, unit: InformationUnit) throws -> BlockOutput {
        let dataID = input.spec.string("of")!
        guard let data = input.inputs[dataID], let xa = data.arrays["x"] else {
            throw BlockError("dataset '\(dataID)' has no X samples to estimate from")
        }
        var x = Matrix(rows: xa.rows, columns: xa.columns, values: xa.values)
        var y: Matrix?
        var labels: [Int]?
        if let ya = data.arrays["y"] {
            y = Matrix(rows: ya.rows, columns: ya.columns, values: ya.values)
        } else if method == "wkl", let la = data.arrays["labels"] {
            labels = la.values.map { Int($0) }
        } else {
            let hint = data.arrays["labels"] == nil ? "" : " (it has class labels: method wkl estimates I(X;labels))"
            throw BlockError("dataset '\(dataID)' has no X and Y samples to estimate I(X;Y) from\(hint)")
        }
        var compressed: Value = .null
        if let compress = input.spec["compress"], compress["method"] == "autoencoder", let kept = compress["dimensions"]?.intValue {
            let autoencoder = AutoencoderCompression(dimensions: kept, hidden: compress["hidden"]?.intValue ?? 64,
                                                     epochs: compress["epochs"]?.intValue ?? 30)
            func squeeze(_ m: Matrix, side: UInt64) throws -> (Matrix, Value) {
                let code = min(kept, m.columns)
                var coder = autoencoder
                coder.dimensions = code
                input.progress("training the autoencoder of \(side == 1 ? "X" : "Y")")
                let result = try coder.compress(m.values, width: m.columns, seed: input.seed &+ side)
                // Whitened jointly (rotated onto principal axes, each scaled to unit variance).
                let whitened = try PrincipalComponents(Matrix(rows: m.rows, columns: code, values: result.codes), dimensions: code)
                return (whitened.scores,
                        .object(["dimensions": .int(code), "reconstruction_error": .double(result.reconstructionError)]))
            }
            do {
                var sides: [String: Value] = [:]
                (x, sides["x"]) = try squeeze(x, side: 1)
                if let original = y { (y, sides["y"]) = try squeeze(original, side: 2) }
                compressed = .object(sides)
            } catch {
                throw BlockError("compress on '\(dataID)': \(error)")
            }
        } else if let compress = input.spec["compress"], let kept = compress["dimensions"]?.intValue {
            do {
                let px = try PrincipalComponents(x, dimensions: kept)
                x = px.scores
                var sides: [String: Value] = ["x": Self.compressionSummary(px)]
                if let original = y {
                    let py = try PrincipalComponents(original, dimensions: kept)
                    y = py.scores
                    sides["y"] = Self.compressionSummary(py)
                }
                compressed = .object(sides)
            } catch {
                throw BlockError("compress on '\(dataID)': \(error)")
            }
        }
        let spec = input.spec
        // One estimate on the given rows (all of them, or a bootstrap half).
        func estimate(_ rows: [Int]?) throws -> (nats: Double, widths: [Double]?) {
            let xs = rows.map { x.selectingRows($0) } ?? x
            if let labels {
                let ls = rows.map { $0.map { labels[$0] } } ?? labels
                return (try WeightedKozachenkoLeonenko(k: spec.int("k")!).mutualInformation(xs, labels: ls), nil)
            }
            let ys = rows.map { y!.selectingRows($0) } ?? y!
            switch method {
            case "gaussian":
                guard xs.rows > xs.columns + ys.columns else {
                    throw BlockError("the gaussian estimator needs more samples (\(xs.rows)) than dimensions (\(xs.columns + ys.columns))")
                }
                return (try GaussianEstimator().mutualInformation(xs, ys), nil)
            case "kl":
                return (try KozachenkoLeonenko(k: spec.int("k")!).mutualInformation(xs, ys), nil)
            case "wkl":
                return (try WeightedKozachenkoLeonenko(k: spec.int("k")!).mutualInformation(xs, ys), nil)
            case "renyi", "cs":
                guard xs.rows <= 20_000 else { throw BlockError("\(method) builds \(xs.rows)×\(xs.rows) Gram matrices; use at most 20000 samples") }
                let k = GaussianGram(xs, width: spec.double("sigma")), q = GaussianGram(ys, width: spec.double("sigma"))
                let nats = method == "cs" ? CauchySchwarzInformation().estimate(k, q)
                                          : try MatrixRenyiInformation(alpha: spec.double("alpha")!).mutualInformation(k, q)
                return (nats, [k.width, q.width])
            default:
                return (try KSGEstimator(k: spec.int("k")!).mutualInformation(xs, ys), nil)
            }
        }
        let nats: Double
        var widths: [Double]?
        var interval: ClosedRange<Double>?
        do {
            (nats, widths) = try estimate(nil)
            if let bootstrap = spec["bootstrap"], let samples = bootstrap["samples"]?.intValue, let level = bootstrap["level"]?.doubleValue {
                interval = try BootstrapInterval(samples: samples, level: level).interval(around: nats, rows: x.rows, seed: input.seed) {
                    try estimate($0).nats
                }
            }
        } catch let error as BlockError {
            throw error
        } catch {
            throw BlockError("\(method) on '\(dataID)': \(error)")
        }
        var values: [String: Value] = [
            "mi": .double(unit.fromNats(nats)),
            "method": .string(method),
            "units": .string(unit.rawValue),
            "samples": .int(x.rows),
            "truth": .null,
            "error": .null,
        ]
        if let truth = data.values["mi"]?.doubleValue {
            values["truth"] = .double(unit.fromNats(truth))
            if Self.shannonMethods.contains(method) { values["error"] = .double(unit.fromNats(nats - truth)) }
        }
        if let widths { values["widths"] = .array(widths.map { .double($0) }) }
        if spec["bootstrap"] != nil {
            values["low"] = interval.map { .double(unit.fromNats($0.lowerBound)) } ?? .null
            values["high"] = interval.map { .double(unit.fromNats($0.upperBound)) } ?? .null
        }
        if spec["compress"] != nil { values["compressed"] = compressed }
        return BlockOutput(values: values)
    }

    static func compressionSummary(_ pca: PrincipalComponents) -> Value {
        .object(["dimensions": .int(pca.scores.columns), "explained_variance": .double(pca.explainedVariance)])
    }

    // MARK: - On a model's recordings

    private func runOnModel(_ input: BlockInput, method: String, unit: InformationUnit) throws -> BlockOutput {
        let spec = input.spec
        let model = try RecordedModel(input, method: method)
        let (epochs, chosen, labels, rows, widths) = (model.epochs, model.chosen, model.labels, model.rows, model.widths)
        let activation = model.output.values["activation"]?.stringValue ?? "linear"
        let layers = widths.count
        let layerArrays = (1...layers).map(model.layer)

        // One task per (layer, epoch), in parallel (KDE: a chain of epochs a job); each writes its own slot.
        let tasks = layers * epochs.count
        var ixt = [Double](repeating: 0, count: tasks), ity = ixt, ixtLower = ixt, ityLower = ixt
        let bins = spec.int("bins") ?? 30
        let rangeMode = spec.string("range") ?? "activation"
        let fixed = (spec.double("low") ?? -1)...(max(spec.double("low") ?? -1, spec.double("high") ?? 1))
        let noise = spec.double("noise") ?? 1e-3
        ixt.withUnsafeMutableBufferPointer { ixtOut in
            ity.withUnsafeMutableBufferPointer { ityOut in
                ixtLower.withUnsafeMutableBufferPointer { ixtLowOut in
                    ityLower.withUnsafeMutableBufferPointer { ityLowOut in
                        let outs = Slots(ixt: ixtOut, ity: ityOut, ixtLower: ixtLowOut, ityLower: ityLowOut)
                        // KDE runs each layer's epochs in chains (the same ones every run, so the
                        // same bits), which carry pruning structures from epoch to epoch.
                        let chainLength = method == "kde" ? KDEEstimator.Chain.length : 1
                        let chains = (epochs.count + chainLength - 1) / chainLength
                        DispatchQueue.concurrentPerform(iterations: layers * chains) { job in
                            let layer = job / chains, first = (job % chains) * chainLength
                            var chain = KDEEstimator.Chain()
                            for k in first..<min(first + chainLength, epochs.count) {
                                let task = layer * epochs.count + k, e = chosen[k]
                                let width = widths[layer]
                                let start = e * rows * width
                                layerArrays[layer].withUnsafeBufferPointer { all in
                                    let slice = UnsafeBufferPointer(rebasing: all[start..<(start + rows * width)])
                                    if method == "binning" {
                                        let isOutput = layer == layers - 1
                                        let range: ClosedRange<Double>
                                        switch rangeMode {
                                        case "fixed": range = fixed
                                        case "observed": range = Self.observedRange(slice)
                                        default: range = isOutput || activation == "sigmoid" ? 0...1
                                            : activation == "tanh" ? -1...1 : Self.observedRange(slice)
                                        }
                                        let estimate = BinningEstimator(bins: bins).estimate(slice, rows: rows, width: width, labels: labels, range: range)
                                        outs.ixt[task] = estimate.ixt
                                        outs.ity[task] = estimate.ity
                                    } else {
                                        let b = KDEEstimator(noiseVariance: noise).bounds(slice, rows: rows, width: width, labels: labels,
                                                                                          chain: &chain)
                                        outs.ixt[task] = b.ixtUpper
                                        outs.ity[task] = b.ityUpper
                                        outs.ixtLower[task] = b.ixtLower
                                        outs.ityLower[task] = b.ityLower
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        var values = model.planeResults(ixt: ixt, ity: ity, numbers: Array(1...layers), widths: widths, unit: unit)
        values["method"] = .string(method)
        values["units"] = .string(unit.rawValue)
        if method == "kde" {
            values["ixt_lower"] = model.perLayer(ixtLower, layers: layers, unit: unit)
            values["ity_lower"] = model.perLayer(ityLower, layers: layers, unit: unit)
        }
        return BlockOutput(values: values)
    }

    static func observedRange(_ values: UnsafeBufferPointer<Float>) -> ClosedRange<Double> {
        var low = Float.infinity, high = -Float.infinity
        for v in values where v.isFinite { low = min(low, v); high = max(high, v) }
        return low <= high ? Double(low)...Double(high) : 0...1
    }

    // MARK: - Report

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let units = output.values["units"]?.displayText ?? "nats"
        if let layers = output.values["layers"], case .object(let byLayer) = layers {
            let rows = byLayer.keys.sorted { Int($0)! < Int($1)! }.map { key -> [String] in
                let l = byLayer[key]!
                return [key, l["width"]?.displayText ?? "", l["ixt_first"]?.displayText ?? "", l["ixt_max"]?.displayText ?? "",
                        l["ixt_last"]?.displayText ?? "", l["ity_last"]?.displayText ?? ""]
            }
            let bound = output.values["method"] == "kde" ? " (upper bound)" : ""
            return [.table(Table(header: ["layer", "width", "I(X;T) first", "I(X;T) max", "I(X;T) last", "I(T;Y) last"].map { $0 == "layer" || $0 == "width" ? $0 : "\($0) (\(units))" },
                                 rows: rows, numericColumns: [0, 1, 2, 3, 4, 5])),
                    .text("\(output.values["method"]?.displayText ?? "") estimates\(bound) over \(output.values["epochs"]?.arrayValue?.count ?? 0) recorded epochs on \(output.values["samples"]?.displayText ?? "?") samples.")]
        }
        var method = output.values["method"]?.displayText ?? "?"
        if method == "ksg" || method == "kl", let k = spec.int("k") { method += " (k = \(k))" }
        if method == "renyi", let alpha = spec.double("alpha") { method += " (α = \(NumberFormatting.format(alpha)))" }
        let row = [method, output.values["mi"]?.displayText ?? "—", output.values["truth"]?.displayText ?? "—",
                   output.values["error"]?.displayText ?? "—", output.values["samples"]?.displayText ?? "—"]
        return [.table(Table(header: ["method", "I(X;Y) (\(units))", "truth (\(units))", "error (\(units))", "samples"],
                             rows: [row], numericColumns: [1, 2, 3, 4]))]
    }
}

/// Output slots the parallel tasks write to, one index each.
private struct Slots: @unchecked Sendable {
    var ixt: UnsafeMutableBufferPointer<Double>
    var ity: UnsafeMutableBufferPointer<Double>
    var ixtLower: UnsafeMutableBufferPointer<Double>
    var ityLower: UnsafeMutableBufferPointer<Double>
}
