import FirmwareCrypto
import Foundation

/// A cursor confined to one slice of a ``ByteSource``. Every length read from input passes
/// through ``take(_:what:)`` or the fixed-width readers, which throw
/// `MalformedInput(.malformedTruncated)` instead of reading past the slice. Offsets are absolute file
/// offsets, so messages name real positions.
public struct ByteReader: Sendable {
    public let source: any ByteSource
    /// Current absolute offset.
    public private(set) var offset: Int64
    /// End of the slice (exclusive, absolute).
    public let end: Int64

    /// A reader over `range` of `source` (the whole source by default). The range is clamped to
    /// the source, so a reader never extends past the file.
    public init(_ source: any ByteSource, range: Range<Int64>? = nil) {
        self.source = source
        let range = range ?? 0..<source.count
        self.offset = max(0, min(range.lowerBound, source.count))
        self.end = max(self.offset, min(range.upperBound, source.count))
    }

    /// Bytes left in the slice.
    public var remaining: Int64 { end - offset }
    public var isAtEnd: Bool { offset >= end }

    /// Reads `count` bytes and advances.
    ///
    /// - Throws: `MalformedInput(.malformedTruncated)` naming `what` when fewer remain.
    public mutating func take(_ count: Int, what: String) throws(MalformedInput) -> Data {
        guard count >= 0, Int64(count) <= remaining else {
            throw MalformedInput(
                .malformedTruncated, at: offset,
                "\(what): needs \(count) bytes at offset 0x\(String(offset, radix: 16)), only \(max(0, remaining)) remain")
        }
        let data: Data
        do {
            data = try source.bytes(at: offset, length: count)
        } catch {
            throw MalformedInput(.malformedTruncated, at: offset, "\(what): \(error.reason)")
        }
        offset += Int64(count)
        return data
    }

    /// Skips `count` bytes.
    ///
    /// - Throws: `MalformedInput(.malformedTruncated)` when fewer remain.
    public mutating func skip(_ count: Int64, what: String) throws(MalformedInput) {
        guard count >= 0, count <= remaining else {
            throw MalformedInput(
                .malformedTruncated, at: offset, "\(what): needs \(count) bytes at offset 0x\(String(offset, radix: 16)), only \(max(0, remaining)) remain")
        }
        offset += count
    }

    /// Moves to an absolute offset inside the slice.
    ///
    /// - Throws: `MalformedInput(.malformedTruncated)` when the offset lies outside the slice.
    public mutating func seek(to absolute: Int64, what: String) throws(MalformedInput) {
        guard absolute >= 0, absolute <= end else {
            throw MalformedInput(.malformedTruncated, at: absolute, "\(what): offset 0x\(String(absolute, radix: 16)) is past the end (0x\(String(end, radix: 16)))")
        }
        offset = absolute
    }

    public mutating func u8(_ what: String) throws(MalformedInput) -> UInt8 {
        try take(1, what: what)[0]
    }

    public mutating func u16le(_ what: String) throws(MalformedInput) -> UInt16 {
        let b = [UInt8](try take(2, what: what))
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    public mutating func u32le(_ what: String) throws(MalformedInput) -> UInt32 {
        let b = [UInt8](try take(4, what: what))
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    public mutating func u64le(_ what: String) throws(MalformedInput) -> UInt64 {
        let low = UInt64(try u32le(what))
        let high = UInt64(try u32le(what))
        return low | high << 32
    }

    /// Big-endian readers, for formats that store "network byte order" (U-Boot, FDT).
    public mutating func u16be(_ what: String) throws(MalformedInput) -> UInt16 {
        let b = [UInt8](try take(2, what: what))
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    public mutating func u32be(_ what: String) throws(MalformedInput) -> UInt32 {
        let b = [UInt8](try take(4, what: what))
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    public mutating func u64be(_ what: String) throws(MalformedInput) -> UInt64 {
        let high = UInt64(try u32be(what))
        let low = UInt64(try u32be(what))
        return high << 32 | low
    }

    /// A reader over the next `count` bytes, and this reader moved past them.
    ///
    /// - Throws: `MalformedInput(.malformedTruncated)` when fewer remain.
    public mutating func slice(_ count: Int64, what: String) throws(MalformedInput) -> ByteReader {
        guard count >= 0, count <= remaining else {
            throw MalformedInput(
                .malformedTruncated, at: offset, "\(what): needs \(count) bytes at offset 0x\(String(offset, radix: 16)), only \(max(0, remaining)) remain")
        }
        let sub = ByteReader(source, range: offset..<(offset + count))
        offset += count
        return sub
    }
}

extension Int64 {
    /// `0x…` for messages.
    public var hex: String { "0x" + String(self, radix: 16) }
}

extension FixedWidthInteger {
    /// `0x` and lowercase hex, zero-padded to `digits` (no Foundation formatting).
    public func hex(digits: Int) -> String {
        let text = String(self, radix: 16)
        return "0x" + String(repeating: "0", count: Swift.max(0, digits - text.count)) + text
    }
}
