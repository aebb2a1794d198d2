import Notebook

/// Replaces the template blocks of every sweep by one copy per distinct setting.
///
/// A copy's id names its template and the grid values that reach it (`net[width=64, l2=0.001]`),
/// so its seed and cache key depend only on what it computes: points that share upstream
/// settings share the upstream copy (one dataset for every network size), and adding values to a
/// grid leaves the existing copies, and their cache entries, as they were.
struct SweepExpander {
    var resolver: SpecResolver
    /// The notebook's usable blocks by id (templates included).
    var blocks: [String: Block]

    /// Sweeps with more points than this are refused: a typo in a grid should not start a
    /// million trainings.
    static let maximumPoints = 10_000

    struct Result {
        var nodes: [NotebookGraph.Node]
        var templates: [String: [String]]
        var diagnostics: [Diagnostic]
    }

    /// One key of the grid, resolved to the templates it changes.
    private struct Dimension {
        var label: String
        var location: SourceLocation?
        var values: [SpecNode]
        /// Nil: a replicate seed for every template; otherwise the template changed.
        var target: String?
        /// The key path inside the target's spec; empty for a seed replicate.
        var path: [String]
    }

    func expand(_ nodes: [NotebookGraph.Node]) -> Result {
        let sweeps = nodes.filter { $0.kind is SweepKind }
        guard !sweeps.isEmpty else { return Result(nodes: nodes, templates: [:], diagnostics: []) }
        var diagnostics: [Diagnostic] = []
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })

        var templates: [String: [String]] = [:]
        for sweep in sweeps {
            for id in sweep.spec.ids("template") { templates[id, default: []].append(sweep.id) }
        }
        // Templates run only through their sweeps, so nothing else may read them.
        for node in nodes where !(node.kind is SweepKind) {
            for dep in node.dependencies where templates[dep] != nil {
                let inSameSweep = templates[node.id].map { owners in owners.contains { templates[dep]!.contains($0) } } ?? false
                guard !inSameSweep else { continue }
                diagnostics.append(.error("'\(node.id)' refers to '\(dep)', a template of sweep '\(templates[dep]![0])' that runs once per point",
                                          at: node.referenceLocations[dep] ?? node.block.location,
                                          notes: [.init("refer to the sweep '\(templates[dep]![0])' to use the results of every point")]))
            }
        }
        for sweep in sweeps {
            for id in sweep.spec.ids("template") where byID[id]?.kind is SweepKind {
                diagnostics.append(.error("a sweep cannot be the template of another sweep ('\(id)')", at: sweep.spec.location(of: "template")))
            }
        }
        guard diagnostics.isEmpty else { return Result(nodes: nodes, templates: templates, diagnostics: diagnostics) }

        var made: [String: NotebookGraph.Node] = [:]
        var madeOrder: [String: [String]] = [:]  // per sweep, in the order created
        var expandedSweeps: [String: NotebookGraph.Node] = [:]
        for sweep in sweeps {
            let (node, instances, problems) = expand(sweep, byID: byID, templates: templates, made: &made)
            diagnostics += problems
            if let node { expandedSweeps[sweep.id] = node }
            madeOrder[sweep.id] = instances
        }

        // Copies go just before the sweep that first made them; templates leave the graph.
        var result: [NotebookGraph.Node] = []
        var placed = Set<String>()
        for node in nodes where templates[node.id] == nil {
            if let sweep = expandedSweeps[node.id] {
                for id in madeOrder[node.id] ?? [] where placed.insert(id).inserted { result.append(made[id]!) }
                result.append(sweep)
            } else if !(node.kind is SweepKind) {
                result.append(node)
            }
        }
        // Every point reports a bad value it shares with others: say it once.
        var seen = Set<String>()
        var deduplicated: [Diagnostic] = []
        for d in diagnostics where seen.insert("\(d.message)@\(d.location.map { "\($0)" } ?? "")").inserted { deduplicated.append(d) }
        return Result(nodes: result, templates: templates, diagnostics: deduplicated)
    }

    private func expand(_ sweep: NotebookGraph.Node, byID: [String: NotebookGraph.Node], templates: [String: [String]],
                        made: inout [String: NotebookGraph.Node]) -> (NotebookGraph.Node?, [String], [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        // A template whose own spec is invalid has been reported already.
        guard sweep.spec.ids("template").allSatisfy({ byID[$0] != nil }) else { return (nil, [], []) }
        let chain = ordered(sweep.spec.ids("template"), byID: byID)
        let collect = sweep.spec.string("collect") ?? chain.last!
        if !chain.contains(collect) {
            diagnostics.append(.error("'collect' must name one of the sweep's templates (\(chain.joined(separator: ", "))), not '\(collect)'",
                                      at: sweep.spec.location(of: "collect")))
        }
        for id in chain {
            for dep in byID[id]!.dependencies where templates[dep] != nil && !chain.contains(dep) {
                diagnostics.append(.error("template '\(id)' refers to '\(dep)', a template of another sweep; list it in this sweep's 'template' too",
                                          at: byID[id]!.referenceLocations[dep] ?? byID[id]!.block.location))
            }
        }

        var dimensions = resolveDimensions(sweep, chain: chain, byID: byID, diagnostics: &diagnostics)
        // Columns are named by the key alone (`k`), or with their template (`pairs.mi`) when the
        // short name is also a result of the collected block or of another key.
        if chain.contains(collect) {
            let resultNames = Set(byID[collect]!.kind.resultNames(for: byID[collect]!.spec))
            let shortNames = dimensions.map { $0.path.isEmpty ? $0.label : $0.path.joined(separator: ".") }
            for d in dimensions.indices {
                let short = shortNames[d]
                let clash = resultNames.contains(short) || shortNames.enumerated().contains { $0.offset != d && $0.element == short }
                if let target = dimensions[d].target, !dimensions[d].path.isEmpty {
                    dimensions[d].label = clash ? "\(target).\(short)" : short
                }
            }
        }
        let count = dimensions.reduce(1) { $0.multipliedReportingOverflow(by: max(1, $1.values.count)).partialValue }
        if count > Self.maximumPoints || count <= 0 {
            diagnostics.append(.error("the sweep has \(count) points; at most \(Self.maximumPoints) are allowed", at: sweep.spec.location(of: "over")))
        }
        guard diagnostics.isEmpty else { return (nil, [], diagnostics) }

        // Which templates each template reads, directly or not, inside the chain.
        var upstream: [String: Set<String>] = [:]
        for id in chain {
            var set: Set<String> = [id]
            for dep in byID[id]!.dependencies where chain.contains(dep) { set.formUnion(upstream[dep] ?? [dep]) }
            upstream[id] = set
        }

        var instancesInOrder: [String] = []
        var points: [Value] = []
        var collected: [String] = []
        for index in 0..<count {
            // Mixed-radix digits of the point, the first dimension varying slowest.
            var rest = index
            var choice = [Int](repeating: 0, count: dimensions.count)
            for d in dimensions.indices.reversed() {
                choice[d] = rest % dimensions[d].values.count
                rest /= dimensions[d].values.count
            }
            var instanceOf: [String: String] = [:]
            for template in chain {
                let reaching = dimensions.indices.filter { d in dimensions[d].target.map { upstream[template]!.contains($0) } ?? true }
                let suffix = reaching.map { "\(dimensions[$0].label)=\(dimensions[$0].values[choice[$0]].displayText)" }
                // A copy that no grid value reaches keeps the template's id: it is the block itself.
                let id = suffix.isEmpty ? template : "\(template)[\(suffix.joined(separator: ", "))]"
                instanceOf[template] = id
                if made[id] == nil {
                    let overrides = reaching.filter { dimensions[$0].target == template }.map { (dimensions[$0].path, dimensions[$0].values[choice[$0]]) }
                    guard let node = instantiate(byID[template]!, id: id, overrides: overrides, instanceOf: instanceOf,
                                                 sweep: sweep.id, diagnostics: &diagnostics) else { continue }
                    made[id] = node
                }
                if !instancesInOrder.contains(id) { instancesInOrder.append(id) }
            }
            let settings: [Value] = dimensions.indices.map { d in
                .object(["key": .string(dimensions[d].label), "value": SpecResolver.genericValue(dimensions[d].values[choice[d]])])
            }
            points.append(.object(["values": .array(settings), "instance": .string(instanceOf[collect]!)]))
            if !collected.contains(instanceOf[collect]!) { collected.append(instanceOf[collect]!) }
        }
        guard diagnostics.isEmpty else { return (nil, [], diagnostics) }

        var node = sweep
        node.dependencies = collected
        node.referenceLocations = Dictionary(uniqueKeysWithValues: collected.map { ($0, sweep.spec.location(of: "template")) })
        node.spec.values[SweepKind.pointsKey] = .array(points)
        let resultNames = byID[collect]!.kind.resultNames(for: byID[collect]!.spec)
        node.spec.values[SweepKind.gridKey] = .array(dimensions.map { .string($0.label) })
        node.spec.values[SweepKind.columnsKey] = .array((dimensions.map(\.label) + resultNames).map(Value.string))
        return (node, instancesInOrder, diagnostics)
    }

    /// The chain in an order where each template comes after the templates it reads.
    private func ordered(_ chain: [String], byID: [String: NotebookGraph.Node]) -> [String] {
        var order: [String] = []
        while order.count < chain.count {
            let before = order.count
            for id in chain where !order.contains(id) {
                if byID[id]!.dependencies.allSatisfy({ !chain.contains($0) || order.contains($0) }) { order.append(id) }
            }
            if order.count == before { return chain }  // a cycle: reported elsewhere
        }
        return order
    }

    private func resolveDimensions(_ sweep: NotebookGraph.Node, chain: [String], byID: [String: NotebookGraph.Node],
                                   diagnostics: inout [Diagnostic]) -> [Dimension] {
        guard let entries = blocks[sweep.id]?.spec?["over"]?.entries else { return [] }
        var dimensions: [Dimension] = []
        for entry in entries {
            guard case .sequence(let values) = entry.value.content else { continue }
            let location = entry.keyLocation
            var parts = entry.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts == ["seed"] {
                dimensions.append(Dimension(label: entry.key, location: location, values: values, target: nil, path: []))
                continue
            }
            var target: String?
            if parts.count >= 2, chain.contains(parts[0]) {
                target = parts.removeFirst()
            } else {
                let having = chain.filter { id in byID[id]!.kind.keys.contains { $0.name == parts[0] } }
                if having.count > 1 {
                    diagnostics.append(.error("'\(entry.key)' is a key of several templates (\(having.joined(separator: ", "))); write '\(having[0]).\(entry.key)'", at: location))
                    continue
                }
                target = having.first
            }
            guard let template = target else {
                let names = Set(chain.flatMap { id in byID[id]!.kind.keys.map(\.name) })
                var notes: [Diagnostic.Note] = []
                if let near = NameSuggestion.nearest(to: parts[0], in: names) { notes.append(.init("did you mean '\(near)'?")) }
                diagnostics.append(.error("no template of sweep '\(sweep.id)' has a key '\(entry.key)'", at: location, notes: notes))
                continue
            }
            let kind = byID[template]!.kind
            if parts == ["seed"], !kind.keys.contains(where: { $0.name == "seed" }) {
                // `net.seed`: replicates of one template only.
                dimensions.append(Dimension(label: entry.key, location: location, values: values, target: template, path: []))
                continue
            }
            guard parts.count <= 2, let key = kind.keys.first(where: { $0.name == parts[0] }) else {
                diagnostics.append(.error("\(kind.name) '\(template)' has no key '\(parts.joined(separator: "."))'", at: location,
                                          notes: NameSuggestion.nearest(to: parts[0], in: kind.keys.map(\.name)).map { [.init("did you mean '\($0)'?")] } ?? []))
                continue
            }
            if key.type.isReference {
                diagnostics.append(.error("a sweep cannot vary the reference '\(key.name)' of '\(template)'", at: location))
                continue
            }
            if parts.count == 2 {
                guard case .record(let nested, _) = key.type, nested.contains(where: { $0.name == parts[1] }) else {
                    diagnostics.append(.error("'\(key.name)' of \(kind.name) '\(template)' has no key '\(parts[1])'", at: location))
                    continue
                }
            }
            dimensions.append(Dimension(label: entry.key, location: location, values: values, target: template, path: parts))
        }
        return dimensions
    }

    /// A copy of a template with some keys set and its references to other templates pointed at
    /// the same point's copies.
    private func instantiate(_ template: NotebookGraph.Node, id: String, overrides: [([String], SpecNode)],
                             instanceOf: [String: String], sweep: String, diagnostics: inout [Diagnostic]) -> NotebookGraph.Node? {
        guard var spec = blocks[template.id]?.spec else { return nil }
        for (path, value) in overrides where !path.isEmpty {
            spec = Self.setting(spec, path: path, to: value, kind: template.kind)
        }
        for key in template.kind.keys where key.type.isReference {
            guard let written = spec[key.name] else { continue }
            spec = Self.setting(spec, path: [key.name], to: Self.rewired(written, instanceOf: instanceOf), kind: template.kind)
        }
        var block = template.block
        block.id = id
        let (resolved, problems) = resolver.resolve(spec, kind: template.kind, block: block)
        diagnostics += problems
        guard let resolved else { return nil }
        var node = template
        node.block = block
        node.spec = resolved
        node.dependencies = template.dependencies.map { instanceOf[$0] ?? $0 }
        node.referenceLocations = Dictionary(template.referenceLocations.map { (instanceOf[$0.key] ?? $0.key, $0.value) },
                                             uniquingKeysWith: { a, _ in a })
        node.sweepPoint = NotebookGraph.SweepPoint(sweep: sweep, template: template.id)
        return node
    }

    private static func rewired(_ node: SpecNode, instanceOf: [String: String]) -> SpecNode {
        switch node.content {
        case .scalar(.string(let id)):
            return SpecNode(.scalar(.string(instanceOf[id] ?? id)), at: node.location)
        case .sequence(let items):
            return SpecNode(.sequence(items.map { rewired($0, instanceOf: instanceOf) }), at: node.location)
        default:
            return node
        }
    }

    /// `spec` with the value at `path` (one key, or a key of a nested mapping) replaced.
    private static func setting(_ spec: SpecNode, path: [String], to value: SpecNode, kind: any BlockKind) -> SpecNode {
        var entries = spec.entries ?? []
        let key = path[0]
        let index = entries.firstIndex { $0.key == key }
        var newValue = value
        if path.count == 2 {
            var nested: [SpecNode.Entry] = []
            if let index {
                switch entries[index].value.content {
                case .mapping(let e): nested = e
                case .scalar(let s) where s != .null:
                    // A shorthand (`optimizer: adam`) becomes the mapping it stands for.
                    if let spec = kind.keys.first(where: { $0.name == key }), case .record(_, let shorthand?) = spec.type {
                        nested = [.init(key: shorthand, keyLocation: entries[index].keyLocation, value: entries[index].value)]
                    }
                default: break
                }
            }
            nested.removeAll { $0.key == path[1] }
            nested.append(.init(key: path[1], keyLocation: value.location, value: value))
            newValue = SpecNode(.mapping(nested), at: index.flatMap { entries[$0].value.location } ?? value.location)
        }
        if let index {
            entries[index].value = newValue
        } else {
            entries.append(.init(key: key, keyLocation: value.location, value: newValue))
        }
        return SpecNode(.mapping(entries), at: spec.location)
    }
}
