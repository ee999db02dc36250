import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// Malformed input never crashes the parser or the verifier and never passes.
@Suite struct ESPIDFRobustnessTests {
    static let validImages = ["app-ecdsa-p256.bin", "app-rsa3072-2sig.bin", "app-ecdsa-p384.bin"]

    static func defaultTrust() throws -> [TrustedKey] {
        try ESPIDFHarness.trustedKeys(ESPIDFVectors.loaded.get().trust.default)
    }

    @Test func emptyFileIsTruncated() throws {
        let outcome = try ESPIDFHarness.run(MemoryByteSource(Data()), trusted: Self.defaultTrust())
        #expect(outcome.failed == ["malformed.truncated"])
        #expect(outcome.verdict == .fail)
    }

    @Test(arguments: validImages)
    func everyPrefixTruncationFails(_ file: String) throws {
        let bytes = try ESPIDFHarness.data(file)
        let trusted = try Self.defaultTrust()
        #expect(try ESPIDFHarness.run(MemoryByteSource(bytes), trusted: trusted).verdict == .pass)
        for length in 0..<bytes.count {
            let outcome = try ESPIDFHarness.run(MemoryByteSource(bytes.prefix(length)), trusted: trusted)
            #expect(outcome.verdict == .fail, "prefix of \(length) bytes")
            if outcome.verdict != .fail { return }
        }
    }

    /// Every single-bit change in the bytes the signature protects — the image, its padding
    /// and block 0 up to its CRC — fails.
    @Test func everyBitFlipInTheProtectedBytesFails() throws {
        let original = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        let trusted = try Self.defaultTrust()
        let protectedEnd = 4096 + 1200
        for offset in 0..<protectedEnd {
            var bytes = original
            bytes[offset] ^= 1 << UInt8(offset % 8)
            let outcome = try ESPIDFHarness.run(MemoryByteSource(bytes), trusted: trusted)
            #expect(outcome.verdict == .fail, "bit \(offset % 8) of byte \(offset)")
            if outcome.verdict != .fail { return }
        }
    }

    /// Random bytes, with and without the image magic, and headers with random segment tables.
    @Test func garbageNeverCrashesAndNeverPasses() throws {
        var generator = SeededGenerator(seed: 0x5EED_E5B2)
        let trusted = try Self.defaultTrust()
        let template = [UInt8](try ESPIDFHarness.data("app-ecdsa-p256.bin"))
        for round in 0..<600 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int(generator.next() % 10_000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1:
                bytes = (0..<Int(24 + generator.next() % 9_000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                bytes[0] = ESPIDFConstants.imageMagic
                bytes[1] = UInt8(generator.next() % 18)
                bytes[23] = UInt8(generator.next() % 2)
            default:
                // The valid image with 1-8 random bytes overwritten anywhere (headers included).
                bytes = template
                for _ in 0..<(1 + generator.next() % 8) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            let outcome = try ESPIDFHarness.run(MemoryByteSource(bytes), trusted: trusted)
            // Only bytes the signature protects (image, padding, block 0 up to its CRC) must fail;
            // the rest of the sector may change without consequence, as on the device.
            let protectedEnd = 4096 + 1200
            if round % 3 == 2, bytes.prefix(protectedEnd) == template.prefix(protectedEnd) { continue }
            #expect(outcome.verdict == .fail, "round \(round)")
        }
    }

    /// Segment lengths near 4 GiB and load addresses that would wrap in 32 bits.
    @Test func hugeSegmentLengthIsTruncatedNotACrash() throws {
        var bytes = [UInt8](try ESPIDFHarness.data("app-unsigned.bin"))
        bytes[28..<32] = [0xFF, 0xFF, 0xFF, 0xFF]
        let outcome = try ESPIDFHarness.run(MemoryByteSource(bytes), trusted: Self.defaultTrust())
        #expect(outcome.failed == ["malformed.truncated"])
        #expect(outcome.parseError?.offset == 32)
    }
}
