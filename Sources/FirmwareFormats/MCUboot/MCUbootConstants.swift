import Foundation

// MCUboot image format constants, named as in mcuboot's
// `boot/bootutil/include/bootutil/image.h` (struct image_header, struct image_tlv_info,
// struct image_tlv, IMAGE_TLV_*, IMAGE_F_*) and written by imgtool 2.x (`imgtool/image.py`).

/// Constants of the MCUboot image layout.
public enum MCUbootConstants {
    /// `IMAGE_MAGIC`.
    public static let imageMagic: UInt32 = 0x96f3_b83d
    /// BOOT_MAGIC (bootutil_public.h `boot_img_magic`): the last 16 bytes of a slot's image
    /// trailer.
    static let bootMagic = Data([
        0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
    ])
    /// `sizeof(struct image_header)`.
    public static let headerSize = 32
    /// `IMAGE_TLV_INFO_MAGIC`: the unprotected TLV area.
    public static let tlvInfoMagic: UInt16 = 0x6907
    /// `IMAGE_TLV_PROT_INFO_MAGIC`: the protected TLV area (covered by the image hash).
    public static let protectedTLVInfoMagic: UInt16 = 0x6908
    /// `sizeof(struct image_tlv_info)` and `sizeof(struct image_tlv)`.
    public static let tlvInfoSize = 4
    public static let tlvHeaderSize = 4
}

/// `IMAGE_TLV_*` types. Unknown types are kept and reported by number.
public struct MCUbootTLVKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Encoded as hex text (`"0x10"`), as image.h writes the constants.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard text.hasPrefix("0x"), let value = UInt16(text.dropFirst(2), radix: 16) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a TLV type: \(text)"))
        }
        self.rawValue = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue.hex(digits: 2))
    }

    public static let keyHash = MCUbootTLVKind(rawValue: 0x01)
    public static let publicKey = MCUbootTLVKind(rawValue: 0x02)
    public static let keyID = MCUbootTLVKind(rawValue: 0x03)
    public static let sha256 = MCUbootTLVKind(rawValue: 0x10)
    public static let sha384 = MCUbootTLVKind(rawValue: 0x11)
    public static let sha512 = MCUbootTLVKind(rawValue: 0x12)
    public static let rsa2048PSS = MCUbootTLVKind(rawValue: 0x20)
    public static let ecdsa224 = MCUbootTLVKind(rawValue: 0x21)
    public static let ecdsaSig = MCUbootTLVKind(rawValue: 0x22)
    public static let rsa3072PSS = MCUbootTLVKind(rawValue: 0x23)
    public static let ed25519 = MCUbootTLVKind(rawValue: 0x24)
    public static let sigPure = MCUbootTLVKind(rawValue: 0x25)
    public static let encRSA2048 = MCUbootTLVKind(rawValue: 0x30)
    public static let encKW = MCUbootTLVKind(rawValue: 0x31)
    public static let encEC256 = MCUbootTLVKind(rawValue: 0x32)
    public static let encX25519 = MCUbootTLVKind(rawValue: 0x33)
    public static let encX25519SHA512 = MCUbootTLVKind(rawValue: 0x34)
    public static let dependency = MCUbootTLVKind(rawValue: 0x40)
    public static let securityCounter = MCUbootTLVKind(rawValue: 0x50)
    public static let bootRecord = MCUbootTLVKind(rawValue: 0x60)

    static let names: [UInt16: String] = [
        0x01: "KEYHASH", 0x02: "PUBKEY", 0x03: "KEYID",
        0x10: "SHA256", 0x11: "SHA384", 0x12: "SHA512",
        0x20: "RSA2048_PSS", 0x21: "ECDSA224", 0x22: "ECDSA_SIG", 0x23: "RSA3072_PSS", 0x24: "ED25519", 0x25: "SIG_PURE",
        0x30: "ENC_RSA2048", 0x31: "ENC_KW", 0x32: "ENC_EC256", 0x33: "ENC_X25519", 0x34: "ENC_X25519_SHA512",
        0x40: "DEPENDENCY", 0x50: "SEC_CNT", 0x60: "BOOT_RECORD",
        0x70: "DECOMP_SIZE", 0x71: "DECOMP_SHA", 0x72: "DECOMP_SIGNATURE", 0x73: "COMP_DEC_SIZE",
        0x74: "UUID_VID", 0x75: "UUID_CID",
    ]

    /// The name in image.h without the `IMAGE_TLV_` prefix, or `UNKNOWN`.
    public var name: String { Self.names[rawValue] ?? "UNKNOWN" }
    public var description: String { "\(rawValue.hex(digits: 2)) \(name)" }

    /// Image hash TLVs and their digest.
    public var hashAlgorithm: DigestAlgorithmName? {
        switch self {
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        default: nil
        }
    }

    /// Signature TLVs.
    public var isSignature: Bool { [.rsa2048PSS, .ecdsa224, .ecdsaSig, .rsa3072PSS, .ed25519].contains(self) }

    /// What mcuboot's `allowed_unprot_tlvs[]` (image_validate.c) lets sit outside the hashed
    /// area: hashes, keys, signatures and encryption keys. Anything else there is refused.
    public var mayBeUnprotected: Bool {
        [.keyHash, .publicKey, .keyID, .sha256, .sha384, .sha512, .rsa2048PSS, .ecdsa224, .ecdsaSig, .rsa3072PSS,
         .ed25519, .sigPure, .encRSA2048, .encKW, .encEC256, .encX25519, .encX25519SHA512].contains(self)
    }
}

/// Digest names used by the MCUboot description (kept here so the parser stays crypto-free).
public enum DigestAlgorithmName: String, Sendable, Codable {
    case sha256, sha384, sha512

    public var byteCount: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// `IMAGE_F_*` header flags.
public enum MCUbootFlags {
    static let names: [(UInt32, String)] = [
        (0x001, "PIC"), (0x004, "ENCRYPTED_AES128"), (0x008, "ENCRYPTED_AES256"), (0x010, "NON_BOOTABLE"),
        (0x020, "RAM_LOAD"), (0x100, "ROM_FIXED"), (0x200, "COMPRESSED_LZMA1"), (0x400, "COMPRESSED_LZMA2"),
        (0x800, "COMPRESSED_ARM_THUMB"),
    ]
    public static let encryptedAES128: UInt32 = 0x004
    public static let encryptedAES256: UInt32 = 0x008

    /// Names of the set flags; unknown bits as hex.
    public static func names(_ flags: UInt32) -> [String] {
        var result = names.filter { flags & $0.0 != 0 }.map(\.1)
        let known = names.reduce(UInt32(0)) { $0 | $1.0 }
        if flags & ~known != 0 { result.append((flags & ~known).hex(digits: 1)) }
        return result
    }
}
