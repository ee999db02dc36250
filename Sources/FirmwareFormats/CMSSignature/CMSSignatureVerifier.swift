import FirmwareCrypto
import Foundation

/// The rules of a detached CMS signature, one function each.
struct CMSSignatureVerifier {
    let description: CMSSignatureDescription
    let input: FormatVerificationInput
    var subject: String { input.artifact.companion(.signature) ?? input.path }

    func result() -> FormatVerificationResult {
        guard let signedData = description.signedData else {
            return FormatVerificationResult(checks: [.failed(.malformedEncoding, subject: subject, "internal: the SignedData was not decoded")], signed: true)
        }
        if let notDetached = detached() {
            return FormatVerificationResult(checks: [notDetached], signed: true)
        }
        var checks = digestAlgorithms()
        let crlCheck: CRLCheck = input.crls.isEmpty ? .none : .leaf
        let verification: CMSVerificationResult
        do {
            verification = try signedData.verify(
                content: .source(input.source), roots: input.trustedRoots, intermediates: input.intermediates, crls: input.crls,
                crlCheck: crlCheck, purpose: .codeSigning, at: input.at)
        } catch {
            return FormatVerificationResult(
                checks: checks + [.failed(.integrityUnverifiable, subject: subject, "\(input.path): \(error.reason)")], signed: true)
        }
        checks += CMSChecks.checks(for: verification, subject: subject, crlCheck: crlCheck, purpose: .codeSigning, at: input.at)
        if input.trustedRoots.isEmpty, let index = checks.firstIndex(where: { $0.code == .certUntrustedChain && $0.status == .failed }) {
            checks[index].message += " (a CMS signature is trusted through certificates: pass the vendor's root CA certificate with --trust)"
        }
        let failed = checks.contains { $0.status == .failed }
        let leaf = verification.signers.first?.chain.first
        return FormatVerificationResult(
            checks: checks,
            signer: failed ? nil : leaf.map { Signer(name: $0.subject, keyFingerprint: $0.publicKey.fingerprint, subject: $0.subject) },
            signed: true,
            earliestExpiry: verification.signers.compactMap(\.earliestExpiry).min(),
            signingKey: leaf?.publicKey)
    }

    /// RFC 5652 §5.2: an attached SignedData's eContent is what it signs; given as the signature
    /// of FILE it proves nothing about FILE (OpenSSL refuses content given twice, too).
    func detached() -> Check? {
        guard !description.detached else { return nil }
        return .failed(
            .signatureInvalid, subject: subject,
            "the CMS structure carries its own signed content (it was made without -detach / with -nodetach), so it is not a signature over \(input.path)")
    }

    /// Each SignerInfo's message digest: MD5 and SHA-1 allow collisions, so a signature over
    /// them can be moved to other content (NIST SP 800-131A disallows SHA-1 for signatures).
    func digestAlgorithms() -> [Check] {
        let weak = description.signerInfos.filter(\.digestIsWeak).map(\.digestAlgorithm)
        if weak.isEmpty {
            let names = Set(description.signerInfos.map(\.digestAlgorithm)).sorted().joined(separator: ", ")
            return [.passed(.algorithmWeak, subject: subject, "message digest \(names.isEmpty ? "none" : names)")]
        }
        return [
            .failed(
                .algorithmWeak, subject: subject,
                "a SignerInfo uses the \(Set(weak).sorted().joined(separator: ", ")) message digest, which allows collisions: the signature could be moved to other content")
        ]
    }
}
