import Foundation

/// One member of a tar archive (POSIX ustar and pax, GNU long names).
public struct TarEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file
        case directory
        case symbolicLink
        case hardLink
        /// Devices, FIFOs and anything else.
        case other(UInt8)
    }

    /// The member's name (pax `path` or GNU long name when given), without a directory's
    /// trailing slash.
    public let name: String
    public let kind: Kind
    public let size: Int64
    public let linkName: String
    /// Where the member's data starts in the archive's byte stream.
    public let dataOffset: Int64
}

/// A bounded reader of tar archives from a ``SequentialInput``: header checksums, octal and
/// base-256 sizes, pax extended headers and GNU long names, the end-of-archive marker, and the
/// zero padding after it. Every size is checked against what can follow; nothing is extracted.
///
/// Call ``next()`` for each member, then optionally ``readData(limit:)`` or
/// ``streamData(_:)`` for its bytes (what is not read is skipped).
public struct TarReader<Input: SequentialInput> {
    private var input: Input
    /// Bytes consumed from the input.
    public private(set) var position: Int64 = 0
    /// Data of the current member not yet read, and its padding.
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    private var ended = false
    /// The largest pax header or GNU long name read.
    static var maxExtendedHeader: Int64 { 1 << 20 }
    /// Members larger than this are refused (1 TiB: no firmware is that large).
    static var maxMemberSize: Int64 { 1 << 40 }

    public init(_ input: Input) { self.input = input }

    // MARK: - Members

    /// The next member, or nil after the end-of-archive marker (two zero blocks, then only
    /// zero padding up to the end of the input).
    ///
    /// - Throws: `MalformedInput`: `.malformedTruncated` when the input ends inside a header
    ///   or data, `.malformedEncoding` for a bad checksum, magic, size or extended header.
    public mutating func next() throws(MalformedInput) -> TarEntry? {
        guard !ended else { return nil }
        try skip(remaining + padding)
        remaining = 0
        padding = 0
        var paxPath: String?
        var paxLink: String?
        var paxSize: Int64?
        var longName: String?
        var longLink: String?
        while true {
            let headerOffset = position
            guard let block = try readBlock(allowEnd: true) else {
                throw MalformedInput(.malformedTruncated, at: headerOffset, "the tar archive ends without its end-of-archive marker (two zero blocks)")
            }
            if block.allSatisfy({ $0 == 0 }) {
                guard let second = try readBlock(allowEnd: true), second.allSatisfy({ $0 == 0 }) else {
                    throw MalformedInput(.malformedEncoding, at: position, "a zero block in the tar archive is not followed by a second one")
                }
                try expectOnlyZeros()
                ended = true
                return nil
            }
            let header = try Self.header(block, at: headerOffset)
            let size = paxSize ?? header.size
            switch header.type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let records = try Self.paxRecords(try readExtended(size, at: headerOffset, what: "pax header"), at: headerOffset)
                if header.type == UInt8(ascii: "x") {
                    paxPath = records["path"] ?? paxPath
                    paxLink = records["linkpath"] ?? paxLink
                    if let text = records["size"] {
                        guard let value = Int64(text), value >= 0, value <= Self.maxMemberSize else {
                            throw MalformedInput(.malformedEncoding, at: headerOffset, "pax size '\(text)' is not a size")
                        }
                        paxSize = value
                    }
                }
                continue
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                let text = try Self.cString(try readExtended(size, at: headerOffset, what: "GNU long name"), at: headerOffset)
                if header.type == UInt8(ascii: "L") { longName = text } else { longLink = text }
                continue
            default:
                break
            }
            let kind: TarEntry.Kind
            switch header.type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "2"): kind = .symbolicLink
            case UInt8(ascii: "1"): kind = .hardLink
            default: kind = .other(header.type)
            }
            var name = paxPath ?? longName ?? header.name
            if kind == .directory, name.hasSuffix("/") { name.removeLast() }
            let dataSize: Int64 = (kind == .file || kind == .other(0)) ? size : (kind == .directory || kind == .symbolicLink || kind == .hardLink ? 0 : size)
            remaining = dataSize
            padding = (512 - dataSize % 512) % 512
            return TarEntry(name: name, kind: kind, size: dataSize, linkName: paxLink ?? longLink ?? header.linkName, dataOffset: position)
        }
    }

    /// The current member's data, whole (for small members such as a manifest).
    ///
    /// - Throws: `.malformedLength` when the member is larger than `limit`.
    public mutating func readData(limit: Int) throws(MalformedInput) -> Data {
        guard remaining <= Int64(limit) else {
            throw MalformedInput(.malformedLength, at: position, "a member of \(remaining) bytes where at most \(limit) are expected")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(remaining), alignment: 1)
        defer { buffer.deallocate() }
        try fill(buffer)
        remaining = 0
        return Data(buffer)
    }

    /// Passes the current member's data to `body` in chunks of at most `chunkSize` bytes.
    public mutating func streamData(chunkSize: Int = 256 << 10, _ body: (UnsafeRawBufferPointer) -> Void) throws(MalformedInput) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        while remaining > 0 {
            let count = Int(min(Int64(chunkSize), remaining))
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            try fill(slice)
            body(UnsafeRawBufferPointer(slice))
            remaining -= Int64(count)
        }
    }

    // MARK: - Reading

    private mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(MalformedInput) {
        var filled = 0
        while filled < buffer.count {
            let count = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            guard count > 0 else {
                throw MalformedInput(.malformedTruncated, at: position, "the tar archive ends inside a member (\(buffer.count - filled) byte(s) missing)")
            }
            filled += count
            position += Int64(count)
        }
    }

    private mutating func readBlock(allowEnd: Bool) throws(MalformedInput) -> [UInt8]? {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 1)
        defer { block.deallocate() }
        var filled = 0
        while filled < 512 {
            let count = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: block[filled...]))
            if count == 0 {
                if filled == 0 && allowEnd { return nil }
                throw MalformedInput(.malformedTruncated, at: position, "the tar archive ends inside a 512-byte block")
            }
            filled += count
            position += Int64(count)
        }
        return [UInt8](block)
    }

    private mutating func skip(_ count: Int64) throws(MalformedInput) {
        var left = count
        guard left > 0 else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        while left > 0 {
            let chunk = Int(min(Int64(buffer.count), left))
            try fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<chunk]))
            left -= Int64(chunk)
        }
    }

    private mutating func readExtended(_ size: Int64, at offset: Int64, what: String) throws(MalformedInput) -> [UInt8] {
        guard size <= Self.maxExtendedHeader else {
            throw MalformedInput(.malformedLength, at: offset, "a \(what) of \(size) bytes (at most \(Self.maxExtendedHeader))")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(size), alignment: 1)
        defer { buffer.deallocate() }
        try fill(buffer)
        try skip((512 - size % 512) % 512)
        return [UInt8](buffer)
    }

    /// After the end-of-archive marker only zero padding may follow (tar pads to its record
    /// size); anything else would be data no member covers.
    private mutating func expectOnlyZeros() throws(MalformedInput) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let start = position
            let count = try input.read(into: buffer)
            guard count > 0 else { return }
            position += Int64(count)
            if let index = buffer[0..<count].firstIndex(where: { $0 != 0 }) {
                throw MalformedInput(.malformedEncoding, at: start + Int64(index), "bytes after the tar archive's end-of-archive marker")
            }
        }
    }

    // MARK: - Headers

    struct Header {
        let name: String
        let size: Int64
        let type: UInt8
        let linkName: String
    }

    /// POSIX.1-1988 ustar header (and GNU's "ustar  " magic): checksum over the block with the
    /// checksum field as spaces, octal or base-256 size, name with the ustar prefix.
    static func header(_ block: [UInt8], at offset: Int64) throws(MalformedInput) -> Header {
        let magic = Array(block[257..<263])
        let posix = magic == Array("ustar\0".utf8)
        let gnu = magic == Array("ustar ".utf8)
        guard posix || gnu else {
            throw MalformedInput(.malformedEncoding, at: offset + 257, "not a ustar tar header (magic \(magic.map { String(format: "%02x", $0) }.joined()))")
        }
        guard let stored = octal(block[148..<156]) else {
            throw MalformedInput(.malformedEncoding, at: offset + 148, "the tar header checksum field is not octal")
        }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value: UInt8 = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw MalformedInput(.malformedEncoding, at: offset + 148, "the tar header checksum is \(stored), the header sums to \(unsigned): the header was changed or damaged")
        }
        let size: Int64
        if block[124] & 0x80 != 0 {
            // Base-256 (GNU/star): the rest of the 12 bytes, big-endian; negative is refused.
            guard block[124] == 0x80, block[125..<128].allSatisfy({ $0 == 0 }) else {
                throw MalformedInput(.malformedEncoding, at: offset + 124, "a base-256 tar size that is negative or larger than 64 bits")
            }
            size = block[128..<136].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        } else {
            guard let value = octal(block[124..<136]) else {
                throw MalformedInput(.malformedEncoding, at: offset + 124, "the tar size field is not octal")
            }
            size = value
        }
        guard size >= 0, size <= maxMemberSize else {
            throw MalformedInput(.malformedLength, at: offset + 124, "a tar member of \(size) bytes")
        }
        var name = try cString(Array(block[0..<100]), at: offset)
        if posix {
            let prefix = try cString(Array(block[345..<500]), at: offset + 345)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        return Header(name: name, size: size, type: block[156], linkName: try cString(Array(block[157..<257]), at: offset + 157))
    }

    /// An octal field: optional leading spaces, digits, then NULs or spaces.
    static func octal(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        var done = false
        for byte in bytes {
            if byte == 0 || byte == 0x20 {
                if digits > 0 { done = true }
                continue
            }
            guard !done, (0x30...0x37).contains(byte), value < (1 << 60) else { return nil }
            value = value << 3 | Int64(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : (bytes.allSatisfy { $0 == 0 || $0 == 0x20 } ? 0 : nil)
    }

    /// Text up to the first NUL, as UTF-8.
    static func cString(_ bytes: [UInt8], at offset: Int64) throws(MalformedInput) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        guard let text = String(validating: bytes[0..<end], as: UTF8.self) else {
            throw MalformedInput(.malformedEncoding, at: offset, "a tar name that is not UTF-8")
        }
        return text
    }

    /// pax records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record.
    static func paxRecords(_ bytes: [UInt8], at offset: Int64) throws(MalformedInput) -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: 0x20), space - index <= 20,
                let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)), length > space - index + 2,
                index + length <= bytes.count, bytes[index + length - 1] == 0x0a
            else {
                throw MalformedInput(.malformedEncoding, at: offset, "a pax extended header record is malformed")
            }
            let record = bytes[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")),
                let key = String(validating: record[record.startIndex..<equals], as: UTF8.self),
                let value = String(validating: record[(equals + 1)...], as: UTF8.self)
            else {
                throw MalformedInput(.malformedEncoding, at: offset, "a pax extended header record is not KEY=VALUE in UTF-8")
            }
            records[key] = value
            index += length
        }
        return records
    }
}
