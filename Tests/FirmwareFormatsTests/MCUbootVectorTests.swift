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

    @Test func randomGarbageIsUnknownNotACrash() throws {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 3, 4, 31, 32, 33, 4096] {
            var bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if size >= 4 { bytes.replaceSubrange(0..<4, with: [0x3d, 0xb8, 0xf3, 0x96]) }
            let source = MemoryByteSource(bytes)
            do {
                _ = try MCUbootParser.parse(source)
            } catch {
                #expect(error.code.family == "malformed")
            }
        }
    }
}
