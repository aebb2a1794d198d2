import Notebook

/// `sweep`: runs template blocks once per point of a grid of values and gathers one row of
/// results per point.
///
/// The sweep lives in the engine because it changes the graph: `GraphBuilder` copies each
/// template block once per distinct setting it sees (`SweepExpander`), so every point is its own
/// cached, parallel block, and extending a grid reruns only the new points. By the time the
/// sweep itself runs, its inputs are those copies.
public struct SweepKind: BlockKind {
    public init() {}

    public let name = "sweep"
    public let version = 1
    public let summary = "Runs template blocks once per point of a grid of values (each point cached and run in parallel) and tabulates their results."

    /// Keys the engine fills in when it expands the sweep; never written by users.
    static let pointsKey = "_points"
    static let columnsKey = "_columns"
    static let gridKey = "_grid"

    public var keys: [KeySpec] {
        [
            KeySpec("template", .references(kinds: []), required: true,
                    doc: "The block (or chain of blocks, e.g. [data, net]) to run once per point. Templates run only through sweeps; references among them are rewired to the same point's copies."),
            KeySpec("over", .grid, required: true,
                    doc: "Keys of the templates to vary, each with its list of values; the grid is every combination, the first key varying slowest. Write `id.key` when several templates have the key, `key.sub` for a key of a mapping (optimizer.lr), and `seed: [1, 2, 3]` for replicates with fresh seeds."),
            KeySpec("collect", .reference(kinds: []),
                    doc: "Template whose results make each point's row (default: the last of the chain)."),
            KeySpec("show", .list(.string, count: 1...30),
                    doc: "Result columns in the sweep's table (default: every number the collected block reports)."),
            KeySpec("caption", .string, default: "", doc: "Caption of the numbered table of points."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("points", doc: "One row per point: the grid values, then the collected block's scalar results."),
            ResultSpec("count", doc: "Number of points."),
            ResultSpec("grid", doc: "The keys varied, in the order of `over`."),
        ]
    }

    /// The grid keys and the collected template's results, so tables, plots and fits can name them.
    public func resultNames(for spec: ResolvedSpec) -> [String] {
        ["points", "count", "grid"] + (spec[Self.columnsKey]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        var rows: [Value] = []
        for point in input.spec[Self.pointsKey]?.arrayValue ?? [] {
            guard let instance = point["instance"]?.stringValue, let output = input.inputs[instance],
                  case .array(let settings)? = point["values"] else {
                throw BlockError("a point of the sweep has no results")
            }
            var row: [String: Value] = [:]
            for (key, value) in output.values where value.isScalar { row[key] = value }
            for setting in settings {
                if let key = setting["key"]?.stringValue, let value = setting["value"] { row[key] = value }
            }
            rows.append(.object(row))
        }
        let grid = input.spec[Self.gridKey]?.arrayValue ?? []
        return BlockOutput(values: ["points": .array(rows), "count": .int(rows.count), "grid": .array(grid)])
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let grid = spec[Self.gridKey]?.arrayValue?.compactMap(\.stringValue) ?? []
        let points = output.values["points"]?.arrayValue ?? []
        var shown: [String]
        if let chosen = spec["show"]?.arrayValue?.compactMap(\.stringValue) {
            shown = chosen
        } else {
            // Every numeric result the points share, in name order (timings are left to results.json).
            let names = points.compactMap { point -> Set<String>? in
                guard case .object(let o) = point else { return nil }
                return Set(o.filter { $0.value.doubleValue != nil }.keys)
            }
            shown = names.dropFirst().reduce(names.first ?? []) { $0.intersection($1) }
                .subtracting(grid).subtracting(["seconds"]).sorted()
        }
        let header = grid + shown
        let rows = points.map { point in header.map { point[$0]?.displayText ?? "—" } }
        let numeric = Set(header.indices.filter { i in points.allSatisfy { $0[header[i]]?.doubleValue != nil } })
        return [.table(Table(header: header, rows: rows, numericColumns: numeric, caption: spec.string("caption") ?? ""))]
    }
}

extension Value {
    /// A number, text, boolean or null: what fits in one table cell.
    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }
}
