import Yams

/// A YAML value from a block spec or the front matter, with the place each part came from.
///
/// We keep our own tree rather than Yams' `Node` so that every later stage (validation, defaults,
/// error messages) can point at the exact line and column in the notebook file.
public struct SpecNode: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        case scalar(Scalar)
        case sequence([SpecNode])
        case mapping([Entry])
    }

    /// A scalar with its type resolved by YAML's rules (`3` is an int, `3.0` a float,
    /// `"3"` a string, `true` a bool, `~` null).
    public enum Scalar: Hashable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    public struct Entry: Hashable, Sendable {
        public var key: String
        public var keyLocation: SourceLocation?
        public var value: SpecNode

        public init(key: String, keyLocation: SourceLocation?, value: SpecNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public var content: Content
    /// Nil when the value came from outside the file (a `--param` override).
    public var location: SourceLocation?

    public init(_ content: Content, at location: SourceLocation?) {
        self.content = content
        self.location = location
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    public subscript(key: String) -> SpecNode? {
        entries?.first { $0.key == key }?.value
    }

    /// A short name of the value's YAML type, for error messages.
    public var typeDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let s):
            switch s {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }
}

/// Turns YAML text into `SpecNode`s whose locations are absolute in the notebook file.
enum SpecYAML {
    /// Where a YAML snippet sits in the file: the file line of its first line, and the number of
    /// columns that were stripped from the left of each line.
    struct Origin {
        var firstLine: Int
        var columnOffset: Int
    }

    static func parse(_ text: String, origin: Origin) -> Result<SpecNode?, Diagnostic> {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .success(nil) }
            return .success(try convert(node, origin))
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, origin: origin, yaml: text))
        } catch let error as Diagnostic {
            return .failure(error)
        } catch {
            return .failure(.error("YAML: \(error)", at: SourceLocation(line: origin.firstLine, column: 1)))
        }
    }

    /// Parses a single value given on the command line, typed by the same YAML rules.
    static func parseValue(_ text: String) -> SpecNode? {
        guard let node = try? Yams.compose(yaml: text) else {
            return SpecNode(.scalar(.string(text)), at: nil)
        }
        guard var converted = try? convert(node, Origin(firstLine: 1, columnOffset: 0)) else { return nil }
        converted.clearLocations()
        return converted
    }

    private static func location(_ mark: Mark?, _ origin: Origin) -> SourceLocation? {
        guard let mark else { return nil }
        return SourceLocation(line: origin.firstLine + mark.line - 1, column: mark.column + origin.columnOffset)
    }

    private static func convert(_ node: Node, _ origin: Origin) throws -> SpecNode {
        switch node {
        case .scalar(let scalar):
            return SpecNode(.scalar(resolve(scalar, node)), at: location(scalar.mark, origin))
        case .sequence(let sequence):
            return SpecNode(.sequence(try sequence.map { try convert($0, origin) }), at: location(sequence.mark, origin))
        case .mapping(let mapping):
            var entries: [SpecNode.Entry] = []
            var seen: [String: SourceLocation?] = [:]
            for (key, value) in mapping {
                let keyLocation = location(key.mark, origin)
                guard case .scalar(let keyScalar) = key else {
                    throw Diagnostic.error("mapping keys must be plain names", at: keyLocation)
                }
                let name = keyScalar.string
                if let first = seen[name] {
                    throw Diagnostic.error("duplicate key '\(name)'", at: keyLocation,
                                           notes: [.init("first given here", at: first)])
                }
                seen[name] = keyLocation
                entries.append(.init(key: name, keyLocation: keyLocation, value: try convert(value, origin)))
            }
            return SpecNode(.mapping(entries), at: location(mapping.mark, origin))
        case .alias(let alias):
            throw Diagnostic.error("YAML aliases are not supported in notebooks", at: location(alias.mark, origin))
        }
    }

    private static func resolve(_ scalar: Node.Scalar, _ node: Node) -> SpecNode.Scalar {
        if scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded {
            return .string(scalar.string)
        }
        if node.null != nil { return .null }
        if let b = node.bool { return .bool(b) }
        if let i = node.int { return .int(i) }
        if let f = node.float { return .float(f) }
        return .string(scalar.string)
    }

    private static func diagnostic(for error: YamlError, origin: Origin, yaml: String) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var notes: [Diagnostic.Note] = []
            if let context {
                notes.append(.init(context.text, at: location(context.mark, origin)))
            }
            return .error("YAML syntax: \(problem)", at: location(mark, origin), notes: notes)
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the mapping; point at the repeated key instead when it can be found.
            var place = location(context.mark, origin)
            if let key = duplicates.first {
                let lines = NotebookParser.splitLines(yaml)
                let hits = lines.indices.filter { lines[$0].trimmingSpaces.hasPrefix(key + ":") }
                if hits.count > 1 {
                    let column = lines[hits[1]].unicodeScalars.prefix { $0 == " " || $0 == "\t" }.count + 1
                    place = SourceLocation(line: origin.firstLine + hits[1], column: column + origin.columnOffset)
                }
            }
            return .error("duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))", at: place)
        default:
            return .error("YAML: \(error)", at: SourceLocation(line: origin.firstLine, column: 1))
        }
    }
}

extension SpecNode {
    mutating func clearLocations() {
        location = nil
        switch content {
        case .scalar: break
        case .sequence(var items):
            for i in items.indices { items[i].clearLocations() }
            content = .sequence(items)
        case .mapping(var entries):
            for i in entries.indices { entries[i].keyLocation = nil; entries[i].value.clearLocations() }
            content = .mapping(entries)
        }
    }

    /// The value written as one line of flow-style YAML, used to substitute `${params.x}` into a
    /// spec without changing the spec's line numbers.
    public var flowYAML: String {
        switch content {
        case .scalar(let s):
            switch s {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .float(let f): return f.isNaN ? ".nan" : f.isInfinite ? (f < 0 ? "-.inf" : ".inf") : "\(f)"
            case .string(let text): return SpecNode.quoted(text)
            }
        case .sequence(let items):
            return "[" + items.map(\.flowYAML).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { SpecNode.quoted($0.key) + ": " + $0.value.flowYAML }.joined(separator: ", ") + "}"
        }
    }

    /// The value as a reader expects it in prose: `300`, `0.01`, `tanh`, `[10, 7, 5]`.
    public var displayText: String {
        if case .scalar(.string(let text)) = content { return text }
        return flowYAML
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
