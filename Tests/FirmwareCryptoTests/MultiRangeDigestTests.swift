import FirmwareCrypto
import Foundation
import Testing

@Suite struct MultiRangeDigestTests {
    static let bytes: Data = Data((0..<300_001).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })

    /// Every request must equal the one-shot digest of its slice, whatever the chunk size and
    /// however ranges share starts, nest or end inside a chunk.
    @Test(arguments: [1, 7, 4096, 65_536, 1 << 20])
    func everyRangeEqualsTheOneShotDigest(chunkSize: Int) throws {
        let n = Int64(Self.bytes.count)
        let requests = [
            DigestRequest(.sha256, 0..<n), DigestRequest(.sha256, 0..<4140), DigestRequest(.sha256, 0..<0),
            DigestRequest(.sha256, 0..<100_000), DigestRequest(.sha384, 0..<4140), DigestRequest(.sha256, 17..<200_017),
            DigestRequest(.sha512, 299_999..<n), DigestRequest(.md5, 5..<6), DigestRequest(.sha256, n..<n),
        ]
        let result = try MultiRangeDigest.compute(requests, over: MemoryByteSource(Self.bytes), chunkSize: chunkSize)
        #expect(result.count == requests.count)
        for request in requests {
            let slice = Self.bytes[Int(request.range.lowerBound)..<Int(request.range.upperBound)]
            #expect(result[request] == (try Digest.hash(Data(slice), using: request.algorithm)), "\(request)")
        }
    }

    @Test func aRangeOutsideTheSourceIsAnError() {
        #expect(throws: CryptoError.self) {
            try MultiRangeDigest.compute([DigestRequest(.sha256, 0..<10)], over: MemoryByteSource(Data(count: 5)))
        }
    }
}
