import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `testvectors/mcuboot/expected.json`: real imgtool 2.5 images and their tampered twins.
struct MCUbootVectors: Decodable {
    struct Vector: Decodable, CustomTestStringConvertible {
        var file: String
        var trust: [String]
        var verdict: String
        var failed: [String]
        var warnings: [String]
        var description: Description?
        var stricterThanReference: String?
        var testDescription: String { file }
    }

    struct Description: Decodable {
        var headerSize: Int?
        var imageSize: Int?
        var protectedTlvSize: Int?
        var loadAddress: Int?
        var flags: Int?
        var version: String?
        var securityCounter: Int?
        var tlvs: [TLV]?
    }

    struct TLV: Decodable {
        var type: String
        var name: String
        var length: Int
        var area: String
        var offset: Int
    }

    var vectors: [Vector]

    static let loaded = Result { try TestVectors.decode(MCUbootVectors.self, from: "mcuboot/expected.json") }
    static var all: [Vector] { (try? loaded.get().vectors) ?? [] }
}

@Suite struct MCUbootVectorTests {
    static func verifier(_ vector: MCUbootVectors.Vector) throws -> FirmwareVerifier {
        FirmwareVerifier(trust: try TrustStore.load(try vector.trust.map { try TestVectors.path("mcuboot/\($0)") }))
    }

    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    @Test func expectedFileLoads() throws {
        let vectors = try MCUbootVectors.loaded.get().vectors
        #expect(vectors.count == 35)
        #expect(FormatVectorSuite.vectors("mcuboot").count == 35)
        #expect(vectors.contains { $0.verdict == "pass" })
        #expect(vectors.contains { $0.verdict == "fail" })
    }

    /// Every committed vector through the production session (detection, trust, policy),
    /// parse-error codes and offsets included.
    @Test(arguments: FormatVectorSuite.vectors("mcuboot"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .mcuboot)
        if vector.verdict == "pass" {
            #expect(report.signer?.name?.hasPrefix("test-") == true)
        }
    }

    @Test(arguments: MCUbootVectors.all.filter { $0.failed.allSatisfy { !$0.hasPrefix("malformed.truncated") && !$0.hasPrefix("malformed.length") } })
    func descriptionMatchesWhatImgtoolWrote(_ vector: MCUbootVectors.Vector) throws {
        let expected = try #require(vector.description, "\(vector.file) has no description")
        try #require(expected.headerSize != nil, "\(vector.file): description without headerSize")
        let source = try FileByteSource(path: TestVectors.path("mcuboot/\(vector.file)"))
        let description = try MCUbootParser.parse(source)
        #expect(Int(description.headerSize) == expected.headerSize)
        #expect(Int(description.imageSize) == expected.imageSize)
        #expect(Int(description.protectedTLVSize) == expected.protectedTlvSize)
        #expect(Int(description.loadAddress) == expected.loadAddress)
        #expect(Int(description.flags) == expected.flags)
        #expect(description.version == expected.version)
        #expect(description.securityCounter.map(Int.init) == expected.securityCounter)
        if let tlvs = expected.tlvs {
            #expect(description.tlvs.map { $0.kind.rawValue.hex(digits: 2) } == tlvs.map(\.type))
            #expect(description.tlvs.map(\.name) == tlvs.map(\.name))
            #expect(description.tlvs.map { Int($0.length) } == tlvs.map(\.length))
            #expect(description.tlvs.map(\.area.rawValue) == tlvs.map(\.area))
            #expect(description.tlvs.map { Int($0.offset) } == tlvs.map(\.offset))
        }
    }

    @Test func noTrustedKeyMeansNoPassEvenForAPerfectImage() throws {
        let path = try TestVectors.path("mcuboot/ecdsa-p256.bin")
        let report = try FirmwareVerifier(trust: TrustStore()).report(path: path, context: VerificationContext(at: Self.at))
        #expect(report.verdict == .fail)
        #expect(report.failedCodes == [.keyUntrusted])
    }

    @Test func everyTruncationFailsAndNeverCrashes() throws {
        let path = try TestVectors.path("mcuboot/ecdsa-p256-seccnt7.bin")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let vector = try #require(MCUbootVectors.all.first { $0.file == "ecdsa-p256-seccnt7.bin" })
        let verifier = try Self.verifier(vector)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-trunc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every cut inside the header and TLV areas, and a stride through the payload.
        let cuts = Array(0..<64) + Array(stride(from: 64, to: 4128, by: 97)) + Array(4128..<bytes.count)
        for cut in cuts {
            let file = directory.appendingPathComponent("cut-\(cut).bin")
            try bytes.prefix(cut).write(to: file)
            let report = try verifier.report(path: file.path, format: .mcuboot, context: VerificationContext(at: Self.at))
            #expect(report.verdict == .fail, "cut at \(cut) passed")
            #expect(report.failedCodes.allSatisfy { $0.family == "malformed" }, "cut at \(cut): \(report.failedCodes)")
        }
    }

    /// Seeded random bytes behind MCUboot's magic: each input either fails to parse with a
    /// `malformed.*` code, or parses into ranges inside the input and then fails verification
    /// (random bytes carry no valid signature), through the production verifier.
    @Test func randomGarbageBehindTheMagicNeverPasses() throws {
        var generator = SeededGenerator(seed: 0x6677_6761_7465)
        let verifier = try Self.verifier(try #require(MCUbootVectors.all.first { $0.file == "ecdsa-p256.bin" }))
        var parsed = 0
        for round in 0..<400 {
            let size = [0, 1, 3, 4, 31, 32, 33, 64, 4096][round % 9] + (round / 9)
            var bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if size >= 4 { bytes.replaceSubrange(0..<4, with: [0x3d, 0xb8, 0xf3, 0x96]) }
            // Every other input: a 32-byte header, no protected TLVs, a random payload and an
            // unprotected TLV area of random TLVs (types MCUboot knows, small lengths), so many
            // inputs parse and reach the verifier with random hashes, keys and signatures.
            if round % 2 == 1 && size >= 64 {
                let payload = size / 4
                var area: [UInt8] = []
                let types: [UInt8] = [0x01, 0x02, 0x10, 0x11, 0x20, 0x22, 0x23, 0x24, 0x25, 0x50, 0x60, 0x7f]
                for _ in 0..<Int.random(in: 1...5, using: &generator) {
                    let length = Int.random(in: 0...72, using: &generator)
                    area += [types.randomElement(using: &generator)!, 0, UInt8(length), 0]
                    area += (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                }
                let total = 4 + area.count
                bytes = Array(bytes.prefix(32 + payload))
                bytes.replaceSubrange(8..<16, with: [32, 0, 0, 0, UInt8(truncatingIfNeeded: payload), UInt8(truncatingIfNeeded: payload >> 8), 0, 0])
                bytes += [0x07, 0x69, UInt8(truncatingIfNeeded: total), UInt8(truncatingIfNeeded: total >> 8)] + area
            }
            let source = MemoryByteSource(bytes)
            do {
                let description = try MCUbootParser.parse(source)
                parsed += 1
                #expect(description.hashedRange.upperBound <= Int64(bytes.count))
                #expect(description.tlvs.allSatisfy { $0.valueRange.upperBound <= Int64(bytes.count) })
            } catch {
                #expect(error.code.family == "malformed", "round \(round): \(error.code)")
            }
            let prepared = try FirmwareVerifier.prepare(source, as: Artifact(path: "random-\(round)"), format: .mcuboot)
            let report = verifier.report(prepared, context: VerificationContext(at: Self.at))
            #expect(report.verdict == .fail, "round \(round) did not fail")
        }
        // The generator is seeded: this count is the same on every run.
        #expect(parsed == Self.parsedRandomInputs)
    }

    /// How many of the 400 seeded inputs parse (counted once; it is stable for a given
    /// generator and toolchain, and far from zero, so the verifier path really runs).
    static let parsedRandomInputs = 63
}
