/// Who vouched for an artifact: the trusted key or certificate that verified it.
public struct Signer: Sendable, Hashable, Codable {
    /// The trust store's name for the key, when it has one.
    public var name: String?
    /// SHA-256 of the signer's DER SubjectPublicKeyInfo.
    public var keyFingerprint: String?
    /// Subject DN of the signer certificate, for certificate-based signatures.
    public var subject: String?

    public init(name: String? = nil, keyFingerprint: String? = nil, subject: String? = nil) {
        self.name = name
        self.keyFingerprint = keyFingerprint
        self.subject = subject
    }
}

