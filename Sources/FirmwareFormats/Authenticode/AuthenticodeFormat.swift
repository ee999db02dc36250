import FirmwareCrypto
import Foundation

extension FormatID {
    /// Authenticode-signed PE/COFF images: EFI applications and drivers, Windows executables.
    public static let authenticode: FormatID = "authenticode"
}

/// PE/COFF images and their Authenticode signatures ("Windows Authenticode Portable Executable
/// Signature Format"; UEFI 2.10 §32.2.4): the certificate table holds WIN_CERTIFICATE entries
/// with a PKCS#7 SignedData whose SpcIndirectDataContent carries the image's digest.
///
/// Verified: the image digest (the whole file but the CheckSum, the security directory entry
/// and the certificate table) against each signature's, every signature (nested ones too) by
/// OpenSSL, each signer chained to a `--trust` root with the code-signing purpose at the
/// context time, or at the time of a trusted RFC 3161 timestamp; nothing after the table and
/// nothing but alignment zeros after a signature.
public enum AuthenticodeFormat: FirmwareFormat {
    public static let id: FormatID = .authenticode
    public static let name = "Authenticode PE/COFF image"
    public static let detects = "'MZ' at offset 0 and 'PE\\0\\0' where e_lfanew (offset 0x3c) points"
    public static let verifies = [
        "the Authenticode digest of the image (all but the CheckSum, the security directory entry and the certificate table) against each signature's SpcIndirectDataContent",
        "each PKCS#7 signature, nested signatures included, chained to a trusted root (code signing) at the context time or at a trusted RFC 3161 timestamp's time",
        "nothing after the certificate table, nothing but alignment zeros after each signature (MS13-098)",
        "the headers, section table and certificate table against the file; the stored CheckSum (a warning when it is wrong)",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedBadMagic, .malformedTruncated, .malformedLength, .malformedEncoding, .signatureMissing, .signatureInvalid,
        .signatureUnsupportedAlgorithm, .integrityDigestMismatch, .integrityUnsignedTrailingData, .integrityChecksumMismatch, .certUntrustedChain,
        .certExpired, .certNotYetValid, .certRevoked, .certPurpose, .certCRLUnavailable, .algorithmWeak,
    ]

    public static func sniff(_ source: any ByteSource) -> Bool { PEImage.sniff(source) }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> AuthenticodeDescription {
        let image = try PEImage.parse(source)
        var signatures: [AuthenticodeDescription.SignatureEntry] = []
        for (index, entry) in image.certificates.enumerated() {
            signatures.append(AuthenticodeDescription.SignatureEntry(index: index + 1, entry: entry, source: source))
        }
        return AuthenticodeDescription(image: image, signatures: signatures, fileSize: source.count)
    }

    public static func digestRequests(for description: AuthenticodeDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: AuthenticodeDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        AuthenticodeVerifier(description: description, input: input).result()
    }
}

/// What `fwgate inspect FILE.efi` shows: the PE headers, sections, and each signature with its
/// signer, certificates, timestamp and nested signatures.
public struct AuthenticodeDescription: FirmwareDescription {
    public var format: FormatID { .authenticode }
    public var image: PEImage
    public var signatures: [SignatureEntry]
    /// Bytes after the certificate table (covered by no signature).
    public var trailingBytes: Int64
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }

    init(image: PEImage, signatures: [SignatureEntry], fileSize: Int64) {
        self.image = image
        self.signatures = signatures
        self.trailingBytes = image.certificateTable.map { fileSize - $0.upperBound } ?? 0
    }

    /// One WIN_CERTIFICATE and what its PKCS#7 says.
    public struct SignatureEntry: Sendable, Codable {
        public var index: Int
        public var offset: Int64
        public var length: Int64
        public var revision: String
        public var certificateType: String
        /// Why the entry's PKCS#7 could not be read, when it could not.
        public var problem: String?
        /// Bytes after the DER structure inside the entry, and whether they are all zero.
        public var paddingBytes: Int64
        public var paddingIsZero: Bool
        public var signature: Summary?

        var decoded: AuthenticodeSignature?

        enum CodingKeys: String, CodingKey { case index, offset, length, revision, certificateType, problem, paddingBytes, paddingIsZero, signature }

        init(index: Int, entry: PEImage.WinCertificate, source: any ByteSource) {
            self.index = index
            self.offset = entry.offset
            self.length = entry.length
            self.revision = "0x" + String(format: "%04x", entry.revision)
            self.certificateType = switch entry.type {
            case 0x0001: "X.509 (0x0001)"
            case 0x0002: "PKCS#7 SignedData (0x0002)"
            case 0x0003: "reserved (0x0003)"
            case 0x0004: "TS stack signed (0x0004)"
            case 0x0EF0: "EFI PKCS1.5 (0x0EF0)"
            case 0x0EF1: "EFI GUID (0x0EF1)"
            default: "0x" + String(format: "%04x", entry.type)
            }
            self.paddingBytes = 0
            self.paddingIsZero = true
            guard entry.isPKCS7 else { return }
            let range = entry.contentRange
            guard let bytes = try? source.bytes(at: range.lowerBound, length: Int(range.count)) else {
                problem = "the entry could not be read"
                return
            }
            guard let derLength = AuthenticodeSignature.derLength(bytes) else {
                problem = "the entry does not start with a complete DER structure"
                return
            }
            paddingBytes = Int64(bytes.count - derLength)
            paddingIsZero = bytes.suffix(from: bytes.startIndex + derLength).allSatisfy { $0 == 0 }
            do {
                let signature = try AuthenticodeSignature(der: bytes.prefix(derLength))
                decoded = signature
                self.signature = Summary(signature)
            } catch {
                problem = error.reason
            }
        }
    }

    /// What a signature declares (not yet verified).
    public struct Summary: Sendable, Codable {
        public var imageDigestAlgorithm: String
        public var imageDigest: String
        public var digestAlgorithm: String
        public var signatureAlgorithm: String
        public var signer: String?
        public var signerIssuer: String?
        public var certificates: [String]
        public var timestamp: Timestamp?
        public var legacyCountersignature: Bool
        public var nested: [Summary]

        public struct Timestamp: Sendable, Codable {
            public var time: String
            public var authority: String?
        }

        init(_ signature: AuthenticodeSignature) {
            imageDigestAlgorithm = signature.imageDigestAlgorithmName
            imageDigest = signature.imageDigest.hexString
            digestAlgorithm = signature.signerInfo.digestAlgorithm
            signatureAlgorithm = signature.signerInfo.signatureAlgorithm
            signer = signature.signerCertificate?.subject
            signerIssuer = signature.signerCertificate?.issuer
            certificates = signature.embeddedCertificates.map(\.subject)
            timestamp = signature.timestamp.map { Timestamp(time: RFC3339.string($0.time), authority: $0.authority?.subject) }
            legacyCountersignature = signature.hasLegacyCountersignature
            nested = signature.nested.map(Summary.init)
        }
    }
}
