import Foundation

/// Everything fwgate shows about one X.509 certificate (RFC 5280 §4.1). Codable: its JSON is
/// part of `certs verify --json` (the `chain` array) and of sweep output.
public struct CertificateDescription: Sendable, Hashable, Codable {
    /// Subject DN in RFC 2253 form (as `openssl x509 -nameopt RFC2253` prints it).
    public var subject: String
    /// Issuer DN in RFC 2253 form.
    public var issuer: String
    /// Serial number: lowercase hex, no separators.
    public var serial: String
    public var notBefore: Date
    public var notAfter: Date
    /// `rsa`, `ec`, `ed25519`, ...
    public var keyType: String
    public var keyBits: Int
    /// The named curve of an EC key.
    public var curve: String?
    /// SHA-256 of the DER SubjectPublicKeyInfo.
    public var keyFingerprint: String
    /// OpenSSL's long name of the signature algorithm, e.g. `sha256WithRSAEncryption`.
    public var signatureAlgorithm: String
    /// Subject alternative names as `DNS:…`, `email:…`, `URI:…`, `IP Address:…`.
    public var subjectAltNames: [String]
    /// keyUsage bits by their RFC 5280 §4.2.1.3 names; nil when the extension is absent.
    public var keyUsage: [String]?
    /// extendedKeyUsage purposes by short name (`codeSigning`) or dotted OID; nil when absent.
    public var extendedKeyUsage: [String]?
    /// basicConstraints cA (RFC 5280 §4.2.1.9).
    public var isCA: Bool
    /// basicConstraints pathLenConstraint, when present.
    public var pathLength: Int?
    /// True when subject and issuer are the same name and the certificate verifies itself.
    public var selfSigned: Bool
    /// SHA-256 of the certificate's DER encoding.
    public var sha256: String
}
