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
            KeySpec("source", .choice(["gaussian", "tishby12"]), required: true,
                    doc: "Where samples come from. gaussian: jointly Gaussian pairs with a chosen MI. tishby12: the 4096 12-bit inputs and labels of Shwartz-Ziv & Tishby (2017)."),
            KeySpec("size", .int(min: 2, max: 10_000_000), default: 1000, when: ("source", ["gaussian"]), doc: "Number of samples."),
            KeySpec("mi", .number(min: 0, max: 100), default: 1.0, when: ("source", ["gaussian"]),
                    doc: "True mutual information I(X;Y) in nats, spread evenly over min(dx, dy) correlated coordinate pairs."),
            KeySpec("dims", .list(.int(min: 1, max: 10_000), count: 2...2), default: [1, 1], when: ("source", ["gaussian"]),
                    doc: "[dx, dy]: dimensions of X and Y."),
            KeySpec("split", .record([KeySpec("test", .number(min: 0, max: 0.9), default: 0.15, doc: "Fraction of each class held out for testing.")],
                                     shorthand: "test"),
                    when: ("source", ["tishby12"]), doc: "Seeded train/test split, stratified by class: {test: 0.15}."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("samples", doc: "Number of samples."),
            ResultSpec("x_dims", doc: "Dimension of X."),
            ResultSpec("y_dims", doc: "Dimension of Y."),
            ResultSpec("mi", when: ("source", ["gaussian"]), doc: "True I(X;Y) in nats."),
            ResultSpec("classes", when: ("source", ["tishby12"]), doc: "Number of classes."),
            ResultSpec("positives", when: ("source", ["tishby12"]), doc: "Rows labelled 1."),
            ResultSpec("train", when: ("source", ["tishby12"]), doc: "Rows in the training part."),
            ResultSpec("test", when: ("source", ["tishby12"]), doc: "Rows in the test part."),
            ResultSpec("correlation", when: ("source", ["gaussian"]), doc: "Correlation of each paired coordinate."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
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

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        var rows: [[String]] = [
            ["source", output.values["source"]?.displayText ?? "—"],
            ["samples", output.values["samples"]?.displayText ?? "—"],
            [output.values["classes"] == nil ? "dimensions (X, Y)" : "features", output.values["classes"] == nil
                ? "\(output.values["x_dims"]?.displayText ?? "?"), \(output.values["y_dims"]?.displayText ?? "?")"
                : output.values["x_dims"]?.displayText ?? "?"],
        ]
        if let mi = output.values["mi"] { rows.append(["true I(X;Y)", mi.displayText + " nats"]) }
        if let classes = output.values["classes"] { rows.append(["classes", classes.displayText]) }
        if let positives = output.values["positives"] { rows.append(["positives (label 1)", positives.displayText]) }
        if let train = output.values["train"], let test = output.values["test"] {
            rows.append(["train / test", "\(train.displayText) / \(test.displayText)"])
        }
        if let rho = output.values["correlation"] { rows.append(["correlation per pair", rho.displayText]) }
        return [.table(Table(header: ["property", "value"], rows: rows))]
    }
}
