import FirmwareCrypto
import FirmwareFormats
import Foundation

/// Verifies a certificate file as an artifact of its own (`fwgate certs verify`).
public struct CertificateVerifier: Sendable {
    public var roots: [Certificate]
    public var intermediates: [Certificate]
    public var crls: [CertificateRevocationList]
    public var crlCheck: CRLCheck
    public var purpose: CertificatePurpose?
    public var expiryWarning: TimeInterval?
    public var weakAlgorithms: ChainChecks.WeakAlgorithmHandling

    public init(
        roots: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [],
        crlCheck: CRLCheck = .none, purpose: CertificatePurpose? = nil, expiryWarning: TimeInterval? = nil,
        weakAlgorithms: ChainChecks.WeakAlgorithmHandling = .fail
    ) {
        self.roots = roots
        self.intermediates = intermediates
        self.crls = crls
        self.crlCheck = crlCheck
        self.purpose = purpose
        self.expiryWarning = expiryWarning
        self.weakAlgorithms = weakAlgorithms
    }

    /// Verifies the first certificate in `path`; further certificates in the same file are
    /// used as intermediates.
    ///
    /// - Parameters:
    ///   - path: the leaf certificate file (PEM or DER).
    ///   - at: the verification time.
    /// - Returns: a report; a leaf that cannot be decoded gives a failed `malformed.encoding`
    ///   check, not an error.
    /// - Throws: `FwgateError(.fileNotFound / .unreadableInput)` when the file cannot be read.
    public func verify(path: String, at: Date) throws(FwgateError) -> VerificationReport {
        let source: FileByteSource
        do {
            source = try FileByteSource(path: path)
        } catch {
            throw FwgateError(InputFile.isMissing(path) ? .fileNotFound : .unreadableInput, error.reason)
        }
        guard source.count <= 64 << 20 else {
            throw FwgateError(.unreadableInput, "\(path): \(source.count) bytes is too large for a certificate file")
        }
        // Read once; the report's SHA-256 is taken over the same bytes that are parsed.
        let bytes: Data
        let sha256: String
        do {
            bytes = try source.bytes(at: 0, length: Int(source.count))
            sha256 = try Digest.hash(bytes, using: .sha256).hex
        } catch {
            throw FwgateError(.unreadableInput, "\(path): \(error)")
        }
        return verify(bytes: bytes, sha256: sha256, path: path, at: at)
    }

    /// Verifies the first certificate in `bytes` (PEM or DER); further certificates in them
    /// are used as intermediates.
    ///
    /// - Parameters:
    ///   - bytes: the file's contents, read once by the caller.
    ///   - sha256: their SHA-256 (lowercase hex), for the report.
    ///   - path: the file, for messages.
    ///   - at: the verification time.
    /// - Returns: a report; a leaf that cannot be decoded gives a failed `malformed.encoding`
    ///   check, and a chain OpenSSL could not evaluate a failed `cert.untrusted-chain`.
    public func verify(bytes: Data, sha256: String, path: String, at: Date) -> VerificationReport {
        let certificates: [Certificate]
        do {
            certificates = try Certificate.parseAll(bytes)
        } catch {
            return VerificationReport(
                file: path, sha256: sha256, format: .x509Certificate, signed: false,
                checks: [.failed(.malformedEncoding, subject: path, "not a certificate: \(error.reason)")])
        }
        let leaf = certificates[0]
        let request = ChainValidationRequest(
            leaf: leaf, intermediates: Array(certificates.dropFirst()) + intermediates, roots: roots, crls: crls,
            crlCheck: crlCheck, purpose: purpose, at: at)
        let result: ChainValidationResult
        do {
            result = try ChainValidator.validate(request)
        } catch {
            return VerificationReport(
                file: path, sha256: sha256, format: .x509Certificate, signed: true,
                signer: Signer(keyFingerprint: leaf.publicKey.fingerprint, subject: leaf.subject),
                checks: [.failed(.certUntrustedChain, subject: path, "OpenSSL could not evaluate the chain: \(error)")])
        }
        let checks = ChainChecks.checks(
            for: result, subject: path, crlCheck: crlCheck, purpose: purpose, at: at, expiryWarning: expiryWarning,
            weakAlgorithms: weakAlgorithms)
        let chain = result.chain.isEmpty ? [leaf] : result.chain
        return VerificationReport(
            file: path, sha256: sha256, format: .x509Certificate, signed: true, version: nil,
            signer: Signer(keyFingerprint: leaf.publicKey.fingerprint, subject: leaf.subject),
            earliestExpiry: chain.map(\.notAfter).min(), checks: checks, chain: chain.map(\.info))
    }
}
