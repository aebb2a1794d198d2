import Notebook

/// Checks a block's YAML spec against its kind's keys and fills in defaults.
/// Reports every problem it finds; returns a spec only when there were none.
struct SpecResolver {
    var frontMatter: FrontMatter

    func resolve(_ node: SpecNode, kind: any BlockKind, block: Block) -> (ResolvedSpec?, [Diagnostic]) {
        let context = Context(keys: kind.keys, owner: "\(kind.name) '\(block.id)'", keyList: "\(kind.name) keys",
                              location: block.location, requiredLocation: block.idLocation)
        let (values, locations, diagnostics) = resolveMapping(node.entries ?? [], context)
        guard diagnostics.isEmpty else { return (nil, diagnostics) }
        return (ResolvedSpec(values: values, locations: locations, blockLocation: block.location), [])
    }

    /// Where a mapping is being resolved: the block itself, or a nested record (`optimizer:`).
    struct Context {
        var keys: [KeySpec]
        /// How messages name what holds the keys: "estimator 'ksg'", "'optimizer' of model 'net'".
        var owner: String
        var keyList: String
        var location: SourceLocation
        var requiredLocation: SourceLocation
    }

    private func resolveMapping(_ entries: [SpecNode.Entry], _ context: Context)
        -> ([String: Value], [String: SourceLocation], [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var values: [String: Value] = [:]
        var locations: [String: SourceLocation] = [:]
        // A key may be declared more than once under disjoint conditions (`size` with one default
        // for one source and another for another); the declaration that applies is the one used.
        let byName = Dictionary(grouping: context.keys, by: \.name)

        // Scalars of plain string keys decide which conditional keys apply (`method: ksg`).
        var scalars: [String: SpecNode.Scalar] = [:]
        for entry in entries { if case .scalar(let s) = entry.value.content { scalars[entry.key] = s } }
        for key in context.keys where scalars[key.name] == nil {
            if case .string(let s)? = key.defaultValue { scalars[key.name] = .string(s) }
        }
        // When a deciding key holds an invalid choice, that is the error to report: keys that
        // depend on it are not judged against a value the user did not mean.
        var undecided = Set<String>()
        for key in context.keys {
            if case .choice(let options) = key.type, case .string(let s)? = scalars[key.name], !options.contains(s) {
                undecided.insert(key.name)
            }
        }

        for entry in entries {
            guard let declarations = byName[entry.key] else {
                var notes: [Diagnostic.Note] = []
                if let near = NameSuggestion.nearest(to: entry.key, in: context.keys.map(\.name)) {
                    notes.append(.init("did you mean '\(near)'?"))
                } else {
                    notes.append(.init("\(context.keyList): \(context.keys.map(\.name).joined(separator: ", "))"))
                }
                diagnostics.append(.error("unknown key '\(entry.key)' in \(context.owner)", at: entry.keyLocation ?? context.location, notes: notes))
                continue
            }
            let key = declarations.first { $0.applies(to: scalars) } ?? declarations[0]
            if let condition = key.appliesWhen, undecided.contains(condition.key) { continue }
            if !key.applies(to: scalars), let condition = key.appliesWhen {
                let values = declarations.flatMap { $0.appliesWhen?.values ?? [] }
                diagnostics.append(.error("'\(key.name)' applies only when \(condition.key) is \(values.joined(separator: " or "))",
                                          at: entry.keyLocation ?? context.location))
                continue
            }
            let location = entry.value.location ?? entry.keyLocation ?? context.location
            locations[key.name] = location
            if case .record(let nestedKeys, let shorthand) = key.type {
                // A nested mapping (`optimizer: {name: adam, lr: 1e-3}`), or its shorthand scalar (`optimizer: adam`).
                var nestedEntries: [SpecNode.Entry]
                switch entry.value.content {
                case .mapping(let e): nestedEntries = e
                case .scalar(let s) where shorthand != nil && s != .null:
                    nestedEntries = [.init(key: shorthand!, keyLocation: location, value: entry.value)]
                default:
                    let hint = shorthand.map { " (or a single \($0))" } ?? ""
                    diagnostics.append(.error("'\(key.name)' must be a mapping of \(nestedKeys.map(\.name).joined(separator: ", "))\(hint), found \(entry.value.typeDescription)", at: location))
                    continue
                }
                let nested = Context(keys: nestedKeys, owner: "'\(key.name)' of \(context.owner)", keyList: "'\(key.name)' keys",
                                     location: location, requiredLocation: entry.keyLocation ?? location)
                let (v, _, d) = resolveMapping(nestedEntries, nested)
                diagnostics += d
                if d.isEmpty { values[key.name] = .object(v) }
                continue
            }
            switch Self.convert(entry.value, to: key.type, key: key.name) {
            case .success(let value):
                values[key.name] = value
            case .failure(let problem):
                diagnostics.append(.error(problem.message, at: problem.location ?? location))
            }
        }

        for key in context.keys where values[key.name] == nil && locations[key.name] == nil && key.applies(to: scalars) {
            if let name = key.defaultFromFrontMatter, let fmValue = frontMatterValue(name) {
                values[key.name] = fmValue
            } else if let value = key.defaultValue {
                values[key.name] = value
            } else if case .record(let nestedKeys, _) = key.type, !nestedKeys.contains(where: \.required) {
                // A record whose keys all have defaults may be left out entirely.
                let (v, _, d) = resolveMapping([], Context(keys: nestedKeys, owner: "'\(key.name)'", keyList: "", location: context.location,
                                                           requiredLocation: context.requiredLocation))
                if d.isEmpty { values[key.name] = .object(v) }
            } else if key.required {
                let condition = key.appliesWhen.map { " when \($0.key) is \($0.values.joined(separator: " or "))" } ?? ""
                diagnostics.append(.error("missing required key '\(key.name)' (\(key.type))\(condition) in \(context.owner)",
                                          at: context.requiredLocation,
                                          notes: [.init(key.doc)]))
            }
        }
        return (values, locations, diagnostics)
    }

    private func frontMatterValue(_ name: String) -> Value? {
        switch name {
        case "units": return frontMatter.units.map(Value.string)
        default: return nil
        }
    }

    /// Converts a YAML value to the key's type, or says why it cannot.
    static func convert(_ node: SpecNode, to type: ValueType, key: String) -> Result<Value, SpecProblem> {
        let found = node.typeDescription
        switch (type, node.content) {
        case (.bool, .scalar(.bool(let b))):
            return .success(.bool(b))
        case (.int(let lo, let hi), .scalar(.int(let i))):
            if let lo, i < lo { return .failure(SpecProblem("'\(key)' must be at least \(lo), found \(i)")) }
            if let hi, i > hi { return .failure(SpecProblem("'\(key)' must be at most \(hi), found \(i)")) }
            return .success(.int(i))
        case (.number(let lo, let hi), .scalar(let s)):
            let x: Double
            switch s {
            case .int(let i): x = Double(i)
            case .float(let f): x = f
            default: return .failure(SpecProblem("'\(key)' must be \(Self.article(type)), found \(found)"))
            }
            guard x.isFinite else { return .failure(SpecProblem("'\(key)' must be a finite number")) }
            if let lo, x < lo { return .failure(SpecProblem("'\(key)' must be at least \(lo), found \(x)")) }
            if let hi, x > hi { return .failure(SpecProblem("'\(key)' must be at most \(hi), found \(x)")) }
            return .success(.double(x))
        case (.string, .scalar(let s)) where s != .null:
            return .success(.string(node.displayText))
        case (.choice(let options), .scalar(let s)):
            let text = node.displayText
            guard case .string = s, options.contains(text) else {
                let near = NameSuggestion.nearest(to: text, in: options).map { "; did you mean '\($0)'?" } ?? ""
                return .failure(SpecProblem("'\(key)' must be one of \(options.joined(separator: ", ")), found '\(text)'\(near)"))
            }
            return .success(.string(text))
        case (.reference, .scalar(.string(let id))):
            return .success(.string(id))
        case (.references, .scalar(.string(let id))):
            return .success(.array([.string(id)]))
        case (.references, .sequence(let items)):
            var ids: [Value] = []
            for item in items {
                guard case .scalar(.string(let id)) = item.content else {
                    return .failure(SpecProblem("'\(key)' must list block ids, found \(item.typeDescription)"))
                }
                ids.append(.string(id))
            }
            if ids.isEmpty { return .failure(SpecProblem("'\(key)' must name at least one block")) }
            return .success(.array(ids))
        case (.grid, .mapping(let entries)):
            var dimensions: [Value] = []
            for entry in entries {
                guard case .sequence(let items) = entry.value.content, !items.isEmpty else {
                    var problem = SpecProblem("'\(key)': '\(entry.key)' must list the values to try, e.g. [1, 2, 3]; found \(entry.value.typeDescription)")
                    problem.location = entry.value.location ?? entry.keyLocation
                    return .failure(problem)
                }
                dimensions.append(.object(["key": .string(entry.key), "values": .array(items.map(genericValue))]))
            }
            if dimensions.isEmpty { return .failure(SpecProblem("'\(key)' must name at least one key to vary")) }
            return .success(.array(dimensions))
        case (.list(let element, let count), .sequence(let items)):
            if let count, !count.contains(items.count) {
                let expected = count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
                return .failure(SpecProblem("'\(key)' must list \(expected) values, found \(items.count)"))
            }
            var values: [Value] = []
            for item in items {
                switch convert(item, to: element, key: key) {
                case .success(let v): values.append(v)
                case .failure(var problem):
                    problem.location = problem.location ?? item.location
                    return .failure(problem)
                }
            }
            return .success(.array(values))
        default:
            return .failure(SpecProblem("'\(key)' must be \(Self.article(type)), found \(found)"))
        }
    }

    /// Any YAML value as a `Value`, types as YAML resolved them.
    static func genericValue(_ node: SpecNode) -> Value {
        switch node.content {
        case .scalar(.null): return .null
        case .scalar(.bool(let b)): return .bool(b)
        case .scalar(.int(let i)): return .int(i)
        case .scalar(.float(let f)): return .double(f)
        case .scalar(.string(let s)): return .string(s)
        case .sequence(let items): return .array(items.map(genericValue))
        case .mapping(let entries):
            return .object(Dictionary(entries.map { ($0.key, genericValue($0.value)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    private static func article(_ type: ValueType) -> String {
        switch type {
        case .int: return "an \(type)"
        case .choice: return "one of \(type)"
        case .reference, .references: return "the \(type)"
        default: return "a \(type)"
        }
    }
}

/// Why a spec value does not fit its key's type.
struct SpecProblem: Error {
    var message: String
    /// Where inside the value the problem is (a list item), when narrower than the value.
    var location: SourceLocation?
    init(_ message: String) { self.message = message }
}
