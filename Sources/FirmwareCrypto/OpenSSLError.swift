// Errors raised by FirmwareCrypto when OpenSSL could not do its job, or when an input given by
// the user (a key file, a certificate file) is not what it claims to be. Findings about the
// content being verified (a bad signature, an expired certificate) are never errors: they are
// results (`SignatureVerification`, `ChainValidationResult`).

/// One entry of OpenSSL's error queue, kept with its own text.
public struct OpenSSLErrorEntry: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The packed error code (`ERR_get_error_all`).
    public let code: UInt
    /// The library that raised it, e.g. `PEM routines`.
    public let library: String
    /// OpenSSL's reason string, e.g. `no start line`.
    public let reason: String
    /// Extra data OpenSSL attached to the entry, if any.
    public let data: String?

    public var description: String {
        if let data, !data.isEmpty { return "\(library): \(reason) (\(data))" }
        return "\(library): \(reason)"
    }
}

/// An error from FirmwareCrypto. Two errors compare equal when their codes are equal.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. Stable: callers switch on it.
    public enum Code: String, Sendable, Codable {
        /// The input is not a key, certificate, CRL or CMS structure of a supported kind.
        case malformedInput = "malformed-input"
        /// The input is of a kind fwgate does not support (an unknown key type, curve, ...).
        case unsupported
        /// OpenSSL failed for a reason that is not about the input (allocation, provider).
        case openSSLFailure = "openssl-failure"
        /// A file could not be opened or read.
        case io
    }

    public let code: Code
    /// Plain-English reason, ending with OpenSSL's own text when OpenSSL said something.
    public let reason: String
    /// The whole OpenSSL error queue at the time of failure (may be empty).
    public let openSSLErrors: [OpenSSLErrorEntry]

    public init(_ code: Code, _ reason: String, openSSLErrors: [OpenSSLErrorEntry] = []) {
        self.code = code
        self.reason = reason
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        guard !openSSLErrors.isEmpty else { return reason }
        return reason + " [" + openSSLErrors.map(\.description).joined(separator: "; ") + "]"
    }

    /// The same error with `prefix: ` in front of its reason (context added as an error rises).
    public func prefixed(_ prefix: String) -> CryptoError {
        CryptoError(code, "\(prefix): \(reason)", openSSLErrors: openSSLErrors)
    }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }
}
