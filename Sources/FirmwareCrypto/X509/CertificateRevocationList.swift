internal import COpenSSL
import Foundation

/// An X.509 certificate revocation list (RFC 5280 §5).
public struct CertificateRevocationList: Sendable {
    let backing: X509CRLOwner
    /// Issuer DN in RFC 2253 form.
    public let issuer: String
    public let lastUpdate: Date?
    /// When the CRL stops being current. A CRL past its nextUpdate blocks validation.
    public let nextUpdate: Date?
    /// Whether the CRL carries a cRLNumber extension (RFC 5280 §5.2.3).
    public let hasCRLNumber: Bool

    init(backing: X509CRLOwner) {
        self.backing = backing
        self.issuer = Certificate.name(X509_CRL_get_issuer(backing.pointer))
        self.lastUpdate = Certificate.date(X509_CRL_get0_lastUpdate(backing.pointer))
        self.nextUpdate = Certificate.date(X509_CRL_get0_nextUpdate(backing.pointer))
        self.hasCRLNumber = X509_CRL_get_ext_by_NID(backing.pointer, NID_crl_number, -1) >= 0
    }

    /// Parses one DER CRL.
    ///
    /// - Throws: `CryptoError(.malformedInput)`.
    public init(der: Data) throws(CryptoError) {
        ErrorQueue.clear()
        guard let pointer = derDecode(der, { d2i_X509_CRL(nil, $0, $1) }, free: { X509_CRL_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER X.509 CRL")
        }
        self.init(backing: X509CRLOwner(takingOwnershipOf: pointer))
    }

    /// Parses every CRL in `bytes` (PEM `X509 CRL` blocks, or one DER CRL).
    ///
    /// - Throws: `CryptoError(.malformedInput)` when none is found.
    public static func parseAll(_ bytes: Data) throws(CryptoError) -> [CertificateRevocationList] {
        if bytes.isEmpty { throw CryptoError(.malformedInput, "the file is empty") }
        if PEM.looksLikePEM(bytes) {
            let crls = try PEM.decode(bytes).filter { $0.label == "X509 CRL" }
            guard !crls.isEmpty else { throw CryptoError(.malformedInput, "no 'X509 CRL' PEM block found") }
            var result: [CertificateRevocationList] = []
            for block in crls { result.append(try CertificateRevocationList(der: block.der)) }
            return result
        }
        return [try CertificateRevocationList(der: bytes)]
    }

    /// Loads every CRL in a file.
    ///
    /// - Throws: `CryptoError` whose reason starts with the path.
    public static func load(contentsOf path: String) throws(CryptoError) -> [CertificateRevocationList] {
        let bytes = try readFile(path)
        do {
            return try parseAll(bytes)
        } catch {
            throw error.prefixed(path)
        }
    }
}
