import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct CMSTests {
    /// The checks fwgate's ``CMSChecks`` reports for a vector (structure, signature, each
    /// signer's chain).
    static func checks(_ vector: CryptoVectors.CMSVector) throws -> [Check] {
        let content: CMSSignedData.Content? = try vector.detachedContent.map { .file(try CryptoVectors.path($0)) }
        let trust = CMSChecks.Trust(
            roots: try CryptoVectors.certificates(vector.roots), intermediates: try CryptoVectors.certificates(vector.intermediates),
            purpose: vector.purpose.flatMap(CertificatePurpose.init(rawValue:)))
        return try CMSChecks.checks(
            for: .file(try CryptoVectors.path(vector.file)), content: content, trust: trust, subject: vector.file,
            at: CryptoVectors.date(vector.at))
    }

    /// expected.json's `failed` codes come from the reference run (`openssl cms -verify`, its
    /// exit code and error text, recorded beside each case): fwgate must report exactly those.
    @Test(arguments: CryptoVectors.shared.cms)
    func cmsGivesTheExpectedCheckCodes(_ vector: CryptoVectors.CMSVector) throws {
        let checks = try Self.checks(vector)
        let failed = checks.filter { $0.status == .failed }.map(\.code.rawValue).sorted()
        #expect(failed == vector.failed.sorted(), "\(vector.name)")
        #expect(checks.allSatisfy { $0.subject == vector.file })
        if vector.verdict == "pass" {
            #expect(Verdict(checks: checks) == .pass, "\(vector.name)")
            #expect(checks.contains { $0.code == .signatureInvalid && $0.status == .passed })
            #expect(checks.contains { $0.code == .certUntrustedChain && $0.status == .passed && $0.message.hasPrefix("chain to a trusted root: \(vector.signerSubject ?? "?") → ") })
        } else {
            #expect(Verdict(checks: checks) == .fail, "\(vector.name)")
        }
    }

    /// The reference said "certificate has expired" / "unable to get local issuer certificate"
    /// for these: the signature itself is intact, so fwgate's signature check passes.
    @Test(arguments: ["unrelated-signer", "expired-signer"])
    func chainProblemsLeaveTheSignatureCheckPassed(_ name: String) throws {
        let vector = try #require(CryptoVectors.shared.cms.first { $0.name == name })
        let checks = try Self.checks(vector)
        #expect(checks.first { $0.code == .signatureInvalid }?.status == .passed)
        let chain = try #require(checks.first { $0.status == .failed })
        #expect(chain.message.contains(vector.signerSubject ?? "?") || chain.detail?["certificate"]?.contains(vector.signerSubject ?? "?") == true)
    }

    /// A structure OpenSSL cannot decode is `malformed.encoding`, keeping OpenSSL's reason
    /// (`asn1 encoding routines`, as in the reference run's message), and nothing else is claimed.
    @Test func truncatedStructureKeepsOpenSSLsReason() throws {
        let vector = try #require(CryptoVectors.shared.cms.first { $0.name == "truncated" })
        let checks = try Self.checks(vector)
        #expect(checks.count == 1)
        let check = try #require(checks.first)
        #expect(check.code == .malformedEncoding && check.status == .failed)
        #expect(check.detail?["openssl"]?.contains("asn1 encoding routines") == true, "\(check)")
        #expect(check.message.contains(vector.file))
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
        let checks = CMSChecks.checks(
            for: result, subject: vector.file, crlCheck: .none, purpose: .codeSigning, at: CryptoVectors.date(vector.at))
        #expect(checks.map(\.code) == [.signatureInvalid, .certUntrustedChain])
        #expect(checks.map(\.status) == [.failed, .skipped])
        #expect(Verdict(checks: checks) == .fail)
    }

    @Test(arguments: ["keys/garbage.bin", "keys/empty.pem", "chains/root.pem"])
    func nonCMSFilesAreClearErrors(_ file: String) throws {
        #expect(throws: CryptoError(.malformedInput, "")) { try CMSSignedData(contentsOf: CryptoVectors.path(file)) }
    }
}
