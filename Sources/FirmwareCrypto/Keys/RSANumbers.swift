internal import COpenSSL
import Foundation

extension PublicKey {
    /// Builds an RSA public key from its modulus and public exponent (RFC 8017 §3.1) with
    /// OpenSSL (`EVP_PKEY_fromdata`), for formats that store raw (n, e) such as ESP32 Secure
    /// Boot v2 signature blocks.
    ///
    /// - Parameters:
    ///   - modulus: n, big-endian, unsigned.
    ///   - exponent: e.
    /// - Throws: `CryptoError(.malformedInput)` when OpenSSL refuses the numbers.
    public init(rsaModulus modulus: Data, exponent: UInt32) throws(CryptoError) {
        ErrorQueue.clear()
        guard !modulus.isEmpty, modulus.count <= 2048 else {
            throw CryptoError(.malformedInput, "an RSA modulus of \(modulus.count) bytes is not supported")
        }
        let n = modulus.withUnsafeBytes { BN_bin2bn($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count), nil) }
        guard let n else { throw ErrorQueue.error(.openSSLFailure, "could not allocate a BIGNUM") }
        defer { BN_free(n) }
        guard let e = BN_new() else { throw ErrorQueue.error(.openSSLFailure, "could not allocate a BIGNUM") }
        defer { BN_free(e) }
        guard BN_set_word(e, UInt(exponent)) == 1 else { throw ErrorQueue.error(.openSSLFailure, "could not build RSA parameters") }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw ErrorQueue.error(.openSSLFailure, "RSA is not available in this OpenSSL")
        }
        defer { EVP_PKEY_CTX_free(context) }
        // OSSL_PARAM_BLD keeps pointers to the key names, so they must outlive the fromdata call.
        let key: OpaquePointer? = OSSL_PKEY_PARAM_RSA_N.withCString { nName in
            OSSL_PKEY_PARAM_RSA_E.withCString { eName in
                guard let builder = OSSL_PARAM_BLD_new() else { return nil }
                defer { OSSL_PARAM_BLD_free(builder) }
                guard OSSL_PARAM_BLD_push_BN(builder, nName, n) == 1, OSSL_PARAM_BLD_push_BN(builder, eName, e) == 1,
                    let params = OSSL_PARAM_BLD_to_param(builder)
                else { return nil }
                defer { OSSL_PARAM_free(params) }
                var key: OpaquePointer?
                guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &key, fwgate_EVP_PKEY_PUBLIC_KEY(), params) == 1
                else { return nil }
                return key
            }
        }
        guard let key else { throw ErrorQueue.error(.malformedInput, "not a valid RSA public key (n, e)") }
        try self.init(backing: EVPKey(takingOwnershipOf: key))
    }

    /// The RSA modulus n (big-endian, no leading zeros) and exponent e; nil for other keys.
    public var rsaNumbers: (modulus: Data, exponent: Data)? {
        guard case .rsa = algorithm else { return nil }
        func number(_ name: String) -> Data? {
            var bn: OpaquePointer?
            guard EVP_PKEY_get_bn_param(backing.pointer, name, &bn) == 1, let bn else { return nil }
            defer { BN_free(bn) }
            var out = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
            _ = BN_bn2bin(bn, &out)
            return Data(out)
        }
        guard let n = number(OSSL_PKEY_PARAM_RSA_N), let e = number(OSSL_PKEY_PARAM_RSA_E) else { return nil }
        return (n, e)
    }
}

/// Montgomery constants of an RSA modulus, computed with OpenSSL's BIGNUM (ESP32 Secure Boot v2
/// blocks store them beside n so the ROM can verify quickly).
public enum RSAMontgomery {
    /// `rinv = 2^(2·bits) mod n` and `mdash = −n⁻¹ mod 2^32`.
    ///
    /// - Parameters:
    ///   - modulus: n, big-endian.
    ///   - rBits: log2 of R² (e.g. 6144 for RSA-3072: R = 2^3072).
    /// - Returns: rinv big-endian (padded to the modulus length) and mdash; nil for an even or
    ///   empty modulus.
    public static func constants(modulus: Data, rSquaredBits: Int) -> (rinv: Data, mdash: UInt32)? {
        guard !modulus.isEmpty, modulus.count <= 2048, rSquaredBits > 0, rSquaredBits <= 1 << 15, (modulus.last ?? 0) & 1 == 1 else {
            return nil
        }
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        guard let context = BN_CTX_new() else { return nil }
        defer { BN_CTX_free(context) }
        let n = modulus.withUnsafeBytes { BN_bin2bn($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count), nil) }
        guard let n else { return nil }
        defer { BN_free(n) }
        guard let one = BN_new(), let r = BN_new(), let rinv = BN_new(), let word = BN_new(), let inverse = BN_new(),
            let nLow = BN_new()
        else { return nil }
        defer { [one, r, rinv, word, inverse, nLow].forEach { BN_free($0) } }
        guard BN_set_word(one, 1) == 1, BN_lshift(r, one, Int32(rSquaredBits)) == 1, BN_div(nil, rinv, r, n, context) == 1,
            BN_lshift(word, one, 32) == 1, BN_div(nil, nLow, n, word, context) == 1,
            BN_mod_inverse(inverse, nLow, word, context) != nil
        else { return nil }
        var rinvBytes = [UInt8](repeating: 0, count: modulus.count)
        guard BN_bn2binpad(rinv, &rinvBytes, Int32(modulus.count)) == Int32(modulus.count) else { return nil }
        let inverseWord = UInt32(truncatingIfNeeded: BN_get_word(inverse))
        return (Data(rinvBytes), 0 &- inverseWord)
    }
}
