import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// Detached signatures (`verify FILE --signature SIG`): minisign, signify and raw signatures
/// made by their reference tools, with tampered twins, through the production session.
@Suite struct DetachedSignatureVectorTests {
    static let folders: [(folder: String, format: FormatID, count: Int, passing: Int)] = [
        ("minisign", .minisign, 9, 2), ("signify", .signify, 7, 1), ("raw-signature", .rawSignature, 15, 7),
        ("cms", .cms, 23, 7),
    ]

    @Test func expectedFilesLoad() throws {
        for entry in Self.folders {
            let vectors = try FormatVectorSuite.load(entry.folder)
            #expect(vectors.count == entry.count, "\(entry.folder)")
            #expect(vectors.filter { $0.verdict != "fail" }.count == entry.passing, "\(entry.folder)")
            #expect(vectors.allSatisfy { $0.signature != nil }, "\(entry.folder)")
        }
    }

    @Test(arguments: Self.folders.flatMap { FormatVectorSuite.vectors($0.folder) })
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format?.rawValue == vector.folder, "detected from the signature file")
        if vector.verdict != "fail" {
            #expect(report.signer?.name != nil)
        }
    }

    /// The key ids minisign prints in its public key file's comment are the ones fwgate shows.
    @Test func minisignKeyIDAsMinisignPrintsIt() throws {
        let keyFile = try String(contentsOfFile: try TestVectors.path("minisign/keys/test.pub"), encoding: .utf8)
        let printed = try #require(keyFile.split(separator: "\n").first?.split(separator: " ").last)
        let signature = try MinisignFormat.parse(try FileByteSource(path: try TestVectors.path("minisign/firmware.bin.minisig")))
        #expect(signature.keyID == String(printed))
        #expect(signature.trustedComment == "fwgate test vector")
        #expect(signature.algorithm == "ED")
    }

    /// A detached signature never stands alone: without the content file it is refused plainly.
    @Test func aSignatureFormatNeedsItsContent() throws {
        let report = try VerificationSession(trust: TrustStore(), at: Date()).report(
            for: Artifact(path: try TestVectors.path("minisign/firmware.bin.minisig")))
        #expect(report.format != .minisign)
    }
}
