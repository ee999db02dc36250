import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `testvectors/esp-idf/expected.json`: ESP32-C5 images made by esptool/espsecure 5.6.0 and their
/// tampered twins.
struct ESPIDFVectors: Decodable {
    struct Vector: Decodable, CustomTestStringConvertible {
        var file: String
        var trust: [String]
        var verdict: String
        var failed: [String]
        var warnings: [String]
        var description: Description
        var testDescription: String { file }
    }

    struct Description: Decodable {
        var fileSize: Int64
        var magic: String?
        var chip: Chip?
        var flash: Flash?
        var extendedHeader: ExtendedHeader?
        var segmentCount: Int?
        var entry: UInt32?
        var segments: [Segment]?
        var checksum: Checksum?
        var appendedDigest: AppendedDigest?
        var imageLength: Int64?
        var version: String?
        var securityCounter: UInt64?
        var signatureAlgorithm: String?
        var appDescriptor: AppDescriptor?
        var signatureSector: Sector?
        var signedRange: [Int64]?
        var signatureBlocks: [Block]?
        var trailingBytes: Int64?
        var parseError: ParseError?
    }

    struct Chip: Decodable {
        var id: UInt16
        var name: String?
    }

    struct Flash: Decodable {
        var mode: String
        var size: String?
        var frequency: String?
    }

    struct ExtendedHeader: Decodable {
        var wpPin: String
    }

    struct Segment: Decodable {
        var index: Int
        var loadAddress: UInt32
        var length: UInt32
        var headerOffset: Int64
        var dataOffset: Int64
        var memoryTypes: [String]
    }

    struct Checksum: Decodable {
        var offset: Int64
        var stored: String
    }

    struct AppendedDigest: Decodable {
        var offset: Int64
        var value: String
    }

    struct AppDescriptor: Decodable {
        var secureVersion: UInt32
        var version: String
        var projectName: String
        var time: String
        var date: String
        var idfVersion: String
        var appElfSha256: String
    }

    struct Sector: Decodable {
        var offset: Int64
        var length: Int64
    }

    struct Block: Decodable {
        var index: Int
        var offset: Int64
        var version: String
        var algorithm: String?
        var hashAlgorithm: String?
        var declaredDigest: String?
        var keyDigest: String?
        var crc: String
        var crcValid: Bool
    }

    struct ParseError: Decodable {
        var code: String
        var offset: Int64
    }

    struct ChipInfo: Decodable {
        struct Range: Decodable {
            var start: UInt64
            var end: UInt64
        }
        var imageChipId: UInt16
        var bootloaderRam: Range
    }

    struct Trust: Decodable {
        var `default`: [String]
        var neverTrusted: [String]
        var keyDigests: [String: String]
    }

    var chip: ChipInfo
    var trust: Trust
    var vectors: [Vector]

    static let loaded = Result { try TestVectors.decode(ESPIDFVectors.self, from: "esp-idf/expected.json") }
    static var all: [Vector] { (try? loaded.get().vectors) ?? [] }
    static var parsing: [Vector] { all.filter { $0.description.parseError == nil } }
}

/// Builds verification inputs the way the pipeline does: keys from files, digests in one pass.
enum ESPIDFHarness {
    static let at = Date(timeIntervalSince1970: 1_780_272_000)  // 2026-06-01T00:00:00Z

    static func trustedKeys(_ files: [String]) throws -> [TrustedKey] {
        try files.map { file in
            let path = try TestVectors.path("esp-idf/\(file)")
            return TrustedKey(name: (file as NSString).lastPathComponent, key: try PublicKey(contentsOf: path), source: file)
        }
    }

    /// The production verifier's outcome for `source` (detection forced to ESP-IDF, so a
    /// broken magic is still judged as ESP-IDF): the failed and warning codes and the verdict
    /// of the report, and the parser's own view of the bytes.
    struct Outcome {
        var failed: Set<String>
        var warnings: Set<String>
        var verdict: Verdict
        var report: VerificationReport
        var description: ESPIDFImageDescription?
        var parseError: MalformedInput?
    }

    static func run(_ source: any ByteSource, path: String = "memory", trusted: [TrustedKey]) throws -> Outcome {
        let prepared = try FirmwareVerifier.prepare(source, as: Artifact(path: path), format: .espIDF)
        let report = FirmwareVerifier(trust: TrustStore(keys: trusted)).report(prepared, context: VerificationContext(at: at))
        var description: ESPIDFImageDescription?
        var parseError: MalformedInput?
        do {
            description = try ESPIDFFormat.parse(source)
        } catch {
            parseError = error
        }
        return Outcome(
            failed: report.failedCodes.reduce(into: Set<String>()) { $0.insert($1.rawValue) },
            warnings: report.warningCodes.reduce(into: Set<String>()) { $0.insert($1.rawValue) },
            verdict: report.verdict, report: report, description: description, parseError: parseError)
    }

    static func data(_ file: String) throws -> Data { try TestVectors.data("esp-idf/\(file)") }

    /// Recomputes the CRC-32 of the signature block at `blockOffset` after an edit.
    static func fixCRC(_ bytes: inout [UInt8], blockOffset: Int) {
        let crc = CRC32.checksum(Data(bytes[blockOffset..<(blockOffset + 1196)]))
        for i in 0..<4 { bytes[blockOffset + 1196 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    }
}

@Suite struct ESPIDFVectorTests {
    @Test func expectedFileLoads() throws {
        let expected = try ESPIDFVectors.loaded.get()
        #expect(expected.vectors.count == 18)
        #expect(FormatVectorSuite.vectors("esp-idf").count == 18)
        #expect(expected.vectors.contains { $0.verdict == "pass" })
        #expect(expected.vectors.contains { $0.verdict == "fail" })
        #expect(expected.chip.imageChipId == ESPIDFConstants.esp32c5.id)
    }

    @Test func bootloaderRAMTableAgreesWithExpectedJSON() throws {
        let expected = try ESPIDFVectors.loaded.get().chip
        let chip = try #require(ESPIDFConstants.chips[expected.imageChipId])
        #expect(chip.bootloaderRAM == expected.bootloaderRam.start..<expected.bootloaderRam.end)
    }

    /// Every committed vector through the production session (detection, trust, policy).
    @Test(arguments: FormatVectorSuite.vectors("esp-idf"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .espIDF)
        if vector.verdict == "pass" {
            #expect(report.signer?.name?.hasPrefix("test-") == true)
        }
    }

    @Test(arguments: ESPIDFVectors.parsing)
    func descriptionMatchesWhatEsptoolWrote(_ vector: ESPIDFVectors.Vector) throws {
        let expected = vector.description
        let description = try ESPIDFParser.parse(FileByteSource(path: TestVectors.path("esp-idf/\(vector.file)")))
        #expect(description.fileSize == expected.fileSize)
        #expect(description.magic == expected.magic)
        #expect(description.extendedHeader.wpPin == expected.extendedHeader?.wpPin)
        #expect(description.flash.mode == expected.flash?.mode)
        #expect(description.flash.size == expected.flash?.size)
        #expect(description.flash.frequency == expected.flash?.frequency)
        #expect(description.chip.id == expected.chip?.id)
        #expect(description.chip.name == expected.chip?.name)
        #expect(Int(description.segmentCount) == expected.segmentCount)
        #expect(description.entry == expected.entry)
        let segments = try #require(expected.segments)
        #expect(description.segments.count == segments.count)
        for (mine, theirs) in zip(description.segments, segments) {
            #expect(mine.index == theirs.index)
            #expect(mine.loadAddress == theirs.loadAddress)
            #expect(mine.length == theirs.length)
            #expect(mine.headerOffset == theirs.headerOffset)
            #expect(mine.dataOffset == theirs.dataOffset)
            #expect(mine.memoryTypes == theirs.memoryTypes)
        }
        #expect(description.checksum.offset == expected.checksum?.offset)
        #expect(description.checksum.stored == expected.checksum?.stored)
        #expect(description.appendedDigest?.offset == expected.appendedDigest?.offset)
        #expect(description.appendedDigest?.value == expected.appendedDigest?.value)
        #expect(description.imageLength == expected.imageLength)
        #expect(description.version == expected.version)
        #expect(description.securityCounter == expected.securityCounter)
        #expect(description.appDescriptor?.secureVersion == expected.appDescriptor?.secureVersion)
        #expect(description.appDescriptor?.version == expected.appDescriptor?.version)
        #expect(description.appDescriptor?.projectName == expected.appDescriptor?.projectName)
        #expect(description.appDescriptor?.time == expected.appDescriptor?.time)
        #expect(description.appDescriptor?.date == expected.appDescriptor?.date)
        #expect(description.appDescriptor?.idfVersion == expected.appDescriptor?.idfVersion)
        #expect(description.appDescriptor?.appElfSha256 == expected.appDescriptor?.appElfSha256)
        #expect(description.signatureAlgorithm?.rawValue == expected.signatureAlgorithm)
        #expect(description.signatureSector?.offset == expected.signatureSector?.offset)
        #expect(description.signatureSector?.length == expected.signatureSector?.length)
        #expect(description.signedRange.map { [$0.lowerBound, $0.upperBound] } == expected.signedRange)
        #expect(description.trailingBytes == expected.trailingBytes)
        let blocks = expected.signatureBlocks ?? []
        #expect(description.signatureBlocks.count == blocks.count)
        for (mine, theirs) in zip(description.signatureBlocks, blocks) {
            #expect(mine.index == theirs.index)
            #expect(mine.offset == theirs.offset)
            #expect(mine.version == theirs.version)
            #expect(mine.algorithm?.rawValue == theirs.algorithm)
            #expect(mine.hashAlgorithm?.rawValue == theirs.hashAlgorithm)
            #expect(mine.declaredDigest == theirs.declaredDigest)
            #expect(mine.crc == theirs.crc)
        }
    }

    /// The key range fwgate hashes is the one espsecure `signature-info-v2` hashes: the SHA-256
    /// the pipeline computes over it is the block's eFuse key digest.
    @Test(arguments: ESPIDFVectors.parsing.filter { !($0.description.signatureBlocks ?? []).isEmpty })
    func keyRangeHashesToTheEFuseKeyDigest(_ vector: ESPIDFVectors.Vector) throws {
        let source = try FileByteSource(path: TestVectors.path("esp-idf/\(vector.file)"))
        let description = try ESPIDFParser.parse(source)
        for (mine, theirs) in zip(description.signatureBlocks, vector.description.signatureBlocks ?? []) {
            let range = try #require(mine.keyRange)
            #expect(try Digest.hash(source, range: range, using: .sha256).hex == theirs.keyDigest)
        }
    }

    /// Identification by rebuilt key (plus, for RSA, canonical rinv/mdash) agrees exactly with
    /// matching by eFuse key digest: every CRC-valid block is identified as the key whose
    /// espsecure `digest-sbv2-public-key` equals the block's key digest, among all seven keys.
    @Test func keyIdentificationAgreesWithEFuseDigests() throws {
        let expected = try ESPIDFVectors.loaded.get()
        let allFiles = expected.trust.default + expected.trust.neverTrusted
        let everyKey = try ESPIDFHarness.trustedKeys(allFiles)
        var identified = 0
        for vector in ESPIDFVectors.parsing {
            let source = try FileByteSource(path: TestVectors.path("esp-idf/\(vector.file)"))
            let description = try ESPIDFParser.parse(source)
            for (block, reference) in zip(description.signatureBlocks, vector.description.signatureBlocks ?? []) where reference.crcValid {
                let scheme = try #require(block.algorithm)
                let keyRange = try #require(block.keyRange)
                let keyBytes = try source.bytes(at: keyRange.lowerBound, length: keyRange.count)
                switch ESPIDFSecureBootKey.identify(scheme: scheme, keyBytes: [UInt8](keyBytes), trustedKeys: everyKey) {
                case .trusted(let key):
                    #expect(expected.trust.keyDigests[key.source] == reference.keyDigest, "\(vector.file) block \(block.index)")
                    identified += 1
                case .untrusted(_, let reason):
                    Issue.record("\(vector.file) block \(block.index): \(reason)")
                }
            }
        }
        // Every CRC-valid block of the 16 images that parse.
        #expect(identified == 14)
    }

    @Test func vectorsSniffAsESPImagesAndBadMagicDoesNot() throws {
        #expect(ESPIDFFormat.sniff(MemoryByteSource(try ESPIDFHarness.data("app-unsigned.bin"))))
        #expect(ESPIDFFormat.sniff(MemoryByteSource(try ESPIDFHarness.data("app-rsa3072-2sig.bin"))))
        #expect(!ESPIDFFormat.sniff(MemoryByteSource(try ESPIDFHarness.data("app-ecdsa-p256-bad-magic.bin"))))
        #expect(!ESPIDFFormat.sniff(MemoryByteSource(Data())))
    }
}
