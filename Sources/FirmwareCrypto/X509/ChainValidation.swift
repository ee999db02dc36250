import Foundation

/// Which CRLs are consulted (RFC 5280 §6.3).
public enum CRLCheck: String, Sendable, Codable {
    /// No revocation check.
    case none
    /// The leaf's issuer must supply a current CRL.
    case leaf
    /// Every certificate in the chain must be covered by a current CRL.
    case chain
}

/// What a certificate must be usable for.
public enum CertificatePurpose: String, Sendable, Codable, CaseIterable {
    /// Firmware / code signing: the leaf's extendedKeyUsage must contain id-kp-codeSigning
    /// (RFC 5280 §4.2.1.12) and, when keyUsage is present, digitalSignature; an issuer that
    /// carries an extendedKeyUsage must allow codeSigning or anyExtendedKeyUsage.
    case codeSigning = "code-signing"
}

/// The question put to ``ChainValidator``.
public struct ChainValidationRequest: Sendable {
    public var leaf: Certificate
    /// Untrusted certificates that may be used to build the path.
    public var intermediates: [Certificate]
    /// Trust anchors.
    public var roots: [Certificate]
    public var crls: [CertificateRevocationList]
    public var crlCheck: CRLCheck
    public var purpose: CertificatePurpose?
    /// Further extendedKeyUsage purposes the leaf must allow (short names such as
    /// `clientAuth`, or dotted OIDs). A leaf without the extension allows every purpose
    /// (RFC 5280 §4.2.1.12); ``CertificatePurpose/codeSigning`` is stricter.
    public var requiredExtendedKeyUsages: [String] = []
    /// keyUsage bits the leaf must have when it carries the extension (RFC 5280 §4.2.1.3 names).
    public var requiredKeyUsages: [String] = []
    /// The time at which validity is judged (never read from the clock here).
    public var at: Date
    /// OpenSSL's X509_V_FLAG_X509_STRICT (RFC 5280 conformance checks). On by default.
    /// - Warning: turning it off accepts certificates that violate RFC 5280.
    public var strict: Bool

    public init(
        leaf: Certificate, intermediates: [Certificate] = [], roots: [Certificate], crls: [CertificateRevocationList] = [],
        crlCheck: CRLCheck = .none, purpose: CertificatePurpose? = nil, at: Date, strict: Bool = true
    ) {
        self.leaf = leaf
        self.intermediates = intermediates
        self.roots = roots
        self.crls = crls
        self.crlCheck = crlCheck
        self.purpose = purpose
        self.at = at
        self.strict = strict
    }
}

/// One thing wrong with a chain, tied to the certificate it concerns.
public struct ChainProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case expired
        case notYetValid = "not-yet-valid"
        /// No path to a trust anchor, a bad signature in the path, an issuer that is not a CA,
        /// a path length or name constraint violation, an unhandled critical extension, ...
        case untrustedChain = "untrusted-chain"
        case revoked
        /// The leaf (or an issuer's EKU) does not allow the requested purpose.
        case purpose
        /// A needed CRL is missing, expired, not yet valid or badly signed.
        case crl
        /// MD5/SHA-1 signature, RSA below 2048 bits, EC below 256 bits.
        case weakAlgorithm = "weak-algorithm"
    }

    public let kind: Kind
    /// Position in the chain: 0 is the leaf.
    public let depth: Int?
    /// Subject of the certificate concerned.
    public let subject: String?
    /// OpenSSL's verify error, e.g. `X509_V_ERR_CERT_HAS_EXPIRED`, when OpenSSL raised it.
    public let openSSLError: String?
    /// Plain-English explanation.
    public let message: String

    public init(kind: Kind, depth: Int?, subject: String?, openSSLError: String?, message: String) {
        self.kind = kind
        self.depth = depth
        self.subject = subject
        self.openSSLError = openSSLError
        self.message = message
    }

    public var description: String { message }
}

/// The answer of ``ChainValidator``: the chain that was built and every problem found.
public struct ChainValidationResult: Sendable {
    /// The certificates of the built path, leaf first (as far as it could be built).
    public let chain: [Certificate]
    /// Every problem, in the order found (OpenSSL's first, then fwgate's own checks).
    public let problems: [ChainProblem]
    /// What X509_verify_cert itself concluded (its return value and final error agree on success).
    public let openSSLAccepted: Bool

    /// True when nothing at all is wrong (weak algorithms included).
    public var isValid: Bool { problems.isEmpty && openSSLAccepted }

    /// The earliest notAfter in the chain.
    public var earliestExpiry: Date? { chain.map(\.notAfter).min() }
}
