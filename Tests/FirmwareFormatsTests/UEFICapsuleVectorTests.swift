import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// UEFI FMP capsules made by U-Boot's mkeficapsule, with tampered twins, through the production
/// session.
@Suite struct UEFICapsuleVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("uefi-capsule")
        #expect(vectors.count == 22)
        #expect(vectors.filter { $0.verdict == "pass" }.count == 5)
    }

    @Test(arguments: FormatVectorSuite.vectors("uefi-capsule"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .uefiCapsule)
        if vector.verdict == "pass" { #expect(report.signer?.subject?.contains("fwgate TEST capsule signer") == true) }
    }

    /// What inspect shows, as mkeficapsule was told: image type, index, instance, count.
    @Test func description() throws {
        let capsule = try UEFICapsuleFormat.parse(try FileByteSource(path: try TestVectors.path("uefi-capsule/signed-instance.capsule")))
        let item = try #require(capsule.items.first)
        #expect(item.imageTypeID == "09d7cf52-0720-4710-91d1-08469b7fe9c8")
        #expect(item.imageIndex == 1)
        #expect(item.hardwareInstance == 2)
        #expect(item.monotonicCount == 8)
        #expect(item.payloadSize == 49152)
        #expect(capsule.securityCounter == 8)
    }

    /// FwVersion and LowestSupportedVersion from EDK II's FMP_PAYLOAD_HEADER; the version the
    /// rollback rule compares.
    @Test func payloadHeaderVersions() throws {
        let capsule = try UEFICapsuleFormat.parse(try FileByteSource(path: try TestVectors.path("uefi-capsule/fw-versioned.capsule")))
        #expect(capsule.items.first?.fwVersion == 0x0002_0401)
        #expect(capsule.items.first?.lowestSupportedVersion == 0x0002_0000)
        #expect(capsule.version == String(0x0002_0401))
        #expect(capsule.securityCounter == 9)
    }

    /// A signature list with sizes that do not add up is refused by name, never half-read.
    @Test func damagedSignatureListIsRefused() throws {
        var list = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("uefi-capsule/keys/signer.esl")))
        #expect(try EFISignatureList.certificates(list).count == 1)
        list[16] ^= 0x40  // SignatureListSize
        #expect(throws: MalformedInput.self) { _ = try EFISignatureList.certificates(list) }
        #expect(throws: MalformedInput.self) { _ = try EFISignatureList.certificates(list.prefix(40)) }
    }

    /// GUIDs are stored with their first three fields little-endian.
    @Test func guidText() {
        #expect(UEFIGUID.string(UEFIGUID.fmpCapsule) == "6dcbd5ed-e82d-4c44-bda1-7194199ad92a")
        #expect(Array(UEFIGUID.fmpCapsule.prefix(4)) == [0xed, 0xd5, 0xcb, 0x6d])
    }
}
