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
        let model = try RecordedModel(input, method: method)
        let (modelID, widths, labels, rows, chosen) = (model.id, model.widths, model.labels, model.rows, model.chosen)
        guard let inputs = model.output.arrays["inputs"] else {
            throw BlockError("model '\(modelID)' has no recording of its inputs (is its record keep: false?)")
        }
        let k = spec.int("k") ?? 3
        let dimensions = spec["compress"]?["dimensions"]?.intValue
        let estimator: any EntropyEstimator = method == "wkl" ? WeightedKozachenkoLeonenko(k: k) : KozachenkoLeonenko(k: k)

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
        let hX = try? estimator.entropy(x)
        // The layers asked for (numbered as recorded, from 1), in order.
        let numbers = spec["estimate_layers"]?.arrayValue?.compactMap(\.intValue) ?? Array(1...widths.count)
        if let bad = numbers.first(where: { $0 > widths.count }) {
            throw BlockError("estimate_layers: model '\(modelID)' has \(widths.count) recorded layers, not \(bad)")
        }
        let chosenWidths = numbers.map { widths[$0 - 1] }
        let layers = numbers.count
        let layerArrays = numbers.map(model.layer)
        let tasks = layers * chosen.count
        var ixt = [Double](repeating: .nan, count: tasks), ity = ixt
        // The entropy estimators use both cores themselves; tasks run one after another.
        for task in 0..<tasks {
            let layer = task / chosen.count, e = chosen[task % chosen.count]
            let width = chosenWidths[layer]
            let start = e * rows * width
            let values = layerArrays[layer][start..<(start + rows * width)].map(Double.init)
            guard let t = try? PrincipalComponents(Matrix(rows: rows, columns: width, values: values),
                                                   dimensions: min(dimensions ?? width, width)).scores,
                  let hT = try? estimator.entropy(t) else { continue }
            if let hX, let joint = try? estimator.entropy(Matrix.concatenatingColumns(x, t)) {
                ixt[task] = hX + hT - joint
            }
            if let conditional = try? estimator.conditionalEntropy(t, labels: labels) { ity[task] = hT - conditional }
            if task % max(1, chosen.count) == chosen.count - 1 { input.progress("layer \(numbers[layer]) done (\(layer + 1) of \(layers))") }
        }

        var values = model.planeResults(ixt: ixt, ity: ity, numbers: numbers, widths: chosenWidths, unit: unit)
        values["method"] = .string(method)
        values["units"] = .string(unit.rawValue)
        values["layer_numbers"] = .array(numbers.map { .int($0) })
        values["compressed"] = .object(["x": compressedX, "layers": dimensions.map { .int($0) } ?? .null])
        values["failed"] = .int(zip(ixt, ity).filter { !$0.0.isFinite || !$0.1.isFinite }.count)
        return BlockOutput(values: values)
    }
}
