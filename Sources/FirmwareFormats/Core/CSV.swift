// A hand-written parser (device lists, batch manifests), so it lives with the other format
// parsers and has a fuzz target (Fuzz/CSV).

/// RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` for a quote inside
/// quotes, CRLF or LF line ends. A quoted field that never closes is an error.
public enum CSV {
    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// One field for writing, the one place fwgate's CSV is written (inventory export, sweep CSV).
    ///
    /// - A field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
    ///   or carriage return) is neutralised as OWASP's "CSV Injection" page recommends: a single
    ///   quote is put in front and the field is quoted. A device id `=HYPERLINK(...)` or an
    ///   artifact path `=cmd|calc.bin` thus shows as text. Plain numbers (`-12`, `+3`, `-0.5`)
    ///   are left as they are: they are not formulas, and `daysLeft` is negative once expired.
    /// - A field holding a comma, quote or line break is quoted, with `""` for a quote (RFC 4180).
    public static func field(_ text: String) -> String {
        var text = text
        var quote = text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        if let first = text.unicodeScalars.first, formulaTriggers.contains(first), !isPlainNumber(text) {
            text = "'" + text
            quote = true
        }
        guard quote else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The leading characters that make a spreadsheet evaluate a cell (OWASP CSV Injection).
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `[+-]digits[.digits]`: a number, not a formula.
    static func isPlainNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 2 else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 } }
    }

    /// Parses `text` into rows of fields. Works over UTF-8 bytes (the delimiters are ASCII, so
    /// multi-byte characters pass through whole): 100,000 device rows parse in well under a
    /// second.
    ///
    /// - Throws: ``ParseError`` with the line of a stray or unclosed quote.
    public static func parse(_ text: String) throws(ParseError) -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var quoteLine = 1
        let bytes = Array(text.utf8)
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRow() {
            endField()
            if !(row.count == 1 && row[0].isEmpty && !fieldWasQuoted) { rows.append(row) }
            row = []
            fieldWasQuoted = false
        }
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            if inQuotes {
                if c == quote {
                    if index < bytes.count && bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == lf { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case quote:
                guard field.isEmpty && !fieldWasQuoted else {
                    throw ParseError(line: line, reason: "a quote inside an unquoted field")
                }
                inQuotes = true
                fieldWasQuoted = true
                quoteLine = line
            case comma:
                endField()
                fieldWasQuoted = false
            case cr:
                if index < bytes.count && bytes[index] == lf { index += 1 }
                endRow()
                line += 1
            case lf:
                endRow()
                line += 1
            default:
                if fieldWasQuoted { throw ParseError(line: line, reason: "text after a closing quote") }
                field.append(c)
            }
        }
        if inQuotes { throw ParseError(line: quoteLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }
}
