import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// Embedded-Linux OTA packages made by their reference tools (mender-artifact; cpio and openssl
/// as SWUpdate documents), with tampered twins, through the production session.
@Suite struct ArchiveVectorTests {
    static let folders: [(folder: String, format: FormatID, count: Int, passing: Int)] = [
        ("mender", .mender, 21, 5),
        ("swupdate", .swupdate, 29, 7),
        ("rauc", .rauc, 15, 3),
    ]

    @Test func expectedFilesLoad() throws {
        for entry in Self.folders {
            let vectors = try FormatVectorSuite.load(entry.folder)
            #expect(vectors.count == entry.count, "\(entry.folder)")
            #expect(vectors.filter { $0.verdict != "fail" }.count == entry.passing, "\(entry.folder)")
        }
    }

    @Test(arguments: Self.folders.flatMap { FormatVectorSuite.vectors($0.folder) })
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format?.rawValue == vector.folder)
        if vector.verdict != "fail" {
            #expect(report.signer?.name != nil)
        }
    }

    /// What inspect shows of a Mender artifact: the header's names, device types and provides.
    @Test func menderDescription() throws {
        let description = try MenderFormat.parse(try FileByteSource(path: try TestVectors.path("mender/rsa-signed.mender")))
        #expect(description.artifactName != nil)
        #expect(description.deviceTypes == ["acme-pump-v2"])
        #expect(description.payloadTypes == ["rootfs-image"])
        #expect(description.signed)
        #expect(description.version == description.provides["rootfs-image.version"])
    }
}
