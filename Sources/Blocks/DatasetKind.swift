import Engine
import Learning
import NumericCore

/// `dataset`: makes or loads samples. This first version has the `gaussian` source.
public struct DatasetKind: BlockKind {
    public init() {}

    public let name = "dataset"
    public let version = 1
    public let summary = "Makes samples (X, Y) for estimators and models; records the true MI when the source knows it."

    public var keys: [KeySpec] {
        [
            KeySpec("source", .choice(["gaussian"]), required: true,
                    doc: "Where samples come from. gaussian: jointly Gaussian pairs with a chosen MI."),
            KeySpec("size", .int(min: 2, max: 10_000_000), default: 1000, doc: "Number of samples."),
            KeySpec("mi", .number(min: 0, max: 100), default: 1.0, when: ("source", ["gaussian"]),
                    doc: "True mutual information I(X;Y) in nats, spread evenly over min(dx, dy) correlated coordinate pairs."),
            KeySpec("dims", .list(.int(min: 1, max: 10_000), count: 2...2), default: [1, 1], when: ("source", ["gaussian"]),
                    doc: "[dx, dy]: dimensions of X and Y."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("samples", doc: "Number of samples."),
            ResultSpec("x_dims", doc: "Dimension of X."),
            ResultSpec("y_dims", doc: "Dimension of Y."),
            ResultSpec("mi", when: ("source", ["gaussian"]), doc: "True I(X;Y) in nats."),
            ResultSpec("correlation", when: ("source", ["gaussian"]), doc: "Correlation of each paired coordinate."),
        ]
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        let size = spec.int("size")!
        switch spec.string("source") {
        case "gaussian":
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
            ["dimensions (X, Y)", "\(output.values["x_dims"]?.displayText ?? "?"), \(output.values["y_dims"]?.displayText ?? "?")"],
        ]
        if let mi = output.values["mi"] { rows.append(["true I(X;Y)", mi.displayText + " nats"]) }
        if let rho = output.values["correlation"] { rows.append(["correlation per pair", rho.displayText]) }
        return [.table(Table(header: ["property", "value"], rows: rows))]
    }
}
