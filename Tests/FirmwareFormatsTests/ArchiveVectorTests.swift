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
        ("rauc", .rauc, 22, 5),
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

    /// A plain bundle's manifest comes from its squashfs (generate.sh wrote it: compatible,
    /// version, two images of 10,000 bytes; rauc bundle added size and sha256).
    @Test func raucPlainDescriptionReadsTheManifestFromTheSquashfs() throws {
        let description = try RAUCFormat.parse(try FileByteSource(path: try TestVectors.path("rauc/plain-two-images.raucb")))
        #expect(description.bundleFormat == "plain")
        #expect(description.compatible == "acme-pump-v2")
        #expect(description.version == "2.5.0")
        #expect(description.images.map(\.filename) == ["rootfs.ext4", "appfs.img"])
        #expect(description.images.map(\.size) == ["10000", "10000"])
        #expect(description.images.allSatisfy { $0.sha256?.count == 64 })
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(description)) as? [String: Any])
        #expect(json["manifestSource"] as? String == "squashfs")
        #expect(json["squashfsCompression"] as? String == "gzip")
        #expect(json["manifestNote"] == nil)
        #expect((json["certificates"] as? [Any])?.count == 2)
    }

    /// An xz squashfs is said to be unreadable, not guessed at.
    @Test func raucXZSquashfsIsSaidPlainly() throws {
        let description = try RAUCFormat.parse(try FileByteSource(path: try TestVectors.path("rauc/plain-xz.raucb")))
        #expect(description.images.isEmpty && description.compatible == nil)
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(description)) as? [String: Any])
        #expect(json["squashfsCompression"] as? String == "xz")
        #expect((json["manifestNote"] as? String)?.contains("compressed with xz, which fwgate does not decompress") == true)
    }
}
