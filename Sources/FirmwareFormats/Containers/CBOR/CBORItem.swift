import FirmwareCrypto
import Foundation

/// One CBOR data item (RFC 8949 §3) and where it lies in its source.
///
/// Byte strings are not loaded: they are kept as the range of their content, so a large
/// integrated payload in a SUIT envelope is hashed from the file by the digest pipeline and
/// never held in memory. ``CBORDecoder`` makes these; nothing else does.
public struct CBORItem: Sendable, CustomStringConvertible {
    /// The decoded value, by major type (RFC 8949 §3.1).
    public indirect enum Value: Sendable {
        /// Major type 0.
        case unsigned(UInt64)
        /// Major type 1: the value is `-1 - n`.
        case negative(UInt64)
        /// Major type 2: the content's range in the source.
        case bytes(Range<Int64>)
        /// Major type 3 (valid UTF-8).
        case text(String)
        /// Major type 4.
        case array([CBORItem])
        /// Major type 5, in encoded order.
        case map([CBORPair])
        /// Major type 6: tag number and content.
        case tagged(UInt64, CBORItem)
        /// Major type 7 simple values (20 false, 21 true, 22 null, 23 undefined, others).
        case simple(UInt8)
        /// Major type 7 half, single and double floats.
        case float(Double)
    }

    public let value: Value
    /// Offset of the item's head in the source.
    public let offset: Int64
    /// One past the item's last byte.
    public let end: Int64

    /// The bytes the item occupies, head included.
    public var range: Range<Int64> { offset..<end }

    public init(value: Value, offset: Int64, end: Int64) {
        self.value = value
        self.offset = offset
        self.end = end
    }

    /// The value as an integer when it is major type 0 or 1 and fits in `Int64`.
    public var int: Int64? {
        switch value {
        case .unsigned(let n): n <= UInt64(Int64.max) ? Int64(n) : nil
        case .negative(let n): n <= UInt64(Int64.max) ? -1 - Int64(n) : nil
        default: nil
        }
    }

    /// The value when it is major type 0.
    public var unsigned: UInt64? {
        if case .unsigned(let n) = value { return n }
        return nil
    }

    /// The content range when the item is a byte string.
    public var bytesRange: Range<Int64>? {
        if case .bytes(let range) = value { return range }
        return nil
    }

    /// The text when the item is a text string.
    public var text: String? {
        if case .text(let text) = value { return text }
        return nil
    }

    /// The elements when the item is an array.
    public var array: [CBORItem]? {
        if case .array(let items) = value { return items }
        return nil
    }

    /// The pairs when the item is a map.
    public var map: [CBORPair]? {
        if case .map(let pairs) = value { return pairs }
        return nil
    }

    /// True for `null` (simple value 22).
    public var isNull: Bool {
        if case .simple(22) = value { return true }
        return false
    }

    /// `true` or `false` (simple values 21 and 20), else nil.
    public var bool: Bool? {
        switch value {
        case .simple(20): false
        case .simple(21): true
        default: nil
        }
    }

    /// The tag number and content when the item is tagged.
    public var tagged: (tag: UInt64, content: CBORItem)? {
        if case .tagged(let tag, let content) = value { return (tag, content) }
        return nil
    }

    /// The value under integer key `key` when the item is a map.
    public subscript(key: Int64) -> CBORItem? {
        map?.first { $0.key.int == key }?.value
    }

    /// What kind of item this is, for messages ("a byte string", "an array of 3").
    public var kind: String {
        switch value {
        case .unsigned: "an unsigned integer"
        case .negative: "a negative integer"
        case .bytes(let range): "a byte string of \(range.count) bytes"
        case .text: "a text string"
        case .array(let items): "an array of \(items.count)"
        case .map(let pairs): "a map of \(pairs.count)"
        case .tagged(let tag, _): "tag \(tag)"
        case .simple(20), .simple(21): "a boolean"
        case .simple(22): "null"
        case .simple(let n): "simple value \(n)"
        case .float: "a float"
        }
    }

    public var description: String { "\(kind) at \(offset.hex)" }
}

/// One key/value pair of a CBOR map.
public struct CBORPair: Sendable {
    public let key: CBORItem
    public let value: CBORItem
}

/// Shortest-form CBOR heads (RFC 8949 §4.2.1), for the few structures fwgate must encode
/// itself: COSE's Sig_structure (RFC 9052 §4.4).
public enum CBOREncoder {
    /// The head of an item of major type `major` with argument `argument`, shortest form.
    public static func head(major: UInt8, _ argument: UInt64) -> Data {
        let type = major << 5
        switch argument {
        case 0..<24: return Data([type | UInt8(argument)])
        case 24...0xff: return Data([type | 24, UInt8(argument)])
        case 0x100...0xffff: return Data([type | 25, UInt8(argument >> 8), UInt8(argument & 0xff)])
        case 0x10000...0xffff_ffff:
            return Data([type | 26] + (0..<4).reversed().map { UInt8((argument >> (8 * UInt64($0))) & 0xff) })
        default:
            return Data([type | 27] + (0..<8).reversed().map { UInt8((argument >> (8 * UInt64($0))) & 0xff) })
        }
    }

    /// A byte string: head and content.
    public static func bytes(_ content: Data) -> Data { head(major: 2, UInt64(content.count)) + content }

    /// A text string: head and UTF-8 content.
    public static func text(_ content: String) -> Data { head(major: 3, UInt64(content.utf8.count)) + Data(content.utf8) }
}
