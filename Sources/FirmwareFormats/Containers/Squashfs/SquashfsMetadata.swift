import FirmwareCrypto
import Foundation

/// Squashfs metadata blocks (squashfs_fs.h `SQUASHFS_METADATA_SIZE`, `SQUASHFS_COMPRESSED_BIT`):
/// a 2-byte little-endian header whose bit 15 says the block is stored uncompressed and whose
/// low 15 bits give its size on disk, then that many bytes, which hold at most 8 KiB. The inode,
/// directory and fragment tables are sequences of them; an inode or a directory listing may run
/// on from one block into the next, which follows it on disk.
extension SquashfsReader {
    /// The most a metadata block holds, decompressed.
    static let metadataSize = 8192

    /// One metadata block, decompressed.
    struct MetadataBlock {
        let bytes: [UInt8]
        /// Where the next block of the table starts (relative to the file system).
        let next: Int64
    }

    /// Reads the metadata block at `start`, which must end by `tableEnd` (both relative).
    ///
    /// - Throws: `malformed.truncated` when the block runs past `tableEnd`; `malformed.length`
    ///   for a size of 0 or above 8 KiB, on disk or decompressed; `malformed.encoding` for
    ///   compressed bytes that do not inflate.
    func metadataBlock(at start: Int64, tableEnd: Int64, what: String) throws(MalformedInput) -> MetadataBlock {
        let at = base + start
        guard start >= 0, start + 2 <= tableEnd else {
            throw MalformedInput(.malformedTruncated, at: at, "\(what): a metadata block at \(at.hex) would start past the end of its table (\((base + tableEnd).hex))")
        }
        var reader = ByteReader(source, range: at..<(base + tableEnd))
        let header = try reader.u16le("\(what): metadata block header")
        let stored = header & 0x8000 != 0
        let length = Int(header & 0x7fff)
        guard length > 0, length <= Self.metadataSize else {
            throw MalformedInput(.malformedLength, at: at, "\(what): a metadata block at \(at.hex) claims \(length) bytes; a metadata block holds 1 to 8192")
        }
        guard Int64(length) <= reader.remaining else {
            throw MalformedInput(
                .malformedTruncated, at: at, "\(what): a metadata block at \(at.hex) claims \(length) bytes; its table ends \(reader.remaining) bytes after the header")
        }
        let next = start + 2 + Int64(length)
        if stored {
            return MetadataBlock(bytes: [UInt8](try reader.take(length, what: "\(what): metadata block")), next: next)
        }
        let bytes = try inflate(at: at + 2, length: length, expected: nil, limit: Self.metadataSize, what: "\(what): metadata block at \(at.hex)")
        guard !bytes.isEmpty else {
            throw MalformedInput(.malformedLength, at: at, "\(what): the metadata block at \(at.hex) inflates to nothing")
        }
        return MetadataBlock(bytes: bytes, next: next)
    }

    /// Inflates `length` bytes at absolute offset `at` (a zlib stream, squashfs "gzip") into at
    /// most `limit` bytes, exactly `expected` when given.
    ///
    /// - Throws: `malformed.length` for output beyond the limit or other than expected;
    ///   `malformed.encoding` (or `.truncated`) for a stream that does not inflate.
    func inflate(at: Int64, length: Int, expected: Int?, limit: Int, what: String) throws(MalformedInput) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limit, alignment: 1)
        defer { buffer.deallocate() }
        let count = try inflate(at: at, length: length, into: buffer, what: what)
        if let expected, count != expected {
            throw MalformedInput(.malformedLength, at: at, "\(what): inflates to \(count) bytes, not \(expected)")
        }
        return [UInt8](buffer[0..<count])
    }

    /// Inflates into `buffer`, which bounds the output; returns the bytes written.
    func inflate(at: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer, what: String) throws(MalformedInput) -> Int {
        var filled = 0
        var finished = false
        do throws(InflateStream.Failure) {
            let stream = try InflateStream(source, range: at..<(at + Int64(length)), limit: Int64(buffer.count), wrapper: .zlib)
            while filled < buffer.count {
                let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if count == 0 { break }
                filled += count
            }
            if !stream.isFinished {
                // The buffer is full: only the end of the stream may follow (more output trips
                // the limit).
                let extra = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
                defer { extra.deallocate() }
                _ = try stream.read(into: extra)
            }
            finished = stream.isFinished
        } catch {
            let code = error.malformedCode
            throw MalformedInput(code, at: at, "\(what): \(error.reason)")
        }
        guard finished else {
            throw MalformedInput(.malformedEncoding, at: at, "\(what): the zlib stream does not end")
        }
        return filled
    }
}

/// Reads a metadata table front to back from a position (a block and an offset in it), running
/// on into the following blocks as needed, never past the table's end.
struct SquashfsMetadataCursor {
    let reader: SquashfsReader
    let tableEnd: Int64
    let what: String
    private var block: SquashfsReader.MetadataBlock
    private var position: Int
    /// Where the current block starts (relative to the file system).
    private var blockStart: Int64
    /// Absolute offset of the current block, for messages.
    private var blockOffset: Int64 { reader.base + blockStart }

    /// - Parameters:
    ///   - start: the first block (relative to the file system).
    ///   - offset: where to start in its decompressed bytes.
    ///   - tableEnd: where the table ends (relative).
    /// - Throws: what ``SquashfsReader/metadataBlock(at:tableEnd:what:)`` throws, and
    ///   `malformed.length` for an offset past the block's bytes.
    init(_ reader: SquashfsReader, start: Int64, offset: Int, tableEnd: Int64, what: String) throws(MalformedInput) {
        self.reader = reader
        self.tableEnd = tableEnd
        self.what = what
        self.block = try reader.metadataBlock(at: start, tableEnd: tableEnd, what: what)
        self.blockStart = start
        guard offset >= 0, offset < block.bytes.count else {
            throw MalformedInput(
                .malformedLength, at: reader.base + start, "\(what): offset \(offset) lies past the \(block.bytes.count) bytes of the metadata block at \((reader.base + start).hex)")
        }
        self.position = offset
    }

    /// The next `count` bytes.
    ///
    /// - Throws: `malformed.truncated` when the table ends first; what reading a block throws.
    mutating func take(_ count: Int, _ field: String) throws(MalformedInput) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if position == block.bytes.count {
                guard block.next < tableEnd else {
                    throw MalformedInput(.malformedTruncated, at: blockOffset, "\(what): the table ends inside \(field)")
                }
                blockStart = block.next
                block = try reader.metadataBlock(at: block.next, tableEnd: tableEnd, what: what)
                position = 0
            }
            let take = min(count - out.count, block.bytes.count - position)
            out += block.bytes[position..<(position + take)]
            position += take
        }
        return out
    }

    mutating func u16(_ field: String) throws(MalformedInput) -> UInt16 {
        let b = try take(2, field)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    mutating func u32(_ field: String) throws(MalformedInput) -> UInt32 {
        if position + 4 <= block.bytes.count {
            // Inside the current block (the common case: block lists are read a word at a time).
            let b = block.bytes
            defer { position += 4 }
            return UInt32(b[position]) | UInt32(b[position + 1]) << 8 | UInt32(b[position + 2]) << 16 | UInt32(b[position + 3]) << 24
        }
        let b = try take(4, field)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    mutating func u64(_ field: String) throws(MalformedInput) -> UInt64 {
        let low = UInt64(try u32(field))
        return low | UInt64(try u32(field)) << 32
    }

    /// Where the current block starts, for messages.
    var offset: Int64 { blockOffset }

    /// Where the next byte is: a metadata block (relative to the file system) and an offset in
    /// it, from which a new cursor reads on.
    var mark: SquashfsMetadataMark {
        position < block.bytes.count ? SquashfsMetadataMark(block: blockStart, offset: position) : SquashfsMetadataMark(block: block.next, offset: 0)
    }
}

/// A place in a metadata table (see ``SquashfsMetadataCursor/mark``).
struct SquashfsMetadataMark: Sendable, Hashable {
    let block: Int64
    let offset: Int
}
