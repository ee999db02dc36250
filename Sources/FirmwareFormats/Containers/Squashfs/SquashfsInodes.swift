import FirmwareCrypto
import Foundation

/// Inodes and directory listings (squashfs_fs.h `struct squashfs_base_inode`,
/// `squashfs_dir_inode`, `squashfs_ldir_inode`, `squashfs_reg_inode`, `squashfs_lreg_inode`,
/// `squashfs_dir_header`, `squashfs_dir_entry`).
extension SquashfsReader {
    /// What an inode is, as far as this reader needs.
    enum Inode {
        case directory(Directory)
        case file(SquashfsFile)
        case other(UInt16)
    }

    /// Inode types (`SQUASHFS_DIR_TYPE` … `SQUASHFS_LSOCKET_TYPE`): 1–7 basic, 8–14 extended.
    static let basicDirectory: UInt16 = 1
    static let basicFile: UInt16 = 2
    static let extendedDirectory: UInt16 = 8
    static let extendedFile: UInt16 = 9

    /// Reads the inode at `reference`.
    ///
    /// - Parameter name: the file's name, for a regular file.
    /// - Throws: `MalformedInput` for an inode outside the inode table or with impossible
    ///   fields (see ``directory(_:reference:extended:)`` and ``regularFile(_:name:extended:)``).
    func inode(_ reference: SquashfsInodeReference, what: String, name: String = "") throws(MalformedInput) -> Inode {
        let tableStart = superblock.inodeTableStart
        guard reference.isWellFormed, Int64(reference.block) < superblock.directoryTableStart - tableStart else {
            throw MalformedInput(.malformedLength, at: base + tableStart, "\(what): inode reference \(reference.rawValue.hex(digits: 12)) lies outside the inode table")
        }
        var cursor = try SquashfsMetadataCursor(
            self, start: tableStart + Int64(reference.block), offset: reference.offset, tableEnd: superblock.directoryTableStart, what: what)
        // squashfs_base_inode: inode_type, mode, uid, guid, mtime, inode_number.
        let type = try cursor.u16("inode_type")
        _ = try cursor.take(14, "the inode header")
        switch type {
        case Self.basicDirectory, Self.extendedDirectory:
            return .directory(try directory(&cursor, reference: reference, extended: type == Self.extendedDirectory))
        case Self.basicFile, Self.extendedFile:
            return .file(try regularFile(&cursor, name: name, extended: type == Self.extendedFile))
        case 3...7, 10...14:
            return .other(type)
        default:
            throw MalformedInput(.malformedEncoding, at: cursor.offset, "\(what): inode type \(type) is not one squashfs defines (1 to 14)")
        }
    }

    /// `squashfs_dir_inode` (basic: start_block, nlink, file_size u16, offset, parent_inode) or
    /// `squashfs_ldir_inode` (extended: nlink, file_size u32, start_block, parent_inode,
    /// i_count, offset, xattr; its directory index is not needed and not read).
    func directory(_ cursor: inout SquashfsMetadataCursor, reference: SquashfsInodeReference, extended: Bool) throws(MalformedInput) -> Directory {
        let start: UInt32
        let size: UInt32
        let offset: UInt16
        if extended {
            _ = try cursor.u32("nlink")
            size = try cursor.u32("file_size")
            start = try cursor.u32("start_block")
            _ = try cursor.u32("parent_inode")
            _ = try cursor.u16("i_count")
            offset = try cursor.u16("offset")
        } else {
            start = try cursor.u32("start_block")
            _ = try cursor.u32("nlink")
            size = UInt32(try cursor.u16("file_size"))
            offset = try cursor.u16("offset")
        }
        // file_size counts 3 bytes for "." and ".." that are not stored.
        guard size >= 3 else {
            throw MalformedInput(.malformedLength, at: cursor.offset, "a directory's file_size is \(size); every listing counts at least 3")
        }
        let length = Int64(size) - 3
        guard length <= Self.maxListing else {
            throw MalformedInput(.malformedLength, at: cursor.offset, "a directory listing of \(length) bytes; at most \(Self.maxListing) are read")
        }
        guard Int(offset) < Self.metadataSize, Int64(start) < superblock.directoryTableEnd - superblock.directoryTableStart else {
            throw MalformedInput(
                .malformedLength, at: cursor.offset, "a directory listing at block \(start) offset \(offset) lies outside the directory table")
        }
        return Directory(inode: reference, start: superblock.directoryTableStart + Int64(start), offset: Int(offset), length: length)
    }

    /// `squashfs_reg_inode` (basic: start_block u32, fragment, offset, file_size u32) or
    /// `squashfs_lreg_inode` (extended: start_block u64, file_size u64, sparse, nlink,
    /// fragment, offset, xattr), then one size word per data block: every full block, and the
    /// tail too when there is no fragment.
    func regularFile(_ cursor: inout SquashfsMetadataCursor, name: String, extended: Bool) throws(MalformedInput) -> SquashfsFile {
        let start: UInt64
        let size: UInt64
        let fragmentIndex: UInt32
        let fragmentOffset: UInt32
        if extended {
            start = try cursor.u64("start_block")
            size = try cursor.u64("file_size")
            _ = try cursor.u64("sparse")
            _ = try cursor.u32("nlink")
            fragmentIndex = try cursor.u32("fragment")
            fragmentOffset = try cursor.u32("offset")
            _ = try cursor.u32("xattr")
        } else {
            start = UInt64(try cursor.u32("start_block"))
            fragmentIndex = try cursor.u32("fragment")
            fragmentOffset = try cursor.u32("offset")
            size = UInt64(try cursor.u32("file_size"))
        }
        let blockSize = Int64(superblock.blockSize)
        // 2^50 bytes: far beyond any update image, and far from overflowing the arithmetic.
        guard size <= 1 << 50, start <= UInt64(superblock.bytesUsed) else {
            throw MalformedInput(.malformedLength, at: cursor.offset, "'\(name)': file_size \(size) at start_block \(start) is out of bounds")
        }
        let fileSize = Int64(size)
        var fragment: SquashfsFile.Fragment?
        if fragmentIndex != Self.noFragment {
            let tail = fileSize % blockSize
            guard fragmentIndex < superblock.fragmentCount else {
                throw MalformedInput(
                    .malformedLength, at: cursor.offset,
                    "'\(name)': fragment index \(fragmentIndex) lies past the fragment table, which holds \(superblock.fragmentCount)")
            }
            guard tail > 0, Int64(fragmentOffset) + tail <= blockSize else {
                throw MalformedInput(
                    .malformedLength, at: cursor.offset, "'\(name)': a tail of \(tail) bytes at offset \(fragmentOffset) does not fit a \(blockSize)-byte fragment block")
            }
            fragment = SquashfsFile.Fragment(index: fragmentIndex, offset: Int(fragmentOffset))
        }
        let blockCount = fragment == nil ? (fileSize + blockSize - 1) / blockSize : fileSize / blockSize
        // The size words are in the inode table: there cannot be more of them than it holds
        // decompressed (each metadata block takes at least 3 bytes on disk and holds at most
        // 8 KiB). They are not read here (a sparse file may have millions).
        let tableBytes = superblock.directoryTableStart - superblock.inodeTableStart
        guard blockCount <= (tableBytes + 2) / 3 * Int64(Self.metadataSize) / 4 else {
            throw MalformedInput(
                .malformedLength, at: cursor.offset, "'\(name)': \(fileSize) bytes need \(blockCount) block sizes, more than the inode table can hold")
        }
        // The size words are read when the file is streamed (a cursor from here), not kept.
        let blockList = cursor.mark
        // One stored run (every block uncompressed, of the length the file needs there) is
        // possible only for a file no larger than the data area: then, and only then, its words
        // are read now, a bounded number.
        var storedRange: Range<Int64>?
        let dataArea = superblock.inodeTableStart - superblock.dataStart
        if fragment == nil, fileSize > 0, fileSize <= dataArea, Int64(start) >= superblock.dataStart {
            var end = Int64(start)
            var remaining = fileSize
            var stored = true
            for _ in 0..<blockCount {
                let word = try cursor.u32("the block list")
                let expected = min(blockSize, remaining)
                remaining -= expected
                guard word & Self.storedBlock != 0, Int64(word & 0xff_ffff) == expected, word & ~(Self.storedBlock | 0xff_ffff) == 0 else {
                    stored = false
                    break
                }
                end += expected
            }
            if stored, end <= superblock.inodeTableStart {
                storedRange = (base + Int64(start))..<(base + end)
            }
        }
        return SquashfsFile(
            name: name, size: fileSize, storedRange: storedRange, startBlock: Int64(start), blockList: blockList, blockCount: blockCount, fragment: fragment)
    }

    /// The entries of a directory listing: headers (count − 1, start_block of the entries'
    /// inodes, a base inode number) each followed by its entries (offset, inode number
    /// difference, type, name size − 1, name).
    func entries(of directory: Directory) throws(MalformedInput) -> [SquashfsEntry] {
        guard directory.length > 0 else { return [] }
        var cursor = try SquashfsMetadataCursor(
            self, start: directory.start, offset: directory.offset, tableEnd: superblock.directoryTableEnd, what: "directory table")
        var entries: [SquashfsEntry] = []
        var names: Set<String> = []
        var consumed: Int64 = 0
        func need(_ count: Int64, _ field: String) throws(MalformedInput) {
            guard directory.length - consumed >= count else {
                throw MalformedInput(
                    .malformedLength, at: cursor.offset, "the directory listing (\(directory.length) bytes) ends inside \(field), \(consumed) bytes in")
            }
            consumed += count
        }
        while consumed < directory.length {
            try need(12, "a directory header")
            let count = Int(try cursor.u32("count")) + 1
            let inodeBlock = try cursor.u32("start_block")
            _ = try cursor.u32("inode_number")
            guard count <= Self.maxHeaderEntries else {
                throw MalformedInput(.malformedLength, at: cursor.offset, "a directory header counts \(count) entries; at most 256 follow a header")
            }
            for _ in 0..<count {
                try need(8, "a directory entry")
                let offset = try cursor.u16("offset")
                _ = try cursor.u16("inode_number")
                let type = try cursor.u16("type")
                let nameLength = Int(try cursor.u16("size")) + 1
                guard nameLength <= Self.maxName else {
                    throw MalformedInput(.malformedLength, at: cursor.offset, "a directory entry's name of \(nameLength) bytes; at most 256")
                }
                try need(Int64(nameLength), "a name")
                let bytes = try cursor.take(nameLength, "a name")
                guard !bytes.contains(0), !bytes.contains(UInt8(ascii: "/")), let name = String(validating: bytes, as: UTF8.self), name != ".",
                    name != ".."
                else {
                    throw MalformedInput(.malformedEncoding, at: cursor.offset, "a directory entry's name is not a plain UTF-8 file name")
                }
                let kind: SquashfsEntry.Kind
                switch type {
                case Self.basicDirectory: kind = .directory
                case Self.basicFile: kind = .file
                case 3: kind = .symbolicLink
                case 4...7: kind = .other(type)
                default:
                    throw MalformedInput(.malformedEncoding, at: cursor.offset, "directory entry '\(name)' has type \(type); entries have types 1 to 7")
                }
                guard Int(offset) < Self.metadataSize else {
                    throw MalformedInput(.malformedLength, at: cursor.offset, "directory entry '\(name)': inode offset \(offset) lies past a metadata block")
                }
                let reference = SquashfsInodeReference(block: inodeBlock, offset: offset)
                guard reference != directory.inode else {
                    throw MalformedInput(.malformedEncoding, at: cursor.offset, "directory entry '\(name)' is the directory itself (a loop)")
                }
                guard names.insert(name).inserted else {
                    throw MalformedInput(.malformedDuplicateEntry, at: cursor.offset, "the directory lists '\(name)' twice")
                }
                guard entries.count < Self.maxEntries else {
                    throw MalformedInput(.malformedLength, at: cursor.offset, "more than \(Self.maxEntries) entries in one directory")
                }
                entries.append(SquashfsEntry(name: name, kind: kind, inode: reference))
            }
        }
        return entries
    }
}
