import FirmwareCrypto
import Foundation

/// Why a squashfs could not be read: it is malformed, or its compressor is one fwgate does not
/// decompress (anything but gzip). The second is not a finding about the bytes: callers say
/// plainly that the content could not be read, never guess at it.
public enum SquashfsError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(MalformedInput)
    /// The superblock is sound but names a compressor other than gzip.
    case unsupportedCompression(SquashfsCompression)

    public var description: String {
        switch self {
        case .malformed(let error): error.message
        case .unsupportedCompression(let compression):
            "the squashfs is compressed with \(compression), which fwgate does not decompress (only gzip)"
        }
    }
}

/// An entry of the root directory.
public struct SquashfsEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case directory
        case file
        case symbolicLink
        /// Devices, FIFOs, sockets (squashfs_fs.h `SQUASHFS_BLKDEV_TYPE` …, by number).
        case other(UInt16)
    }

    public let name: String
    public let kind: Kind
    let inode: SquashfsInodeReference
}

/// A regular file of the root directory: its size and where its content lies.
public struct SquashfsFile: Sendable, Hashable {
    public let name: String
    /// The file's size in bytes (`file_size`).
    public let size: Int64
    /// The bytes that hold the whole content when it is stored as one run (every block
    /// uncompressed and full, none sparse, no fragment): the content's digest is that range's.
    /// Absolute offsets in the source. Nil otherwise.
    public let storedRange: Range<Int64>?
    /// Where the first data block starts (relative to the file system).
    let startBlock: Int64
    /// Where the data blocks' size words start in the inode table (one per block;
    /// `SQUASHFS_COMPRESSED_BIT_BLOCK` = stored uncompressed), read as the file is streamed.
    let blockList: SquashfsMetadataMark
    /// Data blocks: every full block, and the tail too when there is no fragment.
    let blockCount: Int64
    /// The fragment holding the tail, if any.
    let fragment: Fragment?

    struct Fragment: Sendable, Hashable {
        let index: UInt32
        let offset: Int
    }
}

/// A bounded reader of squashfs 4.0 file systems (the superblock, metadata blocks, the inode and
/// directory tables, the fragment table, data blocks), enough for what an update bundle keeps at
/// its top level: list the root directory, look a file up by name, read a small one whole with
/// a cap, and stream a large one a block at a time (memory stays one block, whatever its size).
///
/// Only gzip (zlib) compression is read, through FirmwareCrypto's ``InflateStream``; any other
/// compressor makes ``open(_:range:)`` throw ``SquashfsError/unsupportedCompression(_:)``.
/// Every offset and length is checked against the file system's bytes (`bytes_used`, itself
/// inside the given range) and its tables before use; metadata blocks hold at most 8 KiB,
/// directory headers at most 256 entries, names at most 256 bytes; every loop is bounded.
/// Malformed input throws `MalformedInput` (`malformed.truncated`, `.length`, `.encoding`,
/// `.bad-magic`, `.duplicate-entry`) with a message naming the field and the numbers.
public struct SquashfsReader: Sendable {
    /// The bytes.
    let source: any ByteSource
    /// Where the file system starts in the source.
    let base: Int64
    public let superblock: SquashfsSuperblock
    let root: Directory

    /// The most entries read from a directory.
    public static let maxEntries = 65_536
    /// The longest directory listing read (bytes).
    public static let maxListing: Int64 = 4 << 20
    /// `SQUASHFS_DIR_COUNT`: entries under one directory header.
    static let maxHeaderEntries = 256
    /// `SQUASHFS_NAME_LEN`.
    static let maxName = 256
    /// `SQUASHFS_INVALID_FRAG`.
    static let noFragment: UInt32 = 0xffff_ffff
    /// `SQUASHFS_COMPRESSED_BIT_BLOCK`: the data block is stored uncompressed.
    static let storedBlock: UInt32 = 1 << 24

    /// A directory inode's listing: where it starts in the directory table and its length.
    struct Directory: Sendable, Hashable {
        let inode: SquashfsInodeReference
        let start: Int64
        let offset: Int
        /// Bytes of listing (`file_size` less the 3 squashfs adds for "." and "..").
        let length: Int64
    }

    /// Opens the file system that starts at `range.lowerBound` and lies inside `range` (a
    /// bundle's payload, not the whole file), and reads its root directory inode.
    ///
    /// - Throws: ``SquashfsError/malformed(_:)`` for a superblock or root inode that is not
    ///   sound; ``SquashfsError/unsupportedCompression(_:)`` when the superblock is sound but
    ///   the compressor is not gzip.
    public static func open(_ source: any ByteSource, range: Range<Int64>? = nil) throws(SquashfsError) -> SquashfsReader {
        let range = range ?? 0..<source.count
        guard range.lowerBound >= 0, range.upperBound <= source.count else {
            throw .malformed(MalformedInput(.malformedTruncated, at: range.lowerBound, "the squashfs range \(range) lies outside the \(source.count) bytes"))
        }
        let superblock: SquashfsSuperblock
        do {
            superblock = try SquashfsSuperblock.parse(source, base: range.lowerBound, available: Int64(range.count))
        } catch {
            throw .malformed(error)
        }
        guard superblock.compression == .gzip else { throw .unsupportedCompression(superblock.compression) }
        do throws(MalformedInput) {
            let partial = SquashfsReader(source: source, base: range.lowerBound, superblock: superblock, root: nil)
            guard case .directory(let root) = try partial.inode(superblock.rootInode, what: "root directory inode") else {
                throw MalformedInput(.malformedEncoding, at: range.lowerBound + 32, "the squashfs root inode is not a directory")
            }
            return SquashfsReader(source: source, base: range.lowerBound, superblock: superblock, root: root)
        } catch {
            throw .malformed(error)
        }
    }

    private init(source: any ByteSource, base: Int64, superblock: SquashfsSuperblock, root: Directory?) {
        self.source = source
        self.base = base
        self.superblock = superblock
        self.root = root ?? Directory(inode: superblock.rootInode, start: 0, offset: 0, length: 0)
    }

    // MARK: - The root directory

    /// The root directory's entries, in listing order.
    ///
    /// - Throws: `MalformedInput` for a listing that runs past its table or its length, more
    ///   than 256 entries under a header, a name longer than 256 bytes or not a plain UTF-8
    ///   name, an entry type squashfs does not define, two entries of one name
    ///   (`malformed.duplicate-entry`), a directory that lists itself, or more than
    ///   ``maxEntries`` entries.
    public func rootEntries() throws(MalformedInput) -> [SquashfsEntry] {
        try entries(of: root)
    }

    /// The root entry called `name`, or nil. The root is listed anew on each call: to look up
    /// several names, list it once with ``rootEntries()``.
    ///
    /// - Throws: what ``rootEntries()`` throws.
    public func entry(named name: String) throws(MalformedInput) -> SquashfsEntry? {
        try rootEntries().first { $0.name == name }
    }

    /// The regular file an entry names.
    ///
    /// - Throws: `malformed.encoding` when the entry is not a regular file or its inode is of
    ///   another type than the listing says; `MalformedInput` for an inode that is not sound
    ///   (a fragment index past the fragment table, a block list past the inode table, ...).
    public func file(_ entry: SquashfsEntry) throws(MalformedInput) -> SquashfsFile {
        guard entry.kind == .file else {
            throw MalformedInput(.malformedEncoding, at: base, "'\(entry.name)' is not a regular file")
        }
        guard case .file(let found) = try inode(entry.inode, what: "inode of '\(entry.name)'", name: entry.name) else {
            throw MalformedInput(.malformedEncoding, at: base, "the listing says '\(entry.name)' is a regular file; its inode is of another type")
        }
        return found
    }

    /// The regular file called `name` in the root directory, or nil when there is no entry of
    /// that name.
    ///
    /// - Throws: what ``rootEntries()`` and ``file(_:)`` throw (an entry of that name that is
    ///   not a regular file included).
    public func file(named name: String) throws(MalformedInput) -> SquashfsFile? {
        guard let entry = try entry(named: name) else { return nil }
        return try file(entry)
    }

    // MARK: - Content

    /// A file's content, whole, for small files (a manifest).
    ///
    /// - Throws: `malformed.length` when the file is larger than `limit`; what
    ///   ``stream(_:_:)`` throws.
    public func read(_ file: SquashfsFile, limit: Int) throws(MalformedInput) -> Data {
        guard file.size <= Int64(limit) else {
            throw MalformedInput(.malformedLength, at: base + file.startBlock, "'\(file.name)' has \(file.size) bytes; at most \(limit) are read")
        }
        var data = Data(capacity: Int(file.size))
        try stream(file) { data.append(contentsOf: $0) }
        return data
    }

    /// Passes a file's content to `body` in order, a block (or less) at a time: memory stays
    /// one block whatever the file's size.
    ///
    /// Blocks stored uncompressed are read straight from the source (a run of them in large
    /// reads); compressed ones are inflated into one reused buffer; a sparse block (size 0) is
    /// zeros; the tail comes from its fragment block.
    ///
    /// - Throws: `malformed.length` for a block outside the data area or larger than the block
    ///   size, a block that inflates to another size than the file needs, or a tail outside
    ///   its fragment; `malformed.encoding` for a block that does not inflate or a size word
    ///   with unknown bits; `malformed.truncated` when a read fails.
    public func stream(_ file: SquashfsFile, _ body: (UnsafeRawBufferPointer) -> Void) throws(MalformedInput) {
        let blockSize = superblock.blockSize
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var position = file.startBlock
        var remaining = file.size
        // A run of stored (uncompressed, full) blocks not yet passed on: read in one go.
        var run: Range<Int64>?
        func flush() throws(MalformedInput) {
            guard let pending = run else { return }
            run = nil
            try passStored(pending, body)
        }
        var words: SquashfsMetadataCursor?
        if file.blockCount > 0 {
            words = try SquashfsMetadataCursor(
                self, start: file.blockList.block, offset: file.blockList.offset, tableEnd: superblock.directoryTableStart,
                what: "the block list of '\(file.name)'")
        }
        var zeroed = false
        for index in 0..<file.blockCount {
            let word = try words!.u32("the block list")
            let expected = Int(min(Int64(blockSize), remaining))
            let what = "data block \(index) of '\(file.name)'"
            guard word & ~(Self.storedBlock | 0xff_ffff) == 0 else {
                throw MalformedInput(.malformedEncoding, at: base + position, "\(what): size word \(word.hex(digits: 8)) has unknown bits set")
            }
            remaining -= Int64(expected)
            if word == 0 {
                // A sparse block: zeros, nothing on disk.
                try flush()
                if !zeroed {
                    buffer.initializeMemory(as: UInt8.self, repeating: 0)
                    zeroed = true
                }
                body(UnsafeRawBufferPointer(rebasing: buffer[0..<expected]))
                continue
            }
            let length = Int(word & 0xff_ffff)
            let stored = word & Self.storedBlock != 0
            guard length > 0, length <= blockSize else {
                throw MalformedInput(.malformedLength, at: base + position, "\(what) claims \(length) bytes on disk; the block size is \(blockSize)")
            }
            let range = try dataRange(position, length, what: what)
            position += Int64(length)
            if stored {
                guard length == expected else {
                    throw MalformedInput(.malformedLength, at: range.lowerBound, "\(what) is stored with \(length) bytes; the file needs \(expected) there")
                }
                if let pending = run, pending.upperBound == range.lowerBound {
                    run = pending.lowerBound..<range.upperBound
                } else {
                    try flush()
                    run = range
                }
                continue
            }
            try flush()
            zeroed = false
            let count = try inflate(at: range.lowerBound, length: length, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<expected]), what: what)
            guard count == expected else {
                throw MalformedInput(.malformedLength, at: range.lowerBound, "\(what) inflates to \(count) bytes; the file needs \(expected) there")
            }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<expected]))
        }
        try flush()
        if let fragment = file.fragment {
            let tail = Int(remaining)
            let count = try fragmentBlock(fragment.index, into: buffer, what: "the tail of '\(file.name)'")
            guard fragment.offset + tail <= count else {
                throw MalformedInput(
                    .malformedLength, at: base + file.startBlock,
                    "the tail of '\(file.name)' (\(tail) bytes at offset \(fragment.offset) of fragment \(fragment.index)) runs past the fragment's \(count) bytes")
            }
            body(UnsafeRawBufferPointer(rebasing: buffer[fragment.offset..<(fragment.offset + tail)]))
        } else if remaining != 0 {
            throw MalformedInput(.malformedLength, at: base + file.startBlock, "the blocks of '\(file.name)' hold \(file.size - remaining) of its \(file.size) bytes")
        }
    }

    /// Passes stored bytes on in chunks (a long run is read ahead while the previous chunk is
    /// used).
    private func passStored(_ range: Range<Int64>, _ body: (UnsafeRawBufferPointer) -> Void) throws(MalformedInput) {
        do {
            try source.forEachChunk(in: range) { body($0) }
        } catch {
            throw MalformedInput(.malformedTruncated, at: range.lowerBound, "reading stored data blocks: \(error)")
        }
    }

    /// The absolute range of a data block at `position` (relative), checked to lie in the data
    /// area: after the superblock (and compressor options), before the inode table.
    private func dataRange(_ position: Int64, _ length: Int, what: String) throws(MalformedInput) -> Range<Int64> {
        guard position >= superblock.dataStart, position + Int64(length) <= superblock.inodeTableStart else {
            throw MalformedInput(
                .malformedLength, at: base + max(0, position),
                "\(what) (\(length) bytes at \((base + position).hex)) lies outside the data area (\((base + superblock.dataStart).hex) to the inode table at \((base + superblock.inodeTableStart).hex))")
        }
        return (base + position)..<(base + position + Int64(length))
    }

    // MARK: - Fragments

    /// Reads fragment `index`'s block into `buffer` (which holds a block); returns its length.
    ///
    /// - Throws: `malformed.length` for an index past the fragment table, an index pointer
    ///   outside the table, or a fragment block outside the data area; what reading metadata
    ///   or inflating throws.
    func fragmentBlock(_ index: UInt32, into buffer: UnsafeMutableRawBufferPointer, what: String) throws(MalformedInput) -> Int {
        guard let tableStart = superblock.fragmentTableStart, index < superblock.fragmentCount else {
            throw MalformedInput(
                .malformedLength, at: base,
                "\(what): fragment index \(index) lies past the fragment table, which holds \(superblock.fragmentCount)")
        }
        // 512 16-byte entries per metadata block; the index holds one pointer per block.
        let pointerAt = tableStart + 8 * Int64(index / 512)
        var pointer = ByteReader(source, range: (base + pointerAt)..<(base + pointerAt + 8))
        let blockStart = try pointer.u64le("\(what): fragment index pointer")
        guard blockStart >= UInt64(superblock.directoryTableStart), blockStart < UInt64(tableStart) else {
            throw MalformedInput(
                .malformedLength, at: base + pointerAt,
                "\(what): the fragment index points at \(blockStart.hex(digits: 1)), outside the fragment table (\(superblock.directoryTableStart.hex) to \(tableStart.hex))")
        }
        let entries = try metadataBlock(at: Int64(blockStart), tableEnd: tableStart, what: "fragment table")
        let entryAt = Int(index % 512) * 16
        guard entryAt + 16 <= entries.bytes.count else {
            throw MalformedInput(
                .malformedTruncated, at: base + Int64(blockStart), "\(what): the fragment table block ends before entry \(index) (\(entries.bytes.count) bytes)")
        }
        let entry = entries.bytes[entryAt..<(entryAt + 16)]
        let start = entry.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let word = entry.dropFirst(8).prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let fragmentWhat = "\(what): fragment \(index)"
        guard word & ~(Self.storedBlock | 0xff_ffff) == 0, word & 0xff_ffff != 0, Int(word & 0xff_ffff) <= superblock.blockSize,
            start < UInt64(Int64.max / 2)
        else {
            throw MalformedInput(.malformedLength, at: base + Int64(blockStart), "\(fragmentWhat): size word \(word.hex(digits: 8)) is not a block size")
        }
        let length = Int(word & 0xff_ffff)
        let range = try dataRange(Int64(start), length, what: fragmentWhat)
        if word & Self.storedBlock != 0 {
            do throws(ByteSourceError) {
                try source.read(at: range.lowerBound, length: length, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length]))
            } catch {
                throw MalformedInput(.malformedTruncated, at: range.lowerBound, "\(fragmentWhat): \(error.reason)")
            }
            return length
        }
        return try inflate(at: range.lowerBound, length: length, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<superblock.blockSize]), what: fragmentWhat)
    }
}
