import Engine
import Foundation
import Notebook
import ScalingLaws

/// `fit`: fits a scaling law to rows of results (usually a sweep's points), one law per group,
/// with bootstrap intervals, crossovers between the groups' laws, and the error of predicting
/// the larger sizes from the smallest.
public struct FitKind: BlockKind {
    public init() {}

    public let name = "fit"
    public let version = 1
    public let summary = "Fits power or Chinchilla scaling laws to results (Huber loss on log residuals, L-BFGS from a grid of starts), with bootstrap intervals and crossovers."

    public var keys: [KeySpec] {
        [
            KeySpec("from", .references(kinds: []), required: true, doc: "Blocks whose rows are fitted: a sweep gives one row per point."),
            KeySpec("law", .choice(ScalingLaw.allCases.map(\.rawValue)), default: "power",
                    doc: "power: L = E + A·N^-α. chinchilla: L = E + A/N^α + B/D^β."),
            KeySpec("x", .string, required: true, doc: "Result giving the size N (e.g. parameters)."),
            KeySpec("y", .string, required: true, doc: "Result giving the loss L (e.g. test_loss); must be positive."),
            KeySpec("d", .string, required: true, when: ("law", ["chinchilla"]), doc: "Result giving the data size D (chinchilla)."),
            KeySpec("group", .string, doc: "Result whose value splits the rows into groups, one law each (e.g. l2)."),
            KeySpec("bootstrap", .int(min: 0, max: 10_000), default: 200, doc: "Bootstrap refits for the intervals (0: none)."),
            KeySpec("level", .number(min: 0.5, max: 0.999), default: 0.95, doc: "Coverage of the intervals."),
            KeySpec("extrapolate", .int(min: 0, max: 1_000), default: 0,
                    doc: "When k > 0: also fit each group on its k smallest sizes only and report the error of predicting the larger ones."),
            KeySpec("delta", .number(min: 1e-9, max: 10), default: 1e-3, doc: "Huber's delta on log residuals."),
            KeySpec("where", .grid, doc: "Keep only the rows whose results take one of the listed values, e.g. {l2: [0], batch: [32, 128]}."),
            KeySpec("caption", .string, default: "", doc: "Caption of the numbered table of fitted laws."),
        ]
    }

    public var results: [ResultSpec] {
        [
            ResultSpec("laws", doc: "Per group, in order of first appearance: group, points, the measured mean loss at the smallest, largest and best size (n_min, loss_at_min, n_max, loss_at_max, n_best, loss_best), the parameters (E, A, alpha; chinchilla also B, beta), their intervals (alpha_low, alpha_high, …), and with extrapolate the relative errors extrapolation_error (mean) and extrapolation_largest."),
            ResultSpec("crossovers", doc: "Each size inside the data's range where two groups' power laws predict the same loss: between, n, loss, n_low, n_high, and support (share of bootstrap refits that cross in the range)."),
            ResultSpec("crossover", doc: "Size N of the first crossover, or null when the laws do not cross inside the data's range."),
            ResultSpec("crossover_loss", doc: "Loss at the first crossover, or null."),
            ResultSpec("groups", doc: "Number of groups (laws fitted)."),
        ]
    }

    public func check(_ spec: ResolvedSpec, context: CheckContext) -> [Diagnostic] {
        spec.ids("from").flatMap { id in
            ["x", "y", "d", "group"].compactMap { key in
                spec.string(key).flatMap { context.unknownResult($0, shown: $0, of: id, key: key, at: spec.location(of: key)) }
            }
        }
    }

    public func run(_ input: BlockInput) throws -> BlockOutput {
        let spec = input.spec
        let law = ScalingLaw(rawValue: spec.string("law") ?? "power")!
        let fitter = LawFitter(law: law, delta: spec.double("delta") ?? 1e-3)
        let level = spec.double("level") ?? 0.95
        let samples = spec.int("bootstrap") ?? 200
        let (xKey, yKey, dKey, groupKey) = (spec.string("x")!, spec.string("y")!, spec.string("d"), spec.string("group"))

        // Rows into groups, in order of first appearance.
        var order: [String] = []
        var groups: [String: [Observation]] = [:]
        for id in spec.ids("from") {
            for row in try input.rows(of: id) {
                let values = Value.object(row.values)
                func number(_ key: String) throws -> Double {
                    guard let v = values.result(named: key)?.doubleValue, v.isFinite else {
                        throw BlockError("'\(row.label)': '\(key)' is not a number (\(values.result(named: key)?.displayText ?? "missing"))")
                    }
                    return v
                }
                let observation = Observation(n: try number(xKey), d: try dKey.map(number) ?? 1, loss: try number(yKey))
                guard observation.n > 0, observation.loss > 0, observation.d > 0 else {
                    throw BlockError("'\(row.label)': sizes and losses must be positive to fit a law on log scales (\(xKey) = \(observation.n), \(yKey) = \(observation.loss))")
                }
                let group = groupKey.map { Self.label(values.result(named: $0)) } ?? yKey
                if groups[group] == nil { order.append(group) }
                groups[group, default: []].append(observation)
            }
        }
        guard !order.isEmpty else { throw BlockError("no rows to fit") }

        var laws: [Value] = []
        var fits: [String: LawFit] = [:]
        var replicates: [String: [LawFit]] = [:]
        for (index, group) in order.enumerated() {
            let points = groups[group]!
            input.progress("fitting \(group) (\(index + 1)/\(order.count))")
            guard let fit = fitter.fit(points) else {
                throw BlockError("cannot fit the \(law.rawValue) law to group '\(group)': it has \(points.count) points, and the law has \(law.parameterNames.count) parameters")
            }
            fits[group] = fit
            var entry: [String: Value] = ["group": .string(group), "points": .int(points.count)]
            // The measurements themselves, averaged over replicates of a size, for prose.
            let sizes = Array(Set(points.map(\.n))).sorted()
            let meanLoss = sizes.map { n in
                let losses = points.filter { $0.n == n }.map(\.loss)
                return losses.reduce(0, +) / Double(losses.count)
            }
            let best = meanLoss.indices.min { meanLoss[$0] < meanLoss[$1] }!
            entry["n_min"] = .double(sizes.first!); entry["loss_at_min"] = .double(meanLoss.first!)
            entry["n_max"] = .double(sizes.last!); entry["loss_at_max"] = .double(meanLoss.last!)
            entry["n_best"] = .double(sizes[best]); entry["loss_best"] = .double(meanLoss[best])
            for (name, value) in zip(law.parameterNames, fit.parameters) { entry[name] = .double(value) }
            if samples > 0 {
                // Each group's resampling has its own stream, so adding a group changes no other's.
                let seed = input.seed ^ UInt64(truncatingIfNeeded: Hashing.sha256Hex(group).hashValueStable)
                let refits = fitter.bootstrap(points, around: fit, samples: samples, seed: seed)
                replicates[group] = refits
                for (i, name) in law.parameterNames.enumerated() {
                    if let interval = Percentile.interval(refits.map { $0.parameters[i] }, level: level) {
                        entry["\(name)_low"] = .double(interval.low)
                        entry["\(name)_high"] = .double(interval.high)
                    }
                }
            }
            if let k = spec.int("extrapolate"), k > 0 {
                let sizes = Array(Set(points.map(\.n))).sorted()
                if sizes.count > k {
                    let cut = sizes[k - 1]
                    let small = points.filter { $0.n <= cut }, large = points.filter { $0.n > cut }
                    if let partial = fitter.fit(small) {
                        let errors = large.map { abs(partial.predict(n: $0.n, d: $0.d) - $0.loss) / $0.loss }
                        let largest = large.filter { $0.n == sizes.last! }
                            .map { abs(partial.predict(n: $0.n, d: $0.d) - $0.loss) / $0.loss }
                        entry["extrapolation_error"] = .double(errors.reduce(0, +) / Double(errors.count))
                        entry["extrapolation_largest"] = .double(largest.reduce(0, +) / Double(largest.count))
                    }
                }
            }
            laws.append(.object(entry))
        }

        // Crossovers between power laws, inside the sizes measured.
        var crossovers: [Value] = []
        if law == .power {
            let all = order.flatMap { groups[$0]! }
            let low = all.map(\.n).min()!, high = all.map(\.n).max()!
            for i in order.indices {
                for j in order.indices where j > i {
                    let (a, b) = (order[i], order[j])
                    let found = Crossover.points(fits[a]!, fits[b]!, from: low, to: high)
                    guard let first = found.first else { continue }
                    var entry: [String: Value] = ["between": .array([.string(a), .string(b)]), "n": .double(first.n), "loss": .double(first.loss)]
                    if let ra = replicates[a], let rb = replicates[b], !ra.isEmpty {
                        let sizes = zip(ra, rb).compactMap { Crossover.points($0, $1, from: low, to: high).first?.n }
                        entry["support"] = .double(Double(sizes.count) / Double(min(ra.count, rb.count)))
                        if let interval = Percentile.interval(sizes, level: level) {
                            entry["n_low"] = .double(interval.low)
                            entry["n_high"] = .double(interval.high)
                        }
                    }
                    crossovers.append(.object(entry))
                }
            }
        }
        return BlockOutput(values: [
            "laws": .array(laws),
            "crossovers": .array(crossovers),
            "crossover": crossovers.first?["n"] ?? .null,
            "crossover_loss": crossovers.first?["loss"] ?? .null,
            "groups": .int(order.count),
            "law": .string(law.rawValue),
            "x": .string(xKey),
            "y": .string(yKey),
            "group_key": groupKey.map(Value.string) ?? .null,
            "level": .double(level),
        ])
    }

    public func present(_ output: BlockOutput, spec: ResolvedSpec, id: String) -> [Presentation] {
        let law = ScalingLaw(rawValue: output.values["law"]?.stringValue ?? "power") ?? .power
        let laws = output.values["laws"]?.arrayValue ?? []
        let hasIntervals = laws.contains { $0["alpha_low"] != nil }
        let hasExtrapolation = laws.contains { $0["extrapolation_error"] != nil }
        let percent = Int(((output.values["level"]?.doubleValue ?? 0.95) * 100).rounded())
        var header = [output.values["group_key"]?.stringValue ?? "group", "points"]
        for name in law.parameterNames {
            header.append(name == "alpha" ? "α" : name == "beta" ? "β" : name)
            if hasIntervals { header.append("\(percent)% interval") }
        }
        if hasExtrapolation { header += ["extrapolation error", "at largest"] }
        let rows = laws.map { entry -> [String] in
            var row = [entry["group"]?.displayText ?? "—", entry["points"]?.displayText ?? "—"]
            for name in law.parameterNames {
                row.append(entry[name]?.displayText ?? "—")
                if hasIntervals {
                    row.append(entry["\(name)_low"].flatMap { low in entry["\(name)_high"].map { "\(low.displayText) – \($0.displayText)" } } ?? "—")
                }
            }
            if hasExtrapolation {
                row.append(entry["extrapolation_error"]?.doubleValue.map(Self.percentText) ?? "—")
                row.append(entry["extrapolation_largest"]?.doubleValue.map(Self.percentText) ?? "—")
            }
            return row
        }
        let numeric = Set(header.indices.filter { $0 > 0 && !header[$0].hasSuffix("interval") })
        var items: [Presentation] = [.table(Table(header: header, rows: rows, numericColumns: numeric, caption: spec.string("caption") ?? ""))]
        let crossovers = output.values["crossovers"]?.arrayValue ?? []
        if law == .power && laws.count > 1 {
            if crossovers.isEmpty {
                items.append(.text("The fitted laws do not cross inside the sizes measured."))
            }
            for crossover in crossovers {
                let between = crossover["between"]?.arrayValue?.map(\.displayText) ?? []
                var text = "The laws of \(between.joined(separator: " and ")) cross at N = \(crossover["n"]?.displayText ?? "—") (loss \(crossover["loss"]?.displayText ?? "—"))"
                if let low = crossover["n_low"], let high = crossover["n_high"], let support = crossover["support"]?.doubleValue {
                    text += "; \(percent)% bootstrap interval \(low.displayText) – \(high.displayText), with a crossover in \(Self.percentText(support)) of the refits"
                }
                items.append(.text(text + "."))
            }
        }
        return items
    }

    /// A group's name: its value exactly as written (0.01, not a rounded 0.0100).
    static func label(_ value: Value?) -> String {
        switch value {
        case .double(let d)?: return "\(d)"
        case let other?: return other.displayText
        case nil: return "—"
        }
    }

    static func percentText(_ fraction: Double) -> String {
        NumberFormatting.format(fraction * 100) + "%"
    }
}

extension String {
    /// The first 16 hex digits as a number: a stable stream tag (Swift's `hashValue` is not stable).
    var hashValueStable: UInt64 {
        UInt64(prefix(16), radix: 16) ?? 0
    }
}
