import Foundation
import Engine
import Learning
import Notebook
import NumericCore

/// `dataset`: makes or loads samples: `gaussian` pairs of known MI, `tishby12` for networks.
public struct DatasetKind: BlockKind {
    public init() {}

    public let name = "dataset"
    public let version = 1
    public let summary = "Makes samples (X, Y) for estimators and models; records the true MI when the source knows it."

    public var keys: [KeySpec] {
        [
            KeySpec("source", .choice(["gaussian", "tishby12"] + Self.fileSources), required: true,
                    doc: "Where samples come from. gaussian: jointly Gaussian pairs with a chosen MI. tishby12: the 4096 12-bit inputs and labels of Shwartz-Ziv & Tishby (2017). csv, npy, idx: files next to the notebook."),
            KeySpec("path", .string, required: true, when: ("source", Self.fileSources),
                    doc: "The file, relative to the notebook's folder (csv: the table; npy, idx: the inputs X, one row per sample)."),
            KeySpec("x", .list(.string, count: 1...100_000), when: ("source", ["csv"]),
                    doc: "Columns holding X; default: every column not named in y or label."),
            KeySpec("y", .list(.string, count: 1...100_000), when: ("source", ["csv"]), doc: "Columns holding Y values (regression)."),
            KeySpec("label", .string, when: ("source", ["csv"]), doc: "Column holding class labels (names or integers)."),
            KeySpec("y_path", .string, when: ("source", ["npy", "idx"]), doc: "A file of Y values, one row per sample."),
            KeySpec("label_path", .string, when: ("source", ["npy", "idx"]), doc: "A file of integer class labels, one per sample."),
            KeySpec("size", .int(min: 2, max: 10_000_000), default: 1000, when: ("source", ["gaussian"]), doc: "Number of samples."),
            KeySpec("mi", .number(min: 0, max: 100), default: 1.0, when: ("source", ["gaussian"]),
                    doc: "True mutual information I(X;Y) in nats, spread evenly over min(dx, dy) correlated coordinate pairs."),
            KeySpec("dims", .list(.int(min: 1, max: 10_000), count: 2...2), default: [1, 1], when: ("source", ["gaussian"]),
                    doc: "[dx, dy]: dimensions of X and Y."),
            KeySpec("split", .record([KeySpec("test", .number(min: 0, max: 0.9), default: 0.15, doc: "Fraction of each class held out for testing.")],
                                     shorthand: "test"),
                    when: ("source", ["tishby12"] + Self.fileSources), doc: "Seeded train/test split, stratified by class when there are labels: {test: 0.15}."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("samples", doc: "Number of samples."),
            ResultSpec("x_dims", doc: "Dimension of X."),
            ResultSpec("y_dims", doc: "Dimension of Y."),
            ResultSpec("mi", when: ("source", ["gaussian"]), doc: "True I(X;Y) in nats."),
            ResultSpec("classes", when: ("source", ["tishby12"] + Self.fileSources), doc: "Number of classes (null without labels)."),
            ResultSpec("positives", when: ("source", ["tishby12"]), doc: "Rows labelled 1."),
            ResultSpec("train", when: ("source", ["tishby12"] + Self.fileSources), doc: "Rows in the training part."),
            ResultSpec("test", when: ("source", ["tishby12"] + Self.fileSources), doc: "Rows in the test part."),
            ResultSpec("file", when: ("source", Self.fileSources), doc: "The file read, as written in the spec."),
            ResultSpec("correlation", when: ("source", ["gaussian"]), doc: "Correlation of each paired coordinate."),
        ]
    }

    static let fileSources = ["csv", "npy", "idx"]
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
        if Self.fileSources.contains(spec.string("source") ?? "") {
            var problems: [Diagnostic] = []
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
        guard spec.string("source") == "gaussian", let size = spec.int("size"),
              let dims = spec["dims"]?.arrayValue?.compactMap(\.intValue), dims.count == 2 else { return [] }
        // X and Y as Float64, and one more copy of each while they are laid out.
        let bytes = Double(size) * Double(dims[0] + dims[1]) * 8 * 2
        return MemoryBudget.check(bytes: bytes, what: "dataset of \(size) samples in \(dims[0] + dims[1]) dimensions",
                                  at: spec.location(of: "size"))
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
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
        case "gaussian":
            let size = spec.int("size")!
            let dims = spec["dims"]!.arrayValue!.compactMap(\.intValue)
            let pairs = GaussianPairs(mutualInformation: spec.double("mi")!, xDimension: dims[0], yDimension: dims[1])
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
        default:
            throw BlockError("unsupported source '\(spec.string("source") ?? "")'")
        }
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
        if let rho = output.values["correlation"] { rows.append(["correlation per pair", rho.displayText]) }
        return [.table(Table(header: ["property", "value"], rows: rows))]
    }
}
