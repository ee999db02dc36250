// Secure Boot v2 keys as signature blocks hold them (esptool espsecure
// `generate_rsa_signature_block`, `generate_ecdsa_signature_block`, `_digest_sbv2_public_key`,
// `_get_sbv2_rsa_primitives`; rom/secure_boot.h `ets_rsa_pubkey_t`):
//   RSA-3072: n[384] ‖ e u32 ‖ rinv[384] ‖ mdash u32, n and rinv little endian,
//             rinv = 2^6144 mod n (R² for R = 2^3072), mdash = −n⁻¹ mod 2^32.
//   ECDSA:    curve_id ‖ X ‖ Y, X and Y little endian (P-192 zero-padded to 64 bytes).
// The device trusts a block when SHA-256 of these bytes equals a SECURE_BOOT_DIGESTn eFuse.

import FirmwareCrypto
import Foundation

/// Which trusted key, if any, a signature block carries, and how to check its signature.
///
/// fwgate never verifies with the key material an image brings along: it rebuilds the block's
/// key with FirmwareCrypto (OpenSSL validates it: an EC point must lie on its curve), looks for
/// a trusted key equal to it, and verifies with the *trusted* key's object. For RSA it also
/// requires the block's precomputed Montgomery values (rinv, mdash) to be exactly those of the
/// modulus, so "trusted" here means the same as on the device: the block's key bytes serialise
/// the trusted key, hence its eFuse key digest equals the trusted key's.
enum ESPIDFSecureBootKey {
    /// What the block's key turned out to be.
    enum Identification {
        /// The block carries this trusted key.
        case trusted(TrustedKey)
        /// The block's key is none of the trusted keys; `key` is the embedded key when it could
        /// be rebuilt (for policy rules such as the known-test-key list).
        case untrusted(key: PublicKey?, reason: String)
    }

    /// Matches a block's key bytes (`keyRange` of the block) against the trusted keys.
    ///
    /// - Parameters:
    ///   - scheme: the block's scheme.
    ///   - keyBytes: the key bytes as stored in the block.
    ///   - trustedKeys: the caller's trusted keys.
    /// - Returns: the trusted key the block carries, or why it carries none.
    static func identify(
        scheme: ESPIDFImageDescription.SignatureBlock.Scheme, keyBytes: [UInt8], trustedKeys: [TrustedKey]
    ) -> Identification {
        let embedded: PublicKey
        switch rebuild(scheme: scheme, keyBytes: keyBytes) {
        case .failure(let problem): return .untrusted(key: nil, reason: problem.reason)
        case .success(let key): embedded = key
        }
        guard let trusted = trustedKeys.first(where: { $0.key == embedded }) else {
            return .untrusted(key: embedded, reason: "its \(embedded.algorithm) key (SHA-256 SPKI \(embedded.fingerprint)) is not a trusted key")
        }
        if scheme == .rsa3072PSS, !rsaMontgomeryValuesMatch(keyBytes) {
            return .untrusted(
                key: embedded,
                reason:
                    "it carries the modulus of trusted key '\(trusted.name)' but rinv/mdash are not the values derived from it, so its eFuse key digest matches no trusted key and the ROM would reject it"
            )
        }
        return .trusted(trusted)
    }

    /// A reason a block's key could not be rebuilt.
    struct KeyProblem: Error {
        let reason: String
    }

    /// Rebuilds the block's key as a FirmwareCrypto `PublicKey`.
    static func rebuild(scheme: ESPIDFImageDescription.SignatureBlock.Scheme, keyBytes: [UInt8]) -> Result<PublicKey, KeyProblem> {
        switch scheme {
        case .rsa3072PSS:
            let length = ESPIDFConstants.RSABlock.modulusLength
            guard keyBytes.count == ESPIDFConstants.RSABlock.key.count else {
                return .failure(KeyProblem(reason: "RSA key field is \(keyBytes.count) bytes, not \(ESPIDFConstants.RSABlock.key.count)"))
            }
            let modulus = Array(keyBytes[0..<length].reversed())
            let exponent = UInt32(littleEndian: keyBytes, at: length)
            do {
                return .success(try PublicKey(rsaModulus: Data(modulus), exponent: exponent))
            } catch {
                return .failure(KeyProblem(reason: "its RSA key (n, e) is not a valid RSA public key: \(error.reason)"))
            }
        case .ecdsaP192, .ecdsaP256, .ecdsaP384:
            let curve: ECCurve = scheme == .ecdsaP384 ? .p384 : (scheme == .ecdsaP256 ? .p256 : .p192)
            let width = curve.fieldByteCount
            guard keyBytes.count >= 1 + 2 * width else {
                return .failure(KeyProblem(reason: "EC key field is \(keyBytes.count) bytes, too short for \(curve.rawValue)"))
            }
            let x = Array(keyBytes[1..<(1 + width)].reversed())
            let y = Array(keyBytes[(1 + width)..<(1 + 2 * width)].reversed())
            do {
                return .success(try PublicKey(rawECPoint: Data([0x04] + x + y), curve: curve))
            } catch {
                return .failure(KeyProblem(reason: "its \(curve.rawValue) key is not a valid point: \(error.reason)"))
            }
        }
    }

    /// The signature in the form FirmwareCrypto checks, and the scheme to check it with: the
    /// RSA signature byte-reversed to big endian, ECDSA `r ‖ s` each reversed to big endian
    /// (raw P1363 encoding). P-192 is never checked (fwgate fails it as weak), so it has none.
    static func signatureToCheck(
        scheme: ESPIDFImageDescription.SignatureBlock.Scheme, signatureBytes: [UInt8]
    ) -> (signature: Data, scheme: SignatureScheme)? {
        switch scheme {
        case .rsa3072PSS:
            return (
                Data(signatureBytes.reversed()),
                .rsaPSS(.sha256, saltLength: .bytes(ESPIDFConstants.rsaPSSSaltLength), mgf1: .sha256)
            )
        case .ecdsaP256, .ecdsaP384:
            let width = scheme == .ecdsaP384 ? ECCurve.p384.fieldByteCount : ECCurve.p256.fieldByteCount
            guard signatureBytes.count == 2 * width else { return nil }
            let r = Array(signatureBytes[0..<width].reversed())
            let s = Array(signatureBytes[width..<(2 * width)].reversed())
            return (Data(r + s), .ecdsa(scheme == .ecdsaP384 ? .sha384 : .sha256, encoding: .raw))
        case .ecdsaP192:
            return nil
        }
    }

    // MARK: - RSA helpers

    /// True when the block's `rinv` is 2^6144 mod n and its `mdash` is −n⁻¹ mod 2^32 (espsecure
    /// `_get_sbv2_rsa_primitives`), i.e. the 776 key bytes are the canonical serialisation of
    /// (n, e). The constants are computed by FirmwareCrypto with OpenSSL's BIGNUM.
    static func rsaMontgomeryValuesMatch(_ keyBytes: [UInt8]) -> Bool {
        let length = ESPIDFConstants.RSABlock.modulusLength
        guard keyBytes.count == 2 * length + 8 else { return false }
        // n and rinv are stored little-endian; RSAMontgomery works big-endian.
        let modulus = Data(keyBytes[0..<length].reversed())
        let storedRinv = Data(keyBytes[(length + 4)..<(2 * length + 4)].reversed())
        let storedMdash = UInt32(littleEndian: keyBytes, at: 2 * length + 4)
        guard let expected = RSAMontgomery.constants(modulus: modulus, rSquaredBits: 2 * length * 8) else { return false }
        return expected.rinv == storedRinv && expected.mdash == storedMdash
    }
}

extension UInt32 {
    /// The little-endian u32 at `offset` of `bytes` (the caller checks the bounds).
    fileprivate init(littleEndian bytes: [UInt8], at offset: Int) {
        self = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
