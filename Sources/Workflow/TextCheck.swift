import Notebook

/// What makes a file unfit to be read as a notebook, found before parsing: not UTF-8, NUL
/// bytes (a binary file), or nothing at all. Reported at the line and column where it starts.
enum TextCheck {
    static func problem(in bytes: [UInt8]) -> Diagnostic? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .error("the notebook is empty", at: SourceLocation(line: 1, column: 1),
                          notes: [.init("a notebook is Markdown prose with fenced blocks such as ```dataset my-data")])
        }
        var line = 1, column = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00:
                return .error("the file holds NUL bytes: it looks binary, not a Markdown notebook", at: SourceLocation(line: line, column: column))
            case 0x01...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            let valid = length > 0 && i + length <= bytes.count
                && bytes[(i + 1)..<(i + length)].allSatisfy { $0 & 0xC0 == 0x80 }
                && String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil
            guard valid else {
                return .error("the notebook is not valid UTF-8 (byte 0x\(String(b, radix: 16, uppercase: true)))", at: SourceLocation(line: line, column: column))
            }
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return nil
    }
}
