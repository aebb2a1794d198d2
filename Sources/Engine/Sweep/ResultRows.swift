/// The rows a table, plot or fit reads from a block: its results, or one row per point when
/// the block is a sweep.
public struct ResultRow: Sendable {
    /// How the row is named where a label is needed: the block id, or the point's settings.
    public var label: String
    public var values: [String: Value]

    public init(label: String, values: [String: Value]) {
        self.label = label
        self.values = values
    }
}

extension BlockInput {
    /// The rows of input `id`, in order; with a `where` key in the spec, only the rows whose
    /// results match it.
    public func rows(of id: String) throws -> [ResultRow] {
        guard let output = inputs[id] else { throw BlockError("no results from '\(id)'") }
        var rows: [ResultRow]
        if inputKinds[id] == "sweep" {
            let grid = output.values["grid"]?.arrayValue?.compactMap(\.stringValue) ?? []
            rows = (output.values["points"]?.arrayValue ?? []).map { point in
                guard case .object(let values) = point else { return ResultRow(label: id, values: [:]) }
                let label = grid.map { "\($0)=\(values[$0]?.displayText ?? "—")" }.joined(separator: ", ")
                return ResultRow(label: label, values: values)
            }
        } else {
            rows = [ResultRow(label: id, values: output.values)]
        }
        return filtered(rows)
    }

    /// The rows that match the spec's `where` key (all of them without one).
    public func filtered(_ rows: [ResultRow]) -> [ResultRow] {
        var rows = rows
        for condition in spec["where"]?.arrayValue ?? [] {
            guard let key = condition["key"]?.stringValue, let allowed = condition["values"]?.arrayValue else { continue }
            rows = rows.filter { row in
                guard let value = Value.object(row.values).result(named: key) else { return false }
                return allowed.contains { Self.same($0, value) }
            }
        }
        return rows
    }

    /// Equal as numbers (1 and 1.0), or as values.
    static func same(_ a: Value, _ b: Value) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    /// True when input `id` is a sweep (its rows are points, not one block).
    public func isSweep(_ id: String) -> Bool { inputKinds[id] == "sweep" }
}
