import FirmwareCrypto
import Foundation

/// Turns a CMS / PKCS#7 SignedData verification (RFC 5652 §5.6) into checks: one for the
/// structure, one for the signature(s), and each signer's chain through ``ChainChecks``.
///
/// Detached-signature formats (RAUC bundles, SWUpdate, UEFI capsules, `verify --signature`)
/// share it, so a CMS problem carries the same codes whichever format carried the CMS.
public enum CMSChecks {
    /// Where the SignedData comes from.
    public enum Source: Sendable {
        /// DER or PEM bytes already read (the subject names them).
        case bytes(Data)
        /// A file, read whole (bounded by ``CMSSignedData``).
        case file(String)
    }

    /// What to verify the SignedData against.
    public struct Trust: Sendable {
        public var roots: [Certificate]
        public var intermediates: [Certificate]
        public var crls: [CertificateRevocationList]
        public var crlCheck: CRLCheck
        public var purpose: CertificatePurpose?

        /// - Parameters:
        ///   - roots: trust anchors for the signer chains.
        ///   - intermediates: untrusted certificates beside the ones the CMS carries.
        ///   - crls: CRLs for revocation checks.
        ///   - crlCheck: which certificates need a current CRL.
        ///   - purpose: the purpose required of each signer certificate (nil: any).
        public init(
            roots: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [], crlCheck: CRLCheck = .none,
            purpose: CertificatePurpose? = .codeSigning
        ) {
            self.roots = roots
            self.intermediates = intermediates
            self.crls = crls
            self.crlCheck = crlCheck
            self.purpose = purpose
        }
    }

    /// Loads and verifies a SignedData, then turns the outcome into checks.
    ///
    /// A structure OpenSSL cannot decode is a failed `malformed.encoding` check whose message
    /// and `detail["openssl"]` keep OpenSSL's own reason; it is a finding, not an error.
    ///
    /// - Parameters:
    ///   - source: the SignedData bytes or file.
    ///   - content: the signed content of a detached signature; nil when it is attached.
    ///   - trust: roots, intermediates, CRLs and purpose.
    ///   - subject: what the checks are about (usually the signature file).
    ///   - at: the verification time.
    ///   - expiryWarning: a window; a signer chain expiring inside it gets a `cert.expiring-soon` warning.
    ///   - weakAlgorithms: whether `algorithm.weak` fails or warns.
    /// - Returns: the checks, failed ones included; never empty.
    /// - Throws: `CryptoError(.io)` when the SignedData or content file cannot be read;
    ///   `.openSSLFailure` when OpenSSL fails for a reason that is not about the input.
    public static func checks(
        for source: Source, content: CMSSignedData.Content?, trust: Trust, subject: String, at: Date,
        expiryWarning: TimeInterval? = nil, weakAlgorithms: ChainChecks.WeakAlgorithmHandling = .fail
    ) throws(CryptoError) -> [Check] {
        let signedData: CMSSignedData
        do {
            switch source {
            case .bytes(let data): signedData = try CMSSignedData(bytes: data)
            case .file(let path): signedData = try CMSSignedData(contentsOf: path)
            }
        } catch where error.code == .malformedInput {
            return [malformed(error, subject: subject)]
        }
        let result = try signedData.verify(
            content: content, roots: trust.roots, intermediates: trust.intermediates, crls: trust.crls, crlCheck: trust.crlCheck,
            purpose: trust.purpose, at: at)
        return checks(
            for: result, subject: subject, crlCheck: trust.crlCheck, purpose: trust.purpose, at: at, expiryWarning: expiryWarning,
            weakAlgorithms: weakAlgorithms)
    }

    /// Checks for a verification that was already run.
    ///
    /// The signature answer becomes `signature.invalid` (passed when valid; failed when invalid
    /// or malformed) or a failed `signature.unsupported-algorithm`; each signer chain adds the
    /// checks of ``ChainChecks/checks(for:subject:crlCheck:purpose:at:expiryWarning:weakAlgorithms:)``.
    /// Fail-closed: a valid signature with no signer certificate to validate fails
    /// `cert.untrusted-chain`.
    ///
    /// - Parameters:
    ///   - result: what ``CMSSignedData/verify(content:roots:intermediates:crls:crlCheck:purpose:at:)`` answered.
    ///   - subject: what the checks are about.
    ///   - crlCheck: whether revocation was checked.
    ///   - purpose: the required purpose.
    ///   - at: the verification time.
    ///   - expiryWarning: the `cert.expiring-soon` window.
    ///   - weakAlgorithms: whether `algorithm.weak` fails or warns.
    /// - Returns: the checks, failed ones included.
    public static func checks(
        for result: CMSVerificationResult, subject: String, crlCheck: CRLCheck, purpose: CertificatePurpose?, at: Date,
        expiryWarning: TimeInterval? = nil, weakAlgorithms: ChainChecks.WeakAlgorithmHandling = .fail
    ) -> [Check] {
        var checks: [Check] = []
        switch result.signature {
        case .valid:
            checks.append(
                .passed(
                    .signatureInvalid, subject: subject,
                    "every SignerInfo signature verifies over the content (\(result.signers.count) signer(s))"))
        case .invalid:
            checks.append(
                .failed(
                    .signatureInvalid, subject: subject,
                    "a SignerInfo signature or its message digest does not match the content: the content or the signature was changed"))
        case .malformed(let reason):
            checks.append(.failed(.signatureInvalid, subject: subject, "the CMS signature could not be checked: \(reason)"))
        case .unsupported(let reason):
            checks.append(.failed(.signatureUnsupportedAlgorithm, subject: subject, "CMS: \(reason)"))
        }
        if result.signers.isEmpty {
            if result.signature == .valid {
                checks.append(.failed(.certUntrustedChain, subject: subject, "no signer certificate could be validated"))
            } else {
                checks.append(Check(.certUntrustedChain, .skipped, subject: subject, "no signer certificate was identified"))
            }
        }
        for signer in result.signers {
            checks += ChainChecks.checks(
                for: signer, subject: subject, crlCheck: crlCheck, purpose: purpose, at: at, expiryWarning: expiryWarning,
                weakAlgorithms: weakAlgorithms)
        }
        return checks
    }

    static func malformed(_ error: CryptoError, subject: String) -> Check {
        let openSSL = error.openSSLErrors.map(\.description).joined(separator: "; ")
        let message = openSSL.isEmpty ? "not a CMS SignedData structure: \(error.reason)" : "not a CMS SignedData structure: \(error.reason) [\(openSSL)]"
        return .failed(.malformedEncoding, subject: subject, message, detail: openSSL.isEmpty ? nil : ["openssl": openSSL])
    }
}

/// What a format reports of a CMS signature it carries: the checks (signature, each signer's
/// chain, message digest strength), and the signer, its key and the chain's earliest expiry for
/// the result. The signer is nil when one of these checks failed; the format still drops it when
/// one of its own checks fails.
public struct CMSOutcome: Sendable {
    public var checks: [Check]
    public var signer: Signer?
    public var signingKey: PublicKey?
    public var earliestExpiry: Date?
    /// The first signer's certificate, when one was identified.
    public var signerCertificate: Certificate?
}

extension CMSChecks {
    /// Verifies a SignedData a format carries, against the input's roots, intermediates and CRLs
    /// at the input's time, the one way every CMS-carrying format does.
    ///
    /// - Parameters:
    ///   - signedData: the decoded SignedData.
    ///   - content: the detached content, or nil when attached.
    ///   - input: trust and time.
    ///   - subject: what the checks are about.
    ///   - purpose: the purpose asked of each signer chain (nil: none).
    ///   - trustHint: added to a failed `cert.untrusted-chain` when no root was given, to say
    ///     what to pass with --trust.
    public static func outcome(
        _ signedData: CMSSignedData, content: CMSSignedData.Content?, input: FormatVerificationInput, subject: String,
        purpose: CertificatePurpose? = .codeSigning, trustHint: String
    ) -> CMSOutcome {
        let crlCheck: CRLCheck = input.crls.isEmpty ? .none : .leaf
        var checks = [digestStrength(signedData, subject: subject)]
        let verification: CMSVerificationResult
        do {
            verification = try signedData.verify(
                content: content, roots: input.trustedRoots, intermediates: input.intermediates, crls: input.crls, crlCheck: crlCheck,
                purpose: purpose, at: input.at)
        } catch {
            return CMSOutcome(checks: checks + [.failed(.integrityUnverifiable, subject: subject, error.reason)])
        }
        checks += Self.checks(for: verification, subject: subject, crlCheck: crlCheck, purpose: purpose, at: input.at)
        addTrustHint(trustHint, to: &checks, input: input)
        let leaf = verification.signers.first?.chain.first
        let failed = checks.contains { $0.status == .failed }
        return CMSOutcome(
            checks: checks, signer: failed ? nil : leaf.map { Signer(name: $0.subject, keyFingerprint: $0.publicKey.fingerprint, subject: $0.subject) },
            signingKey: leaf?.publicKey, earliestExpiry: verification.signers.compactMap(\.earliestExpiry).min(), signerCertificate: leaf)
    }

    /// Adds `hint` to a failed `cert.untrusted-chain` when no root was given with --trust, to
    /// say what to pass.
    public static func addTrustHint(_ hint: String, to checks: inout [Check], input: FormatVerificationInput) {
        if input.trustedRoots.isEmpty, let index = checks.firstIndex(where: { $0.code == .certUntrustedChain && $0.status == .failed }) {
            checks[index].message += " (\(hint))"
        }
    }

    /// Each SignerInfo's message digest: MD5 and SHA-1 allow collisions, so a signature over
    /// them can be moved to other content (NIST SP 800-131A disallows SHA-1 for signatures).
    static func digestStrength(_ signedData: CMSSignedData, subject: String) -> Check {
        let weak = Set(signedData.signerInfos.filter(\.digestIsWeak).map(\.digestAlgorithm)).sorted()
        guard weak.isEmpty else {
            return .failed(
                .algorithmWeak, subject: subject,
                "a SignerInfo uses the \(weak.joined(separator: ", ")) message digest, which allows collisions: the signature could be moved to other content")
        }
        let names = Set(signedData.signerInfos.map(\.digestAlgorithm)).sorted().joined(separator: ", ")
        return .passed(.algorithmWeak, subject: subject, "message digest \(names.isEmpty ? "none" : names)")
    }
}
