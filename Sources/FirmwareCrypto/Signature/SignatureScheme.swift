/// How a signature was made: the algorithm, its hash and its encoding.
public enum SignatureScheme: Sendable, Hashable, CustomStringConvertible {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    case rsaPKCS1v15(DigestAlgorithm)
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over `mgf1` (the same hash when nil).
    case rsaPSS(DigestAlgorithm, saltLength: PSSSaltLength, mgf1: DigestAlgorithm? = nil)
    /// ECDSA (FIPS 186-5 §6) over the hash, signature DER `SEQUENCE {r, s}` or raw `r || s`.
    case ecdsa(DigestAlgorithm, encoding: ECDSASignatureEncoding)
    /// PureEdDSA Ed25519 (RFC 8032 §5.1): signs the message itself, never a digest.
    case ed25519

    /// The hash the scheme signs with (nil for Ed25519).
    public var digest: DigestAlgorithm? {
        switch self {
        case .rsaPKCS1v15(let digest), .rsaPSS(let digest, _, _), .ecdsa(let digest, _): digest
        case .ed25519: nil
        }
    }

    public var description: String {
        switch self {
        case .rsaPKCS1v15(let digest): "RSA PKCS#1 v1.5 \(digest)"
        case .rsaPSS(let digest, let salt, _): "RSA-PSS \(digest) salt \(salt)"
        case .ecdsa(let digest, let encoding): "ECDSA \(digest) (\(encoding.rawValue))"
        case .ed25519: "Ed25519"
        }
    }
}

/// The PSS salt length a verifier expects.
public enum PSSSaltLength: Sendable, Hashable, CustomStringConvertible {
    /// The salt is as long as the digest (the common choice; MCUboot, ESP32).
    case digestLength
    /// The salt is as long as it can be for the key.
    case maximum
    /// Any salt length: recovered from the signature.
    case auto
    /// Exactly this many bytes.
    case bytes(Int)

    public var description: String {
        switch self {
        case .digestLength: "= digest length"
        case .maximum: "maximum"
        case .auto: "auto"
        case .bytes(let n): "\(n) bytes"
        }
    }
}

/// How an ECDSA signature's (r, s) pair is encoded.
public enum ECDSASignatureEncoding: String, Sendable, Hashable, Codable {
    /// ASN.1 DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3).
    case der
    /// Fixed-width big-endian `r || s` (IEEE P1363), each padded to the field size.
    case raw
}

/// What is signed: the message itself, or its digest computed elsewhere (formats such as
/// MCUboot sign a hash they store).
public enum SignedInput: Sendable {
    case message(Data)
    case digest(Data)
}

import Foundation

/// The answer of a signature check. Not a Bool: each case has its own check code.
public enum SignatureVerification: Sendable, Hashable, CustomStringConvertible {
    /// The signature is correct for this key and input.
    case valid
    /// The signature is well-formed but does not match (tampered data, wrong key).
    case invalid
    /// The signature cannot be a signature of this scheme (wrong length, bad DER, ...).
    case malformed(String)
    /// fwgate cannot check this combination (a scheme the key cannot make, an unknown algorithm).
    case unsupported(String)

    public var isValid: Bool { self == .valid }

    public var description: String {
        switch self {
        case .valid: "valid"
        case .invalid: "invalid"
        case .malformed(let reason): "malformed: \(reason)"
        case .unsupported(let reason): "unsupported: \(reason)"
        }
    }
}
