/// What one TLS endpoint served: the certificate chain as sent, the negotiated parameters, and
/// OpenSSL's opinion of the chain, recorded but never enforced.
///
/// A fetch that fails still yields a result: ``error`` says why, and the other fields hold what
/// was learnt before the failure. When the device sent its certificates before the handshake
/// broke (for instance a TLS 1.2 device that then insists on a client certificate), ``chain``
/// holds them and ``error`` is set.
public struct TLSFetchResult: Sendable {
    /// The endpoint that was contacted.
    public let endpoint: TLSEndpoint
    /// The certificates the server sent in its Certificate message (RFC 8446 §4.4.2,
    /// RFC 5246 §7.4.2), leaf first, in the order served, with nothing added or removed.
    /// Empty when the handshake did not get that far.
    public let chain: [Certificate]
    /// Served certificates that OpenSSL could not turn into a ``Certificate`` (for instance an
    /// unreadable public key), so they are missing from ``chain``. Normally empty.
    public let unreadableCertificates: [CryptoError]
    /// The negotiated protocol as OpenSSL names it (`TLSv1.3`, `TLSv1.2`); nil when the
    /// handshake failed before the device sent its certificates.
    public let protocolVersion: String?
    /// The negotiated cipher suite as OpenSSL names it (`TLS_AES_256_GCM_SHA384`,
    /// `ECDHE-ECDSA-AES128-GCM-SHA256`).
    public let cipher: String?
    /// OpenSSL's verification result text for the served chain against the system's default
    /// trust store (`ok`, `unable to get local issuer certificate`, `self-signed certificate`,
    /// `certificate has expired`): the first problem OpenSSL met, or `ok`. The host name is
    /// not checked. Nil when no certificate was served.
    ///
    /// - Warning: This is recorded only. The fetch takes the chain whatever it says; trust
    ///   decisions belong to fwgate's chain validation and policy.
    public let verification: String?
    /// The numeric code behind ``verification`` (`X509_V_OK` is 0, see `openssl verify`'s
    /// list), stable where the text may change between OpenSSL versions.
    public let verificationCode: Int?
    /// Why the fetch failed, or nil when the handshake completed.
    public let error: TLSFetchError?

    init(
        endpoint: TLSEndpoint, chain: [Certificate] = [], unreadableCertificates: [CryptoError] = [],
        protocolVersion: String? = nil, cipher: String? = nil, verification: String? = nil,
        verificationCode: Int? = nil, error: TLSFetchError? = nil
    ) {
        self.endpoint = endpoint
        self.chain = chain
        self.unreadableCertificates = unreadableCertificates
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.verification = verification
        self.verificationCode = verificationCode
        self.error = error
    }

    /// A result that only carries an error.
    static func failure(_ endpoint: TLSEndpoint, _ error: TLSFetchError) -> TLSFetchResult {
        TLSFetchResult(endpoint: endpoint, error: error)
    }
}

/// Why a TLS endpoint could not be read. These describe the network and the device, not the
/// chain: an expired or untrusted chain is not an error (see ``TLSFetchResult/verification``).
public enum TLSFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The host name did not resolve (the text is the resolver's message).
    case resolve(String)
    /// Every address of the host refused the TCP connection (nothing listens on the port).
    case refused
    /// The deadline passed. `phase` is `resolve`, `connect` (no TCP answer) or `handshake`
    /// (TCP connected, but the TLS handshake did not finish in time, e.g. the port does not
    /// speak TLS).
    case timeout(phase: String)
    /// The TLS handshake failed; the text is OpenSSL's (e.g. `SSL routines: wrong version
    /// number` when the port speaks something other than TLS, or an alert the device sent).
    case handshake(String)
    /// A socket or local failure (unreachable network, reset connection, no TLS client
    /// available); the text says which.
    case io(String)

    /// One plain-English sentence.
    public var description: String {
        switch self {
        case .resolve(let message): return "the host name could not be resolved: \(message)"
        case .refused: return "the connection was refused (nothing listens on that port)"
        case .timeout(let phase):
            switch phase {
            case "resolve": return "timed out resolving the host name"
            case "connect": return "timed out connecting (the device did not answer)"
            case "handshake": return "timed out in the TLS handshake (the device accepted the connection but did not complete TLS)"
            default: return "timed out (\(phase))"
            }
        case .handshake(let message): return "the TLS handshake failed: \(message)"
        case .io(let message): return "network error: \(message)"
        }
    }
}
