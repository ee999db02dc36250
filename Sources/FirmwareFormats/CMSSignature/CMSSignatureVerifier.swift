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
        let outcome = CMSChecks.outcome(
            signedData, content: .source(input.source), input: input, subject: subject,
            trustHint: "a CMS signature is trusted through certificates: pass the vendor's root CA certificate with --trust")
        return FormatVerificationResult(
            checks: outcome.checks, signer: outcome.signer, signed: true, earliestExpiry: outcome.earliestExpiry, signingKey: outcome.signingKey)
    }

    /// RFC 5652 §5.2: an attached SignedData's eContent is what it signs; given as the signature
    /// of FILE it proves nothing about FILE (OpenSSL refuses content given twice, too).
    func detached() -> Check? {
        guard !description.detached else { return nil }
        return .failed(
            .signatureInvalid, subject: subject,
            "the CMS structure carries its own signed content (it was made without -detach / with -nodetach), so it is not a signature over \(input.path)")
    }
}
