/// A named elliptic curve.
public enum ECCurve: String, Sendable, Hashable, Codable, CaseIterable {
    case p192 = "P-192"
    case p224 = "P-224"
    case p256 = "P-256"
    case p384 = "P-384"
    case p521 = "P-521"
    case secp256k1

    /// The group name OpenSSL uses.
    var openSSLGroupName: String {
        switch self {
        case .p192: "prime192v1"
        case .p224: "secp224r1"
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .p521: "secp521r1"
        case .secp256k1: "secp256k1"
        }
    }

    /// Size of one coordinate (and of r and s in a raw signature), in bytes.
    public var fieldByteCount: Int {
        switch self {
        case .p192: 24
        case .p224: 28
        case .p256, .secp256k1: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// Accepts `P-256`, `p256`, `prime256v1`, `secp256r1`, ...
    public init?(name: String) {
        // `filter`, not `replacingOccurrences` (NSString bridging): every key load asks.
        let key = String(name.lowercased().filter { $0 != "-" })
        switch key {
        case "p192", "prime192v1", "secp192r1": self = .p192
        case "p224", "secp224r1": self = .p224
        case "p256", "prime256v1", "secp256r1": self = .p256
        case "p384", "secp384r1": self = .p384
        case "p521", "secp521r1": self = .p521
        case "secp256k1": self = .secp256k1
        default: return nil
        }
    }
}

/// What kind of public key this is, and how strong.
public enum KeyAlgorithm: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    /// An RSA key restricted to RSASSA-PSS (id-RSASSA-PSS SubjectPublicKeyInfo).
    case rsaPSS(bits: Int)
    case ec(curve: ECCurve)
    case ed25519
    case ed448
    /// Anything else OpenSSL could load; the name is OpenSSL's.
    case other(name: String, bits: Int)

    /// Short family name used in JSON: `rsa`, `ec`, `ed25519`, ...
    public var family: String {
        switch self {
        case .rsa, .rsaPSS: "rsa"
        case .ec: "ec"
        case .ed25519: "ed25519"
        case .ed448: "ed448"
        case .other(let name, _): name.lowercased()
        }
    }

    /// Key size in bits (the modulus for RSA, the group order for EC).
    public var bits: Int {
        switch self {
        case .rsa(let bits), .rsaPSS(let bits), .other(_, let bits): bits
        case .ec(let curve):
            switch curve {
            case .p192: 192
            case .p224: 224
            case .p256, .secp256k1: 256
            case .p384: 384
            case .p521: 521
            }
        case .ed25519: 256
        case .ed448: 456
        }
    }

    /// The curve, for EC keys.
    public var curve: ECCurve? {
        if case .ec(let curve) = self { return curve }
        return nil
    }

    /// Weak by fwgate's default rule: RSA below 2048 bits, EC below 256 bits.
    /// (NIST SP 800-131A Rev. 2 disallows both for signature generation.)
    public var isWeak: Bool {
        switch self {
        case .rsa(let bits), .rsaPSS(let bits): bits < 2048
        case .ec: bits < 256
        case .ed25519, .ed448: false
        // DSA (FIPS 186-5 no longer approves it for signatures) and unknown types are weak.
        case .other: true
        }
    }

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA-\(bits)"
        case .rsaPSS(let bits): "RSA-PSS-\(bits)"
        case .ec(let curve): "ECDSA \(curve.rawValue)"
        case .ed25519: "Ed25519"
        case .ed448: "Ed448"
        case .other(let name, let bits): "\(name)-\(bits)"
        }
    }
}

/// The encodings a public key can be loaded from.
public enum PublicKeyFormat: String, Sendable, Codable, CaseIterable {
    /// SubjectPublicKeyInfo, PEM (`BEGIN PUBLIC KEY`).
    case spkiPEM = "spki-pem"
    /// SubjectPublicKeyInfo, DER.
    case spkiDER = "spki-der"
    /// PKCS#1 RSAPublicKey, PEM (`BEGIN RSA PUBLIC KEY`).
    case pkcs1PEM = "pkcs1-pem"
    /// PKCS#1 RSAPublicKey, DER.
    case pkcs1DER = "pkcs1-der"
    /// A raw 32-byte Ed25519 public key (RFC 8032 §5.1.5).
    case ed25519Raw = "ed25519-raw"
    /// A raw uncompressed EC point `04 || X || Y` (SEC 1 §2.3.3); needs a curve.
    case ecPointRaw = "ec-point-raw"
    /// The key of an X.509 certificate, PEM.
    case certificatePEM = "certificate-pem"
    /// The key of an X.509 certificate, DER.
    case certificateDER = "certificate-der"
}
