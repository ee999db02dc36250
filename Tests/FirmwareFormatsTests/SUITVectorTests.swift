import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `testvectors/suit/expected.json`: SUIT envelopes made with cbor2 and signed with pycose, their
/// tampered twins and the encoding attacks, through the production session.
@Suite struct SUITVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("suit")
        #expect(vectors.count == 28)
        #expect(vectors.filter { $0.verdict == "pass" }.count == 5)
    }

    @Test(arguments: FormatVectorSuite.vectors("suit"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .suit)
        if vector.verdict == "pass" {
            #expect(report.signed && report.signer?.name != nil)
            #expect(report.securityCounter == 7)
        }
    }

    /// What inspect shows, against what generate.py put in the manifest.
    @Test func descriptionOfTheES256Manifest() throws {
        let description = try SUITFormat.parse(try FileByteSource(path: try TestVectors.path("suit/es256.suit")))
        #expect(description.tagged)
        #expect(description.manifestVersion == 1)
        #expect(description.sequenceNumber == 7 && description.securityCounter == 7)
        #expect(description.authentication.map(\.structure) == ["COSE_Sign1"])
        #expect(description.authentication.first?.algorithm == "ES256" && description.authentication.first?.detachedPayload == true)
        #expect(description.manifestDigest.algorithm == "SHA-256")
        let component = try #require(description.components.first)
        #expect(description.components.count == 1)
        #expect(component.identifier == ["00"])
        #expect(component.vendorID == "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe")
        #expect(component.classID == "1492af14-2569-5e48-bf42-9b2d51f2ab45")
        #expect(component.imageSize == 30000)
        #expect(component.uri == "https://firmware.example/pump-x1/firmware.bin")
        let payload = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("suit/firmware.bin")))
        #expect(component.imageDigest?.value == (try Digest.hash(payload, using: .sha256)).hex)
        #expect(description.members.map(\.name) == ["suit-validate", "suit-install"])
    }

    /// The integrated payload's bytes are the firmware generate.py embedded.
    @Test func integratedPayloadIsTheFirmware() throws {
        let source = try FileByteSource(path: try TestVectors.path("suit/eddsa-integrated.suit"))
        let description = try SUITFormat.parse(source)
        let integrated = try #require(description.integratedPayloads.first)
        #expect(integrated.key == "#firmware" && integrated.component == 0)
        let payload = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("suit/firmware.bin")))
        #expect(try source.bytes(at: integrated.offset, length: Int(integrated.size)) == payload)
        #expect(description.authentication.first?.algorithm == "EdDSA")
    }

    /// Every prefix of an envelope fails to parse, never crashes; the whole file parses.
    @Test func everyTruncationIsMalformed() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("suit/es384.suit")))
        for length in 0..<data.count {
            #expect(throws: MalformedInput.self) { try SUITFormat.parse(MemoryByteSource(data.prefix(length))) }
        }
        #expect(throws: Never.self) { try SUITFormat.parse(MemoryByteSource(data)) }
    }

    /// Detection: the vectors are SUIT; other formats' files are not.
    @Test func sniffing() throws {
        #expect(SUITFormat.sniff(try FileByteSource(path: try TestVectors.path("suit/es256.suit"))))
        #expect(SUITFormat.sniff(try FileByteSource(path: try TestVectors.path("suit/eddsa-integrated.suit"))))
        #expect(!SUITFormat.sniff(try FileByteSource(path: try TestVectors.path("suit/firmware.bin"))))
        #expect(!SUITFormat.sniff(try FileByteSource(path: try TestVectors.path("fit/rsa2048.itb"))))
        #expect(!SUITFormat.sniff(MemoryByteSource(Data())))
    }
}
