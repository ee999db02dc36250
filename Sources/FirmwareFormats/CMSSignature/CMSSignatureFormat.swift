import FirmwareCrypto
import Foundation

extension FormatID {
    /// A detached CMS / PKCS#7 SignedData over a file (`openssl cms -sign -binary -in FILE
    /// -out FILE.p7s`, `openssl smime -sign`), DER or PEM.
    public static let cms: FormatID = "cms"
}

/// Detached CMS / PKCS#7 signatures (RFC 5652 §5): `fwgate verify FILE --signature FILE.p7s
/// --trust ROOT.pem`. Verified as `openssl cms -verify -binary -purpose codesign` does, and
/// stricter:
///
/// - every SignerInfo's signature must verify over the file (through its signed attributes'
///   message digest, or directly when it has none), streamed from the descriptor the rest of
///   the verification read;
/// - each signer certificate must chain to a `--trust` root (intermediates from the CMS and the
///   trust files), be valid at the context time and allow code signing; revocation is checked
///   when CRLs are given;
/// - an MD5 or SHA-1 message digest is `algorithm.weak` (OpenSSL accepts it);
/// - a CMS that carries its own content is not a signature over FILE and fails.
public enum CMSSignatureFormat: FirmwareFormat {
    public static let id: FormatID = .cms
    public static let name = "CMS / PKCS#7 detached signature"
    public static let detects = "a --signature file: DER ContentInfo of type id-signedData (1.2.840.113549.1.7.2), or PEM 'CMS' / 'PKCS7'"
    public static let verifies = [
        "every SignerInfo signature over the file (with or without signed attributes)",
        "each signer certificate chains to a trusted root, is valid at the context time and allows code signing (CRLs when given)",
        "no MD5 or SHA-1 message digest",
        "the CMS is detached: it signs the file, not content of its own",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedEncoding, .malformedLength, .malformedTruncated, .signatureInvalid, .signatureUnsupportedAlgorithm,
        .certUntrustedChain, .certExpired, .certNotYetValid, .certRevoked, .certPurpose, .certCRLUnavailable, .algorithmWeak,
    ]
    public static let parsedPart: ParsedPart = .companion(.signature)
    public static let companionRoles: Set<Artifact.Role> = [.signature]
    /// A .p7s with a few certificates is a few kilobytes; far larger is not a detached signature.
    static let maxLength: Int64 = 4 << 20

    /// DER: a SEQUENCE whose first member is the OID id-signedData. PEM: a CMS or PKCS7 block.
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard let head = try? source.bytes(at: 0, length: Int(min(source.count, 64))), head.count >= 15 else { return false }
        let bytes = [UInt8](head)
        if bytes[0] == 0x30 {
            // Definite length in short form or 1 to 4 length bytes, then the OID.
            var index = 1
            if bytes[1] & 0x80 != 0 {
                let lengthBytes = Int(bytes[1] & 0x7f)
                guard (1...4).contains(lengthBytes) else { return false }
                index += lengthBytes
            }
            index += 1
            return bytes.count >= index + signedDataOID.count && Array(bytes[index..<(index + signedDataOID.count)]) == signedDataOID
        }
        let text = String(decoding: bytes.drop(while: { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }), as: UTF8.self)
        return pemLabels.contains { text.hasPrefix("-----BEGIN \($0)-----") }
    }

    /// 06 09 2A 86 48 86 F7 0D 01 07 02: OBJECT IDENTIFIER 1.2.840.113549.1.7.2.
    static let signedDataOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]
    static let pemLabels = ["CMS", "PKCS7", "PKCS #7 SIGNED DATA"]

    /// Decodes the SignedData with OpenSSL (fwgate parses no ASN.1 itself) and describes it.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> CMSSignatureDescription {
        guard source.count <= maxLength else {
            throw MalformedInput(
                .malformedLength, at: 0, "a detached CMS signature is at most \(maxLength >> 20) MiB; this --signature file has \(source.count) bytes")
        }
        var reader = ByteReader(source)
        let bytes = try reader.take(Int(source.count), what: "CMS signature")
        let signedData: CMSSignedData
        do {
            signedData = try CMSSignedData(bytes: bytes)
        } catch {
            let openSSL = error.openSSLErrors.map(\.description).joined(separator: "; ")
            throw MalformedInput(
                .malformedEncoding, at: 0,
                "not a CMS SignedData structure: \(error.reason)\(openSSL.isEmpty ? "" : " [\(openSSL)]")")
        }
        return CMSSignatureDescription(
            encoding: bytes.first == 0x30 ? "DER" : "PEM", detached: signedData.isDetached, signerInfos: signedData.signerInfos,
            certificates: signedData.embeddedCertificates.map {
                CMSSignatureDescription.CertificateSummary(subject: $0.subject, issuer: $0.issuer, notAfter: RFC3339.string($0.notAfter), sha256: $0.sha256)
            },
            signedData: signedData)
    }

    /// None: OpenSSL hashes the content itself while it verifies (CMS_verify).
    public static func digestRequests(for description: CMSSignatureDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: CMSSignatureDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        CMSSignatureVerifier(description: description, input: input).result()
    }
}

/// What `fwgate inspect --signature FILE.p7s` shows.
public struct CMSSignatureDescription: FirmwareDescription {
    public var format: FormatID { .cms }
    /// "DER" or "PEM".
    public var encoding: String
    /// False when the structure carries its own content (then it is not a signature over FILE).
    public var detached: Bool
    /// Each SignerInfo's digest and signature algorithm, and whether it has signed attributes.
    public var signerInfos: [CMSSignedData.SignerInfoSummary]
    /// The certificates the structure carries (the signer's and intermediates).
    public var certificates: [CertificateSummary]
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }

    let signedData: CMSSignedData?

    public struct CertificateSummary: Sendable, Codable, Hashable {
        public var subject: String
        public var issuer: String
        public var notAfter: String
        public var sha256: String
    }

    enum CodingKeys: String, CodingKey { case format, encoding, detached, signerInfos, certificates }

    init(
        encoding: String, detached: Bool, signerInfos: [CMSSignedData.SignerInfoSummary], certificates: [CertificateSummary],
        signedData: CMSSignedData
    ) {
        self.encoding = encoding
        self.detached = detached
        self.signerInfos = signerInfos
        self.certificates = certificates
        self.signedData = signedData
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(encoding, forKey: .encoding)
        try container.encode(detached, forKey: .detached)
        try container.encode(signerInfos, forKey: .signerInfos)
        try container.encode(certificates, forKey: .certificates)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a CMS description is made by parsing, not decoded"))
    }
}
