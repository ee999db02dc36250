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
enum ESPSecureBootKey {
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
        scheme: ESPImageDescription.SignatureBlock.Scheme, keyBytes: [UInt8], trustedKeys: [TrustedKey]
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
    static func rebuild(scheme: ESPImageDescription.SignatureBlock.Scheme, keyBytes: [UInt8]) -> Result<PublicKey, KeyProblem> {
        switch scheme {
        case .rsa3072PSS:
            let length = ESP32Constants.RSABlock.modulusLength
            guard keyBytes.count == ESP32Constants.RSABlock.key.count else {
                return .failure(KeyProblem(reason: "RSA key field is \(keyBytes.count) bytes, not \(ESP32Constants.RSABlock.key.count)"))
            }
            let modulus = Array(keyBytes[0..<length].reversed())
            let exponent = UInt32(littleEndian: keyBytes, at: length)
            do {
                return .success(try PublicKey(pkcs1DER: rsaPublicKeyDER(modulus: modulus, exponent: exponent)))
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
        scheme: ESPImageDescription.SignatureBlock.Scheme, signatureBytes: [UInt8]
    ) -> (signature: Data, scheme: SignatureScheme)? {
        switch scheme {
        case .rsa3072PSS:
            return (
                Data(signatureBytes.reversed()),
                .rsaPSS(.sha256, saltLength: .bytes(ESP32Constants.rsaPSSSaltLength), mgf1: .sha256)
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

    /// DER `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017
    /// §A.1.1), so FirmwareCrypto can load (n, e). Only an encoder of two non-negative INTEGERs;
    /// OpenSSL parses the result, so a mistake here yields a key that matches no trusted key
    /// (fail closed), never a false match.
    ///
    /// - Note: Goes away once FirmwareCrypto offers `PublicKey(rsaModulus:exponent:)`.
    static func rsaPublicKeyDER(modulus: [UInt8], exponent: UInt32) -> Data {
        let exponentBytes = [UInt8(exponent >> 24), UInt8(truncatingIfNeeded: exponent >> 16), UInt8(truncatingIfNeeded: exponent >> 8), UInt8(truncatingIfNeeded: exponent)]
        let content = derInteger(modulus) + derInteger(exponentBytes)
        return Data([0x30] + derLength(content.count) + content)
    }

    static func derInteger(_ bigEndian: [UInt8]) -> [UInt8] {
        var magnitude = Array(bigEndian.drop { $0 == 0 })
        if magnitude.isEmpty || magnitude[0] & 0x80 != 0 { magnitude.insert(0, at: 0) }
        return [0x02] + derLength(magnitude.count) + magnitude
    }

    static func derLength(_ length: Int) -> [UInt8] {
        if length < 0x80 { return [UInt8(length)] }
        var bytes: [UInt8] = []
        var rest = length
        while rest > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// True when the block's `rinv` is 2^6144 mod n and its `mdash` is −n⁻¹ mod 2^32 (espsecure
    /// `_get_sbv2_rsa_primitives`), i.e. the 776 key bytes are the canonical serialisation of
    /// (n, e). Computed with 32-bit limbs: rinv by 6144 modular doublings of 1, mdash by Newton
    /// iteration. An even modulus has no inverse and never matches.
    static func rsaMontgomeryValuesMatch(_ keyBytes: [UInt8]) -> Bool {
        let length = ESP32Constants.RSABlock.modulusLength
        guard keyBytes.count == 2 * length + 8 else { return false }
        let limbCount = length / 4
        let n = (0..<limbCount).map { UInt32(littleEndian: keyBytes, at: 4 * $0) }
        let rinv = (0..<limbCount).map { UInt32(littleEndian: keyBytes, at: length + 4 + 4 * $0) }
        let mdash = UInt32(littleEndian: keyBytes, at: 2 * length + 4)
        guard n[0] & 1 == 1 else { return false }

        // mdash: inverse of n mod 2^32 by Newton's iteration (each step doubles the correct bits).
        var inverse = n[0]
        for _ in 0..<5 { inverse = inverse &* (2 &- n[0] &* inverse) }
        guard n[0] &* inverse == 1, mdash == 0 &- inverse else { return false }

        // rinv: x = 1 mod n, then double 2 * 3072 times, reducing once per step (x < n keeps
        // 2x < 2n, so one conditional subtraction suffices).
        var x = [UInt32](repeating: 0, count: limbCount)
        x[0] = 1
        if !isLess(x, n) { subtract(&x, n) }
        for _ in 0..<(2 * length * 8) {
            var carry: UInt32 = 0
            for i in 0..<limbCount {
                let next = x[i] >> 31
                x[i] = x[i] << 1 | carry
                carry = next
            }
            if carry == 1 || !isLess(x, n) { subtract(&x, n) }
        }
        return x == rinv
    }

    /// a < b for little-endian limb arrays of equal length.
    private static func isLess(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] {
            return a[i] < b[i]
        }
        return false
    }

    /// a -= b modulo 2^(32·count).
    private static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
        var borrow: UInt32 = 0
        for i in 0..<a.count {
            let (partial, overflow1) = a[i].subtractingReportingOverflow(b[i])
            let (result, overflow2) = partial.subtractingReportingOverflow(borrow)
            a[i] = result
            borrow = (overflow1 || overflow2) ? 1 : 0
        }
    }
}

extension UInt32 {
    /// The little-endian u32 at `offset` of `bytes` (the caller checks the bounds).
    fileprivate init(littleEndian bytes: [UInt8], at offset: Int) {
        self = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
