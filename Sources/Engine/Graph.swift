import Notebook

/// A validated notebook: blocks with their kinds and resolved specs, and the edges between
/// them. Edges come only from reference keys (`data:`, `of:`, `from:`).
public struct NotebookGraph: Sendable {
    public struct Node: Sendable {
        public var block: Block
        public var kind: any BlockKind
        public var spec: ResolvedSpec
        /// Ids this block references, in the order first written.
        public var dependencies: [String]
        /// Where each referenced id is written.
        public var referenceLocations: [String: SourceLocation] = [:]
        /// Set when this node is one point of a sweep: a copy of a template block.
        public var sweepPoint: SweepPoint? = nil
        public var id: String { block.id }
        /// The block of the notebook this node shows as: itself, or the sweep that made it.
        public var anchorID: String { sweepPoint?.sweep ?? block.id }
    }

    /// Where a sweep's instance node comes from.
    public struct SweepPoint: Sendable, Hashable {
        public var sweep: String
        public var template: String
    }

    public var notebook: Notebook
    /// In file order.
    public var nodes: [Node]
    /// Where the notebook is and what its blocks may read.
    public var environment: RunEnvironment
    /// Template blocks (run only through sweeps), each with the sweeps that use it.
    public var templates: [String: [String]]
    private var index: [String: Int]

    init(notebook: Notebook, nodes: [Node], environment: RunEnvironment, templates: [String: [String]] = [:]) {
        self.notebook = notebook
        self.nodes = nodes
        self.environment = environment
        self.templates = templates
        self.index = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($0.element.id, $0.offset) })
    }

    public subscript(id: String) -> Node? { index[id].map { nodes[$0] } }

    /// Blocks that reference `id` directly.
    public func dependents(of id: String) -> [String] {
        nodes.filter { $0.dependencies.contains(id) }.map(\.id)
    }

    /// Every block `ids` need, transitively, including themselves.
    public func closure(of ids: some Sequence<String>) -> Set<String> {
        var seen = Set<String>()
        var stack = Array(ids)
        while let id = stack.popLast() {
            guard seen.insert(id).inserted, let node = self[id] else { continue }
            stack.append(contentsOf: node.dependencies)
        }
        return seen
    }

    /// Every block that depends on `id`, transitively (not `id` itself).
    public func descendants(of id: String) -> Set<String> {
        var seen = Set<String>()
        var stack = [id]
        while let current = stack.popLast() {
            for d in dependents(of: current) where seen.insert(d).inserted { stack.append(d) }
        }
        return seen
    }

    /// Blocks in an order where each comes after what it references; ties keep file order.
    public var topologicalOrder: [String] {
        var placed = Set<String>()
        var order: [String] = []
        while order.count < nodes.count {
            let before = order.count
            for node in nodes where !placed.contains(node.id) && node.dependencies.allSatisfy(placed.contains) {
                placed.insert(node.id)
                order.append(node.id)
            }
            if order.count == before { break }  // a cycle; validation rejects these first
        }
        return order
    }
}
