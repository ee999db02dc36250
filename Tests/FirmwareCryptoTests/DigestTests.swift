import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

@Suite struct DigestTests {
    @Test(arguments: CryptoVectors.shared.digests)
    func publishedDigestMatches(_ vector: CryptoVectors.DigestVector) throws {
        let message = vector.message.bytes
        if vector.algorithm == "crc32" {
            #expect(String(format: "%08x", CRC32.checksum(message)) == vector.digest)
            return
        }
        let algorithm = try #require(DigestAlgorithm(name: vector.algorithm))
        #expect(try Digest.hash(message, using: algorithm).hex == vector.digest)
        // The same through a ByteSource with a tiny chunk size (chunk boundaries must not matter).
        let context = try DigestContext(algorithm)
        try context.update(from: MemoryByteSource(message), range: 0..<Int64(message.count), chunkSize: 7)
        #expect(context.finalize().hex == vector.digest)
    }

    @Test func fileDigestStreamsOverARange() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = Data()
        for i in 0..<(3 << 20) + 17 { bytes.append(UInt8(truncatingIfNeeded: i &* 31)) }
        try bytes.write(to: url)
        let source = try FileByteSource(path: url.path)
        #expect(source.count == Int64(bytes.count))
        let whole = try Digest.hash(source, using: .sha256)
        #expect(whole == (try Digest.hash(bytes, using: .sha256)))
        let range: Range<Int64> = 1000..<2_500_001
        let part = try Digest.hash(source, range: range, using: .sha512)
        #expect(part == (try Digest.hash(bytes[1000..<2_500_001], using: .sha512)))
        #expect(try CRC32.checksum(source) == CRC32.checksum(bytes))
    }

    @Test func rangePastTheEndIsRefusedNotRead() throws {
        let source = MemoryByteSource(Data(repeating: 1, count: 100))
        #expect(throws: CryptoError.self) { try Digest.hash(source, range: 50..<101, using: .sha256) }
        #expect(throws: ByteSourceError.self) { try source.bytes(at: Int64.max - 1, length: 10) }
        #expect(throws: ByteSourceError.self) { try source.bytes(at: -1, length: 1) }
        #expect(try source.bytes(at: 100, length: 0).isEmpty)
    }

    @Test func missingFileIsAnIOErrorNamingThePath() {
        do {
            _ = try FileByteSource(path: "no/such/file.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .io)
            #expect(error.reason.contains("no/such/file.bin"))
        }
    }

    @Test func weakDigestsAreFlagged() {
        #expect(DigestAlgorithm.md5.isWeak)
        #expect(DigestAlgorithm.sha1.isWeak)
        #expect(!DigestAlgorithm.sha256.isWeak)
        #expect(DigestAlgorithm(name: "SHA-256") == .sha256)
        #expect(DigestAlgorithm(name: "whirlpool") == nil)
    }
}

/// The pipelined digest hashes on another thread what the caller copies in: the same digest as
/// one context, whatever the update sizes and the buffer size.
@Suite struct PipelinedDigestTests {
    @Test(arguments: [0, 1, 4095, 4096, 4097, 100_003, 1 << 20])
    func matchesOneContext(length: Int) throws {
        let message = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) })
        let pipelined = try PipelinedDigest(.sha256, bufferSize: 4096)
        var offset = 0
        var step = 1
        message.withUnsafeBytes { raw in
            while offset < raw.count {
                let take = min(step, raw.count - offset)
                pipelined.update(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + take)]))
                offset += take
                step = step * 3 + 1  // uneven pieces across buffer boundaries
            }
        }
        #expect(pipelined.finalize() == (try Digest.hash(message, using: .sha256)))
    }

    /// A digest dropped before finalize (the producer failed) gives its buffers back cleanly,
    /// and goes on the producer's thread: when the worker held the last reference, the deinit
    /// ran on the worker's queue and its wait for that queue trapped (seen once in CI).
    @Test func droppedUnfinished() throws {
        for _ in 0..<1000 {
            let pipelined = try PipelinedDigest(.sha384, bufferSize: 1024)
            Data(repeating: 7, count: 5000).withUnsafeBytes { pipelined.update($0) }
        }
    }
}
