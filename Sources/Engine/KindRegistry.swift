/// The block kinds a run knows, by name.
public struct KindRegistry: Sendable {
    public private(set) var kinds: [String: any BlockKind] = [:]

    public init(_ kinds: [any BlockKind] = []) {
        for kind in kinds { register(kind) }
    }

    public mutating func register(_ kind: any BlockKind) {
        kinds[kind.name] = kind
    }

    public subscript(name: String) -> (any BlockKind)? { kinds[name] }

    public var names: Set<String> { Set(kinds.keys) }

    /// Kinds in name order, for listings.
    public var sorted: [any BlockKind] { kinds.keys.sorted().map { kinds[$0]! } }
}
