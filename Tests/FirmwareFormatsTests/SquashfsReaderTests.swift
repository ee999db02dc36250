import FirmwareCrypto
@testable import FirmwareFormats
import Foundation
import FwgateTestSupport
import Testing

/// The shared squashfs reader on images mksquashfs made (testvectors/rauc/squashfs, by
/// generate.sh; what they hold comes from the folders they were made from), and on damaged
/// copies of them, each asserting the exact code.
@Suite struct SquashfsReaderTests {
    struct Expected: Decodable {
        struct Image: Decodable {
            let entries: [String: String]
            let files: [String: File]
        }
        struct File: Decodable {
            let size: Int64
            let sha256: String
        }
        let images: [String: Image]
    }

    static let expected: Expected = {
        (try? TestVectors.decode(Expected.self, from: "rauc/squashfs/expected.json")) ?? Expected(images: [:])
    }()

    static func image(_ name: String) throws -> Data { try TestVectors.data("rauc/squashfs/\(name)") }

    func open(_ data: Data) throws(SquashfsError) -> SquashfsReader { try SquashfsReader.open(MemoryByteSource(data)) }

    func sha256(_ reader: SquashfsReader, _ file: SquashfsFile) throws -> String {
        let context = try DigestContext(.sha256)
        try reader.stream(file) { context.update($0) }
        return context.finalize().hex
    }

    /// The code of what `body` throws (malformed input, in either wrapping), or nil.
    func code(_ body: () throws -> Void) -> CheckCode? {
        do {
            try body()
            return nil
        } catch let error as SquashfsError {
            if case .malformed(let malformed) = error { return malformed.code }
            return "unsupported"
        } catch let error as MalformedInput {
            return error.code
        } catch {
            return CheckCode("other: \(error)")
        }
    }

    /// Everything a caller can do: list the root, read every regular file.
    func readAll(_ data: Data) throws {
        let reader = try open(data)
        for entry in try reader.rootEntries() where entry.kind == .file {
            let file = try reader.file(entry)
            _ = try sha256(reader, file)
        }
    }

    static func kind(_ kind: SquashfsEntry.Kind) -> String {
        switch kind {
        case .directory: "directory"
        case .file: "file"
        case .symbolicLink: "symlink"
        case .other: "other"
        }
    }

    // MARK: - What mksquashfs writes

    /// sparse.sqfs: a 64 MiB file's 16,384 size words (64 KiB) sit in an inode table of a few
    /// hundred bytes, compressed (the first reader bounded the words by the table's size on
    /// disk and refused a 256 MiB image in the benchmark bundle).
    @Test(arguments: ["files.sqfs", "blocks.sqfs", "stored.sqfs", "many.sqfs", "sparse.sqfs"])
    func readsWhatMksquashfsWrites(_ name: String) throws {
        let expected = try #require(Self.expected.images[name])
        let reader = try open(try Self.image(name))
        let entries = try reader.rootEntries()
        #expect(Dictionary(uniqueKeysWithValues: entries.map { ($0.name, Self.kind($0.kind)) }) == expected.entries)
        for (fileName, want) in expected.files {
            let file = try #require(try reader.file(named: fileName))
            #expect(file.size == want.size, "\(fileName)")
            #expect(try sha256(reader, file) == want.sha256, "\(fileName)")
            guard want.size <= 1 << 20 else { continue }
            let whole = try reader.read(file, limit: 1 << 20)
            #expect(whole.count == Int(want.size))
            #expect(try Digest.hash(whole, using: .sha256).hex == want.sha256)
        }
    }

    @Test func manyEntriesSpanMetadataBlocksUnderTwoHeaders() throws {
        let reader = try open(try Self.image("many.sqfs"))
        let entries = try reader.rootEntries()
        #expect(entries.count == 300)
        #expect(entries.first?.name == "entry-001-with-a-long-name-to-fill-the-listing")
        // The root inode is extended (its listing crosses a metadata block, so it has an index).
        #expect(reader.root.length > Int64(SquashfsReader.metadataSize))
    }

    @Test func storedRangeIsTheContentOfAFileStoredInOneRun() throws {
        let data = try Self.image("blocks.sqfs")
        let reader = try open(data)
        let random = try #require(try reader.file(named: "random.bin"))
        let range = try #require(random.storedRange)
        let want = try #require(Self.expected.images["blocks.sqfs"]?.files["random.bin"])
        #expect(Int64(range.count) == want.size)
        #expect(try Digest.hash(data.subdata(in: Int(range.lowerBound)..<Int(range.upperBound)), using: .sha256).hex == want.sha256)
        // Compressed blocks, sparse blocks and fragment tails are not one stored run.
        #expect(try reader.file(named: "text.bin")?.storedRange == nil)
        #expect(try reader.file(named: "sparse.bin")?.storedRange == nil)
        #expect(try open(try Self.image("files.sqfs")).file(named: "rootfs.img")?.storedRange == nil)
    }

    @Test func entriesThatAreNotRegularFiles() throws {
        let reader = try open(try Self.image("files.sqfs"))
        #expect(try reader.file(named: "missing") == nil)
        #expect(code { _ = try reader.file(named: "sub") } == .malformedEncoding)
        #expect(code { _ = try reader.file(named: "link") } == .malformedEncoding)
    }

    @Test func readingWholeIsCapped() throws {
        let reader = try open(try Self.image("files.sqfs"))
        let notes = try #require(try reader.file(named: "notes.txt"))
        #expect(code { _ = try reader.read(notes, limit: 5999) } == .malformedLength)
    }

    @Test func aRangeOfALargerSourceIsReadThere() throws {
        // As in a RAUC bundle: the file system at the start of the source, bytes after it.
        let data = try Self.image("blocks.sqfs") + Data(repeating: 0xa5, count: 5000)
        let reader = try SquashfsReader.open(MemoryByteSource(data), range: 0..<12288)
        #expect(try reader.rootEntries().count == 4)
        // A range shorter than bytes_used.
        #expect(code { _ = try SquashfsReader.open(MemoryByteSource(data), range: 0..<10000) } == .malformedTruncated)
    }

    // MARK: - Compressors

    @Test func anotherCompressorIsSaidPlainlyNeverGuessed() throws {
        let xz = try Self.image("xz.sqfs")
        #expect(throws: SquashfsError.unsupportedCompression(.xz)) { _ = try open(xz) }
        var unknown = try Self.image("files.sqfs")
        unknown[20] = 9
        #expect(throws: SquashfsError.unsupportedCompression(SquashfsCompression(rawValue: 9))) { _ = try open(unknown) }
        #expect(SquashfsError.unsupportedCompression(SquashfsCompression(rawValue: 9)).description.contains("unknown compressor (id 9)"))
        // A damaged superblock is reported as damaged, whatever the compressor.
        var damaged = xz
        damaged[28] = 3
        #expect(code { _ = try open(damaged) } == .malformedEncoding)
    }

    // MARK: - The superblock

    func patched(_ name: String, _ change: (inout Data, SquashfsReader) throws -> Void) throws -> Data {
        var data = try Self.image(name)
        let reader = try open(data)
        try change(&data, reader)
        return data
    }

    func put16(_ data: inout Data, _ at: Int64, _ value: UInt16) {
        data[Int(at)] = UInt8(value & 0xff)
        data[Int(at) + 1] = UInt8(value >> 8)
    }

    func put32(_ data: inout Data, _ at: Int64, _ value: UInt32) {
        for index in 0..<4 { data[Int(at) + index] = UInt8((value >> (8 * UInt32(index))) & 0xff) }
    }

    func put64(_ data: inout Data, _ at: Int64, _ value: UInt64) {
        for index in 0..<8 { data[Int(at) + index] = UInt8((value >> (8 * UInt64(index))) & 0xff) }
    }

    @Test func superblockDamage() throws {
        let image = try Self.image("files.sqfs")
        func with(_ change: (inout Data) -> Void) -> Data {
            var copy = image
            change(&copy)
            return copy
        }
        #expect(code { _ = try open(with { $0[0] = UInt8(ascii: "x") }) } == .malformedBadMagic)
        #expect(code { _ = try open(image.prefix(95)) } == .malformedTruncated)
        // Version 3.0.
        #expect(code { _ = try open(with { put16(&$0, 28, 3) }) } == .malformedEncoding)
        // block_size not a power of two, too small, too large; block_log disagreeing.
        #expect(code { _ = try open(with { put32(&$0, 12, 131_073) }) } == .malformedLength)
        #expect(code { _ = try open(with { put32(&$0, 12, 2048) }) } == .malformedLength)
        #expect(code { _ = try open(with { put32(&$0, 12, 2 << 20) }) } == .malformedLength)
        #expect(code { _ = try open(with { put16(&$0, 22, 16) }) } == .malformedEncoding)
        // bytes_used past the image, and the image cut short.
        #expect(code { _ = try open(with { put64(&$0, 40, 1 << 20) }) } == .malformedTruncated)
        #expect(code { _ = try open(image.prefix(3000)) } == .malformedTruncated)
        // Table starts past bytes_used, or out of order.
        #expect(code { _ = try open(with { put64(&$0, 64, 1 << 40) }) } == .malformedLength)
        #expect(code { _ = try open(with { put64(&$0, 72, 100) }) } == .malformedLength)
        #expect(code { _ = try open(with { put64(&$0, 48, 3503) }) } == .malformedLength)
        #expect(code { _ = try open(with { put64(&$0, 80, 3500) }) } == .malformedLength)
        // The root inode outside the inode table, or with its unused bits set.
        #expect(code { _ = try open(with { put64(&$0, 32, 0x10_0000_0000) }) } == .malformedLength)
        #expect(code { _ = try open(with { put64(&$0, 32, 1 << 60) }) } == .malformedLength)
    }

    // MARK: - Tables (stored.sqfs: nothing compressed, so fields are patched in place)

    /// Absolute offset of byte `offset` of the metadata block at `block` of a table (stored
    /// blocks: a 2-byte header, then the bytes).
    func metadataByte(_ tableStart: Int64, block: UInt64, offset: Int) -> Int64 { tableStart + Int64(block) + 2 + Int64(offset) }

    @Test func aMetadataBlockClaimingMoreThan8KiBIsRefused() throws {
        let data = try patched("stored.sqfs") { data, reader in
            put16(&data, reader.superblock.inodeTableStart + Int64(reader.superblock.rootInode.block), 0x8000 | 8193)
        }
        #expect(code { _ = try open(data) } == .malformedLength)
        // A compressed metadata block that inflates beyond 8 KiB: many.sqfs's first inode block
        // is compressed; claim it holds a block of zeros inflating to 9 KiB.
        var many = try Self.image("many.sqfs")
        let block = Data([UInt8(Self.zeros9000.count), 0]) + Self.zeros9000
        many.replaceSubrange(96..<(96 + block.count), with: block)
        let reader = try SquashfsReader.open(MemoryByteSource(try Self.image("many.sqfs")))
        // The root inode is in the second block; read an entry's inode, which is in the first.
        let entry = try #require(try reader.rootEntries().first)
        let patched = try SquashfsReader.open(MemoryByteSource(many))
        #expect(code { _ = try patched.file(entry) } == .malformedLength)
    }

    /// 9000 zero bytes as a zlib (RFC 1950) stream: Python's `zlib.compress(bytes(9000))`.
    static let zeros9000 = Data([
        120, 156, 237, 193, 1, 13, 0, 0, 0, 194, 160, 247, 79, 109, 15, 7, 20, 0, 0, 0, 0, 0, 0, 0, 0, 252, 27, 35, 40, 0, 1,
    ])

    @Test func aMetadataBlockRunningPastItsTableIsTruncated() throws {
        let data = try patched("stored.sqfs") { data, reader in
            // The inode table's block claims 8000 bytes; the table holds far fewer.
            put16(&data, reader.superblock.inodeTableStart, 0x8000 | 8000)
        }
        #expect(code { _ = try open(data) } == .malformedTruncated)
        // A zero-length block.
        let empty = try patched("stored.sqfs") { data, reader in put16(&data, reader.superblock.inodeTableStart, 0x8000) }
        #expect(code { _ = try open(empty) } == .malformedLength)
    }

    /// The root listing's first header (count, start_block, inode_number) and first entry.
    func listing(_ reader: SquashfsReader) -> Int64 {
        reader.superblock.directoryTableStart + (reader.root.start - reader.superblock.directoryTableStart) + 2 + Int64(reader.root.offset)
    }

    @Test func aDirectoryHeaderWithAHugeCountIsRefused() throws {
        let data = try patched("stored.sqfs") { data, reader in put32(&data, listing(reader), 0xffff_ffff) }
        #expect(code { _ = try open(data).rootEntries() } == .malformedLength)
        let justOver = try patched("stored.sqfs") { data, reader in put32(&data, listing(reader), 256) }
        #expect(code { _ = try open(justOver).rootEntries() } == .malformedLength)
    }

    @Test func aDirectoryThatListsItselfIsALoop() throws {
        let data = try patched("stored.sqfs") { data, reader in
            let at = listing(reader)
            let root = reader.superblock.rootInode
            put32(&data, at + 4, UInt32(root.block))  // the header's start_block
            put16(&data, at + 12, UInt16(root.offset))  // the first entry's offset
        }
        #expect(code { _ = try open(data).rootEntries() } == .malformedEncoding)
    }

    @Test func aListingLongerThanItsDirectoryIsRefused() throws {
        // 65,535 bytes: reading runs on past the real listing, into bytes that are no header.
        let data = try patched("stored.sqfs") { data, reader in
            // The root inode (basic directory): file_size at 24.
            let inode = metadataByte(reader.superblock.inodeTableStart, block: reader.superblock.rootInode.block, offset: reader.superblock.rootInode.offset)
            put16(&data, inode + 24, 0xffff)
        }
        #expect(code { _ = try open(data).rootEntries() } == .malformedLength)
        let short = try patched("stored.sqfs") { data, reader in
            let inode = metadataByte(reader.superblock.inodeTableStart, block: reader.superblock.rootInode.block, offset: reader.superblock.rootInode.offset)
            put16(&data, inode + 24, 2)
        }
        #expect(code { _ = try open(short) } == .malformedLength)
    }

    @Test func namesAndTypesAreChecked() throws {
        // Two entries of one name ("b.txt" renamed "a.txt").
        let twice = try patched("stored.sqfs") { data, reader in
            let range = try #require(data.range(of: Data("b.txt".utf8), in: Int(reader.superblock.directoryTableStart)..<data.count))
            data.replaceSubrange(range, with: Data("a.txt".utf8))
        }
        #expect(code { _ = try open(twice).rootEntries() } == .malformedDuplicateEntry)
        let slash = try patched("stored.sqfs") { data, reader in
            let range = try #require(data.range(of: Data("b.txt".utf8), in: Int(reader.superblock.directoryTableStart)..<data.count))
            data.replaceSubrange(range, with: Data("b/txt".utf8))
        }
        #expect(code { _ = try open(slash).rootEntries() } == .malformedEncoding)
        // The first entry's type: 9 (an extended type never appears in a listing).
        let type = try patched("stored.sqfs") { data, reader in put16(&data, listing(reader) + 12 + 4, 9) }
        #expect(code { _ = try open(type).rootEntries() } == .malformedEncoding)
        // The first entry's name size: 300 bytes.
        let long = try patched("stored.sqfs") { data, reader in put16(&data, listing(reader) + 12 + 6, 299) }
        #expect(code { _ = try open(long).rootEntries() } == .malformedLength)
    }

    /// The inode of `name` in stored.sqfs (a basic file inode: start_block at 16, fragment at
    /// 20, offset at 24, file_size at 28).
    func fileInode(_ reader: SquashfsReader, _ name: String) throws -> Int64 {
        let entry = try #require(try reader.entry(named: name))
        return metadataByte(reader.superblock.inodeTableStart, block: entry.inode.block, offset: entry.inode.offset)
    }

    @Test func aFragmentIndexPastTheTableIsRefused() throws {
        let data = try patched("stored.sqfs") { data, reader in put32(&data, try fileInode(reader, "b.txt") + 20, 7) }
        let reader = try open(data)
        #expect(code { _ = try reader.file(named: "b.txt") } == .malformedLength)
        // The fragment index pointing outside the fragment table.
        let pointer = try patched("stored.sqfs") { data, reader in put64(&data, try #require(reader.superblock.fragmentTableStart), 10) }
        let pointed = try open(pointer)
        let file = try #require(try pointed.file(named: "b.txt"))
        #expect(code { _ = try sha256(pointed, file) } == .malformedLength)
        // A tail past its fragment block.
        let tail = try patched("stored.sqfs") { data, reader in put32(&data, try fileInode(reader, "b.txt") + 24, 4000) }
        #expect(code { _ = try open(tail).file(named: "b.txt") } == .malformedLength)
    }

    @Test func dataBlocksOutsideTheDataAreaAreRefused() throws {
        let data = try patched("stored.sqfs") { data, reader in
            put32(&data, try fileInode(reader, "a.txt") + 16, UInt32(reader.superblock.inodeTableStart - 10))
        }
        let reader = try open(data)
        let file = try #require(try reader.file(named: "a.txt"))
        #expect(code { _ = try sha256(reader, file) } == .malformedLength)
        // A block size word with unknown bits set.
        let word = try patched("stored.sqfs") { data, reader in put32(&data, try fileInode(reader, "a.txt") + 32, 0x0200_1000) }
        let worded = try open(word)
        #expect(code { _ = try sha256(worded, try #require(try worded.file(named: "a.txt"))) } == .malformedEncoding)
        // A stored block shorter than the file needs there.
        let short = try patched("stored.sqfs") { data, reader in put32(&data, try fileInode(reader, "a.txt") + 32, 0x0100_0800) }
        let shortened = try open(short)
        #expect(code { _ = try sha256(shortened, try #require(try shortened.file(named: "a.txt"))) } == .malformedLength)
        // A file size the inode table cannot hold block sizes for.
        let huge = try patched("stored.sqfs") { data, reader in put32(&data, try fileInode(reader, "a.txt") + 28, 0xffff_0000) }
        #expect(code { _ = try open(huge).file(named: "a.txt") } == .malformedLength)
    }

    @Test func aDamagedCompressedBlockIsAFinding() throws {
        var data = try Self.image("blocks.sqfs")
        let reader = try open(data)
        let text = try #require(try reader.file(named: "text.bin"))
        // Flip a byte early in the first (compressed) block (a 4 KiB block of text deflates to
        // some 70 bytes).
        #expect(text.storedRange == nil)
        let first = text.startBlock + 20
        data[Int(first)] ^= 0x55
        let damaged = try open(data)
        #expect(code { _ = try sha256(damaged, try #require(try damaged.file(named: "text.bin"))) } == .malformedEncoding)
    }

    @Test func everyImageReadsInFullWithoutError() throws {
        for name in ["files.sqfs", "blocks.sqfs", "stored.sqfs", "many.sqfs", "sparse.sqfs"] {
            try readAll(try Self.image(name))
        }
    }
}
