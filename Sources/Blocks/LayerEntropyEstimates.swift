import Engine
import Foundation
import Information
import NumericCore

extension EstimatorKind {
    /// I(X;T) and I(T;Y) of every recorded layer and epoch from Kozachenko–Leonenko entropies,
    /// after lossy compression (Butakov et al., ICLR 2024): X once (PCA or autoencoder), each
    /// layer T by PCA refitted at every epoch, both whitened; then I(X;T) = h(X) + h(T) − h(X,T)
    /// and I(T;Y) = h(T) − Σ_y p(y) h(T | y). An estimate that cannot be made (repeated rows, as
    /// dead ReLU units give) is null, and the count of those is reported.
    func runEntropiesOnModel(_ input: BlockInput, method: String, unit: InformationUnit) throws -> BlockOutput {
        let spec = input.spec
        let modelID = spec.string("of")!
        guard let model = input.inputs[modelID], let allEpochs = model.arrays["recorded_epochs"]?.values.map({ Int($0) }),
              let widths = model.values["layer_widths"]?.arrayValue?.compactMap(\.intValue), let targets = model.arrays["targets"],
              let inputs = model.arrays["inputs"] else {
            throw BlockError("model '\(modelID)' has no recordings of its inputs and layers (is its record keep: false?)")
        }
        guard model.values["classes"]?.intValue != nil else {
            throw BlockError("\(method) on a model estimates I(T;Y) for class labels, and model '\(modelID)' was trained for regression")
        }
        guard !allEpochs.isEmpty else { throw BlockError("model '\(modelID)' recorded no epochs; set its record key") }
        let every = spec.int("every") ?? 1
        let chosen = allEpochs.indices.filter { $0 % every == 0 || $0 == allEpochs.count - 1 }
        let labels = targets.values.map { Int($0) }
        let rows = labels.count
        let k = spec.int("k") ?? 3
        let dimensions = spec["compress"]?["dimensions"]?.intValue
        func entropy(_ m: Matrix) throws -> Double {
            method == "wkl" ? try WeightedKozachenkoLeonenko(k: k).entropy(m) : try KozachenkoLeonenko(k: k).entropy(m)
        }

        // X, compressed once.
        var x = Matrix(rows: rows, columns: inputs.columns, values: inputs.values)
        var compressedX: Value = .null
        if let dimensions, x.columns > dimensions {
            do {
                if spec["compress"]?["method"] == "autoencoder" {
                    input.progress("training the autoencoder of X")
                    let coder = AutoencoderCompression(dimensions: dimensions, hidden: spec["compress"]?["hidden"]?.intValue ?? 64,
                                                       epochs: spec["compress"]?["epochs"]?.intValue ?? 30)
                    let codes = try coder.compress(x.values, width: x.columns, seed: input.seed)
                    x = try PrincipalComponents(Matrix(rows: rows, columns: dimensions, values: codes.codes), dimensions: dimensions).scores
                    compressedX = .object(["dimensions": .int(dimensions), "reconstruction_error": .double(codes.reconstructionError)])
                } else {
                    let pca = try PrincipalComponents(x, dimensions: dimensions)
                    x = pca.scores
                    compressedX = Self.compressionSummary(pca)
                }
            } catch {
                throw BlockError("compress X of '\(modelID)': \(error)")
            }
        }
        let hX = try? entropy(x)
        // The layers asked for (numbered as recorded, from 1), in order.
        let numbers = spec["estimate_layers"]?.arrayValue?.compactMap(\.intValue) ?? Array(1...widths.count)
        if let bad = numbers.first(where: { $0 > widths.count }) {
            throw BlockError("estimate_layers: model '\(modelID)' has \(widths.count) recorded layers, not \(bad)")
        }
        let chosenWidths = numbers.map { widths[$0 - 1] }
        let layers = numbers.count
        let layerArrays = numbers.map { model.arrays["layer\($0)"]!.floats }
        let tasks = layers * chosen.count
        var ixt = [Double](repeating: .nan, count: tasks), ity = ixt
        let frozenX = x
        // The entropy estimators use both cores themselves; tasks run one after another.
        for task in 0..<tasks {
            let layer = task / chosen.count, e = chosen[task % chosen.count]
            let width = chosenWidths[layer]
            let start = e * rows * width
            let values = layerArrays[layer][start..<(start + rows * width)].map(Double.init)
            guard let t = try? PrincipalComponents(Matrix(rows: rows, columns: width, values: values),
                                                   dimensions: min(dimensions ?? width, width)).scores,
                  let hT = try? entropy(t) else { continue }
            if let hX, let joint = try? entropy(Matrix.concatenatingColumns(frozenX, t)) {
                ixt[task] = hX + hT - joint
            }
            var conditional = 0.0
            var complete = true
            for c in Set(labels).sorted() {
                let members = labels.indices.filter { labels[$0] == c }
                var part: [Double] = []
                part.reserveCapacity(members.count * t.columns)
                for r in members { part += t.values[(r * t.columns)..<((r + 1) * t.columns)] }
                guard let h = try? entropy(Matrix(rows: members.count, columns: t.columns, values: part)) else { complete = false; break }
                conditional += Double(members.count) / Double(rows) * h
            }
            if complete { ity[task] = hT - conditional }
            if task % max(1, chosen.count) == chosen.count - 1 { input.progress("layer \(numbers[layer]) done (\(layer + 1) of \(layers))") }
        }

        let epochs = chosen.map { allEpochs[$0] }
        func number(_ nats: Double) -> Value { nats.isFinite ? .double(unit.fromNats(nats)) : .null }
        func perLayer(_ flat: [Double]) -> Value {
            .array((0..<layers).map { l in .array((0..<epochs.count).map { number(flat[l * epochs.count + $0]) }) })
        }
        var summary: [String: Value] = [:]
        for l in 0..<layers {
            let xs = (0..<epochs.count).map { ixt[l * epochs.count + $0] }
            let finite = xs.filter(\.isFinite)
            summary[String(numbers[l])] = .object([
                "width": .int(chosenWidths[l]),
                "ixt_first": number(xs.first!),
                "ixt_max": finite.max().map(number) ?? .null,
                "ixt_last": number(xs.last!),
                "ity_last": number(ity[l * epochs.count + epochs.count - 1]),
            ])
        }
        return BlockOutput(values: [
            "method": .string(method),
            "units": .string(unit.rawValue),
            "samples": .int(rows),
            "epochs": .array(epochs.map { .int($0) }),
            "layer_widths": .array(chosenWidths.map { .int($0) }),
            "layer_numbers": .array(numbers.map { .int($0) }),
            "ixt": perLayer(ixt),
            "ity": perLayer(ity),
            "layers": .object(summary),
            "compressed": .object(["x": compressedX, "layers": dimensions.map { .int($0) } ?? .null]),
            "failed": .int(zip(ixt, ity).filter { !$0.0.isFinite || !$0.1.isFinite }.count),
        ])
    }
}
