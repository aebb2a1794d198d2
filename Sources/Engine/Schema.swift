import Notebook

/// The type a spec key accepts. Reference types are what make graph edges.
public indirect enum ValueType: Sendable, CustomStringConvertible {
    case bool
    case int(min: Int? = nil, max: Int? = nil)
    case number(min: Double? = nil, max: Double? = nil)
    case string
    case choice([String])
    /// The id of one block, of one of these kinds (any kind when empty).
    case reference(kinds: [String])
    /// One id or a list of ids.
    case references(kinds: [String])
    case list(ValueType, count: ClosedRange<Int>? = nil)
    /// A nested mapping with keys of its own (`optimizer: {name: adam, lr: 0.001}`). With a
    /// shorthand key, a plain scalar means that key alone (`optimizer: adam`).
    case record([KeySpec], shorthand: String? = nil)
    /// A mapping from names to non-empty lists of values of any type (a sweep's `over:`),
    /// kept in the order written: `[{key, values}]`.
    case grid

    public var description: String {
        switch self {
        case .bool: return "boolean"
        case .int(let lo, let hi): return "integer" + Self.rangeText(lo.map(String.init), hi.map(String.init))
        case .number(let lo, let hi): return "number" + Self.rangeText(lo.map { "\($0)" }, hi.map { "\($0)" })
        case .string: return "text"
        case .choice(let options): return options.joined(separator: " | ")
        case .reference(let kinds): return kinds.isEmpty ? "block id" : "id of a \(kinds.joined(separator: " or ")) block"
        case .references(let kinds): return kinds.isEmpty ? "block id or list of ids" : "id or list of ids of \(kinds.joined(separator: " or ")) blocks"
        case .list(let element, let count):
            let n = count.map { $0.lowerBound == $0.upperBound ? " of \($0.lowerBound)" : " of \($0.lowerBound)–\($0.upperBound)" } ?? ""
            return "list\(n) of \(element)"
        case .record(let keys, _):
            return "{" + keys.map(\.name).joined(separator: ", ") + "}"
        case .grid:
            return "mapping of keys to lists of values"
        }
    }

    private static func rangeText(_ lo: String?, _ hi: String?) -> String {
        switch (lo, hi) {
        case let (l?, h?): return " in [\(l), \(h)]"
        case let (l?, nil): return " ≥ \(l)"
        case let (nil, h?): return " ≤ \(h)"
        default: return ""
        }
    }

    var isReference: Bool {
        switch self {
        case .reference, .references: return true
        default: return false
        }
    }
}

/// One key a block kind understands.
public struct KeySpec: Sendable {
    public var name: String
    public var type: ValueType
    public var defaultValue: Value?
    public var required: Bool
    public var doc: String
    /// The key applies only when another key has one of these values (`k` only for `method: ksg`).
    public var appliesWhen: (key: String, values: [String])?
    /// Without a value here, take the front matter's value of this name (e.g. `units`).
    public var defaultFromFrontMatter: String?

    public init(_ name: String, _ type: ValueType, default defaultValue: Value? = nil, required: Bool = false,
                when appliesWhen: (key: String, values: [String])? = nil, frontMatterDefault: String? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.doc = doc
        self.appliesWhen = appliesWhen
        self.defaultFromFrontMatter = frontMatterDefault
    }
}

/// A result a block kind produces, for `{{ id.key }}` checks and `infoplane kinds`.
public struct ResultSpec: Sendable {
    public var name: String
    public var doc: String
    /// Only produced when this spec key has one of these values.
    public var appliesWhen: (key: String, values: [String])?

    public init(_ name: String, when appliesWhen: (key: String, values: [String])? = nil, doc: String) {
        self.name = name
        self.doc = doc
        self.appliesWhen = appliesWhen
    }
}

/// A block's spec after validation: every applicable key present (defaults filled in), each
/// value of its declared type, with the place it was written for later messages.
public struct ResolvedSpec: Sendable, Hashable {
    public var values: [String: Value]
    public var locations: [String: SourceLocation]
    public var blockLocation: SourceLocation

    public init(values: [String: Value], locations: [String: SourceLocation], blockLocation: SourceLocation) {
        self.values = values
        self.locations = locations
        self.blockLocation = blockLocation
    }

    public subscript(key: String) -> Value? { values[key] }

    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func int(_ key: String) -> Int? { values[key]?.intValue }
    public func double(_ key: String) -> Double? { values[key]?.doubleValue }
    public func bool(_ key: String) -> Bool? { values[key]?.boolValue }

    /// Ids named by a reference key, in the order written.
    public func ids(_ key: String) -> [String] {
        switch values[key] {
        case .string(let id)?: return [id]
        case .array(let items)?: return items.compactMap(\.stringValue)
        default: return []
        }
    }

    public func location(of key: String) -> SourceLocation { locations[key] ?? blockLocation }

    /// The canonical form hashed into the cache key.
    public var canonical: Value { .object(values) }
}

extension KeySpec {
    func applies(to values: [String: SpecNode.Scalar]) -> Bool {
        guard let condition = appliesWhen else { return true }
        guard case .string(let v)? = values[condition.key] else { return false }
        return condition.values.contains(v)
    }
}

extension ResultSpec {
    public func applies(to spec: ResolvedSpec) -> Bool {
        guard let condition = appliesWhen else { return true }
        guard let v = spec.string(condition.key) else { return false }
        return condition.values.contains(v)
    }
}
