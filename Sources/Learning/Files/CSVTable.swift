/// A CSV file of numbers with a header row (RFC 4180: commas, double-quoted fields, "" inside
/// quotes, LF or CRLF line ends).
public struct CSVTable: Sendable {
    public var header: [String]
    /// Row-major text fields, one array per data row.
    public var rows: [[String]]
    /// The file line each data row starts on, for messages.
    public var lines: [Int]

    public static func parse(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) throws -> CSVTable {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FileFormatError("the CSV file is not UTF-8 text")
        }
        var records: [[String]] = []
        var starts: [Int] = []
        var field = "", record: [String] = []
        var inQuotes = false, line = 1, recordStart = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // a byte-order mark
        var i = 0
        let comma = Unicode.Scalar(delimiter)
        func endRecord() {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) {  // blank lines are skipped
                records.append(record)
                starts.append(recordStart)
            }
            record = []
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == comma {
                record.append(field)
                field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordStart = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw FileFormatError("line \(recordStart): a quoted field is never closed") }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let header = records.first else { throw FileFormatError("the CSV file is empty") }
        let width = header.count
        for (index, row) in records.enumerated().dropFirst() where row.count != width {
            throw FileFormatError("line \(starts[index]): expected \(width) fields as in the header, found \(row.count)")
        }
        return CSVTable(header: header.map { $0.trimmingCharacters() }, rows: Array(records.dropFirst()), lines: Array(starts.dropFirst()))
    }

    /// The named columns as a row-major matrix of finite numbers.
    public func numbers(columns: [String]) throws -> [Double] {
        var indices: [Int] = []
        for name in columns {
            guard let index = header.firstIndex(of: name) else {
                throw FileFormatError("no column '\(name)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", "))")
            }
            indices.append(index)
        }
        var out: [Double] = []
        out.reserveCapacity(rows.count * indices.count)
        for (r, row) in rows.enumerated() {
            for (k, index) in indices.enumerated() {
                let text = row[index].trimmingCharacters()
                guard let value = Double(text) else {
                    throw FileFormatError("line \(lines[r]), column '\(columns[k])': '\(text)' is not a number")
                }
                guard value.isFinite else {
                    throw FileFormatError("line \(lines[r]), column '\(columns[k])': \(text) is not a finite number")
                }
                out.append(value)
            }
        }
        return out
    }

    /// A column of class names or numbers as class indices 0..<classes, in order of first appearance
    /// for names and in numeric order for integers.
    public func classes(column: String) throws -> (indices: [Int], names: [String]) {
        guard let index = header.firstIndex(of: column) else {
            throw FileFormatError("no column '\(column)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", "))")
        }
        let values = rows.map { $0[index].trimmingCharacters() }
        if let empty = values.firstIndex(where: \.isEmpty) {
            throw FileFormatError("line \(lines[empty]), column '\(column)': the label is empty")
        }
        let integers = values.compactMap { Int($0) }
        let names: [String] = integers.count == values.count ? Set(integers).sorted().map(String.init) : values.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let lookup = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return (values.map { lookup[integers.count == values.count ? String(Int($0)!) : $0]! }, names)
    }
}

extension String {
    func trimmingCharacters() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
