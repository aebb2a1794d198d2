import Foundation
import Notebook

/// Turns a parsed notebook into a `NotebookGraph`, reporting every problem at once:
/// duplicate ids, unknown or mistyped keys, dangling and wrong-kind references, cycles,
/// and `{{ id.key }}` that name no result.
public struct GraphBuilder: Sendable {
    public var registry: KindRegistry
    public var environment: RunEnvironment

    public init(registry: KindRegistry, environment: RunEnvironment = RunEnvironment(notebookDirectory: URL(fileURLWithPath: "."))) {
        self.registry = registry
        self.environment = environment
    }

    public struct Output: Sendable {
        /// Nil when there was any error.
        public var graph: NotebookGraph?
        public var diagnostics: [Diagnostic]
    }

    public func build(_ notebook: Notebook, parseDiagnostics: [Diagnostic] = []) -> Output {
        var diagnostics = parseDiagnostics
        let resolver = SpecResolver(frontMatter: notebook.frontMatter)

        // Ids first, so references can be checked against every block, even invalid ones.
        var firstByID: [String: Block] = [:]
        var usable: [Block] = []
        for block in notebook.blocks {
            if let first = firstByID[block.id] {
                diagnostics.append(.error("duplicate block id '\(block.id)'", at: block.idLocation,
                                          notes: [.init("'\(block.id)' is first defined here", at: first.idLocation)]))
                continue
            }
            firstByID[block.id] = block
            if TemplateScanner.isID(block.id) { usable.append(block) }
        }

        var nodes: [NotebookGraph.Node] = []
        for block in usable {
            guard let kind = registry[block.kind], let specNode = block.spec else { continue }
            let (resolved, problems) = resolver.resolve(specNode, kind: kind, block: block)
            diagnostics += problems
            // References are checked from the YAML itself, so they are reported even when
            // other keys of the same block are wrong.
            var dependencies: [String] = []
            var referenceLocations: [String: SourceLocation] = [:]
            var referencesOK = true
            for key in kind.keys where key.type.isReference && specNode[key.name] != nil {
                let allowed: [String]
                switch key.type {
                case .reference(let kinds), .references(let kinds): allowed = kinds
                default: allowed = []
                }
                for (id, location) in Self.referencedIDs(specNode, key: key.name, fallback: block.location) {
                    guard let target = firstByID[id] else {
                        var notes: [Diagnostic.Note] = []
                        if let near = NameSuggestion.nearest(to: id, in: firstByID.keys) {
                            notes.append(.init("did you mean '\(near)'?", at: firstByID[near]?.idLocation))
                        }
                        diagnostics.append(.error("'\(key.name)' refers to '\(id)', but no block has that id", at: location, notes: notes))
                        referencesOK = false
                        continue
                    }
                    if !allowed.isEmpty && !allowed.contains(target.kind) {
                        diagnostics.append(.error("'\(key.name)' must name \(Self.article(allowed[0])) \(allowed.joined(separator: " or ")) block, but '\(id)' is \(Self.article(target.kind)) \(target.kind)",
                                                  at: location, notes: [.init("'\(id)' is defined here", at: target.idLocation)]))
                        referencesOK = false
                        continue
                    }
                    if !dependencies.contains(id) {
                        dependencies.append(id)
                        referenceLocations[id] = location
                    }
                }
            }
            if referencesOK, let spec = resolved {
                nodes.append(.init(block: block, kind: kind, spec: spec, dependencies: dependencies, referenceLocations: referenceLocations))
            }
        }

        let cycleProblems = cycles(in: nodes)
        diagnostics += cycleProblems

        // Sweeps replace their templates by one copy per point (only in a graph without cycles).
        var templates: [String: [String]] = [:]
        if cycleProblems.isEmpty {
            let expansion = SweepExpander(resolver: resolver, blocks: firstByID).expand(nodes)
            diagnostics += expansion.diagnostics
            nodes = expansion.nodes
            templates = expansion.templates
        }

        // Kind-specific checks, with what the referenced blocks are.
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        for node in nodes {
            var referenced: [String: (kind: any BlockKind, spec: ResolvedSpec)] = [:]
            for dep in node.dependencies { if let d = byID[dep] { referenced[dep] = (d.kind, d.spec) } }
            diagnostics += node.kind.check(node.spec, context: CheckContext(referenced: referenced, environment: environment))
        }

        diagnostics += checkInlineResults(notebook, blocks: firstByID, nodes: byID, templates: templates)

        let sorted = diagnostics.sortedByLocation()
        guard !sorted.hasErrors else { return Output(graph: nil, diagnostics: sorted) }
        return Output(graph: NotebookGraph(notebook: notebook, nodes: nodes, environment: environment, templates: templates), diagnostics: sorted)
    }

    /// "a" or "an" before a kind's name.
    static func article(_ word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    /// Each id a reference key names, with the place it is written.
    private static func referencedIDs(_ spec: SpecNode, key: String, fallback: SourceLocation) -> [(String, SourceLocation)] {
        guard let value = spec[key] else { return [] }
        switch value.content {
        case .scalar(.string(let id)): return [(id, value.location ?? fallback)]
        case .sequence(let items):
            return items.compactMap { item in
                if case .scalar(.string(let id)) = item.content { return (id, item.location ?? fallback) }
                return nil
            }
        default: return []
        }
    }

    /// Reports each cycle once, with its whole path.
    private func cycles(in nodes: [NotebookGraph.Node]) -> [Diagnostic] {
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        var found: [Diagnostic] = []

        func visit(_ id: String) {
            marks[id] = .visiting
            stack.append(id)
            for dep in byID[id]?.dependencies ?? [] where byID[dep] != nil {
                switch marks[dep] {
                case .visiting?:
                    let start = stack.lastIndex(of: dep)!
                    let cycle = Array(stack[start...]) + [dep]
                    // The block that references back (the last edge) is where the cycle is reported.
                    let notes = zip(cycle, cycle.dropFirst()).map { from, to in
                        Diagnostic.Note("'\(from)' references '\(to)'", at: byID[from]?.referenceLocations[to])
                    }
                    found.append(.error("dependency cycle: \(cycle.joined(separator: " -> "))",
                                        at: byID[cycle[0]]?.block.idLocation, notes: notes))
                case .done?:
                    break
                case nil:
                    visit(dep)
                }
            }
            stack.removeLast()
            marks[id] = .done
        }
        for node in nodes where marks[node.id] == nil { visit(node.id) }
        return found
    }

    private func checkInlineResults(_ notebook: Notebook, blocks: [String: Block],
                                    nodes: [String: NotebookGraph.Node], templates: [String: [String]]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for prose in notebook.proseCells {
            for ref in prose.inlineResults {
                guard let block = blocks[ref.blockID] else {
                    var notes: [Diagnostic.Note] = []
                    if let near = NameSuggestion.nearest(to: ref.blockID, in: blocks.keys) {
                        notes.append(.init("did you mean '\(near)'?", at: blocks[near]?.idLocation))
                    }
                    diagnostics.append(.error("\(ref.source) names no block: there is no block '\(ref.blockID)'", at: ref.location, notes: notes))
                    continue
                }
                if let sweeps = templates[block.id], nodes[block.id] == nil {
                    diagnostics.append(.error("\(ref.source): '\(block.id)' is a template of sweep '\(sweeps[0])' and has one result per point",
                                              at: ref.location, notes: [.init("show the sweep's table, or a result of the sweep such as {{ \(sweeps[0]).count }}")]))
                    continue
                }
                // A block whose spec is invalid is still checked against every result its kind can make.
                guard let kind = registry[block.kind] else { continue }
                let node = nodes[block.id]
                let names = node.map { kind.resultNames(for: $0.spec) } ?? kind.results.map(\.name)
                if !names.contains(ref.keyPath[0]) {
                    var notes: [Diagnostic.Note] = []
                    if let near = NameSuggestion.nearest(to: ref.keyPath[0], in: names) {
                        notes.append(.init("did you mean '\(near)'?"))
                    }
                    notes.append(.init("results of \(kind.name) '\(block.id)': \(names.joined(separator: ", "))"))
                    diagnostics.append(.error("\(ref.source): \(kind.name) '\(block.id)' has no result '\(ref.keyPath[0])'", at: ref.location, notes: notes))
                }
            }
        }
        // `@fig-…` and `@tbl-…` must name a block; other `@word`s may be handles or plain text.
        for prose in notebook.proseCells {
            for ref in prose.crossReferences where blocks[ref.blockID] == nil
                && (ref.blockID.hasPrefix("fig-") || ref.blockID.hasPrefix("tbl-")) {
                var notes: [Diagnostic.Note] = []
                if let near = NameSuggestion.nearest(to: ref.blockID, in: blocks.keys) {
                    notes.append(.init("did you mean '\(near)'?", at: blocks[near]?.idLocation))
                }
                diagnostics.append(.error("@\(ref.blockID) refers to no block", at: ref.location, notes: notes))
            }
        }
        return diagnostics
    }
}
