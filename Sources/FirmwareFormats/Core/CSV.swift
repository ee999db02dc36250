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

    public static func parse(_ text: String) throws(ParseError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var quoteLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        func endRow() {
            row.append(field)
            if !(row.count == 1 && row[0].isEmpty && !fieldWasQuoted) { rows.append(row) }
            row = []
            field = ""
            fieldWasQuoted = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty && !fieldWasQuoted else {
                    throw ParseError(line: line, reason: "a quote inside an unquoted field")
                }
                inQuotes = true
                fieldWasQuoted = true
                quoteLine = line
            case ",":
                row.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                if let following = next(), following != "\n" { pending = following }
                endRow()
                line += 1
            case "\n":
                endRow()
                line += 1
            default:
                if fieldWasQuoted { throw ParseError(line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ParseError(line: quoteLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }
}
