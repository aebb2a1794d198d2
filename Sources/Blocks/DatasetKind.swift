import Foundation
import Engine
import Learning
import Notebook
import NumericCore

/// `dataset`: makes or loads samples: `gaussian` pairs, heavy-tailed `student-t` pairs and
/// `gaussian-images` of known MI,
/// `tishby12` and `mnist1d` for classifiers, `friedman1` for regression, or the user's files.
public struct DatasetKind: BlockKind {
    public init() {}

    public let name = "dataset"
    public let version = 1
    public let summary = "Makes samples (X, Y) for estimators and models; records the true MI when the source knows it."

    public var keys: [KeySpec] {
        [
            KeySpec("source", .choice(["gaussian", "student-t", "tishby12"] + Self.generatedSources + Self.fileSources), required: true,
                    doc: "Where samples come from. gaussian: jointly Gaussian pairs with a chosen MI. student-t: jointly Student-t pairs (heavy tails) with a known MI. tishby12: the 4096 12-bit inputs and labels of Shwartz-Ziv & Tishby (2017). mnist1d: procedural 1-D digits (Greydanus 2020). gaussian-images: images drawn from Gaussian latents of a chosen MI (Butakov et al. 2024). friedman1: Friedman's regression problem. csv, npy, idx: files next to the notebook."),
            KeySpec("path", .string, required: true, when: ("source", Self.fileSources),
                    doc: "The file, relative to the notebook's folder (csv: the table; npy, idx: the inputs X, one row per sample)."),
            KeySpec("x", .list(.string, count: 1...100_000), when: ("source", ["csv"]),
                    doc: "Columns holding X; default: every column not named in y or label."),
            KeySpec("y", .list(.string, count: 1...100_000), when: ("source", ["csv"]), doc: "Columns holding Y values (regression)."),
            KeySpec("label", .string, when: ("source", ["csv"]), doc: "Column holding class labels (names or integers)."),
            KeySpec("y_path", .string, when: ("source", ["npy", "idx"]), doc: "A file of Y values, one row per sample."),
            KeySpec("label_path", .string, when: ("source", ["npy", "idx"]), doc: "A file of integer class labels, one per sample."),
            KeySpec("size", .int(min: 2, max: 10_000_000), default: 1000, when: ("source", ["gaussian", "student-t", "friedman1"]), doc: "Number of samples."),
            KeySpec("size", .int(min: 2, max: 10_000_000), default: 5000, when: ("source", ["mnist1d", "gaussian-images"]),
                    doc: "Number of samples (mnist1d: classes as even as can be)."),
            KeySpec("mi", .number(min: 0, max: 100), default: 1.0, when: ("source", ["gaussian", "gaussian-images"]),
                    doc: "True mutual information I(X;Y) in nats, spread evenly over the `active` correlated coordinate pairs (default all min(dx, dy)) (gaussian-images: over the latent pairs)."),
            KeySpec("latent", .int(min: 1, max: 4), default: 4, when: ("source", ["gaussian-images"]),
                    doc: "Latent dimensions of each image (blobs: 1-4 of centre x, centre y, width x, width y; rectangles: 4 edges)."),
            KeySpec("image", .int(min: 16, max: 32), default: 16, when: ("source", ["gaussian-images"]), doc: "Side of the square images in pixels: 16 or 32."),
            KeySpec("shape", .choice(GaussianImages.Shape.allCases.map(\.rawValue)), default: "blobs", when: ("source", ["gaussian-images"]),
                    doc: "What each image shows: blobs (a 2-D Gaussian) or rectangles (anti-aliased)."),
            KeySpec("images", .choice(["both", "x"]), default: "both", when: ("source", ["gaussian-images"]),
                    doc: "both: X and Y are images; x: X is images, Y its latent Gaussian vector."),
            KeySpec("noise", .number(min: 0, max: 1000), default: 1.0, when: ("source", ["mnist1d", "friedman1"]),
                    doc: "friedman1: standard deviation of the Gaussian noise on y. mnist1d: factor on the published noise (correlated 0.25, white 0.02); 0 leaves the transformed templates clean."),
            KeySpec("features", .int(min: 5, max: 10_000), default: 10, when: ("source", ["friedman1"]),
                    doc: "Input dimensions; only the first five enter y, the others are noise to ignore."),
            KeySpec("dims", .list(.int(min: 1, max: 10_000), count: 2...2), default: [1, 1], when: ("source", Self.pairSources),
                    doc: "[dx, dy]: dimensions of X and Y."),
            // No default, so that a block without `active` resolves (and hashes) as before.
            KeySpec("active", .int(min: 1, max: 10_000), when: ("source", Self.pairSources),
                    doc: "How many coordinate pairs are correlated (the first ones), at most min(dx, dy); the others are independent. Default: all min(dx, dy). A few active pairs among many dimensions make a sparse task."),
            KeySpec("dof", .number(min: 0.5, max: 1_000_000), default: 3.0, when: ("source", ["student-t"]),
                    doc: "Degrees of freedom ν of the multivariate Student-t: 1 is Cauchy, large ν approaches the Gaussian."),
            KeySpec("correlation", .number(min: 0, max: 0.9999), default: 0.5, when: ("source", ["student-t"]),
                    doc: "Correlation ρ of each active coordinate pair in the dispersion matrix (the Gaussian part)."),
            KeySpec("split", .record([KeySpec("test", .number(min: 0, max: 0.9), default: 0.15, doc: "Fraction of each class held out for testing.")],
                                     shorthand: "test"),
                    when: ("source", ["tishby12"] + Self.fileSources), doc: "Seeded train/test split, stratified by class when there are labels: {test: 0.15}."),
            KeySpec("split", .record([KeySpec("test", .number(min: 0, max: 0.9), default: 0.2, doc: "Fraction of each class held out for testing.")],
                                     shorthand: "test"),
                    when: ("source", Self.generatedSources), doc: "Seeded train/test split, stratified by class when there are labels: {test: 0.2} (mnist1d: 4000 / 1000 of 5000)."),
            KeySpec("standardize", .choice(["none", "x", "y", "both"]),
                    doc: "Centre and scale each column of X, Y or both by the mean and standard deviation of the training rows (all rows when there is no split); the means and deviations are in the results. Default: none."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("samples", doc: "Number of samples."),
            ResultSpec("x_dims", doc: "Dimension of X."),
            ResultSpec("y_dims", doc: "Dimension of Y."),
            ResultSpec("mi", when: ("source", ["gaussian", "student-t", "gaussian-images"]), doc: "True I(X;Y) in nats."),
            ResultSpec("dof", when: ("source", ["student-t"]), doc: "Degrees of freedom ν."),
            ResultSpec("gaussian_mi", when: ("source", ["student-t"]), doc: "The Gaussian part of the true MI, −(k/2) log(1 − ρ²) for k active pairs (nats)."),
            ResultSpec("tail_mi", when: ("source", ["student-t"]), doc: "The Student-t part of the true MI, from log-gamma and digamma terms (nats)."),
            ResultSpec("classes", when: ("source", ["tishby12", "mnist1d"] + Self.fileSources), doc: "Number of classes (null without labels)."),
            ResultSpec("positives", when: ("source", ["tishby12"]), doc: "Rows labelled 1."),
            ResultSpec("train", when: ("source", ["tishby12"] + Self.generatedSources + Self.fileSources), doc: "Rows in the training part."),
            ResultSpec("test", when: ("source", ["tishby12"] + Self.generatedSources + Self.fileSources), doc: "Rows in the test part."),
            ResultSpec("file", when: ("source", Self.fileSources), doc: "The file read, as written in the spec."),
            ResultSpec("correlation", when: ("source", ["gaussian", "student-t", "gaussian-images"]), doc: "Correlation of each paired (latent) coordinate."),
            ResultSpec("standardized", when: ("standardize", ["none", "x", "y", "both"]),
                       doc: "The means and standard deviations used, {x_mean, x_std, y_mean, y_std}, one per column (std 1 for a constant column): original = value × std + mean. Empty for standardize: none."),
        ]
    }

    static let fileSources = ["csv", "npy", "idx"]
    /// Pairs (X, Y) of chosen dimensions with some coordinates correlated.
    static let pairSources = ["gaussian", "student-t"]
    /// Procedural sources that draw a fresh train/test split.
    static let generatedSources = ["mnist1d", "gaussian-images", "friedman1"]
    static let pathKeys = ["path", "y_path", "label_path"]

    public func fingerprint(_ spec: ResolvedSpec, environment: RunEnvironment) -> [String: Value] {
        var hashes: [String: Value] = [:]
        for key in Self.pathKeys {
            guard let path = spec.string(key), let url = try? environment.readableFile(path),
                  let data = try? Data(contentsOf: url) else { continue }
            hashes[key] = .string(Hashing.sha256Hex(data: data))
        }
        return hashes
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        var problems = Self.settingProblems(spec)
        if Self.fileSources.contains(spec.string("source") ?? "") {
            for key in Self.pathKeys {
                guard let path = spec.string(key) else { continue }
                do {
                    _ = try context.environment.readableFile(path)
                } catch {
                    problems.append(.error("\(error)", at: spec.location(of: key)))
                }
            }
            if spec.string("source") == "csv", spec["y"] != nil, spec["label"] != nil {
                problems.append(.error("give y (values) or label (classes), not both", at: spec.location(of: "label")))
            }
            return problems
        }
        guard problems.isEmpty, let size = spec.int("size"), let columns = Self.columns(spec) else { return problems }
        // X and Y as Float64, and one more copy of each while they are laid out.
        let bytes = Double(size) * Double(columns) * 8 * 2
        return MemoryBudget.check(bytes: bytes, what: "dataset of \(size) samples in \(columns) dimensions",
                                  at: spec.location(of: "size"))
    }

    /// Numbers held per sample (X, Y or labels, latents) by a generated source.
    static func columns(_ spec: ResolvedSpec) -> Int? {
        switch spec.string("source") {
        case "gaussian", "student-t":
            guard let dims = spec["dims"]?.arrayValue?.compactMap(\.intValue), dims.count == 2 else { return nil }
            return dims[0] + dims[1]
        case "mnist1d":
            return MNIST1D.Parameters().length + 1
        case "gaussian-images":
            guard let side = spec.int("image"), let latent = spec.int("latent") else { return nil }
            return side * side * (spec.string("images") == "x" ? 1 : 2) + 3 * latent
        case "friedman1":
            return spec.int("features").map { $0 + 1 }
        default:
            return nil
        }
    }

    /// Settings each key allows alone but not together, or not for this source.
    static func settingProblems(_ spec: ResolvedSpec) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let source = spec.string("source") ?? ""
        if Self.pairSources.contains(source), let active = spec.int("active"),
           let dims = spec["dims"]?.arrayValue?.compactMap(\.intValue), dims.count == 2, active > dims.min()! {
            problems.append(.error("'active' must be at most min(dx, dy) = \(dims.min()!) for dims [\(dims[0]), \(dims[1])], found \(active)",
                                   at: spec.location(of: "active")))
        }
        if source == "gaussian-images" {
            if let side = spec.int("image"), side != 16, side != 32 {
                problems.append(.error("'image' must be 16 or 32 (pixels per side), found \(side)", at: spec.location(of: "image")))
            }
            if let name = spec.string("shape"), let shape = GaussianImages.Shape(rawValue: name), let latent = spec.int("latent") {
                let allowed = GaussianImages.latentDimensions(for: shape)
                if !allowed.contains(latent) {
                    let range = allowed.count == 1 ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)"
                    problems.append(.error("'latent' must be \(range) for \(name), found \(latent)", at: spec.location(of: "latent")))
                }
            }
        }
        if let which = spec.string("standardize"), which == "y" || which == "both" {
            let hasY: Bool
            switch source {
            case "tishby12", "mnist1d": hasY = false
            case "csv": hasY = spec["y"] != nil
            case "npy", "idx": hasY = spec.string("y_path") != nil
            default: hasY = true
            }
            if !hasY {
                problems.append(.error("standardize: \(which) needs Y values, and this \(source) dataset has none (class labels are never scaled); use standardize: x",
                                       at: spec.location(of: "standardize")))
            }
        }
        return problems
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let output = try make(input)
        guard let which = input.spec.string("standardize") else { return output }
        return Self.standardize(output, which)
    }

    /// Centres and scales X and/or Y by the training rows' statistics, recording them.
    static func standardize(_ output: BlockOutput, _ which: String) -> BlockOutput {
        var output = output
        var record: [String: Value] = [:]
        let names = ["x": ["x"], "y": ["y"], "both": ["x", "y"]][which] ?? []
        for name in names {
            guard let array = output.arrays[name], let rows = array.shape.first, rows > 0 else { continue }
            let fitted = output.arrays["train_index"]?.values.map { Int($0) } ?? Array(0..<rows)
            let scaling = Standardization(fitting: array.values, columns: array.values.count / rows, rows: fitted.isEmpty ? Array(0..<rows) : fitted)
            output.arrays[name] = NumericArray(shape: array.shape, values: scaling.apply(array.values))
            record["\(name)_mean"] = .array(scaling.mean.map { .double($0) })
            record["\(name)_std"] = .array(scaling.scale.map { .double($0) })
        }
        output.values["standardized"] = .object(record)
        return output
    }

    private func make(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        switch spec.string("source") {
        case "tishby12":
            let (inputs, labels) = Tishby12.make()
            let fraction = spec["split"]?["test"]?.doubleValue ?? 0.15
            let split = DataSplit.stratified(labels: labels, testFraction: fraction, seed: input.seed)
            return BlockOutput(
                values: [
                    "source": "tishby12",
                    "samples": .int(Tishby12.count),
                    "x_dims": .int(Tishby12.features),
                    "y_dims": 1,
                    "classes": 2,
                    "positives": .int(labels.reduce(0, +)),
                    "train": .int(split.train.count),
                    "test": .int(split.test.count),
                ],
                arrays: ["x": NumericArray(shape: [Tishby12.count, Tishby12.features], values: inputs),
                         "labels": NumericArray(shape: [Tishby12.count], values: labels.map(Double.init)),
                         "train_index": NumericArray(shape: [split.train.count], values: split.train.map(Double.init)),
                         "test_index": NumericArray(shape: [split.test.count], values: split.test.map(Double.init))])
        case "csv", "npy", "idx":
            return try loadFile(input)
        case "mnist1d", "gaussian-images", "friedman1":
            return generate(input)
        case "gaussian":
            let size = spec.int("size")!
            let dims = spec["dims"]!.arrayValue!.compactMap(\.intValue)
            let pairs = GaussianPairs(mutualInformation: spec.double("mi")!, xDimension: dims[0], yDimension: dims[1],
                                      activePairs: spec.int("active"))
            let (x, y) = pairs.sample(count: size, seed: input.seed)
            return BlockOutput(
                values: [
                    "source": "gaussian",
                    "samples": .int(size),
                    "x_dims": .int(dims[0]),
                    "y_dims": .int(dims[1]),
                    "mi": .double(pairs.mutualInformation),
                    "correlation": .double(pairs.correlation),
                ],
                arrays: ["x": NumericArray(shape: [x.rows, x.columns], values: x.values),
                         "y": NumericArray(shape: [y.rows, y.columns], values: y.values)])
        case "student-t":
            let size = spec.int("size")!
            let dims = spec["dims"]!.arrayValue!.compactMap(\.intValue)
            let pairs = StudentTPairs(degreesOfFreedom: spec.double("dof")!, correlation: spec.double("correlation")!,
                                      xDimension: dims[0], yDimension: dims[1], activePairs: spec.int("active"))
            let (x, y) = pairs.sample(count: size, seed: input.seed)
            return BlockOutput(
                values: [
                    "source": "student-t",
                    "samples": .int(size),
                    "x_dims": .int(dims[0]),
                    "y_dims": .int(dims[1]),
                    "mi": .double(pairs.mutualInformation),
                    "gaussian_mi": .double(pairs.gaussianInformation),
                    "tail_mi": .double(pairs.tailInformation),
                    "dof": .double(pairs.degreesOfFreedom),
                    "correlation": .double(pairs.correlation),
                ],
                arrays: ["x": NumericArray(shape: [x.rows, x.columns], values: x.values),
                         "y": NumericArray(shape: [y.rows, y.columns], values: y.values)])
        default:
            throw BlockError("unsupported source '\(spec.string("source") ?? "")'")
        }
    }

    /// Samples from a procedural source, with a seeded split stratified by class when there are classes.
    private func generate(_ input: BlockInput) -> BlockOutput {
        let spec = input.spec
        let source = spec.string("source")!
        let size = spec.int("size")!
        var values: [String: Value] = ["source": .string(source), "samples": .int(size)]
        var arrays: [String: NumericArray] = [:]
        var labels: [Int]?
        switch source {
        case "mnist1d":
            let generator = MNIST1D(parameters: .noise(spec.double("noise")!))
            let (inputs, classes) = generator.make(count: size, seed: input.seed)
            let length = generator.parameters.length
            labels = classes
            values["x_dims"] = .int(length)
            values["y_dims"] = 1
            values["classes"] = .int(MNIST1D.classes)
            arrays["x"] = NumericArray(shape: [size, length], values: inputs)
            arrays["labels"] = NumericArray(shape: [size], values: classes.map(Double.init))
        case "gaussian-images":
            let generator = GaussianImages(mutualInformation: spec.double("mi")!, latentDimension: spec.int("latent")!,
                                           side: spec.int("image")!, shape: GaussianImages.Shape(rawValue: spec.string("shape")!)!)
            let both = spec.string("images") != "x"
            let sample = generator.sample(count: size, seed: input.seed, imagesForY: both)
            let yWidth = both ? generator.pixels : generator.latent.yDimension
            values["x_dims"] = .int(generator.pixels)
            values["y_dims"] = .int(yWidth)
            values["mi"] = .double(generator.latent.mutualInformation)
            values["correlation"] = .double(generator.latent.correlation)
            arrays["x"] = NumericArray(shape: [size, generator.pixels], values: sample.x)
            arrays["y"] = NumericArray(shape: [size, yWidth], values: sample.y)
            arrays["x_latent"] = NumericArray(shape: [size, sample.latentX.columns], values: sample.latentX.values)
            arrays["y_latent"] = NumericArray(shape: [size, sample.latentY.columns], values: sample.latentY.values)
        default:
            let generator = Friedman1(features: spec.int("features")!, noise: spec.double("noise")!)
            let (x, y) = generator.sample(count: size, seed: input.seed)
            values["x_dims"] = .int(generator.features)
            values["y_dims"] = 1
            arrays["x"] = NumericArray(shape: [size, generator.features], values: x)
            arrays["y"] = NumericArray(shape: [size, 1], values: y)
        }
        let fraction = spec["split"]?["test"]?.doubleValue ?? 0.2
        let split = DataSplit.stratified(labels: labels ?? [Int](repeating: 0, count: size), testFraction: fraction, seed: input.seed)
        values["train"] = .int(split.train.count)
        values["test"] = .int(split.test.count)
        arrays["train_index"] = NumericArray(shape: [split.train.count], values: split.train.map(Double.init))
        arrays["test_index"] = NumericArray(shape: [split.test.count], values: split.test.map(Double.init))
        return BlockOutput(values: values, arrays: arrays)
    }

    /// X (and Y or labels) from the user's files, with a seeded split.
    private func loadFile(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        let source = spec.string("source")!
        func read(_ key: String) throws -> (url: URL, bytes: [UInt8]) {
            let path = spec.string(key)!
            do {
                let url = try input.environment.readableFile(path)
                return (url, [UInt8](try Data(contentsOf: url)))
            } catch let error as RunEnvironment.AccessError {
                throw BlockError(error.description)
            } catch {
                throw BlockError("cannot read '\(path)': \(error.localizedDescription)")
            }
        }
        func matrix(_ key: String) throws -> (rows: Int, columns: Int, values: [Double]) {
            let file = try read(key)
            do {
                let (shape, values) = source == "npy" ? try { let a = try NPYArray.parse(file.bytes); return (a.shape, a.values) }()
                                                      : try { let a = try IDXArray.parse(file.bytes); return (a.shape, a.values) }()
                guard let rows = shape.first, rows > 0 else { throw FileFormatError("the array holds no rows") }
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw FileFormatError("element \(bad) (row \(bad / max(1, values.count / rows))) is not a finite number")
                }
                return (rows, values.count / rows, values)
            } catch let error as FileFormatError {
                throw BlockError("\(spec.string(key)!): \(error.message)")
            }
        }

        var x: (rows: Int, columns: Int, values: [Double])
        var y: (columns: Int, values: [Double])?
        var labels: [Int]?
        var columns: [String] = []
        if source == "csv" {
            let file = try read("path")
            let path = spec.string("path")!
            do {
                let table = try CSVTable.parse(file.bytes)
                let yColumns = spec["y"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let labelColumn = spec.string("label")
                columns = spec["x"]?.arrayValue?.compactMap(\.stringValue)
                    ?? table.header.filter { !yColumns.contains($0) && $0 != labelColumn }
                guard !columns.isEmpty else { throw FileFormatError("no columns are left for X") }
                guard !table.rows.isEmpty else { throw FileFormatError("the table has a header but no rows") }
                x = (table.rows.count, columns.count, try table.numbers(columns: columns))
                if !yColumns.isEmpty { y = (yColumns.count, try table.numbers(columns: yColumns)) }
                if let labelColumn { labels = try table.classes(column: labelColumn).indices }
            } catch let error as FileFormatError {
                throw BlockError("\(path): \(error.message)")
            }
        } else {
            x = try matrix("path")
            if spec.string("y_path") != nil {
                let m = try matrix("y_path")
                guard m.rows == x.rows else { throw BlockError("\(spec.string("y_path")!) has \(m.rows) rows but \(spec.string("path")!) has \(x.rows)") }
                y = (m.columns, m.values)
            }
            if spec.string("label_path") != nil {
                let m = try matrix("label_path")
                guard m.rows == x.rows, m.columns == 1 else {
                    throw BlockError("\(spec.string("label_path")!) must hold one label per row of \(spec.string("path")!) (\(x.rows)), found \(m.rows) × \(m.columns)")
                }
                guard m.values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() }) else {
                    throw BlockError("\(spec.string("label_path")!): labels must be non-negative integers")
                }
                labels = m.values.map { Int($0) }
            }
        }

        let fraction = spec["split"]?["test"]?.doubleValue ?? 0.15
        let split = DataSplit.stratified(labels: labels ?? [Int](repeating: 0, count: x.rows), testFraction: fraction, seed: input.seed)
        var values: [String: Value] = [
            "source": .string(source),
            "file": .string(spec.string("path")!),
            "samples": .int(x.rows),
            "x_dims": .int(x.columns),
            "y_dims": y.map { .int($0.columns) } ?? .null,
            "classes": labels.map { .int(($0.max() ?? -1) + 1) } ?? .null,
            "train": .int(split.train.count),
            "test": .int(split.test.count),
        ]
        if !columns.isEmpty { values["columns"] = .array(columns.map { .string($0) }) }
        var arrays: [String: NumericArray] = [
            "x": NumericArray(shape: [x.rows, x.columns], values: x.values),
            "train_index": NumericArray(shape: [split.train.count], values: split.train.map(Double.init)),
            "test_index": NumericArray(shape: [split.test.count], values: split.test.map(Double.init)),
        ]
        if let y { arrays["y"] = NumericArray(shape: [x.rows, y.columns], values: y.values) }
        if let labels { arrays["labels"] = NumericArray(shape: [x.rows], values: labels.map(Double.init)) }
        return BlockOutput(values: values, arrays: arrays)
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let labelled = (output.values["classes"] ?? .null) != .null
        let xDims = output.values["x_dims"]?.displayText ?? "?", yDims = output.values["y_dims"]?.displayText ?? "?"
        var rows: [[String]] = [
            ["source", output.values["source"]?.displayText ?? "—"],
            ["samples", output.values["samples"]?.displayText ?? "—"],
            labelled ? ["features", xDims] : ["dimensions (X, Y)", "\(xDims), \(yDims)"],
        ]
        if let mi = output.values["mi"] { rows.append(["true I(X;Y)", mi.displayText + " nats"]) }
        if let file = output.values["file"] { rows.insert(["file", file.displayText], at: 1) }
        if labelled, let classes = output.values["classes"] { rows.append(["classes", classes.displayText]) }
        if let positives = output.values["positives"] { rows.append(["positives (label 1)", positives.displayText]) }
        if let train = output.values["train"], let test = output.values["test"] {
            rows.append(["train / test", "\(train.displayText) / \(test.displayText)"])
        }
        if let dof = output.values["dof"] { rows.append(["degrees of freedom ν", dof.displayText]) }
        if let gaussian = output.values["gaussian_mi"], let tail = output.values["tail_mi"] {
            rows.append(["Gaussian part + Student-t part", "\(gaussian.displayText) + \(tail.displayText) nats"])
        }
        if let rho = output.values["correlation"] { rows.append(["correlation per pair", rho.displayText]) }
        if let which = spec.string("standardize"), which != "none" {
            rows.append(["standardized", "\(which == "both" ? "X and Y" : which.uppercased()) by the training rows' mean and std"])
        }
        return [.table(Table(header: ["property", "value"], rows: rows))]
    }
}
