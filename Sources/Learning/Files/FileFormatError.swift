/// A data file that cannot be read, with where in it the problem is.
public struct FileFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
