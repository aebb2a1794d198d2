import Engine
import Information

/// A model's recordings as an estimator on that model reads them: every method on a model
/// (binning, kde, kl, wkl) checks them the same way and reports per layer and epoch alike.
struct RecordedModel {
    var id: String
    var output: BlockOutput
    /// Units of every recorded layer, the output layer last.
    var widths: [Int]
    var labels: [Int]
    /// Indices into the recorded epochs: every `every`-th, and always the last.
    var chosen: [Int]
    /// The recorded epochs estimated, in order.
    var epochs: [Int]

    var rows: Int { labels.count }

    init(_ input: BlockInput, method: String) throws {
        let spec = input.spec
        id = spec.string("of")!
        guard let model = input.inputs[id], let allEpochs = model.arrays["recorded_epochs"]?.values.map({ Int($0) }),
              let widths = model.values["layer_widths"]?.arrayValue?.compactMap(\.intValue), let targets = model.arrays["targets"] else {
            throw BlockError("model '\(id)' has no recordings")
        }
        guard model.values["classes"]?.intValue != nil else {
            throw BlockError("\(method) needs class labels for I(T;Y), and model '\(id)' was trained for regression")
        }
        guard !allEpochs.isEmpty else { throw BlockError("model '\(id)' recorded no epochs; set its record key") }
        let every = spec.int("every") ?? 1
        output = model
        self.widths = widths
        labels = targets.values.map { Int($0) }
        chosen = allEpochs.indices.filter { $0 % every == 0 || $0 == allEpochs.count - 1 }
        epochs = chosen.map { allEpochs[$0] }
    }

    /// Recorded layer `number` (1 is the first hidden layer): `[epoch][row][unit]`.
    func layer(_ number: Int) -> [Float] {
        output.arrays["layer\(number)"]!.floats
    }

    /// The results every estimator on a model reports: `ixt` and `ity` per layer and epoch
    /// (`flat[layer * epochs + epoch]`, in nats; a value that could not be estimated is null),
    /// and `layers.N` with a layer's width and the values prose quotes most.
    func planeResults(ixt: [Double], ity: [Double], numbers: [Int], widths: [Int], unit: InformationUnit) -> [String: Value] {
        let count = epochs.count
        func number(_ nats: Double) -> Value { Self.value(nats, unit: unit) }
        var summary: [String: Value] = [:]
        for l in numbers.indices {
            let xs = (0..<count).map { ixt[l * count + $0] }
            summary[String(numbers[l])] = .object([
                "width": .int(widths[l]),
                "ixt_first": number(xs.first!),
                "ixt_max": xs.filter(\.isFinite).max().map(number) ?? .null,
                "ixt_last": number(xs.last!),
                "ity_last": number(ity[l * count + count - 1]),
            ])
        }
        return [
            "samples": .int(rows),
            "epochs": .array(epochs.map { .int($0) }),
            "layer_widths": .array(widths.map { .int($0) }),
            "ixt": perLayer(ixt, layers: numbers.count, unit: unit),
            "ity": perLayer(ity, layers: numbers.count, unit: unit),
            "layers": .object(summary),
        ]
    }

    /// One list per layer of `flat[layer * epochs + epoch]` (nats), in `unit`: `ixt`, `ity`, and
    /// further quantities such as kde's lower bounds.
    func perLayer(_ flat: [Double], layers: Int, unit: InformationUnit) -> Value {
        .array((0..<layers).map { l in .array((0..<epochs.count).map { Self.value(flat[l * epochs.count + $0], unit: unit) }) })
    }

    /// A value in `unit`, or null when it could not be estimated.
    static func value(_ nats: Double, unit: InformationUnit) -> Value {
        nats.isFinite ? .double(unit.fromNats(nats)) : .null
    }
}
