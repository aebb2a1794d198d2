import Engine
import Information
import NumericCore

/// `estimator`: estimates I(X;Y) on a dataset.
public struct EstimatorKind: BlockKind {
    public init() {}

    public let name = "estimator"
    public let version = 1
    public let summary = "Estimates the mutual information I(X;Y) of a dataset, with the error against the truth when the dataset knows it."

    public var keys: [KeySpec] {
        [
            KeySpec("of", .reference(kinds: ["dataset"]), required: true, doc: "The dataset whose I(X;Y) is estimated."),
            KeySpec("method", .choice(["gaussian", "ksg"]), required: true,
                    doc: "gaussian: closed form from the sample covariance (exact for Gaussian data). ksg: Kraskov–Stögbauer–Grassberger estimator 1, max-norm."),
            KeySpec("k", .int(min: 1, max: 1000), default: 3, when: ("method", ["ksg"]), doc: "Neighbours for KSG."),
            KeySpec("units", .choice(["nats", "bits"]), default: "nats", frontMatterDefault: "units",
                    doc: "Units of the results; defaults to the notebook's `units`, else nats."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("mi", doc: "The estimate of I(X;Y)."),
            ResultSpec("truth", doc: "The true I(X;Y) when the dataset knows it, else null."),
            ResultSpec("error", doc: "Estimate minus truth, when the truth is known."),
            ResultSpec("method", doc: "The method used."),
            ResultSpec("units", doc: "nats or bits."),
            ResultSpec("samples", doc: "Number of samples used."),
        ]
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        let dataID = spec.string("of")!
        guard let data = input.inputs[dataID], let xa = data.arrays["x"], let ya = data.arrays["y"] else {
            throw BlockError("dataset '\(dataID)' has no X and Y samples")
        }
        let x = Matrix(rows: xa.rows, columns: xa.columns, values: xa.values)
        let y = Matrix(rows: ya.rows, columns: ya.columns, values: ya.values)
        let method = spec.string("method")!
        let nats: Double
        do {
            switch method {
            case "gaussian":
                guard x.rows > x.columns + y.columns else {
                    throw BlockError("the gaussian estimator needs more samples (\(x.rows)) than dimensions (\(x.columns + y.columns))")
                }
                nats = try GaussianEstimator().mutualInformation(x, y)
            case "ksg":
                nats = try KSGEstimator(k: spec.int("k")!).mutualInformation(x, y)
            default:
                throw BlockError("unknown method '\(method)'")
            }
        } catch let error as BlockError {
            throw error
        } catch {
            throw BlockError("\(method) on '\(dataID)': \(error)")
        }
        let unit = InformationUnit(rawValue: spec.string("units")!) ?? .nats
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
            values["error"] = .double(unit.fromNats(nats - truth))
        }
        return BlockOutput(values: values)
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let units = output.values["units"]?.displayText ?? "nats"
        var method = output.values["method"]?.displayText ?? "?"
        if method == "ksg", let k = spec.int("k") { method += " (k = \(k))" }
        let row = [method, output.values["mi"]?.displayText ?? "—", output.values["truth"]?.displayText ?? "—",
                   output.values["error"]?.displayText ?? "—", output.values["samples"]?.displayText ?? "—"]
        return [.table(Table(header: ["method", "I(X;Y) (\(units))", "truth (\(units))", "error (\(units))", "samples"],
                             rows: [row], numericColumns: [1, 2, 3, 4]))]
    }
}
