internal import COpenSSL
import Foundation

/// A public key that signatures are checked against.
///
/// Load it from SubjectPublicKeyInfo (PEM or DER), a PKCS#1 RSAPublicKey, a raw Ed25519 key, a
/// raw EC point with a named curve, or an X.509 certificate. Two keys are equal when their DER
/// SubjectPublicKeyInfo is equal.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    let backing: EVPKey
    /// DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    public let spkiDER: Data
    /// What kind of key this is.
    public let algorithm: KeyAlgorithm

    init(backing: EVPKey) throws(CryptoError) {
        let pointer = backing.pointer
        let spki: Data
        do {
            spki = try derEncode { i2d_PUBKEY(pointer, $0) }
        } catch {
            throw ErrorQueue.error(.openSSLFailure, "could not encode the public key")
        }
        self.init(backing: backing, spkiDER: spki)
    }

    /// For keys whose DER SubjectPublicKeyInfo is already known (a certificate's), skipping
    /// OpenSSL 3.0's provider encoder lookup.
    init(backing: EVPKey, spkiDER: Data) {
        self.backing = backing
        self.spkiDER = spkiDER
        self.algorithm = PublicKey.algorithm(of: backing.pointer)
    }

    /// Fingerprint: SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex.
    public var fingerprint: String {
        (try? Digest.hash(spkiDER, using: .sha256).hex) ?? ""
    }

    public var description: String { "\(algorithm) \(fingerprint)" }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
    public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }

    private static func algorithm(of pointer: OpaquePointer) -> KeyAlgorithm {
        let bits = Int(EVP_PKEY_get_bits(pointer))
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA: return .rsa(bits: bits)
        case EVP_PKEY_RSA_PSS: return .rsaPSS(bits: bits)
        case EVP_PKEY_ED25519: return .ed25519
        case EVP_PKEY_ED448: return .ed448
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            if EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1,
                let curve = ECCurve(name: String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            {
                return .ec(curve: curve)
            }
            return .other(name: "EC", bits: bits)
        default:
            let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown"
            return .other(name: name, bits: bits)
        }
    }

    // MARK: - Loading

    /// Loads a DER SubjectPublicKeyInfo.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when the bytes are not exactly one SPKI.
    public init(spkiDER der: Data) throws(CryptoError) {
        ErrorQueue.clear()
        // Parsed as an X509_PUBKEY (what d2i_PUBKEY does inside), so that the DER this key is
        // known by is re-encoded from the parsed fields by OpenSSL's ASN.1 templates, as a
        // certificate's key is: i2d_PUBKEY would go through OpenSSL 3.0's provider encoders,
        // whose first use was a tenth of a small `fwgate verify`'s instructions (callgrind,
        // issue 10). PublicKeyEncodingTests checks the result against `openssl pkey`.
        guard let parsed = derDecode(der, { d2i_X509_PUBKEY(nil, $0, $1) }, free: { X509_PUBKEY_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER SubjectPublicKeyInfo")
        }
        defer { X509_PUBKEY_free(parsed) }
        guard let key = X509_PUBKEY_get(parsed) else {
            throw ErrorQueue.error(.malformedInput, "not a DER SubjectPublicKeyInfo (the key inside cannot be loaded)")
        }
        guard let spki = try? derEncode({ i2d_X509_PUBKEY(parsed, $0) }) else {
            EVP_PKEY_free(key)
            throw ErrorQueue.error(.openSSLFailure, "could not encode the public key")
        }
        self.init(backing: EVPKey(takingOwnershipOf: key), spkiDER: spki)
    }

    /// The DER SubjectPublicKeyInfo the way ``init(spkiDER:)`` computed it before issue 10:
    /// `d2i_PUBKEY`, then `i2d_PUBKEY` through OpenSSL's provider encoders; nil when OpenSSL
    /// rejects the bytes. Only for tests that check the two encodings agree.
    static func providerEncodedSPKI(_ der: Data) -> Data? {
        ErrorQueue.clear()
        guard let key = derDecode(der, { d2i_PUBKEY(nil, $0, $1) }, free: { EVP_PKEY_free($0) }) else { return nil }
        defer { EVP_PKEY_free(key) }
        return try? derEncode { i2d_PUBKEY(key, $0) }
    }

    /// Loads a DER PKCS#1 RSAPublicKey (RFC 8017 §A.1.1).
    ///
    /// - Throws: `CryptoError(.malformedInput)` when the bytes are not exactly one RSAPublicKey.
    public init(pkcs1DER der: Data) throws(CryptoError) {
        ErrorQueue.clear()
        guard let key = derDecode(der, { d2i_PublicKey(EVP_PKEY_RSA, nil, $0, $1) }, free: { EVP_PKEY_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER PKCS#1 RSAPublicKey")
        }
        try self.init(backing: EVPKey(takingOwnershipOf: key))
    }

    /// Loads a raw 32-byte Ed25519 public key.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when the length is not 32.
    public init(rawEd25519 bytes: Data) throws(CryptoError) {
        guard bytes.count == 32 else {
            throw CryptoError(.malformedInput, "a raw Ed25519 public key is 32 bytes, not \(bytes.count)")
        }
        ErrorQueue.clear()
        let key = bytes.withUnsafeBytes {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
        }
        guard let key else { throw ErrorQueue.error(.malformedInput, "not a valid Ed25519 public key") }
        try self.init(backing: EVPKey(takingOwnershipOf: key))
    }

    /// Loads a raw uncompressed EC point `04 || X || Y` on a named curve. OpenSSL checks that
    /// the point lies on the curve.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when the length or prefix is wrong or the point
    ///   is not on the curve.
    public init(rawECPoint bytes: Data, curve: ECCurve) throws(CryptoError) {
        let expected = 1 + 2 * curve.fieldByteCount
        guard bytes.count == expected, bytes.first == 0x04 else {
            throw CryptoError(
                .malformedInput,
                "a raw uncompressed \(curve.rawValue) point is \(expected) bytes starting with 04; got \(bytes.count) bytes")
        }
        ErrorQueue.clear()
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw ErrorQueue.error(.openSSLFailure, "EC is not available in this OpenSSL")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        // OSSL_PARAM keeps pointers to its key and value strings, so all of them must stay
        // alive (withCString) until EVP_PKEY_fromdata returns.
        let status: Int32 = OSSL_PKEY_PARAM_GROUP_NAME.withCString { groupKey in
            OSSL_PKEY_PARAM_PUB_KEY.withCString { pubKey in
                curve.openSSLGroupName.withCString { group in
                    var point = [UInt8](bytes)
                    return point.withUnsafeMutableBytes { raw in
                        var params = [
                            OSSL_PARAM_construct_utf8_string(groupKey, UnsafeMutablePointer(mutating: group), 0),
                            OSSL_PARAM_construct_octet_string(pubKey, raw.baseAddress, raw.count),
                            OSSL_PARAM_construct_end(),
                        ]
                        guard EVP_PKEY_fromdata_init(context) == 1 else { return 0 }
                        return EVP_PKEY_fromdata(context, &key, fwgate_EVP_PKEY_PUBLIC_KEY(), &params)
                    }
                }
            }
        }
        guard status == 1, let key else {
            throw ErrorQueue.error(.malformedInput, "not a valid point on \(curve.rawValue)")
        }
        try self.init(backing: EVPKey(takingOwnershipOf: key))
    }

    /// Loads a key from bytes in a given format, or guesses the format when `format` is nil
    /// (PEM by its label; DER as SPKI, then certificate, then PKCS#1). Raw formats are never
    /// guessed.
    ///
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - format: the encoding, or nil to detect it.
    ///   - curve: the curve, for `ecPointRaw`.
    /// - Throws: `CryptoError(.malformedInput)` saying what was found instead of a key.
    public init(bytes: Data, format: PublicKeyFormat? = nil, curve: ECCurve? = nil) throws(CryptoError) {
        switch format {
        case .spkiDER: try self.init(spkiDER: bytes)
        case .pkcs1DER: try self.init(pkcs1DER: bytes)
        case .ed25519Raw: try self.init(rawEd25519: bytes)
        case .ecPointRaw:
            guard let curve else { throw CryptoError(.malformedInput, "a raw EC point needs its curve") }
            try self.init(rawECPoint: bytes, curve: curve)
        case .certificateDER:
            self = try Certificate(der: bytes).publicKey
        case .spkiPEM, .pkcs1PEM, .certificatePEM, nil:
            if PEM.looksLikePEM(bytes) {
                let blocks = try PEM.decode(bytes)
                guard let block = blocks.first else {
                    throw CryptoError(.malformedInput, "no PEM block found")
                }
                switch block.label {
                case "PUBLIC KEY": try self.init(spkiDER: block.der)
                case "RSA PUBLIC KEY": try self.init(pkcs1DER: block.der)
                case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
                    self = try Certificate(der: block.der).publicKey
                case let label where label.contains("PRIVATE KEY"):
                    throw CryptoError(
                        .malformedInput,
                        "PEM block '\(label)' is a private key; give fwgate the public key (openssl pkey -pubout)")
                default:
                    throw CryptoError(.malformedInput, "PEM block '\(block.label)' is not a public key or certificate")
                }
            } else if format != nil {
                throw CryptoError(.malformedInput, "not PEM (no '-----BEGIN' line)")
            } else if bytes.isEmpty {
                throw CryptoError(.malformedInput, "the file is empty")
            } else if let key = try? PublicKey(spkiDER: bytes) {
                self = key
            } else if let certificate = try? Certificate(der: bytes) {
                self = certificate.publicKey
            } else if let key = try? PublicKey(pkcs1DER: bytes) {
                self = key
            } else {
                throw CryptoError(
                    .malformedInput,
                    "not a public key: neither PEM nor DER SubjectPublicKeyInfo, certificate or PKCS#1 (raw keys need --key-format)")
            }
        }
    }

    /// Loads a key file.
    ///
    /// - Throws: `CryptoError` whose reason starts with the path.
    public init(contentsOf path: String, format: PublicKeyFormat? = nil, curve: ECCurve? = nil) throws(CryptoError) {
        let bytes = try readFile(path)
        do {
            try self.init(bytes: bytes, format: format, curve: curve)
        } catch {
            throw error.prefixed(path)
        }
    }
}

/// Reads a whole small file (keys, certificates, CRLs, signatures) through ``InputFile``.
///
/// - Throws: `CryptoError` naming the file.
func readFile(_ path: String, limit: Int = 64 << 20) throws(CryptoError) -> Data {
    try InputFile.read(path, limit: limit)
}

extension PublicKey {
    /// The DER PKCS#1 RSAPublicKey (RFC 8017 §A.1.1) of an RSA key; nil for other key types.
    /// MCUboot hashes this encoding for RSA keys (KEYHASH, PUBKEY TLVs).
    public var pkcs1DER: Data? {
        guard case .rsa = algorithm else { return nil }
        let pointer = backing.pointer
        return try? derEncode { i2d_PublicKey(pointer, $0) }
    }
}

/// DER ECDSA signatures as some firmware tools store them.
public enum ECDSASignatureDER {
    /// Removes zero bytes after a DER `Ecdsa-Sig-Value` (imgtool `--pad-sig` pads to a fixed
    /// size). OpenSSL parses the value to find where it ends; the signature is returned
    /// unchanged when it does not parse or when anything but zeros follows.
    public static func removingZeroPadding(_ signature: Data) -> Data {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        return signature.withUnsafeBytes { raw -> Data in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else { return signature }
            var cursor: UnsafePointer<UInt8>? = base
            guard let parsed = d2i_ECDSA_SIG(nil, &cursor, raw.count) else { return signature }
            ECDSA_SIG_free(parsed)
            guard let end = cursor else { return signature }
            let used = end - base
            guard used < raw.count, raw[used...].allSatisfy({ $0 == 0 }) else { return signature }
            return signature.prefix(used)
        }
    }
}
