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

    /// A detached signature checked against the content's SHA-256 (computed by the caller, as
    /// RAUC's plain bundles do in the file's one digest pass) reports exactly what the reference
    /// (`openssl cms -verify` over the content, expected.json) found, for every vector whose
    /// SignerInfos sign attributes with SHA-256.
    @Test(arguments: CryptoVectors.shared.cms.filter { $0.detachedContent != nil && !$0.failed.contains("malformed.encoding") })
    func aContentDigestGivesTheReferencesCodes(_ vector: CryptoVectors.CMSVector) throws {
        let cms = try CMSSignedData(contentsOf: CryptoVectors.path(vector.file))
        let content = try Data(contentsOf: URL(fileURLWithPath: try CryptoVectors.path(try #require(vector.detachedContent))))
        let digest = try Digest.hash(content, using: .sha256)
        let purpose = vector.purpose.flatMap(CertificatePurpose.init(rawValue:))
        let result = try cms.verify(
            content: .digest(digest), roots: CryptoVectors.certificates(vector.roots), intermediates: CryptoVectors.certificates(vector.intermediates),
            purpose: purpose, at: CryptoVectors.date(vector.at))
        guard cms.verifiesWithDigest(.sha256) else {
            // No signed attributes (the signature is over the content) or another digest: the
            // digest cannot stand in for the content, and says so.
            guard case .unsupported = result.signature else {
                Issue.record("\(vector.name): expected unsupported, got \(result.signature)")
                return
            }
            return
        }
        let checks = CMSChecks.checks(for: result, subject: vector.file, crlCheck: .none, purpose: purpose, at: CryptoVectors.date(vector.at))
        let failed = checks.filter { $0.status == .failed }.map(\.code.rawValue).sorted()
        // Revocation needs the CRL, which this direct call does not pass.
        #expect(failed == vector.failed.filter { $0 != "cert.revoked" }.sorted(), "\(vector.name)")
    }

    @Test func aWrongContentDigestIsInvalid() throws {
        let vector = try #require(CryptoVectors.shared.cms.first { $0.name == "rsa" || ($0.detachedContent != nil && $0.verdict == "pass") })
        let cms = try CMSSignedData(contentsOf: CryptoVectors.path(vector.file))
        #expect(cms.verifiesWithDigest(.sha256))
        #expect(!cms.verifiesWithDigest(.sha384))
        let wrong = try Digest.hash(Data("not the content".utf8), using: .sha256)
        let result = try cms.verify(content: .digest(wrong), roots: CryptoVectors.certificates(vector.roots), at: CryptoVectors.date(vector.at))
        #expect(result.signature == .invalid)
        let otherAlgorithm = try Digest.hash(Data("x".utf8), using: .sha384)
        let mismatched = try cms.verify(content: .digest(otherAlgorithm), roots: CryptoVectors.certificates(vector.roots), at: CryptoVectors.date(vector.at))
        guard case .unsupported = mismatched.signature else {
            Issue.record("expected unsupported, got \(mismatched.signature)")
            return
        }
    }

    /// The same over the detached-signature format's vectors (testvectors/cms: RSA, RSA-PSS,
    /// ECDSA, PKCS#7, a flipped signature, a flipped messageDigest attribute, tampered and
    /// truncated content): where the reference found the signature good or bad, so does the
    /// digest; where the SignerInfo has no signed attributes, the digest cannot stand in.
    @Test func aContentDigestAgreesWithTheReferenceOnTheFormatVectors() throws {
        let expected = try #require(try JSONSerialization.jsonObject(with: try TestVectors.data("cms/expected.json")) as? [String: Any])
        let vectors = try #require(expected["vectors"] as? [[String: Any]])
        var compared = 0
        for vector in vectors {
            guard let signature = vector["signature"] as? String, let file = vector["file"] as? String, let failed = vector["failed"] as? [String],
                let trust = vector["trust"] as? [String], vector["at"] == nil || vector["at"] is NSNull,
                Set(failed).isSubset(of: ["signature.invalid"]), !signature.contains("attached")
            else { continue }
            let cms = try CMSSignedData(bytes: try TestVectors.data("cms/\(signature)"))
            let digest = try Digest.hash(try TestVectors.data("cms/\(file)"), using: .sha256)
            let roots = try trust.flatMap { try Certificate.load(contentsOf: try TestVectors.path("cms/\($0)")) }
            let result = try cms.verify(content: .digest(digest), roots: roots, at: Date(timeIntervalSince1970: 1_780_000_000))
            if cms.verifiesWithDigest(.sha256) {
                #expect((result.signature == .valid) == failed.isEmpty, "\(signature) over \(file): \(result.signature)")
                compared += 1
            } else if case .unsupported = result.signature {
            } else {
                Issue.record("\(signature): expected unsupported, got \(result.signature)")
            }
        }
        #expect(compared >= 8)
    }
}

extension CMSTests {
    /// Content given as bytes, and a SignedData whose digestAlgorithms names an algorithm
    /// OpenSSL does not know: not valid (OpenSSL 3.0 leaked its copy of a memory BIO's content
    /// on this path; the bytes now reach it through a read-only ByteSource BIO).
    @Test func unknownDigestAlgorithmOverBytesIsNotValid() throws {
        var der = try TestVectors.data("cms/rsa.p7s")
        let content = try TestVectors.data("cms/firmware.bin")
        let roots = try Certificate.load(contentsOf: ProjectPaths.keysExample.appendingPathComponent("pki-rsa/root.pem").path)
        let at = CryptoVectors.date("2026-06-01T00:00:00Z")
        let good = try CMSSignedData(bytes: der).verify(content: .bytes(content), roots: roots, at: at)
        #expect(good.signature == .valid)
        let sha256OID = Data([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01])
        let first = try #require(der.range(of: sha256OID))  // SignedData.digestAlgorithms comes first
        der[first.upperBound - 1] = 0x7f
        let result = try CMSSignedData(bytes: der).verify(content: .bytes(content), roots: roots, at: at)
        #expect(result.signature != .valid)
    }
}
