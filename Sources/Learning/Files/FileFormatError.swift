/// A data file that cannot be read, with where in it the problem is.
public struct FileFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The number of elements of a shape, or nil when a size is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }
}
