import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The ESP-IDF rules beyond the committed vectors: edits of real images (CRC recomputed, as a
/// forger would) and small images built here.
@Suite struct ESPIDFRuleTests {
    static func trust(_ names: [String]) throws -> [TrustedKey] {
        try ESPIDFHarness.trustedKeys(names.map { "keys/test-\($0).pub.pem" })
    }

    static func run(_ bytes: [UInt8], trusting names: [String]) throws -> ESPIDFHarness.Outcome {
        try ESPIDFHarness.run(MemoryByteSource(bytes), trusted: trust(names))
    }

    // MARK: Signature blocks

    @Test func untrustedSecondBlockBesideAVerifiedOneWarns() throws {
        let outcome = try Self.run([UInt8](ESPIDFHarness.data("app-rsa3072-2sig.bin")), trusting: ["rsa3072"])
        #expect(outcome.failed.isEmpty)
        #expect(outcome.warnings == ["key.untrusted"])
        #expect(outcome.verdict == .warn)
        #expect(outcome.report.signer?.name == "test-rsa3072.pub.pem")
    }

    @Test func noTrustedKeyAtAllFailsAsUntrusted() throws {
        let outcome = try Self.run([UInt8](ESPIDFHarness.data("app-ecdsa-p384.bin")), trusting: ["rsa3072", "ecdsa-p256"])
        #expect(outcome.failed == ["key.untrusted"])
        // The embedded key is still handed to policy rules (known test keys, strength).
        #expect(outcome.report.checks.contains { $0.code == .algorithmWeak && $0.status == .passed && $0.message.contains("ECDSA P-384") })
    }

    @Test func aBadSignatureInTheSecondBlockFailsEvenThoughTheFirstVerifies() throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-rsa3072-2sig.bin"))
        bytes[5312 + 812 + 5] ^= 1
        ESPIDFHarness.fixCRC(&bytes, blockOffset: 5312)
        let outcome = try Self.run(bytes, trusting: ["rsa3072", "rsa3072-b"])
        #expect(outcome.failed == ["signature.invalid"])
    }

    /// rinv and mdash are part of the eFuse key digest: a block with the trusted modulus but
    /// other Montgomery values is a key the device does not hold.
    @Test(arguments: [424 + 100, 808])
    func rsaBlockWithTamperedMontgomeryValuesIsUntrusted(_ field: Int) throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-rsa3072.bin"))
        bytes[4096 + field] ^= 0x04
        ESPIDFHarness.fixCRC(&bytes, blockOffset: 4096)
        let outcome = try Self.run(bytes, trusting: ["rsa3072"])
        #expect(outcome.failed == ["key.untrusted"])
    }

    @Test func montgomeryValuesOfTheVectorKeysAreCanonical() throws {
        for file in ["app-rsa3072.bin", "app-rsa3072-wrong-key.bin"] {
            let source = MemoryByteSource(try ESPIDFHarness.data(file))
            let keyRange = try #require(try ESPIDFParser.parse(source).signatureBlocks.first?.keyRange)
            let key = try source.bytes(at: keyRange.lowerBound, length: keyRange.count)
            #expect(ESPIDFSecureBootKey.rsaMontgomeryValuesMatch([UInt8](key)), "\(file)")
        }
    }

    @Test func p192BlockIsWeak() throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        bytes[4096 + 36] = ESPIDFConstants.curveIDP192
        ESPIDFHarness.fixCRC(&bytes, blockOffset: 4096)
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.description?.signatureBlocks.first?.algorithm == .ecdsaP192)
        #expect(outcome.failed == ["algorithm.weak"])
    }

    @Test(arguments: [(1, UInt8(0x04)), (2, UInt8(0x02)), (36, UInt8(0x03))])
    func unknownSchemeIsUnsupported(_ position: Int, _ value: UInt8) throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        bytes[4096 + position] = value
        ESPIDFHarness.fixCRC(&bytes, blockOffset: 4096)
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.failed == ["signature.unsupported-algorithm"])
    }

    @Test func sectorWithoutBlocksIsUnsigned() throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        bytes[4096] = 0xFF
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.failed == ["signature.missing"])
        #expect(outcome.report.signed == false)
    }

    @Test func aBlockInTheThirdSlotAloneIsUsed() throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        let block = Array(bytes[4096..<(4096 + 1216)])
        bytes.replaceSubrange(4096..<(4096 + 1216), with: [UInt8](repeating: 0xFF, count: 1216))
        bytes.replaceSubrange((4096 + 2 * 1216)..<(4096 + 3 * 1216), with: block)
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.description?.signatureBlocks.map(\.index) == [2])
        #expect(outcome.verdict == .pass)
    }

    @Test func partialSignatureSectorIsTruncated() throws {
        let bytes = [UInt8](try ESPIDFHarness.data("app-unsigned.bin")) + [UInt8](repeating: 0xFF, count: 100)
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.failed == ["malformed.truncated"])
        #expect(outcome.parseError?.offset == 4096)
    }

    @Test func bytesAfterTheSectorAreReported() throws {
        let bytes = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin")) + [1, 2, 3]
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.description?.trailingBytes == 3)
    }

    // MARK: Header, segments and integrity (images built here)

    /// An unsigned image: header, segments, checksum, optional appended SHA-256.
    static func image(chip: UInt16 = 23, segments: [(UInt32, [UInt8])], hashAppended: UInt8 = 1, segmentCount: UInt8? = nil) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        var bytes: [UInt8] = [0xE9, segmentCount ?? UInt8(segments.count), 0x02, 0x1F] + le32(0x4080_0000)
        bytes += [0xEE, 0, 0, 0] + le16(chip) + [0] + le16(0) + le16(0xFFFF) + [0, 0, 0, 0] + [hashAppended]
        var checksum = ESPIDFConstants.checksumSeed
        for (address, data) in segments {
            bytes += le32(address) + le32(UInt32(data.count)) + data
            for byte in data { checksum ^= byte }
        }
        while bytes.count % 16 != 15 { bytes.append(0) }
        bytes.append(checksum)
        if hashAppended == 1 { bytes += [UInt8]((try? Digest.hash(Data(bytes), using: .sha256).bytes) ?? Data()) }
        return bytes
    }

    @Test func builtImageParsesAndOnlyLacksASignature() throws {
        let bytes = Self.image(segments: [(0x4200_0020, [UInt8](repeating: 7, count: 300)), (0x4080_0000, [1, 2, 3])])
        let outcome = try Self.run(bytes, trusting: ["ecdsa-p256"])
        #expect(outcome.failed == ["signature.missing"])
        #expect(outcome.description?.appDescriptor == nil)
    }

    @Test func hashAppendedMustBeZeroOrOne() throws {
        let outcome = try Self.run(Self.image(segments: [(0x4080_0000, [1])], hashAppended: 2), trusting: [])
        #expect(outcome.failed == ["malformed.length"])
        #expect(outcome.parseError?.offset == 23)
    }

    @Test func moreThanSixteenSegmentsIsMalformed() throws {
        let outcome = try Self.run(Self.image(segments: [(0x4080_0000, [1])], segmentCount: 17), trusting: [])
        #expect(outcome.failed == ["malformed.length"])
    }

    @Test func imageWithoutAppendedHashStillChecksTheChecksum() throws {
        var bytes = Self.image(segments: [(0x4080_0000, [1, 2, 3, 4])], hashAppended: 0)
        bytes[32] ^= 0x10
        let outcome = try Self.run(bytes, trusting: [])
        #expect(outcome.failed == ["integrity.checksum-mismatch", "signature.missing"])
    }

    @Test(arguments: [
        (UInt32(0x4084_E000), 0x5A0, false),  // ends exactly where the bootloader's RAM begins
        (UInt32(0x4084_E000), 0x5A1, true),
        (UInt32(0x4085_FFFF), 1, true),
        (UInt32(0x4086_0000), 16, false),
    ])
    func segmentOverlapBoundaries(_ address: UInt32, _ length: Int, _ overlaps: Bool) throws {
        let outcome = try Self.run(Self.image(segments: [(address, [UInt8](repeating: 0, count: length))]), trusting: [])
        #expect(outcome.failed.contains("policy.segment-overlap") == overlaps)
    }

    /// Ends are computed in 64 bits: a length that wraps a 32-bit end past zero still overlaps,
    /// and flash-mapped segments are exempt.
    @Test func segmentOverlapDoesNotWrapAndSkipsMappedSegments() throws {
        var description = try ESPIDFParser.parse(MemoryByteSource(Self.image(segments: [(0x4080_0000, [0])])))
        description.segments[0].loadAddress = 0x4085_0000
        description.segments[0].length = 0xC000_0000
        #expect(ESPIDFFormat.segmentOverlapChecks(description, subject: "x").contains { $0.status == .failed })
        description.segments[0].loadAddress = 0x4200_0000
        description.segments[0].length = 0xFFFF_FFFF
        #expect(!ESPIDFFormat.segmentOverlapChecks(description, subject: "x").contains { $0.status == .failed })
    }

    @Test func unknownChipWarnsThatSegmentsWereNotChecked() throws {
        let outcome = try Self.run(Self.image(chip: 0, segments: [(0x4008_0000, [1])]), trusting: [])
        #expect(outcome.warnings == ["policy.segment-overlap"])
        #expect(outcome.description?.chip.name == "ESP32")
    }

    @Test func descriptionEncodesAsJSON() throws {
        let description = try ESPIDFParser.parse(MemoryByteSource(ESPIDFHarness.data("app-rsa3072-2sig.bin")))
        let json = try JSONEncoder().encode(description)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["signedRange"] as? [Int] == [0, 4096])
        #expect((object["signatureBlocks"] as? [Any])?.count == 2)
        #expect(try JSONDecoder().decode(ESPIDFImageDescription.self, from: json) == description)
    }
}
