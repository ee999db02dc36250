import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct CMSTests {
    /// The checks a CMS verification yields (signature + each signer's chain).
    static func failedCodes(_ vector: CryptoVectors.CMSVector) throws -> Set<String> {
        let at = CryptoVectors.date(vector.at)
        let cms: CMSSignedData
        let path = try CryptoVectors.path(vector.file)
        do {
            cms = try CMSSignedData(contentsOf: path)
        } catch {
            #expect(error.code == .malformedInput)
            return ["malformed.truncated"]
        }
        let content: CMSSignedData.Content? = try vector.detachedContent.map { .file(try CryptoVectors.path($0)) }
        let result = try cms.verify(
            content: content, roots: CryptoVectors.certificates(vector.roots),
            intermediates: CryptoVectors.certificates(vector.intermediates),
            purpose: vector.purpose.flatMap(CertificatePurpose.init(rawValue:)), at: at)
        var failed: Set<String> = []
        if result.signature != .valid { failed.insert("signature.invalid") }
        for signer in result.signers {
            let checks = ChainChecks.checks(
                for: signer, subject: vector.file, crlCheck: .none, purpose: vector.purpose.flatMap(CertificatePurpose.init(rawValue:)),
                at: at)
            failed.formUnion(checks.filter { $0.status == .failed }.map(\.code.rawValue))
        }
        if vector.verdict == "pass" {
            #expect(result.isValid)
            if let subject = vector.signerSubject { #expect(result.signers.first?.chain.first?.subject == subject) }
        }
        return failed
    }

    @Test(arguments: CryptoVectors.shared.cms)
    func cmsGivesTheExpectedCheckCodes(_ vector: CryptoVectors.CMSVector) throws {
        #expect(try Self.failedCodes(vector) == Set(vector.failed), "\(vector.name)")
    }

    @Test func attachedContentIsReturned() throws {
        let vector = try #require(CryptoVectors.shared.cms.first { $0.detachedContent == nil && $0.verdict == "pass" })
        let cms = try CMSSignedData(contentsOf: CryptoVectors.path(vector.file))
        #expect(!cms.isDetached)
        let result = try cms.verify(
            content: nil, roots: CryptoVectors.certificates(vector.roots), at: CryptoVectors.date(vector.at))
        #expect(result.signedContent == (try Data(contentsOf: URL(fileURLWithPath: CryptoVectors.path("cms/content.bin")))))
    }

    @Test func detachedSignatureWithoutContentIsMalformedNotValid() throws {
        let vector = try #require(CryptoVectors.shared.cms.first { $0.detachedContent != nil && $0.verdict == "pass" })
        let cms = try CMSSignedData(contentsOf: CryptoVectors.path(vector.file))
        let result = try cms.verify(content: nil, roots: CryptoVectors.certificates(vector.roots), at: CryptoVectors.date(vector.at))
        #expect(!result.isValid)
        guard case .malformed = result.signature else {
            Issue.record("expected malformed, got \(result.signature)")
            return
        }
    }

    @Test(arguments: ["keys/garbage.bin", "keys/empty.pem", "chains/root.pem"])
    func nonCMSFilesAreClearErrors(_ file: String) throws {
        #expect(throws: CryptoError(.malformedInput, "")) { try CMSSignedData(contentsOf: CryptoVectors.path(file)) }
    }
}
