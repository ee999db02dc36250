import Foundation

/// A JSON value as signed metadata (TUF) carries it: integers only, no duplicate keys. Read by
/// ``JSONDocument/parse(_:maxDepth:)`` and written back in canonical form by
/// ``JSONDocument/canonical`` for signature checks.
public indirect enum JSONDocument: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    public subscript(key: String) -> JSONDocument? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var array: [JSONDocument]? { if case .array(let value) = self { value } else { nil } }
    public var object: [String: JSONDocument]? { if case .object(let value) = self { value } else { nil } }
}

/// Why a JSON text was refused, with the byte offset.
public struct JSONDocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}

extension JSONDocument {
    /// Parses JSON text (RFC 8259), strictly: UTF-8, one value with only whitespace around it,
    /// integers only (a fraction or exponent cannot be written canonically), no duplicate key in
    /// an object (a verifier and the signer could otherwise see different values), nesting at
    /// most `maxDepth`.
    ///
    /// - Throws: ``JSONDocumentError`` with the offset of the first problem.
    public static func parse(_ bytes: Data, maxDepth: Int = 64) throws(JSONDocumentError) -> JSONDocument {
        var parser = JSONParser(bytes: [UInt8](bytes), maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("text after the JSON value") }
        return value
    }

    /// The canonical form securesystemslib signs (`encode_canonical`): object keys sorted by code
    /// point, no whitespace, strings with only `"` and `\` escaped (everything else, control
    /// characters and non-ASCII included, written as UTF-8), integers in decimal.
    public var canonical: Data {
        var out: [UInt8] = []
        writeCanonical(into: &out)
        return Data(out)
    }

    private func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Python sorts str keys by code point; Swift's String order is not that.
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A recursive-descent reader over the bytes; every index is checked before it is read.
private struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ reason: String) -> JSONDocumentError { JSONDocumentError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
    }

    mutating func literal(_ text: String, _ value: JSONDocument) throws(JSONDocumentError) -> JSONDocument {
        let expected = Array(text.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw error("not a JSON value")
        }
        index += expected.count
        return value
    }

    mutating func value(depth: Int) throws(JSONDocumentError) -> JSONDocument {
        guard depth < maxDepth else { throw error("nested deeper than \(maxDepth) levels") }
        guard index < bytes.count else { throw error("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("not a JSON value")
        }
    }

    mutating func object(depth: Int) throws(JSONDocumentError) -> JSONDocument {
        index += 1
        var members: [String: JSONDocument] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("an object key must be a string") }
            let keyOffset = index
            let key = try string()
            guard members[key] == nil else {
                throw JSONDocumentError(offset: keyOffset, reason: "the key \"\(key)\" appears twice in one object")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("':' expected after an object key") }
            index += 1
            skipWhitespace()
            members[key] = try value(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("',' or '}' expected in an object") }
            index += 1
            return .object(members)
        }
    }

    mutating func array(depth: Int) throws(JSONDocumentError) -> JSONDocument {
        index += 1
        var values: [JSONDocument] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("',' or ']' expected in an array") }
            index += 1
            return .array(values)
        }
    }

    mutating func number() throws(JSONDocumentError) -> JSONDocument {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        let digits = index - digitsStart
        guard digits > 0 else { throw error("a number needs digits") }
        guard !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else {
            throw JSONDocumentError(offset: start, reason: "a number with a leading zero")
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw JSONDocumentError(offset: start, reason: "a number with a fraction or exponent (signed metadata holds integers only)")
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Int64(text) else { throw JSONDocumentError(offset: start, reason: "the integer \(text) does not fit in 64 bits") }
        return .integer(value)
    }

    mutating func hex4() throws(JSONDocumentError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func string() throws(JSONDocumentError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw JSONDocumentError(offset: start, reason: "a string is not closed") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                break
            }
            if byte < 0x20 { throw error("a control character inside a string must be escaped") }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { throw JSONDocumentError(offset: start, reason: "a string is not closed") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("a lone UTF-16 surrogate in a \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw error("a lone UTF-16 surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00..<0xe000).contains(scalar) {
                    throw error("a lone UTF-16 surrogate in a \\u escape")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
                out += Array(String(Character(unicode)).utf8)
            default:
                throw error("an unknown escape in a string")
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw JSONDocumentError(offset: start, reason: "a string that is not valid UTF-8")
        }
        return text
    }
}
