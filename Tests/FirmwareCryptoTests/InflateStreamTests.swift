import Foundation
import FwgateTestSupport
import Testing

@testable import FirmwareCrypto

/// A large gzip member is inflated with its header and trailer read by fwgate and its CRC-32
/// computed on a worker thread (``InflateStream/checkOnWorkerThreshold``); smaller ones go
/// through zlib's own gzip wrapper. The two must agree on every stream: the same output, and
/// the same kind of failure. Streams are written by GNU gzip; the header variants gzip does not
/// write (extra field, comment, header CRC) are spliced into its output here.
@Suite struct InflateStreamTests {
    enum Outcome: Equatable {
        case output(Data)
        case failure(InflateStream.Failure.Kind)
    }

    static func inflate(_ data: Data, worker: Bool, limit: Int64 = 1 << 30) -> Outcome {
        let source = MemoryByteSource(data)
        do {
            let stream = try InflateStream(source, range: 0..<source.count, limit: limit, checkOnWorker: worker)
            var output = Data()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100_000, alignment: 1)
            defer { buffer.deallocate() }
            while true {
                let count = try stream.read(into: buffer)
                if count == 0 { break }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            #expect(stream.isFinished)
            return .output(output)
        } catch {
            return .failure(error.kind)
        }
    }

    /// Both modes give `expected`.
    func expectBoth(_ data: Data, _ expected: Outcome, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        let onWorker = Self.inflate(data, worker: true)
        let inZlib = Self.inflate(data, worker: false)
        #expect(onWorker == expected, comment, sourceLocation: sourceLocation)
        #expect(inZlib == expected, comment, sourceLocation: sourceLocation)
    }

    /// 3 MiB: random, then text-like, then zeros (stored, Huffman and long-match blocks).
    static let payload: Data = {
        var generator = SeededGenerator(seed: 7)
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for index in 0..<(1 << 20) {
            bytes[index] = UInt8.random(in: 0...255, using: &generator)
            let letter: Int = 97 + (index * 7 + index / 13) % 26
            bytes[(1 << 20) + index] = UInt8(letter)
        }
        return Data(bytes)
    }()

    static func gzip(_ data: Data, _ arguments: [String] = ["-c", "-n"]) throws -> Data {
        try ReferenceTool.runData("gzip", arguments, input: data)
    }

    /// `stream` with the header flags and fields gzip does not write: FEXTRA, FCOMMENT and a
    /// header CRC (correct unless `breakHeaderCRC`), spliced in after its 10 fixed bytes.
    static func withOptionalFields(_ stream: Data, breakHeaderCRC: Bool = false) -> Data {
        var header = Data(stream.prefix(10))
        header[3] |= 0x04 | 0x10 | 0x02
        header.append(contentsOf: [5, 0, 0x41, 0x42, 3, 0, 0xff])  // XLEN 5: subfield "AB", length 3
        header.append(contentsOf: Array("a comment".utf8) + [0])
        var crc = CRC32()
        header.withUnsafeBytes { crc.update($0) }
        let crc16 = UInt16(truncatingIfNeeded: crc.value) ^ (breakHeaderCRC ? 1 : 0)
        header.append(contentsOf: [UInt8(crc16 & 0xff), UInt8(crc16 >> 8)])
        return header + stream.dropFirst(10)
    }

    @Test func bothModesInflateWhatGzipWrites() throws {
        let plain = try Self.gzip(Self.payload)
        expectBoth(plain, .output(Self.payload), "gzip -n")
        // gzip stores the file name (FNAME) when it compresses a named file.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = folder.appendingPathComponent("rootfs-image.ext4")
        try Self.payload.write(to: named)
        let withName = try Self.gzip(Data(), ["-c", named.path])
        #expect(withName[3] & 0x08 != 0, "gzip wrote no name")
        expectBoth(withName, .output(Self.payload), "gzip with FNAME")
        expectBoth(Self.withOptionalFields(plain), .output(Self.payload), "FEXTRA, FCOMMENT and FHCRC")
        expectBoth(try Self.gzip(Data()), .output(Data()), "an empty member")
    }

    @Test func bothModesRefuseTheSameDamage() throws {
        let stream = try Self.gzip(Self.payload)
        func changed(_ offset: Int, _ change: (inout UInt8) -> Void) -> Data {
            var copy = stream
            change(&copy[copy.startIndex + (offset < 0 ? copy.count + offset : offset)])
            return copy
        }
        expectBoth(changed(-8) { $0 ^= 1 }, .failure(.damaged), "CRC-32 in the trailer")
        expectBoth(changed(-1) { $0 ^= 1 }, .failure(.damaged), "length in the trailer")
        expectBoth(changed(0) { $0 ^= 1 }, .failure(.damaged), "magic")
        expectBoth(changed(2) { $0 = 7 }, .failure(.damaged), "compression method")
        expectBoth(changed(3) { $0 |= 0x20 }, .failure(.damaged), "reserved flag")
        expectBoth(changed(stream.count / 2) { $0 ^= 0x55 }, .failure(.damaged), "deflate data")
        expectBoth(Self.withOptionalFields(stream, breakHeaderCRC: true), .failure(.damaged), "header CRC")
        expectBoth(stream + Data([0]), .failure(.trailingBytes), "a byte after the trailer")
        expectBoth(stream + stream, .failure(.trailingBytes), "a second member")
        for cut in [1, 4, 7, 8, 9, stream.count / 2, stream.count - 5] {
            expectBoth(stream.prefix(stream.count - cut), .failure(.truncated), "\(cut) byte(s) cut")
        }
        expectBoth(stream.prefix(5), .failure(.truncated), "cut inside the header")
        #expect(Self.inflate(stream, worker: true, limit: 1 << 20) == .failure(.limit))
        #expect(Self.inflate(stream, worker: false, limit: 1 << 20) == .failure(.limit))
    }

    /// Where two problems meet, the first one zlib meets is the one reported: a wrong CRC-32
    /// before bytes after the trailer or a length cut short; the magic before a header cut
    /// short. The first input is what Fuzz/Gzip found in its first second (the two readers
    /// disagreed: trailing bytes against damaged).
    @Test func theFirstProblemInZlibsOrderIsTheOneReported() throws {
        let found = Data(base64Encoded: "H4sIAAAAAAAAA8tIzcnJV68AAAAAr8os4AIAVjl8YwsAAAA=")!
        expectBoth(found, .failure(.damaged), "Fuzz/Gzip's first disagreement")
        var stream = try Self.gzip(Data("hello, gzip\n".utf8))
        stream[stream.count - 8] ^= 1
        expectBoth(stream + Data([1, 2, 3]), .failure(.damaged), "wrong CRC-32, then trailing bytes")
        expectBoth(stream.dropLast(2), .failure(.damaged), "wrong CRC-32, length cut short")
        expectBoth(Data([0x1f, 0x00]), .failure(.damaged), "two bytes of wrong magic")
        expectBoth(Data([0x1f]), .failure(.truncated), "one byte")
        expectBoth(Data([0x1f, 0x8b, 7]), .failure(.truncated), "a wrong method without its flags byte")
    }

    /// zlib sets no limit on the header: a name longer than any read buffer is read through.
    @Test func aLongNameIsReadThrough() throws {
        let stream = try Self.gzip(Self.payload)
        var header = Data(stream.prefix(10))
        header[3] |= 0x08
        header.append(Data(repeating: 0x6e, count: 200_000))
        header.append(0)
        expectBoth(header + stream.dropFirst(10), .output(Self.payload), "a 200,000-byte name")
    }

    /// The trailer split between two 64 KiB reads of compressed input: random data that gzip
    /// stores, its length chosen so the deflate data ends 1 to 7 bytes before a read boundary.
    @Test func aTrailerSplitAcrossReadsIsFound() throws {
        var generator = SeededGenerator(seed: 11)
        var bytes = [UInt8](repeating: 0, count: 3 * 65536)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let base = Data(bytes)
        // Stored blocks: one more byte of payload is one more byte of deflate data (plus a few
        // bytes per block), so start from the distance to the next boundary and walk around it.
        let first = try Self.gzip(base).count - 18
        let toBoundary = (InflateStream.inputChunk - first % InflateStream.inputChunk) % InflateStream.inputChunk
        var split = 0
        for extra in max(0, toBoundary - 60)..<(toBoundary + 10) where split < 3 {
            let data = base + base.prefix(extra)
            let stream = try Self.gzip(data)
            let deflateEnd = stream.count - 8 - 10  // after the 10-byte header (gzip -n: no name)
            let intoChunk = deflateEnd % InflateStream.inputChunk
            guard intoChunk > InflateStream.inputChunk - 8 else { continue }
            split += 1
            expectBoth(stream, .output(data), "trailer split at \(intoChunk)")
            var broken = stream
            broken[broken.count - 5] ^= 1
            expectBoth(broken, .failure(.damaged), "split trailer, length changed")
        }
        #expect(split > 0, "no payload length put the trailer across a read")
    }
}
