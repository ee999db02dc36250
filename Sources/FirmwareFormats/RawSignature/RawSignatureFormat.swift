import FirmwareCrypto
import Foundation

extension FormatID {
    /// A bare signature over a file (`openssl dgst -sha256 -sign KEY -out FILE.sig FILE`,
    /// `openssl pkeyutl -sign -rawin` for Ed25519).
    public static let rawSignature: FormatID = "raw-signature"
}

/// A bare signature with no container: `fwgate verify FILE --signature FILE.sig --trust KEY.pem`.
/// Nothing in the signature names its key or algorithm, so each trusted key is tried with the
/// schemes its type allows:
///
/// - RSA: PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512 (the DigestInfo names which), and PSS with
///   SHA-256 (any salt length);
/// - ECDSA P-256/P-384/P-521: SHA-256/SHA-384/SHA-512 respectively, DER or fixed-width r‖s;
/// - Ed25519: pure, over the file (files up to 256 MiB).
///
/// With no key id to tell a foreign key from a changed file, a signature that no trusted key
/// verifies is `signature.invalid` when some trusted key could have made it (right type and
/// size), and `key.untrusted` when none could. Detected last: any --signature file no other
/// format claims.
public enum RawSignatureFormat: FirmwareFormat {
    public static let id: FormatID = .rawSignature
    public static let name = "raw signature"
    public static let detects = "a --signature file no other format claims (tried last)"
    public static let verifies = [
        "RSA PKCS#1 v1.5 (SHA-256/384/512) or PSS (SHA-256), ECDSA (DER or r||s) or Ed25519 over the file, with a trusted key",
    ]
    public static let checkCodes: [CheckCode] = [.malformedLength, .signatureInvalid, .keyUntrusted, .integrityUnverifiable]
    public static let parsedPart: ParsedPart = .companion(.signature)
    public static let companionRoles: Set<Artifact.Role> = [.signature]
    /// Large enough for RSA-16384, far below anything that is not a signature.
    static let maxLength: Int64 = 2048

    public static func sniff(_ source: any ByteSource) -> Bool { true }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> RawSignatureDescription {
        guard source.count > 0, source.count <= maxLength else {
            throw MalformedInput(
                .malformedLength, at: 0,
                "a raw signature is 64 to \(maxLength) bytes; this --signature file has \(source.count) (and is no signature format fwgate knows)")
        }
        var reader = ByteReader(source)
        let bytes = try reader.take(Int(source.count), what: "raw signature")
        let shape: String
        switch bytes.count {
        case 64: shape = "64 bytes: Ed25519, or ECDSA P-256 r||s"
        case 96: shape = "96 bytes: ECDSA P-384 r||s"
        case 132: shape = "132 bytes: ECDSA P-521 r||s"
        default: shape = bytes.first == 0x30 ? "\(bytes.count) bytes: DER (ECDSA)" : "\(bytes.count) bytes: RSA-\(bytes.count * 8)"
        }
        return RawSignatureDescription(length: bytes.count, shape: shape, bytes: bytes)
    }

    /// Only the digests a signature of this length and shape could sign (what ``schemes(for:length:der:)``
    /// allows for any key type), so a 64-byte Ed25519 or P-256 signature costs one pass, not three.
    public static func digestRequests(for description: RawSignatureDescription) -> [DigestRequest] {
        let bits = description.length * 8
        let candidates: [KeyAlgorithm] = [.rsa(bits: bits), .ec(curve: .p256), .ec(curve: .p384), .ec(curve: .p521), .ed25519]
        let digests = Set(candidates.flatMap { schemes(for: $0, length: description.length, der: description.der) }.compactMap(\.1))
        return [DigestAlgorithm.sha256, .sha384, .sha512].filter(digests.contains).map { .wholeFile($0) }
    }

    public static func verify(_ description: RawSignatureDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        let subject = input.artifact.companion(.signature) ?? input.path
        var plausible: [TrustedKey] = []
        var unverifiable: Check?
        for key in input.trustedKeys {
            var schemes = self.schemes(for: key.key.algorithm, length: description.length, der: description.der)
            if let named = input.signatureScheme {
                schemes = (schemes + named.extraCandidates(for: key.key.algorithm, length: description.length, der: description.der))
                    .filter { named.admits($0.0, digest: $0.1) }
            }
            guard !schemes.isEmpty else { continue }
            plausible.append(key)
            for (scheme, digest) in schemes {
                let signed: SignedInput
                if let digest {
                    // A scheme named with --signature-scheme may sign a digest the pipeline did
                    // not compute (ECDSA P-256 with SHA-384): hash the file for it then.
                    guard let value = input.wholeFileDigest(digest) ?? (try? Digest.hash(input.source, using: digest)) else { continue }
                    signed = .digest(value.bytes)
                } else {
                    do {
                        signed = .message(try SignatureText.wholeFile(input.source, path: input.path))
                    } catch {
                        unverifiable = error.check
                        continue
                    }
                }
                if case .valid = key.key.verify(signature: description.bytes, over: signed, scheme: scheme) {
                    return FormatVerificationResult(
                        checks: [
                            .passed(.keyUntrusted, subject: subject, "verified by trusted key '\(key.name)'"),
                            .passed(.signatureInvalid, subject: subject, "\(scheme) signature over \(input.path) verifies with '\(key.name)'"),
                        ],
                        signer: Signer(name: key.name, keyFingerprint: key.fingerprint), signed: true, signingKey: key.key)
                }
            }
        }
        if let unverifiable, plausible.count == 1 {
            return FormatVerificationResult(checks: [unverifiable], signed: true)
        }
        if plausible.isEmpty {
            let kinds = input.trustedKeys.map { "'\($0.name)' \($0.key.algorithm)" }
            return FormatVerificationResult(
                checks: [
                    .failed(
                        .keyUntrusted, subject: subject,
                        "no trusted key could have made a \(description.shape) signature (trusted: \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))")
                ],
                signed: true)
        }
        return FormatVerificationResult(
            checks: [
                .failed(
                    .signatureInvalid, subject: subject,
                    "the \(description.shape) signature over \(input.path) verifies with none of the trusted key(s) \(plausible.map { "'\($0.name)'" }.joined(separator: ", ")): the file or the signature was changed, or another key signed it"
                )
            ],
            signed: true)
    }

    /// The schemes a key of this type could have made a signature of this length with, and the
    /// digest each signs (nil: the message itself).
    static func schemes(for algorithm: KeyAlgorithm, length: Int, der: Bool) -> [(SignatureScheme, DigestAlgorithm?)] {
        switch algorithm {
        case .rsa(let bits), .rsaPSS(let bits):
            guard length == (bits + 7) / 8 else { return [] }
            return [
                (.rsaPKCS1v15(.sha256), .sha256), (.rsaPKCS1v15(.sha384), .sha384), (.rsaPKCS1v15(.sha512), .sha512),
                (.rsaPSS(.sha256, saltLength: .auto), .sha256),
            ]
        case .ec(let curve):
            let digest: DigestAlgorithm
            switch curve {
            case .p256: digest = .sha256
            case .p384: digest = .sha384
            case .p521: digest = .sha512
            default: return []
            }
            let field = curve.fieldByteCount
            if length == 2 * field { return [(.ecdsa(digest, encoding: .raw), digest)] }
            // DER: a SEQUENCE of two INTEGERs of about the field size (shorter by more than 4
            // bytes each only with probability 2^-64).
            return der && length >= 2 * field - 2 && length <= 2 * field + 9 ? [(.ecdsa(digest, encoding: .der), digest)] : []
        case .ed25519:
            return length == 64 ? [(.ed25519, nil)] : []
        default:
            return []
        }
    }
}

/// What `fwgate inspect` shows of a raw signature: its length and what it could be.
public struct RawSignatureDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .rawSignature }
    public var length: Int
    public var shape: String
    /// Starts like a DER SEQUENCE (an ECDSA signature in DER).
    var der: Bool { bytes.first == 0x30 }
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }
    var bytes: Data

    enum CodingKeys: String, CodingKey { case format, length, shape }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(length, forKey: .length)
        try container.encode(shape, forKey: .shape)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a raw signature description is made by parsing, not decoded"))
    }

    init(length: Int, shape: String, bytes: Data) {
        self.length = length
        self.shape = shape
        self.bytes = bytes
    }
}
