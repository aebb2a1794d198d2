/// A block's result or a resolved spec value: JSON's data model, with integers kept apart from
/// floating-point numbers so that a value survives the cache unchanged (1 stays 1, 1.0 stays 1.0).
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object([String: Value])

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public subscript(key: String) -> Value? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Follows a dotted key path (`history.loss`) through nested objects; a whole number
    /// indexes a list from 0 (`laws.0.alpha`), or from the end when negative (`points.-1`).
    public func lookup(_ path: [String]) -> Value? {
        var current: Value? = self
        for key in path {
            if case .array(let items)? = current, var index = Int(key) {
                if index < 0 { index += items.count }  // -1: the last
                current = items.indices.contains(index) ? items[index] : nil
            } else {
                current = current?[key]
            }
        }
        return current
    }

    /// A result named as a user writes it: the key itself (`pairs.mi`, a sweep's column) or a
    /// dotted path into nested results (`history.loss`).
    public func result(named key: String) -> Value? {
        self[key] ?? lookup(key.split(separator: ".").map(String.init))
    }

    /// How a value reads in prose and tables: numbers with `NumberFormatting`, lists joined.
    public var displayText: String {
        switch self {
        case .null: return "—"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return NumberFormatting.format(d)
        case .string(let s): return s
        case .array(let items): return items.map(\.displayText).joined(separator: ", ")
        case .object(let o): return o.keys.sorted().map { "\($0): \(o[$0]!.displayText)" }.joined(separator: ", ")
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                 ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
