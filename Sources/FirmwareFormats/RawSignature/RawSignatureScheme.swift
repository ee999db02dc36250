import FirmwareCrypto
import Foundation

/// The scheme of a raw signature when the caller knows it (`--signature-scheme`): only that
/// scheme is tried. Without it, every standard scheme for the trusted key's type is tried and the
/// report says which verified. ECDSA's encoding (DER or r‖s) still follows the signature's length.
public enum RawSignatureScheme: String, Sendable, CaseIterable, Codable {
    case rsaPKCS1SHA256 = "rsa-pkcs1-sha256"
    case rsaPKCS1SHA384 = "rsa-pkcs1-sha384"
    case rsaPKCS1SHA512 = "rsa-pkcs1-sha512"
    case rsaPSSSHA256 = "rsa-pss-sha256"
    case rsaPSSSHA384 = "rsa-pss-sha384"
    case rsaPSSSHA512 = "rsa-pss-sha512"
    case ecdsaSHA256 = "ecdsa-sha256"
    case ecdsaSHA384 = "ecdsa-sha384"
    case ecdsaSHA512 = "ecdsa-sha512"
    case ed25519

    /// The names, for help texts.
    public static var nameList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether a candidate scheme (and the digest it signs) is this one.
    func admits(_ scheme: SignatureScheme, digest: DigestAlgorithm?) -> Bool {
        switch (self, scheme) {
        case (.rsaPKCS1SHA256, .rsaPKCS1v15(.sha256)), (.rsaPKCS1SHA384, .rsaPKCS1v15(.sha384)), (.rsaPKCS1SHA512, .rsaPKCS1v15(.sha512)):
            true
        case (.rsaPSSSHA256, .rsaPSS(.sha256, _, _)), (.rsaPSSSHA384, .rsaPSS(.sha384, _, _)), (.rsaPSSSHA512, .rsaPSS(.sha512, _, _)):
            true
        case (.ecdsaSHA256, .ecdsa(.sha256, _)), (.ecdsaSHA384, .ecdsa(.sha384, _)), (.ecdsaSHA512, .ecdsa(.sha512, _)):
            true
        case (.ed25519, .ed25519):
            true
        default:
            false
        }
    }

    /// The candidates a named scheme adds for a key type that the defaults do not try (PSS
    /// with SHA-384/512, ECDSA with another digest than the curve's).
    func extraCandidates(for algorithm: KeyAlgorithm, length: Int, der: Bool) -> [(SignatureScheme, DigestAlgorithm?)] {
        switch (self, algorithm) {
        case (.rsaPSSSHA384, .rsa(let bits)), (.rsaPSSSHA384, .rsaPSS(let bits)):
            length == (bits + 7) / 8 ? [(.rsaPSS(.sha384, saltLength: .auto), .sha384)] : []
        case (.rsaPSSSHA512, .rsa(let bits)), (.rsaPSSSHA512, .rsaPSS(let bits)):
            length == (bits + 7) / 8 ? [(.rsaPSS(.sha512, saltLength: .auto), .sha512)] : []
        case (.ecdsaSHA256, .ec(let curve)), (.ecdsaSHA384, .ec(let curve)), (.ecdsaSHA512, .ec(let curve)):
            {
                let digest: DigestAlgorithm = self == .ecdsaSHA256 ? .sha256 : (self == .ecdsaSHA384 ? .sha384 : .sha512)
                if length == 2 * curve.fieldByteCount { return [(.ecdsa(digest, encoding: .raw), digest)] }
                return der ? [(.ecdsa(digest, encoding: .der), digest)] : []
            }()
        default:
            []
        }
    }
}
