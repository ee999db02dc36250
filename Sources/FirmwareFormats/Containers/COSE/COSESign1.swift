import FirmwareCrypto
import Foundation

/// A COSE_Sign1 structure (RFC 9052 §4.2) read from CBOR, and its verification with
/// FirmwareCrypto (no cryptography here: the Sig_structure is built, the key checks it).
///
/// ```
/// COSE_Sign1 = [ protected: bstr .cbor header_map / bstr .size 0, unprotected: header_map,
///                payload: bstr / nil, signature: bstr ]
/// Sig_structure = [ "Signature1", body_protected, external_aad, payload ]   (§4.4)
/// ```
///
/// Algorithms (RFC 9053 §2.1, §2.2): ES256 (-7, P-256 with SHA-256), ES384 (-35, P-384 with
/// SHA-384), EdDSA (-8, Ed25519 here); ECDSA signatures are the fixed-width `r || s` (§2.1).
/// The algorithm must be in the protected header: RFC 9052 §3.1 says `alg` MUST be authenticated
/// where it can be, so an `alg` only in the unprotected header is refused, not used.
public struct COSESign1: Sendable {
    /// The signature algorithms fwgate verifies, by COSE value.
    public enum Algorithm: Int64, Sendable, CaseIterable, CustomStringConvertible {
        case es256 = -7
        case es384 = -35
        case edDSA = -8

        public var description: String {
            switch self {
            case .es256: "ES256"
            case .es384: "ES384"
            case .edDSA: "EdDSA"
            }
        }

        /// How FirmwareCrypto checks it.
        public var scheme: SignatureScheme {
            switch self {
            case .es256: .ecdsa(.sha256, encoding: .raw)
            case .es384: .ecdsa(.sha384, encoding: .raw)
            case .edDSA: .ed25519
            }
        }

        /// Whether a key of this type can make the signature (ES256 only with P-256, ES384 only
        /// with P-384: RFC 9053 §2.1 pairs them; EdDSA with Ed25519).
        public func accepts(_ key: KeyAlgorithm) -> Bool {
            switch (self, key) {
            case (.es256, .ec(curve: .p256)), (.es384, .ec(curve: .p384)), (.edDSA, .ed25519): true
            default: false
            }
        }
    }

    /// What the headers say about the algorithm.
    public enum AlgorithmHeader: Sendable {
        /// In the protected header, and one fwgate verifies.
        case supported(Algorithm)
        /// In the protected header, but not one fwgate verifies (the COSE value or name).
        case unsupported(String)
        /// Only in the unprotected header: not authenticated (RFC 9052 §3.1).
        case unprotectedOnly(String)
        /// In neither header.
        case absent
    }

    /// COSE header labels (RFC 9052 §3.1).
    enum Label {
        static let alg: Int64 = 1
        static let crit: Int64 = 2
        static let kid: Int64 = 4
    }

    /// Where the structure starts (its tag, when tagged).
    public let offset: Int64
    /// The protected header's serialized bytes, exactly as signed.
    public let protectedBytes: Data
    public let algorithm: AlgorithmHeader
    /// `kid` (label 4), from either header.
    public let keyID: Data?
    /// Labels the protected `crit` header (label 2) lists: a verifier that does not understand
    /// them must refuse (RFC 9052 §3.1). fwgate understands none beyond alg and kid.
    public let critical: [String]
    /// The attached payload, or nil when detached.
    public let payload: Data?
    public let signature: Data

    /// Largest protected header, unprotected `kid`, attached payload and signature fwgate reads.
    static let maxFieldLength = 65_536

    /// Reads a COSE_Sign1 (tag 18 optional) from a decoded item whose byte strings lie in
    /// `source`.
    ///
    /// - Throws: `MalformedInput` when the item is not a COSE_Sign1 or a header does not decode.
    public static func parse(_ item: CBORItem, in source: any ByteSource) throws(MalformedInput) -> COSESign1 {
        var body = item
        if let (tag, content) = item.tagged {
            guard tag == 18 else {
                throw MalformedInput(.malformedEncoding, at: item.offset, "COSE_Sign1: tag \(tag) at \(item.offset.hex), not 18 (COSE_Sign1_Tagged)")
            }
            body = content
        }
        guard let fields = body.array, fields.count == 4 else {
            throw MalformedInput(.malformedEncoding, at: body.offset, "COSE_Sign1 at \(body.offset.hex) is \(body.kind), not an array of 4")
        }
        guard let protectedRange = fields[0].bytesRange else {
            throw MalformedInput(.malformedEncoding, at: fields[0].offset, "COSE_Sign1 protected header at \(fields[0].offset.hex) is \(fields[0].kind), not a byte string")
        }
        let protectedBytes = try source.cborBytes(protectedRange, limit: maxFieldLength, what: "COSE_Sign1 protected header")
        // An empty protected header is a zero-length byte string (§3): no map at all.
        let protectedMap: [CBORPair]
        if protectedRange.isEmpty {
            protectedMap = []
        } else {
            let decoded = try CBORDecoder.decode(source, range: protectedRange, what: "COSE_Sign1 protected header")
            guard let pairs = decoded.map else {
                throw MalformedInput(.malformedEncoding, at: decoded.offset, "COSE_Sign1 protected header at \(decoded.offset.hex) is \(decoded.kind), not a map")
            }
            protectedMap = pairs
        }
        guard let unprotectedMap = fields[1].map else {
            throw MalformedInput(.malformedEncoding, at: fields[1].offset, "COSE_Sign1 unprotected header at \(fields[1].offset.hex) is \(fields[1].kind), not a map")
        }
        // §3: a label must not appear in both buckets.
        let unprotectedLabels = Set(unprotectedMap.compactMap(\.key.int))
        for pair in protectedMap {
            if let label = pair.key.int, unprotectedLabels.contains(label) {
                throw MalformedInput(.malformedEncoding, at: pair.key.offset, "COSE_Sign1 header label \(label) is in both the protected and the unprotected header (RFC 9052 §3)")
            }
        }
        func lookup(_ map: [CBORPair], _ label: Int64) -> CBORItem? { map.first { $0.key.int == label }?.value }
        let algorithm: AlgorithmHeader
        if let value = lookup(protectedMap, Label.alg) {
            if let number = value.int, let known = Algorithm(rawValue: number) {
                algorithm = .supported(known)
            } else {
                algorithm = .unsupported(value.int.map { "COSE algorithm \($0)" } ?? value.text.map { "COSE algorithm '\($0)'" } ?? value.kind)
            }
        } else if let value = lookup(unprotectedMap, Label.alg) {
            algorithm = .unprotectedOnly(value.int.map { Algorithm(rawValue: $0)?.description ?? "COSE algorithm \($0)" } ?? value.kind)
        } else {
            algorithm = .absent
        }
        var keyID: Data?
        if let kid = lookup(protectedMap, Label.kid) ?? lookup(unprotectedMap, Label.kid) {
            guard let range = kid.bytesRange else {
                throw MalformedInput(.malformedEncoding, at: kid.offset, "COSE kid at \(kid.offset.hex) is \(kid.kind), not a byte string")
            }
            keyID = try source.cborBytes(range, limit: 1024, what: "COSE kid")
        }
        var critical: [String] = []
        if let crit = lookup(protectedMap, Label.crit) {
            critical = (crit.array ?? [crit]).map { $0.int.map(String.init) ?? $0.text ?? $0.kind }
        }
        let payload: Data?
        if fields[2].isNull {
            payload = nil
        } else if let range = fields[2].bytesRange {
            payload = try source.cborBytes(range, limit: maxFieldLength, what: "COSE_Sign1 payload")
        } else {
            throw MalformedInput(.malformedEncoding, at: fields[2].offset, "COSE_Sign1 payload at \(fields[2].offset.hex) is \(fields[2].kind), not a byte string or null")
        }
        guard let signatureRange = fields[3].bytesRange else {
            throw MalformedInput(.malformedEncoding, at: fields[3].offset, "COSE_Sign1 signature at \(fields[3].offset.hex) is \(fields[3].kind), not a byte string")
        }
        let signature = try source.cborBytes(signatureRange, limit: 1024, what: "COSE_Sign1 signature")
        return COSESign1(
            offset: item.offset, protectedBytes: protectedBytes, algorithm: algorithm, keyID: keyID, critical: critical, payload: payload,
            signature: signature)
    }

    /// The Sig_structure for `payload` (RFC 9052 §4.4), encoded as §9 requires: definite
    /// lengths, shortest heads.
    public func toBeSigned(payload: Data) -> Data {
        var data = CBOREncoder.head(major: 4, 4)
        data += CBOREncoder.text("Signature1")
        data += CBOREncoder.bytes(protectedBytes)
        data += CBOREncoder.bytes(Data())  // external_aad: none
        data += CBOREncoder.bytes(payload)
        return data
    }

    /// Checks the signature with `key` over the attached payload, or over `detached` when the
    /// payload is detached.
    ///
    /// - Returns: `.unsupported` when the algorithm is not a supported protected one or the key
    ///   cannot make it; otherwise what the key says.
    public func verify(with key: PublicKey, detached: Data?) -> SignatureVerification {
        guard case .supported(let algorithm) = algorithm else { return .unsupported("no supported protected algorithm") }
        guard critical.isEmpty else { return .unsupported("critical header parameters \(critical) are not understood") }
        guard algorithm.accepts(key.algorithm) else { return .unsupported("a \(key.algorithm) key cannot make an \(algorithm) signature") }
        guard let message = payload ?? detached else { return .malformed("the payload is detached and none was given") }
        return key.verify(signature: signature, over: .message(toBeSigned(payload: message)), scheme: algorithm.scheme)
    }
}
