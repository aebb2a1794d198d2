/// A problem found in a notebook, with the place it was found.
///
/// Errors are values: the parser and the validator collect every problem they see so a user
/// fixes them all in one pass; the command-line tool prints them as `path:line:col: error: ...`.
public struct Diagnostic: Error, Hashable, Sendable {
    public enum Severity: String, Sendable { case error, warning, note }

    public struct Note: Hashable, Sendable {
        public var message: String
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    public var severity: Severity
    public var message: String
    /// Nil for problems that belong to no line (a `--param` given on the command line).
    public var location: SourceLocation?
    public var notes: [Note]

    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation?, notes: [Note] = []) {
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
    }

    public static func error(_ message: String, at location: SourceLocation?, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, message, at: location, notes: notes)
    }

    /// The compiler-style lines a user sees, for example
    /// `Notebooks/a.md:12:7: error: unknown key 'bins'`.
    public func rendered(path: String) -> String {
        var lines = [Self.line(path: path, location: location, severity: severity.rawValue, message: message)]
        for note in notes {
            lines.append(Self.line(path: path, location: note.location ?? location, severity: "note", message: note.message))
        }
        return lines.joined(separator: "\n")
    }

    private static func line(path: String, location: SourceLocation?, severity: String, message: String) -> String {
        if let location {
            return "\(path):\(location.line):\(location.column): \(severity): \(message)"
        }
        return "\(path): \(severity): \(message)"
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in file order; those without a place come first.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case let (x?, y?): return x == y ? a.offset < b.offset : x < y
            case (nil, _?): return true
            case (_?, nil): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }
}
