import FirmwareCrypto
import Foundation

/// A member of a cpio archive (SVR4 "newc" 070701, or "crc" 070702 with its data checksum).
public struct CpioEntry: Sendable, Hashable {
    public let name: String
    /// The file type bits of `c_mode` (0o100000 for a regular file).
    public let mode: UInt32
    public let size: Int64
    /// Where the data starts in the archive.
    public let dataOffset: Int64
    /// The crc format's checksum: the 32-bit sum of the data bytes; nil for newc.
    public let checksum: UInt32?

    public var isRegularFile: Bool { mode & 0o170000 == 0o100000 }
    public var dataRange: Range<Int64> { dataOffset..<(dataOffset + size) }
}

/// Reads the member table of a cpio archive in the SVR4 portable formats (newc, crc) without
/// reading data: 110-byte ASCII headers (magic, then 13 fields of 8 hex digits), the name padded
/// so header and name fill a multiple of 4 bytes, the data padded likewise, the `TRAILER!!!`
/// member last, then only zero padding (cpio -o pads to 512-byte blocks).
///
/// Every size is checked against the archive before it is used; names must be UTF-8 and
/// NUL-terminated. Member names are not judged here (callers refuse unsafe ones).
public enum CpioArchive {
    /// The most members read (a firmware package holds a handful).
    public static let maxMembers = 65_536
    /// The longest name.
    public static let maxNameSize = 4096

    /// The members, in archive order (the trailer not included).
    ///
    /// - Throws: `MalformedInput`: `.malformedTruncated` when a header, name or data runs past
    ///   the end, `.malformedBadMagic` for a first header that is not newc/crc,
    ///   `.malformedEncoding` for anything else malformed, including bytes after the trailer.
    public static func entries(_ source: any ByteSource) throws(MalformedInput) -> [CpioEntry] {
        var entries: [CpioEntry] = []
        var offset: Int64 = 0
        while true {
            guard entries.count <= maxMembers else {
                throw MalformedInput(.malformedLength, at: offset, "more than \(maxMembers) cpio members")
            }
            guard offset + 110 <= source.count else {
                throw MalformedInput(.malformedTruncated, at: offset, "the cpio archive ends before its TRAILER!!! member")
            }
            let header = [UInt8](try read(source, at: offset, length: 110))
            let magic = String(decoding: header[0..<6], as: UTF8.self)
            guard magic == "070701" || magic == "070702" else {
                throw MalformedInput(
                    entries.isEmpty ? .malformedBadMagic : .malformedEncoding, at: offset,
                    "cpio header magic '\(magic.filter { $0.isASCII && !$0.isWhitespace })' is not 070701 (newc) or 070702 (crc)")
            }
            var fields: [UInt32] = []
            for index in 0..<13 {
                let start = 6 + index * 8
                guard let value = UInt32(String(decoding: header[start..<(start + 8)], as: UTF8.self), radix: 16),
                    header[start..<(start + 8)].allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) })
                else {
                    throw MalformedInput(.malformedEncoding, at: offset + Int64(start), "a cpio header field is not 8 hex digits")
                }
                fields.append(value)
            }
            let mode = fields[1]
            let size = Int64(fields[6])
            let nameSize = Int(fields[11])
            guard nameSize >= 1, nameSize <= maxNameSize else {
                throw MalformedInput(.malformedLength, at: offset + 94, "a cpio name size of \(nameSize)")
            }
            let nameStart = offset + 110
            guard nameStart + Int64(nameSize) <= source.count else {
                throw MalformedInput(.malformedTruncated, at: nameStart, "the cpio archive ends inside a member name")
            }
            let nameBytes = [UInt8](try read(source, at: nameStart, length: nameSize))
            guard nameBytes.last == 0, !nameBytes.dropLast().contains(0), let name = String(validating: nameBytes.dropLast(), as: UTF8.self) else {
                throw MalformedInput(.malformedEncoding, at: nameStart, "a cpio member name is not NUL-terminated UTF-8")
            }
            let dataStart = align4(nameStart + Int64(nameSize))
            if name == "TRAILER!!!" {
                try expectZeros(source, from: dataStart)
                return entries
            }
            guard dataStart + size <= source.count else {
                throw MalformedInput(.malformedTruncated, at: dataStart, "cpio member '\(name)' declares \(size) bytes; the archive ends \(source.count - dataStart) bytes after its start")
            }
            entries.append(CpioEntry(name: name, mode: mode, size: size, dataOffset: dataStart, checksum: magic == "070702" ? fields[12] : nil))
            offset = align4(dataStart + size)
        }
    }

    public static func align4(_ value: Int64) -> Int64 { (value + 3) & ~3 }

    static func read(_ source: any ByteSource, at offset: Int64, length: Int) throws(MalformedInput) -> Data {
        do {
            return try source.bytes(at: offset, length: length)
        } catch {
            throw MalformedInput(.malformedTruncated, at: offset, error.reason)
        }
    }

    /// After the trailer only zero padding may follow (to a 512-byte block, or more for other
    /// block sizes): anything else is data no member covers.
    static func expectZeros(_ source: any ByteSource, from offset: Int64) throws(MalformedInput) {
        var position = min(offset, source.count)
        while position < source.count {
            let count = Int(min(64 << 10, source.count - position))
            let chunk = try read(source, at: position, length: count)
            if let index = chunk.firstIndex(where: { $0 != 0 }) {
                throw MalformedInput(.malformedEncoding, at: position + Int64(index - chunk.startIndex), "bytes after the cpio TRAILER!!! member")
            }
            position += Int64(count)
        }
    }
}
