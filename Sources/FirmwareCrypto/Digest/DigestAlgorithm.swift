/// The message digests fwgate computes. CRC-32 is not a cryptographic digest and lives in
/// ``CRC32``.
public enum DigestAlgorithm: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case sha1
    case sha224
    case sha256
    case sha384
    case sha512
    case blake2b512
    /// MD5: legacy; reported as weak wherever it protects anything.
    case md5

    /// Digest length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512, .blake2b512: 64
        }
    }

    /// True for algorithms whose collision resistance is broken (MD5, SHA-1): a signature over
    /// one of them is `algorithm.weak`.
    public var isWeak: Bool { self == .md5 || self == .sha1 }

    /// The name OpenSSL knows the algorithm by.
    var openSSLName: String {
        switch self {
        case .sha1: "SHA1"
        case .sha224: "SHA224"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        case .blake2b512: "BLAKE2B-512"
        case .md5: "MD5"
        }
    }

    public var description: String {
        switch self {
        case .sha1: "SHA-1"
        case .sha224: "SHA-224"
        case .sha256: "SHA-256"
        case .sha384: "SHA-384"
        case .sha512: "SHA-512"
        case .blake2b512: "BLAKE2b-512"
        case .md5: "MD5"
        }
    }

    /// Accepts `sha256`, `SHA-256`, `sha-256`, `blake2b`, ... (for command-line options).
    public init?(name: String) {
        // `filter`, not `replacingOccurrences` (NSString bridging).
        let key = String(name.lowercased().filter { $0 != "-" && $0 != "_" })
        switch key {
        case "sha1": self = .sha1
        case "sha224": self = .sha224
        case "sha256": self = .sha256
        case "sha384": self = .sha384
        case "sha512": self = .sha512
        case "blake2b512", "blake2b": self = .blake2b512
        case "md5": self = .md5
        default: return nil
        }
    }
}
