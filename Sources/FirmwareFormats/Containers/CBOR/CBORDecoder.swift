import FirmwareCrypto
import Foundation

/// A bounded CBOR decoder (RFC 8949) over a ``ByteSource``: one data item from a range of the
/// source, with absolute offsets in every item and every error.
///
/// What it refuses (always, whatever the caller):
/// - anything not well-formed (RFC 8949 §3, Appendix F): reserved additional information
///   28–30, a simple value below 32 in the one-byte extension, a lone "break", text that is not
///   UTF-8 — `malformed.encoding`;
/// - indefinite lengths (RFC 8949 §3.2.2): the formats fwgate reads with it (SUIT, COSE) wrap
///   every signed element in a definite byte string, and §4.2.1 forbids them in deterministic
///   encoding — `malformed.encoding`;
/// - a length or count that the remaining bytes cannot hold, checked before anything is read or
///   allocated — `malformed.truncated` at the item's head;
/// - nesting deeper than ``Limits/maxDepth`` (`malformed.encoding`), more items than
///   ``Limits/maxItems`` or a text string longer than ``Limits/maxTextLength``
///   (`malformed.length`);
/// - a map key that appears twice (RFC 8949 §5.6: such a map is not valid; decoders that keep
///   the first or the last key disagree, a classic parser-differential attack) —
///   `malformed.encoding`.
///
/// With `deterministic`, it also enforces the Core Deterministic Encoding Requirements of
/// RFC 8949 §4.2.1: every argument (integer, length, count, tag, simple value) in its shortest
/// form, and map keys in bytewise lexicographic order of their encodings — `malformed.encoding`.
///
/// Byte strings are returned as ranges and never loaded (``CBORItem/Value/bytes(_:)``).
public struct CBORDecoder {
    /// Bounds on what one decode may build.
    public struct Limits: Sendable {
        /// Deepest nesting of arrays, maps and tags (the top item is depth 0).
        public var maxDepth: Int
        /// Most data items in one decode.
        public var maxItems: Int
        /// Longest text string, in bytes.
        public var maxTextLength: Int
        /// Longest map key encoding, in bytes (keys are compared by their encoding).
        public var maxKeyLength: Int

        public init(maxDepth: Int = 16, maxItems: Int = 65_536, maxTextLength: Int = 65_536, maxKeyLength: Int = 1024) {
            self.maxDepth = maxDepth
            self.maxItems = maxItems
            self.maxTextLength = maxTextLength
            self.maxKeyLength = maxKeyLength
        }

        public static let `default` = Limits()
    }

    /// Decodes the one item that fills `range` of `source` exactly.
    ///
    /// - Parameters:
    ///   - source: the bytes.
    ///   - range: where the item lies (the whole source by default); bytes after the item are
    ///     an error.
    ///   - what: the structure's name, for messages ("SUIT manifest").
    ///   - deterministic: enforce RFC 8949 §4.2.1 (shortest arguments, sorted map keys).
    ///   - limits: depth, item and length bounds.
    /// - Returns: the item.
    /// - Throws: `MalformedInput` (`malformed.truncated`, `malformed.encoding`,
    ///   `malformed.length`) at the offending item's offset.
    public static func decode(
        _ source: any ByteSource, range: Range<Int64>? = nil, what: String, deterministic: Bool = false, limits: Limits = .default
    ) throws(MalformedInput) -> CBORItem {
        var decoder = CBORDecoder(source: source, range: range, what: what, deterministic: deterministic, limits: limits)
        let item = try decoder.item(depth: 0)
        guard decoder.reader.isAtEnd else {
            throw MalformedInput(
                .malformedLength, at: decoder.reader.offset,
                "\(what): \(decoder.reader.remaining) bytes follow the CBOR item that ends at \(decoder.reader.offset.hex)")
        }
        return item
    }

    /// Decodes the first item at `range.lowerBound` and returns it; bytes after it are left
    /// for the caller (its ``CBORItem/end`` says where it stops).
    ///
    /// - Throws: as ``decode(_:range:what:deterministic:limits:)``.
    public static func decodePrefix(
        _ source: any ByteSource, range: Range<Int64>? = nil, what: String, deterministic: Bool = false, limits: Limits = .default
    ) throws(MalformedInput) -> CBORItem {
        var decoder = CBORDecoder(source: source, range: range, what: what, deterministic: deterministic, limits: limits)
        return try decoder.item(depth: 0)
    }

    private var reader: ByteReader
    private let source: any ByteSource
    private let what: String
    private let deterministic: Bool
    private let limits: Limits
    private var items = 0

    private init(source: any ByteSource, range: Range<Int64>?, what: String, deterministic: Bool, limits: Limits) {
        self.reader = ByteReader(source, range: range)
        self.source = source
        self.what = what
        self.deterministic = deterministic
        self.limits = limits
    }

    private func fail(_ code: CheckCode, at offset: Int64, _ message: String) -> MalformedInput {
        MalformedInput(code, at: offset, "\(what): \(message)")
    }

    /// An item's head: major type, additional information and argument (RFC 8949 §3).
    private mutating func head() throws(MalformedInput) -> (major: UInt8, info: UInt8, argument: UInt64, offset: Int64) {
        let offset = reader.offset
        let initial: UInt8
        do {
            initial = try reader.u8("CBOR head")
        } catch {
            throw fail(.malformedTruncated, at: offset, "a CBOR item was expected at \(offset.hex), but the data ends there")
        }
        let major = initial >> 5
        let info = initial & 0x1f
        let argument: UInt64
        do throws(MalformedInput) {
            switch info {
            case 0..<24: argument = UInt64(info)
            case 24: argument = UInt64(try reader.u8("CBOR argument"))
            case 25: argument = UInt64(try reader.u16be("CBOR argument"))
            case 26: argument = UInt64(try reader.u32be("CBOR argument"))
            case 27: argument = try reader.u64be("CBOR argument")
            case 31:
                if major == 7 { throw fail(.malformedEncoding, at: offset, "a 'break' (0xff) at \(offset.hex) outside any indefinite-length item") }
                if major >= 2 && major <= 5 {
                    throw fail(
                        .malformedEncoding, at: offset,
                        "indefinite-length \(Self.majorName(major)) at \(offset.hex): only definite lengths are accepted (RFC 8949 §4.2.1)")
                }
                throw fail(.malformedEncoding, at: offset, "additional information 31 with major type \(major) at \(offset.hex) is not well-formed")
            default:
                throw fail(.malformedEncoding, at: offset, "reserved additional information \(info) at \(offset.hex) (RFC 8949 §3)")
            }
        } catch {
            if error.code == .malformedTruncated {
                throw fail(.malformedTruncated, at: offset, "the head at \(offset.hex) runs past the end of the data")
            }
            throw error
        }
        // Floats (major 7, info 25–27) carry their value in the argument; they are not
        // lengths and have their own preferred forms.
        if deterministic, !(major == 7 && info >= 25), info >= 24 {
            let shortest: Bool
            switch info {
            case 24: shortest = argument >= 24
            case 25: shortest = argument > 0xff
            case 26: shortest = argument > 0xffff
            default: shortest = argument > 0xffff_ffff
            }
            guard shortest else {
                throw fail(
                    .malformedEncoding, at: offset,
                    "\(Self.majorName(major)) argument \(argument) at \(offset.hex) is not in its shortest form (RFC 8949 §4.2.1 deterministic encoding)")
            }
        }
        return (major, info, argument, offset)
    }

    private mutating func count(_ offset: Int64) throws(MalformedInput) {
        items += 1
        guard items <= limits.maxItems else {
            throw fail(.malformedLength, at: offset, "more than \(limits.maxItems) CBOR items")
        }
    }

    private mutating func item(depth: Int) throws(MalformedInput) -> CBORItem {
        guard depth <= limits.maxDepth else {
            throw fail(.malformedEncoding, at: reader.offset, "CBOR nesting deeper than \(limits.maxDepth) at \(reader.offset.hex)")
        }
        let (major, info, argument, offset) = try head()
        try count(offset)
        switch major {
        case 0:
            return CBORItem(value: .unsigned(argument), offset: offset, end: reader.offset)
        case 1:
            return CBORItem(value: .negative(argument), offset: offset, end: reader.offset)
        case 2, 3:
            guard argument <= UInt64(max(0, reader.remaining)) else {
                throw fail(
                    .malformedTruncated, at: offset,
                    "\(Self.majorName(major)) of \(argument) bytes at \(offset.hex) runs past the end: only \(reader.remaining) bytes remain")
            }
            let length = Int64(argument)
            let start = reader.offset
            if major == 2 {
                try reader.skip(length, what: "CBOR byte string")
                return CBORItem(value: .bytes(start..<(start + length)), offset: offset, end: reader.offset)
            }
            guard length <= Int64(limits.maxTextLength) else {
                throw fail(.malformedLength, at: offset, "text string of \(length) bytes at \(offset.hex) exceeds the limit of \(limits.maxTextLength)")
            }
            let bytes = try reader.take(Int(length), what: "CBOR text string")
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.utf8.elementsEqual(bytes) else {
                throw fail(.malformedEncoding, at: offset, "text string at \(offset.hex) is not valid UTF-8")
            }
            return CBORItem(value: .text(text), offset: offset, end: reader.offset)
        case 4:
            // Every element takes at least one byte: a count the data cannot hold is refused
            // before anything is allocated.
            guard argument <= UInt64(max(0, reader.remaining)) else {
                throw fail(
                    .malformedTruncated, at: offset,
                    "array of \(argument) elements at \(offset.hex) cannot fit in the \(reader.remaining) bytes that remain")
            }
            var elements: [CBORItem] = []
            elements.reserveCapacity(Int(argument))
            for _ in 0..<argument {
                elements.append(try item(depth: depth + 1))
            }
            return CBORItem(value: .array(elements), offset: offset, end: reader.offset)
        case 5:
            guard argument <= UInt64(max(0, reader.remaining)) / 2 else {
                throw fail(
                    .malformedTruncated, at: offset,
                    "map of \(argument) pairs at \(offset.hex) cannot fit in the \(reader.remaining) bytes that remain")
            }
            var pairs: [CBORPair] = []
            pairs.reserveCapacity(Int(argument))
            var seen: Set<KeyIdentity> = []
            var previous: Data?
            for _ in 0..<argument {
                let key = try item(depth: depth + 1)
                let encoded = try keyEncoding(key)
                guard seen.insert(KeyIdentity(key, encoded: encoded)).inserted else {
                    throw fail(.malformedEncoding, at: key.offset, "map at \(offset.hex) has a duplicate key at \(key.offset.hex) (RFC 8949 §5.6)")
                }
                if deterministic, let previous, !previous.lexicographicallyPrecedes(encoded) {
                    throw fail(
                        .malformedEncoding, at: key.offset,
                        "map at \(offset.hex): key at \(key.offset.hex) is out of order (RFC 8949 §4.2.1 deterministic encoding sorts keys by their encoding)")
                }
                previous = encoded
                let value = try item(depth: depth + 1)
                pairs.append(CBORPair(key: key, value: value))
            }
            return CBORItem(value: .map(pairs), offset: offset, end: reader.offset)
        case 6:
            let content = try item(depth: depth + 1)
            return CBORItem(value: .tagged(argument, content), offset: offset, end: reader.offset)
        default:
            switch info {
            case 0..<24:
                return CBORItem(value: .simple(UInt8(info)), offset: offset, end: reader.offset)
            case 24:
                guard argument >= 32 else {
                    throw fail(.malformedEncoding, at: offset, "simple value \(argument) at \(offset.hex) in the two-byte form is not well-formed (RFC 8949 §3.3)")
                }
                return CBORItem(value: .simple(UInt8(argument)), offset: offset, end: reader.offset)
            case 25:
                return CBORItem(value: .float(Self.half(UInt16(argument))), offset: offset, end: reader.offset)
            case 26:
                return CBORItem(value: .float(Double(Float(bitPattern: UInt32(argument)))), offset: offset, end: reader.offset)
            default:
                return CBORItem(value: .float(Double(bitPattern: argument)), offset: offset, end: reader.offset)
            }
        }
    }

    /// The key's own encoding (for order and duplicates).
    private func keyEncoding(_ key: CBORItem) throws(MalformedInput) -> Data {
        let length = key.end - key.offset
        guard length <= Int64(limits.maxKeyLength) else {
            throw fail(.malformedLength, at: key.offset, "map key of \(length) bytes at \(key.offset.hex) exceeds the limit of \(limits.maxKeyLength)")
        }
        do {
            return try source.bytes(at: key.offset, length: Int(length))
        } catch {
            throw fail(.malformedTruncated, at: key.offset, error.reason)
        }
    }

    /// What makes two keys the same: integers and text by value (so `1` and a longer
    /// encoding of `1` collide even when shortest form is not required), others by encoding.
    private enum KeyIdentity: Hashable {
        case unsigned(UInt64)
        case negative(UInt64)
        case text(String)
        case encoded(Data)

        init(_ key: CBORItem, encoded: Data) {
            switch key.value {
            case .unsigned(let n): self = .unsigned(n)
            case .negative(let n): self = .negative(n)
            case .text(let text): self = .text(text)
            default: self = .encoded(encoded)
            }
        }
    }

    /// IEEE 754 half precision (RFC 8949 Appendix D).
    private static func half(_ bits: UInt16) -> Double {
        let exponent = Int((bits >> 10) & 0x1f)
        let mantissa = Double(bits & 0x3ff)
        let value: Double
        switch exponent {
        case 0: value = mantissa * 0x1p-24
        case 31: value = mantissa == 0 ? .infinity : .nan
        default: value = (mantissa + 1024) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return bits & 0x8000 != 0 ? -value : value
    }

    static func majorName(_ major: UInt8) -> String {
        switch major {
        case 0: "unsigned integer"
        case 1: "negative integer"
        case 2: "byte string"
        case 3: "text string"
        case 4: "array"
        case 5: "map"
        case 6: "tag"
        default: "simple value"
        }
    }
}

extension ByteSource {
    /// The bytes of `range`, at most `limit` of them.
    ///
    /// - Throws: `MalformedInput(.malformedLength)` naming `what` when the range is longer,
    ///   `.malformedTruncated` when it cannot be read.
    public func cborBytes(_ range: Range<Int64>, limit: Int, what: String) throws(MalformedInput) -> Data {
        guard range.count <= limit else {
            throw MalformedInput(.malformedLength, at: range.lowerBound, "\(what) is \(range.count) bytes; at most \(limit) are accepted")
        }
        do {
            return try bytes(at: range.lowerBound, length: Int(range.count))
        } catch {
            throw MalformedInput(.malformedTruncated, at: range.lowerBound, "\(what): \(error.reason)")
        }
    }
}
