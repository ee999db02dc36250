import FirmwareCrypto
import Foundation

// Squashfs 4.0, as the Linux kernel reads it (fs/squashfs/squashfs_fs.h: `struct
// squashfs_super_block`, the inode and directory structures, SQUASHFS_METADATA_SIZE,
// SQUASHFS_DIR_COUNT, SQUASHFS_NAME_LEN) and as squashfs-tools 4.5 writes it
// (squashfs-tools/squashfs_fs.h). All fields are little-endian; every table start is an offset
// from the start of the file system.

/// The compressors a squashfs 4.0 superblock names (`ZLIB_COMPRESSION` 1 … `ZSTD_COMPRESSION` 6).
/// fwgate decompresses only the first: its blocks are zlib streams, inflated by FirmwareCrypto.
public struct SquashfsCompression: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `ZLIB_COMPRESSION` (mksquashfs `-comp gzip`, the default): zlib (RFC 1950) streams.
    public static let gzip = SquashfsCompression(rawValue: 1)
    public static let lzma = SquashfsCompression(rawValue: 2)
    public static let lzo = SquashfsCompression(rawValue: 3)
    public static let xz = SquashfsCompression(rawValue: 4)
    public static let lz4 = SquashfsCompression(rawValue: 5)
    public static let zstd = SquashfsCompression(rawValue: 6)

    /// The name mksquashfs uses (`-comp NAME`), or the number for an id squashfs 4.0 does not
    /// define.
    public var description: String {
        switch rawValue {
        case 1: "gzip"
        case 2: "lzma"
        case 3: "lzo"
        case 4: "xz"
        case 5: "lz4"
        case 6: "zstd"
        default: "an unknown compressor (id \(rawValue))"
        }
    }
}

/// The 96-byte squashfs 4.0 superblock, checked: magic, version 4.0, a block size that is a
/// power of two from 4 KiB to 1 MiB and agrees with `block_log`, `bytes_used` inside the bytes
/// available, and every table start inside `bytes_used`, in the order mksquashfs writes them
/// (data, inode table, directory table, then the fragment, export and id tables).
///
/// Offsets are relative to the start of the file system, as stored.
public struct SquashfsSuperblock: Sendable, Hashable {
    /// `SQUASHFS_MAGIC`, "hsqs" on disk.
    public static let magic: UInt32 = 0x7371_7368
    public static let size: Int64 = 96
    /// `SQUASHFS_INVALID_BLK`: a table that is absent.
    static let absent = UInt64.max
    /// Flag bit: a compressor options metadata block follows the superblock.
    static let compressorOptionsFlag: UInt16 = 0x0400

    public let inodeCount: UInt32
    public let modificationTime: UInt32
    public let blockSize: Int
    public let fragmentCount: UInt32
    public let compression: SquashfsCompression
    public let flags: UInt16
    public let idCount: UInt16
    /// `root_inode`: where the root directory's inode is (see ``SquashfsInodeReference``).
    let rootInode: SquashfsInodeReference
    public let bytesUsed: Int64
    let inodeTableStart: Int64
    let directoryTableStart: Int64
    /// The fragment index (nil when there are no fragments).
    let fragmentTableStart: Int64?
    /// Where data blocks may start: after the superblock and any compressor options.
    let dataStart: Int64
    /// Table starts after the directory table (fragment, export, id, xattr) and `bytes_used`:
    /// the directory table ends before the first of them.
    let laterTableStarts: [Int64]

    var blockLog: Int { blockSize.trailingZeroBitCount }

    /// Reads and checks the superblock at `base` of `source`; the file system may use at most
    /// `available` bytes from there.
    ///
    /// - Throws: `malformed.bad-magic` for a magic that is not "hsqs"; `malformed.truncated` when
    ///   the superblock or `bytes_used` runs past the bytes available; `malformed.encoding` for a
    ///   version other than 4.0 or a `block_log` that disagrees; `malformed.length` for a block
    ///   size, table start or count out of bounds.
    static func parse(_ source: any ByteSource, base: Int64, available: Int64) throws(MalformedInput) -> SquashfsSuperblock {
        guard available >= size else {
            throw MalformedInput(.malformedTruncated, at: base, "a squashfs superblock needs 96 bytes; only \(max(0, available)) are there")
        }
        var reader = ByteReader(source, range: base..<(base + size))
        let magic = try reader.u32le("squashfs magic")
        guard magic == Self.magic else {
            throw MalformedInput(.malformedBadMagic, at: base, "squashfs magic is \(magic.hex(digits: 8)), not 0x73717368 ('hsqs')")
        }
        let inodeCount = try reader.u32le("inodes")
        let modificationTime = try reader.u32le("mkfs_time")
        let blockSize = try reader.u32le("block_size")
        let fragmentCount = try reader.u32le("fragments")
        let compression = SquashfsCompression(rawValue: try reader.u16le("compression"))
        let blockLog = try reader.u16le("block_log")
        let flags = try reader.u16le("flags")
        let idCount = try reader.u16le("no_ids")
        let major = try reader.u16le("s_major")
        let minor = try reader.u16le("s_minor")
        let rootInode = try reader.u64le("root_inode")
        let bytesUsed = try reader.u64le("bytes_used")
        let idTable = try reader.u64le("id_table_start")
        let xattrTable = try reader.u64le("xattr_id_table_start")
        let inodeTable = try reader.u64le("inode_table_start")
        let directoryTable = try reader.u64le("directory_table_start")
        let fragmentTable = try reader.u64le("fragment_table_start")
        let lookupTable = try reader.u64le("lookup_table_start")

        guard major == 4, minor == 0 else {
            throw MalformedInput(.malformedEncoding, at: base + 28, "squashfs version \(major).\(minor): only version 4.0 is read")
        }
        guard (4096...(1 << 20)).contains(blockSize), blockSize.nonzeroBitCount == 1 else {
            throw MalformedInput(.malformedLength, at: base + 12, "squashfs block_size \(blockSize) is not a power of two from 4096 to 1048576")
        }
        guard Int(blockLog) == blockSize.trailingZeroBitCount else {
            throw MalformedInput(.malformedEncoding, at: base + 22, "squashfs block_log \(blockLog) does not match block_size \(blockSize) (2^\(blockSize.trailingZeroBitCount))")
        }
        guard bytesUsed >= UInt64(size), bytesUsed <= UInt64(available) else {
            throw MalformedInput(
                .malformedTruncated, at: base + 40, "squashfs bytes_used is \(bytesUsed); the file system has \(available) bytes (from offset \(base.hex))")
        }
        let used = Int64(bytesUsed)
        func within(_ value: UInt64, _ field: Int64, _ name: String) throws(MalformedInput) -> Int64 {
            guard value <= bytesUsed else {
                throw MalformedInput(.malformedLength, at: base + field, "squashfs \(name) \(value.hex(digits: 1)) lies past bytes_used (\(bytesUsed))")
            }
            return Int64(value)
        }
        var dataStart = size
        if flags & compressorOptionsFlag != 0 {
            // A metadata block of compressor options (gzip: level, window, strategies). zlib
            // inflates any window with the largest one, so the options are skipped, not read.
            var options = ByteReader(source, range: (base + size)..<(base + used))
            let header = try options.u16le("compressor options header")
            let length = Int64(header & 0x7fff)
            guard length > 0, length <= 8192, size + 2 + length <= used else {
                throw MalformedInput(.malformedLength, at: base + size, "the squashfs compressor options block claims \(length) bytes")
            }
            dataStart = size + 2 + length
        }
        let inodeStart = try within(inodeTable, 64, "inode_table_start")
        let directoryStart = try within(directoryTable, 72, "directory_table_start")
        guard dataStart <= inodeStart, inodeStart < directoryStart else {
            throw MalformedInput(
                .malformedLength, at: base + 64,
                "squashfs inode table at \(inodeStart.hex) and directory table at \(directoryStart.hex) are not in order after the data (from \(dataStart.hex))")
        }
        let idStart = try within(idTable, 48, "id_table_start")
        // The id index: one 8-byte pointer per 2048 ids (SQUASHFS_ID_BLOCKS).
        guard idStart >= directoryStart, idStart + 8 * ((Int64(idCount) + 2047) / 2048) <= used else {
            throw MalformedInput(.malformedLength, at: base + 48, "squashfs id table at \(idStart.hex) (\(idCount) ids) does not fit between the directory table and bytes_used")
        }
        var later = [used, idStart]
        var fragmentStart: Int64?
        if fragmentCount > 0 {
            let start = try within(fragmentTable, 80, "fragment_table_start")
            // The fragment index: one 8-byte pointer per 512 entries (SQUASHFS_FRAGMENT_INDEXES).
            guard start >= directoryStart, start + 8 * ((Int64(fragmentCount) + 511) / 512) <= used else {
                throw MalformedInput(
                    .malformedLength, at: base + 80, "squashfs fragment table at \(start.hex) (\(fragmentCount) fragments) does not fit between the directory table and bytes_used")
            }
            fragmentStart = start
            later.append(start)
        } else if fragmentTable != absent {
            later.append(try within(fragmentTable, 80, "fragment_table_start"))
        }
        for (value, field, name) in [(lookupTable, Int64(88), "lookup_table_start"), (xattrTable, 56, "xattr_id_table_start")] where value != absent {
            later.append(try within(value, field, name))
        }
        let root = SquashfsInodeReference(rawValue: rootInode)
        guard root.isWellFormed, Int64(root.block) < directoryStart - inodeStart else {
            throw MalformedInput(.malformedLength, at: base + 32, "squashfs root_inode \(rootInode.hex(digits: 16)) lies outside the inode table")
        }
        return SquashfsSuperblock(
            inodeCount: inodeCount, modificationTime: modificationTime, blockSize: Int(blockSize), fragmentCount: fragmentCount,
            compression: compression, flags: flags, idCount: idCount, rootInode: root, bytesUsed: used, inodeTableStart: inodeStart,
            directoryTableStart: directoryStart, fragmentTableStart: fragmentStart, dataStart: dataStart,
            laterTableStarts: later.filter { $0 > directoryStart }.sorted())
    }

    /// Where the directory table ends at the latest: the next table after it.
    var directoryTableEnd: Int64 { laterTableStarts.first ?? bytesUsed }
}

/// A reference to an inode (squashfs_fs.h `SQUASHFS_INODE_BLK`, `SQUASHFS_INODE_OFFSET`): the
/// offset of a metadata block from the inode table's start (bits 16–47) and the inode's offset
/// in that block's 8 KiB (bits 0–15).
struct SquashfsInodeReference: Sendable, Hashable {
    let rawValue: UInt64
    init(rawValue: UInt64) { self.rawValue = rawValue }
    init(block: UInt32, offset: UInt16) { self.rawValue = UInt64(block) << 16 | UInt64(offset) }

    var block: UInt64 { (rawValue >> 16) & 0xffff_ffff }
    var offset: Int { Int(rawValue & 0xffff) }
    /// The top 16 bits are unused, and an offset lies inside a metadata block.
    var isWellFormed: Bool { rawValue >> 48 == 0 && offset < SquashfsReader.metadataSize }
}
