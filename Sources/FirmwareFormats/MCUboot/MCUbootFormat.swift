import FirmwareCrypto
import Foundation

extension FormatID {
    /// MCUboot images (imgtool): boot/bootutil/include/bootutil/image.h.
    public static let mcuboot: FormatID = "mcuboot"
}

/// MCUboot images, verified as mcuboot's `bootutil_img_validate()` (image_validate.c) does, and
/// stricter: fwgate requires a trusted key and fails duplicate or misplaced TLVs.
public enum MCUbootFormat: FirmwareFormat {
    public static let id: FormatID = .mcuboot
    public static let name = "MCUboot image"
    public static let detects = "magic 0x96f3b83d (IMAGE_MAGIC, little-endian) at offset 0"
    public static let verifies = [
        "image hash (SHA-256/384/512 TLV) over header, payload and protected TLVs",
        "signature (RSA-2048/3072-PSS, ECDSA P-256/P-384, Ed25519, pure Ed25519) with a trusted key named by KEYHASH or PUBKEY",
        "TLV placement and duplicates (one hash, key, signature and security counter)",
        "every length against the file; no unsigned bytes after the image but erased flash and the boot trailer",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedLength, .malformedDuplicateTLV, .malformedTLVPlacement,
        .malformedMissingTLV, .integrityDigestMismatch, .integrityUnverifiable, .integrityUnsignedTrailingData,
        .signatureInvalid, .signatureMissing, .signatureUnsupportedAlgorithm, .keyUntrusted,
    ]

    public static func sniff(_ source: any ByteSource) -> Bool {
        var reader = ByteReader(source)
        return (try? reader.u32le("magic")) == MCUbootConstants.imageMagic
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> MCUbootImageDescription {
        try MCUbootParser.parse(source)
    }

    /// The image hash: `[0, hdr_size + img_size + protect_tlv_size)` with the algorithm of the
    /// (first) hash TLV.
    public static func digestRequests(for description: MCUbootImageDescription) -> [DigestRequest] {
        guard let tlv = description.tlvs.first(where: { $0.kind.hashAlgorithm != nil && $0.area == .unprotected }),
            let name = tlv.kind.hashAlgorithm
        else { return [] }
        return [DigestRequest(digestAlgorithm(name), description.hashedRange)]
    }

    static func digestAlgorithm(_ name: DigestAlgorithmName) -> DigestAlgorithm {
        switch name {
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    /// Applies ``MCUbootVerifier``'s rules in the bootloader's order. Never throws over content.
    public static func verify(_ description: MCUbootImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        MCUbootVerifier(description: description, input: input).verify()
    }

    enum KeyIdentification {
        /// KEYHASH or PUBKEY present: the trusted keys it matches (and the embedded key).
        case hint(kind: String, value: Data, matches: [TrustedKey], embedded: PublicKey?)
        /// Neither: every trusted key is a candidate.
        case none
    }

    /// The bytes imgtool hashes for KEYHASH and embeds as PUBKEY: PKCS#1 for RSA,
    /// SubjectPublicKeyInfo for EC and Ed25519.
    static func keyBytes(_ key: PublicKey) -> Data {
        key.pkcs1DER ?? key.spkiDER
    }

    static func identifyKey(_ description: MCUbootImageDescription, input: FormatVerificationInput) -> KeyIdentification {
        let unprotected = description.tlvs.filter { $0.area == .unprotected }
        if let tlv = unprotected.first(where: { $0.kind == .keyHash }),
            let value = try? input.source.bytes(at: tlv.valueRange.lowerBound, length: Int(tlv.length))
        {
            let algorithm: DigestAlgorithm? =
                switch value.count {
                case 32: .sha256
                case 48: .sha384
                case 64: .sha512
                default: nil
                }
            let matches = input.trustedKeys.filter { trusted in
                guard let algorithm, let digest = try? Digest.hash(keyBytes(trusted.key), using: algorithm) else { return false }
                return digest.matches(value)
            }
            return .hint(kind: "KEYHASH", value: value, matches: matches, embedded: nil)
        }
        if let tlv = unprotected.first(where: { $0.kind == .publicKey }),
            let value = try? input.source.bytes(at: tlv.valueRange.lowerBound, length: Int(tlv.length))
        {
            let embedded = (try? PublicKey(spkiDER: value)) ?? (try? PublicKey(pkcs1DER: value))
            let matches = input.trustedKeys.filter { embedded != nil && $0.key == embedded }
            return .hint(kind: "PUBKEY", value: value, matches: matches, embedded: embedded)
        }
        return .none
    }

    /// The signature scheme a TLV type means for a given key (image.h IMAGE_TLV_*).
    static func schemeFor(_ kind: MCUbootTLVKind, key: PublicKey, imageHash: DigestAlgorithm) -> Result<SignatureScheme, SchemeError> {
        switch (kind, key.algorithm) {
        case (.rsa2048PSS, .rsa(2048)), (.rsa3072PSS, .rsa(3072)):
            // bootutil/src/image_rsa.c: RSASSA-PSS, MGF1 and salt of the hash's length.
            return .success(.rsaPSS(imageHash, saltLength: .digestLength))
        case (.ecdsaSig, .ec(.p256)), (.ecdsaSig, .ec(.p384)):
            return .success(.ecdsa(imageHash, encoding: .der))
        case (.ed25519, .ed25519):
            return .success(.ed25519)
        case (.ecdsa224, _):
            return .failure(SchemeError("ECDSA P-224 signatures (IMAGE_TLV_ECDSA224) are not supported"))
        default:
            return .failure(SchemeError("a \(kind.name) signature cannot be made with a \(key.algorithm) key"))
        }
    }

    struct SchemeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
