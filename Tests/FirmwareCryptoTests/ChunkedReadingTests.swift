@testable import FirmwareCrypto
import Foundation
import Testing

/// Chunked reading of real files: the read-ahead path (ranges of 4 MiB and more) and the
/// sequential one must hand over exactly the file's bytes, in order, and every digest over any
/// range must equal what the OpenSSL command line computes for those bytes.
@Suite struct ChunkedReadingTests {
    /// 9 MiB + 12,345 bytes: odd, above the 4 MiB read-ahead threshold, not a multiple of 256 KiB.
    static let size = 9 << 20 + 12_345
    static let chunk = ByteSourceChunk.defaultSize

    /// A deterministic, non-repeating-looking pattern (a 32-bit LCG), so a chunk handed over
    /// twice or out of order changes the digest.
    static let bytes: Data = {
        var state: UInt32 = 0x1234_5678
        var out = [UInt8](repeating: 0, count: size)
        for index in out.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            out[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        return Data(out)
    }()

    static let opensslAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

    /// Writes `data` to a new temporary file and returns its path.
    static func temporaryFile(_ data: Data, name: String = "image") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// `openssl dgst -<algorithm> -r` of the given bytes (written to a file of their own): the
    /// expected value comes from outside fwgate.
    static func openssl(_ algorithm: String, of data: Data) throws -> String {
        let path = try temporaryFile(data, name: "slice")
        defer { remove(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["dgst", "-\(algorithm)", "-r", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(String(decoding: output, as: UTF8.self).prefix { $0 != " " })
    }

    static func slice(_ range: Range<Int64>) -> Data {
        bytes[Int(range.lowerBound)..<Int(range.upperBound)]
    }

    /// Ranges on both sides of the read-ahead threshold, starting and ending inside chunks and
    /// exactly on chunk boundaries.
    static let ranges: [Range<Int64>] = [
        0..<Int64(size),  // the whole file, read ahead
        0..<(4 << 20),  // exactly the threshold: read ahead
        0..<(4 << 20) - 1,  // one byte short: sequential
        Int64(chunk) - 1..<Int64(chunk) * 20 + 1,  // read ahead, odd start and end
        Int64(chunk)..<Int64(chunk) * 17,  // read ahead, chunk-aligned
        12_345..<Int64(size) - 7,  // read ahead, ends in the last partial chunk
        Int64(size) - 1..<Int64(size),  // the last byte
        Int64(chunk) * 3 + 5..<Int64(chunk) * 3 + 5,  // empty
    ]

    @Test(.enabled(if: opensslAvailable), arguments: ranges)
    func digestOfARangeEqualsOpenSSL(range: Range<Int64>) throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let source = try FileByteSource(path: path)
        let digest = try Digest.hash(source, range: range, using: .sha256)
        #expect(digest.hex == (try Self.openssl("sha256", of: Self.slice(range))), "\(range)")
    }

    /// Several digests over overlapping ranges in one pass, with chunk sizes that are odd, the
    /// default and larger than it; each equals OpenSSL's digest of its slice.
    @Test(.enabled(if: opensslAvailable), arguments: [4096 + 3, chunk, 1 << 20])
    func multiRangeDigestsEqualOpenSSL(chunkSize: Int) throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let n = Int64(Self.size)
        let requests = [
            DigestRequest(.sha256, 0..<n), DigestRequest(.sha256, 0..<(5 << 20) + 3), DigestRequest(.sha384, 32..<n - 100),
            DigestRequest(.sha512, (6 << 20) + 1..<n), DigestRequest(.sha256, 100..<200),
        ]
        let result = try MultiRangeDigest.compute(requests, over: try FileByteSource(path: path), chunkSize: chunkSize)
        for request in requests {
            let expected = try Self.openssl(request.algorithm.rawValue, of: Self.slice(request.range))
            #expect(result[request]?.hex == expected, "\(request) chunk \(chunkSize)")
        }
    }

    /// The chunks are the file's bytes, in order, each at most the chunk size, for both paths.
    @Test(arguments: [0..<Int64(size), 3..<(3 << 20)])
    func chunksAreTheFileBytesInOrder(range: Range<Int64>) throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        var collected = Data()
        var sizes: [Int] = []
        try FileByteSource(path: path).forEachChunk(in: range) { chunk in
            sizes.append(chunk.count)
            collected.append(contentsOf: chunk)
        }
        #expect(collected == Self.slice(range))
        #expect(sizes.allSatisfy { $0 > 0 && $0 <= Self.chunk })
        #expect(sizes.dropLast().allSatisfy { $0 == Self.chunk })
    }

    /// Memory sources hand over slices of their own bytes; same contents, same chunking.
    @Test func memoryChunksAreTheBytesInOrder() throws {
        var collected = Data()
        try MemoryByteSource(Self.bytes).forEachChunk(in: 17..<Int64(Self.size), chunkSize: 100_003) { collected.append(contentsOf: $0) }
        #expect(collected == Self.slice(17..<Int64(Self.size)))
    }

    struct Stop: Error {}

    /// When the caller stops half-way, the error comes back, the reader thread is gone, and the
    /// same source reads the whole file afterwards (no thread left holding the ring).
    @Test(.enabled(if: opensslAvailable)) func stoppingHalfWayRethrowsAndLeavesTheSourceUsable() throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let source = try FileByteSource(path: path)
        var seen = 0
        #expect(throws: Stop.self) {
            try source.forEachChunk(in: 0..<Int64(Self.size)) { chunk in
                seen += 1
                if seen == 5 { throw Stop() }
            }
        }
        #expect(seen == 5)
        #expect(try Digest.hash(source, using: .sha256).hex == (try Self.openssl("sha256", of: Self.bytes)))
    }

    /// A file cut short after it was opened: every chunk before the cut arrives intact, then
    /// the read error names the file and the offset of the missing bytes.
    @Test func aFileThatShrinksFailsAtTheMissingBytes() throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let source = try FileByteSource(path: path)
        let cut = 5 << 20 + 100
        #expect(truncate(path, off_t(cut)) == 0)
        var collected = Data()
        do {
            try source.forEachChunk(in: 0..<Int64(Self.size)) { collected.append(contentsOf: $0) }
            Issue.record("reading past the new end did not fail")
        } catch let error as ByteSourceError {
            #expect(error.kind == .io)
            #expect(error.offset == Int64(cut))
            #expect(error.reason.contains(path))
        }
        #expect(collected == Self.slice(0..<Int64(cut / Self.chunk * Self.chunk)))
    }
}

extension ChunkedReadingTests {
    /// The read-ahead ring stays at 2 MiB whatever the chunk size, with at least two chunks ahead.
    @Test func ringMemoryIsFlat() {
        #expect(ReadAhead.slots(for: 256 << 10) == 8)
        #expect(ReadAhead.slots(for: 512 << 10) == 4)
        #expect(ReadAhead.slots(for: 1 << 20) == 3)
        #expect(ReadAhead.slots(for: 4096) == 8)
        #expect(ReadAhead.slots(for: 16 << 20) == 3)
    }
}

extension ChunkedReadingTests {
    /// Several lanes over a large file run on their own threads, fed by one read-ahead ring
    /// (ReadAhead.broadcast): run many times over, every digest still equals OpenSSL's (a slot
    /// reused before every lane had read it would change some of them).
    @Test(.enabled(if: opensslAvailable)) func lanesOnTheirOwnThreadsAgreeWithOpenSSLEveryTime() throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let n = Int64(Self.size)
        let requests = [
            DigestRequest(.sha256, 0..<n), DigestRequest(.sha256, 0..<(3 << 20) + 11), DigestRequest(.sha512, 4097..<n - 4097),
            DigestRequest(.sha256, (1 << 20) + 5..<(1 << 20) + 5),
        ]
        var expected: [DigestRequest: String] = [:]
        for request in requests { expected[request] = try Self.openssl(request.algorithm.rawValue, of: Self.slice(request.range)) }
        let source = try FileByteSource(path: path)
        for round in 0..<40 {
            let result = try MultiRangeDigest.compute(requests, over: source, chunkSize: round % 2 == 0 ? Self.chunk : 4096 * 3 + 1)
            for request in requests { #expect(result[request]?.hex == expected[request], "round \(round): \(request)") }
        }
    }

    /// A file cut short after it was opened fails a several-lane pass with the read error, and
    /// every thread has stopped (the same source still reads what is left).
    @Test func aShrunkFileFailsASeveralLanePass() throws {
        let path = try Self.temporaryFile(Self.bytes)
        defer { Self.remove(path) }
        let source = try FileByteSource(path: path)
        let cut = 5 << 20 + 100
        #expect(truncate(path, off_t(cut)) == 0)
        let requests = [DigestRequest(.sha256, 0..<Int64(Self.size)), DigestRequest(.sha384, 7..<Int64(Self.size))]
        do {
            _ = try MultiRangeDigest.compute(requests, over: source)
            Issue.record("reading past the new end did not fail")
        } catch {
            #expect(error.code == .io)
            #expect("\(error)".contains(path), "\(error)")
        }
        let left = try MultiRangeDigest.compute([DigestRequest(.sha256, 0..<Int64(cut))], over: source)
        #expect(left.count == 1)
    }
}
