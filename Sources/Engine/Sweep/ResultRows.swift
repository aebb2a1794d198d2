/// The rows a table, plot or fit reads from a block: its results, or one row per point when
/// the block is a sweep.
public struct ResultRow: Sendable {
    /// How the row is named where a label is needed: the block id, or the point's settings.
    public var label: String
    public var values: [String: Value]
}

extension BlockInput {
    /// The rows of input `id`, in order.
    public func rows(of id: String) throws -> [ResultRow] {
        guard let output = inputs[id] else { throw BlockError("no results from '\(id)'") }
        guard inputKinds[id] == "sweep" else { return [ResultRow(label: id, values: output.values)] }
        let grid = output.values["grid"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return (output.values["points"]?.arrayValue ?? []).map { point in
            guard case .object(let values) = point else { return ResultRow(label: id, values: [:]) }
            let label = grid.map { "\($0)=\(values[$0]?.displayText ?? "—")" }.joined(separator: ", ")
            return ResultRow(label: label, values: values)
        }
    }

    /// True when input `id` is a sweep (its rows are points, not one block).
    public func isSweep(_ id: String) -> Bool { inputKinds[id] == "sweep" }
}
