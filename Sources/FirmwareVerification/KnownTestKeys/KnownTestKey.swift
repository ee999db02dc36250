/// A published test or sample signing key: its private half is public, so a signature made with
/// it proves nothing about who built the artifact.
///
/// Entries come from `../shared/conformance/known-test-keys/index.json` (MCUboot, EDK II,
/// esptool, ESP-IDF, RAUC and U-Boot sample material) and from fwgate's own `keys-example/`,
/// written into ``KnownTestKeyList`` by `scripts/known-test-keys.py`. ``KnownTestKeyRule`` fails
/// an artifact signed by one with `key.known-test-key`.
public struct KnownTestKey: Sendable, Hashable, Codable {
    /// Whether upstream published the key as a bare public key or inside a certificate.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A SubjectPublicKeyInfo (or a private key whose public half was derived).
        case publicKey = "public-key"
        /// An X.509 certificate; its subject public key is what is matched.
        case certificate
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), lowercase hex: the same
    /// value as `PublicKey.fingerprint`.
    public let spkiSHA256: String
    /// `RSA-2048`, `EC P-256`, `Ed25519`, ...
    public let algorithm: String
    /// Public key or certificate, as upstream published it.
    public let kind: Kind
    /// Where upstream publishes it: `mcu-tools/mcuboot`, or `fwgate keys-example`.
    public let originRepository: String
    /// The file in ``originRepository`` (e.g. `root-ec-p256.pem`).
    public let originPath: String
    /// The upstream commit the entry was taken from; empty for fwgate's own keys.
    public let originCommit: String
    /// Why it is a known test key and where it is trusted by default.
    public let why: String

    /// Creates an entry (the generated list uses this).
    ///
    /// - Parameters:
    ///   - spkiSHA256: SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex.
    ///   - algorithm: the key algorithm as people write it.
    ///   - kind: public key or certificate.
    ///   - originRepository: the repository that publishes it.
    ///   - originPath: the file in that repository.
    ///   - originCommit: the commit it was taken from.
    ///   - why: the reason it must never be trusted.
    public init(
        spkiSHA256: String, algorithm: String, kind: Kind, originRepository: String, originPath: String,
        originCommit: String, why: String
    ) {
        self.spkiSHA256 = spkiSHA256
        self.algorithm = algorithm
        self.kind = kind
        self.originRepository = originRepository
        self.originPath = originPath
        self.originCommit = originCommit
        self.why = why
    }

    /// `mcu-tools/mcuboot:root-ec-p256.pem`: the origin as one phrase for messages.
    public var origin: String { "\(originRepository):\(originPath)" }
}
