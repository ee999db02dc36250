import Foundation

/// A value of a libconfig file (hyperrealm.github.io/libconfig, "Configuration Files"): what
/// SWUpdate's sw-description is written in.
public indirect enum LibConfigValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// `[ scalar, ... ]`
    case array([LibConfigValue])
    /// `( value, ... )`
    case list([LibConfigValue])
    /// `{ name = value; ... }`, in file order.
    case group([(name: String, value: LibConfigValue)])

    public static func == (lhs: LibConfigValue, rhs: LibConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.array(let a), .array(let b)), (.list(let a), .list(let b)): a == b
        case (.group(let a), .group(let b)): a.map(\.name) == b.map(\.name) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let value): hasher.combine(value)
        case .integer(let value): hasher.combine(value)
        case .float(let value): hasher.combine(value)
        case .bool(let value): hasher.combine(value)
        case .array(let values), .list(let values): hasher.combine(values)
        case .group(let members):
            for member in members {
                hasher.combine(member.name)
                hasher.combine(member.value)
            }
        }
    }

    public subscript(name: String) -> LibConfigValue? {
        if case .group(let members) = self { return members.first { $0.name == name }?.value }
        return nil
    }

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The elements of a list or an array.
    public var elements: [LibConfigValue]? {
        switch self {
        case .list(let values), .array(let values): values
        default: nil
        }
    }
    public var members: [(name: String, value: LibConfigValue)]? { if case .group(let members) = self { members } else { nil } }
}

/// Why a libconfig text was refused, with the line.
public struct LibConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let offset: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// A bounded reader of libconfig text: settings `name = value;` (or `:`), groups, lists, arrays,
/// strings (with escapes, adjacent strings joined), integers (decimal, hex, `L` suffix), floats,
/// booleans; `#`, `//` and `/* */` comments. Duplicate names in a group are refused (libconfig
/// refuses them too). `@include` is refused: a package must not name files outside itself.
public enum LibConfig {
    /// The deepest nesting accepted.
    public static let maxDepth = 32

    /// The top-level settings, as a group.
    public static func parse(_ bytes: Data) throws(LibConfigError) -> LibConfigValue {
        var parser = LibConfigParser(bytes: [UInt8](bytes))
        let members = try parser.settings(depth: 0, closing: nil)
        return .group(members)
    }
}

private struct LibConfigParser {
    let bytes: [UInt8]
    var index = 0
    var line = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ reason: String) -> LibConfigError { LibConfigError(line: line, offset: index, reason: reason) }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() {
        if bytes[index] == 0x0a { line += 1 }
        index += 1
    }

    /// Whitespace and comments.
    mutating func skipTrivia() throws(LibConfigError) {
        while let byte = current {
            if byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d {
                advance()
            } else if byte == UInt8(ascii: "#") || (byte == UInt8(ascii: "/") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/")) {
                while let next = current, next != 0x0a { advance() }
            } else if byte == UInt8(ascii: "/") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*") {
                let start = line
                index += 2
                while true {
                    guard index + 1 < bytes.count else { throw LibConfigError(line: start, offset: index, reason: "a /* comment is not closed") }
                    if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                        index += 2
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || byte == UInt8(ascii: "*")
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// Settings until `closing` (or the end of the text when nil).
    mutating func settings(depth: Int, closing: UInt8?) throws(LibConfigError) -> [(name: String, value: LibConfigValue)] {
        var members: [(name: String, value: LibConfigValue)] = []
        var names: Set<String> = []
        while true {
            try skipTrivia()
            guard let byte = current else {
                if closing != nil { throw error("the text ends inside a group (a '}' is missing)") }
                return members
            }
            if let closing, byte == closing {
                index += 1
                return members
            }
            if byte == UInt8(ascii: "@") { throw error("@include and other directives are not accepted in a package") }
            guard Self.isNameStart(byte) else { throw error("a setting name expected") }
            let start = index
            while let next = current, Self.isNameByte(next) { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            try skipTrivia()
            guard let separator = current, separator == UInt8(ascii: "=") || separator == UInt8(ascii: ":") else {
                throw error("'=' or ':' expected after '\(name)'")
            }
            index += 1
            let value = try self.value(depth: depth + 1)
            guard names.insert(name).inserted else { throw error("the setting '\(name)' appears twice in one group") }
            members.append((name, value))
            try skipTrivia()
            if let next = current, next == UInt8(ascii: ";") || next == UInt8(ascii: ",") { index += 1 }
        }
    }

    mutating func value(depth: Int) throws(LibConfigError) -> LibConfigValue {
        guard depth <= LibConfig.maxDepth else { throw error("nested deeper than \(LibConfig.maxDepth) levels") }
        try skipTrivia()
        guard let byte = current else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            return .group(try settings(depth: depth, closing: UInt8(ascii: "}")))
        case UInt8(ascii: "("):
            index += 1
            return .list(try sequence(depth: depth, closing: UInt8(ascii: ")"), scalarsOnly: false))
        case UInt8(ascii: "["):
            index += 1
            return .array(try sequence(depth: depth, closing: UInt8(ascii: "]"), scalarsOnly: true))
        case UInt8(ascii: "\""):
            var text = try string()
            while true {
                try skipTrivia()
                guard current == UInt8(ascii: "\"") else { break }
                text += try string()
            }
            return .string(text)
        default:
            return try scalar()
        }
    }

    mutating func sequence(depth: Int, closing: UInt8, scalarsOnly: Bool) throws(LibConfigError) -> [LibConfigValue] {
        var values: [LibConfigValue] = []
        try skipTrivia()
        if current == closing {
            index += 1
            return values
        }
        while true {
            let value = try self.value(depth: depth + 1)
            if scalarsOnly {
                switch value {
                case .group, .list, .array: throw error("an array holds scalars only (use a list '( )' for groups)")
                default: break
                }
            }
            values.append(value)
            try skipTrivia()
            guard let next = current else { throw error("the text ends inside a list or array") }
            if next == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard next == closing else { throw error("',' or '\(Character(Unicode.Scalar(closing)))' expected") }
            index += 1
            return values
        }
    }

    mutating func string() throws(LibConfigError) -> String {
        let startLine = line
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw LibConfigError(line: startLine, offset: index, reason: "a string is not closed") }
            if byte == UInt8(ascii: "\"") {
                index += 1
                break
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard let escape = current else { throw error("a string is not closed") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "x"):
                    guard index + 2 <= bytes.count, let value = UInt8(String(decoding: bytes[index..<(index + 2)], as: UTF8.self), radix: 16) else {
                        throw error("a \\x escape needs two hex digits")
                    }
                    out.append(value)
                    index += 2
                default: throw error("an unknown escape in a string")
                }
                continue
            }
            out.append(byte)
            advance()
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw error("a string that is not UTF-8") }
        return text
    }

    mutating func scalar() throws(LibConfigError) -> LibConfigValue {
        let start = index
        while let byte = current, Self.isNameByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+") { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        switch text.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        var digits = text
        if digits.hasSuffix("LL") || digits.hasSuffix("ll") { digits.removeLast(2) } else if digits.hasSuffix("L") || digits.hasSuffix("l") { digits.removeLast() }
        if digits.lowercased().hasPrefix("0x"), let value = UInt64(digits.dropFirst(2), radix: 16) {
            return .integer(Int64(bitPattern: value))
        }
        if let value = Int64(digits) { return .integer(value) }
        if !text.isEmpty, text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(text), value.isFinite {
            return .float(value)
        }
        index = start
        throw error(text.isEmpty ? "a value expected" : "'\(text)' is not a value (a string needs quotes)")
    }
}
