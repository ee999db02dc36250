import FirmwareCrypto
import Foundation

/// Everything `fwgate inspect` shows about an ESP-IDF application image: the image header and
/// extended header (esp_app_format.h `esp_image_header_t`), the segments, the checksum and
/// appended SHA-256, the application descriptor (esp_app_desc.h `esp_app_desc_t`) and the
/// Secure Boot v2 signature blocks (rom/secure_boot.h `ets_secure_boot_sig_block`).
///
/// Values are what the file declares; what fwgate computes (checksum, CRCs, digests, key
/// digests, signature results) is reported as checks by ``ESPIDFFormat/verify(_:input:)``.
/// Offsets are file offsets.
public struct ESPIDFImageDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .espIDF }
    public var fileSize: Int64
    /// Byte 0 (`ESP_IMAGE_HEADER_MAGIC`), as `0xe9`.
    public var magic: String
    public var chip: Chip
    /// `segment_count`.
    public var segmentCount: UInt8
    public var flash: Flash
    /// `entry_addr`.
    public var entry: UInt32
    public var extendedHeader: ExtendedHeader
    public var segments: [Segment]
    public var checksum: Checksum
    /// The SHA-256 after the checksum byte, when `hash_appended == 1`.
    public var appendedDigest: AppendedDigest?
    /// Bytes up to and including the appended SHA-256 (or the checksum byte).
    public var imageLength: Int64
    /// `esp_app_desc_t.version`, when segment 0 starts with an application descriptor.
    public var version: String?
    /// `esp_app_desc_t.secure_version`: the anti-rollback counter. Read only from segment 0's
    /// data, which the appended SHA-256 and every signature cover.
    public var securityCounter: UInt64?
    /// The image hash (`hash_appended`): SHA-256, or nil when none is appended.
    public var hashAlgorithm: DigestAlgorithm?
    /// The first signature block's scheme.
    public var signatureAlgorithm: SignatureBlock.Scheme?
    public var appDescriptor: AppDescriptor?
    /// The Secure Boot v2 signature sector, when the file continues past the image.
    public var signatureSector: SignatureSector?
    /// What every signature block's image digest covers: `[0, sector offset)`, the image and its
    /// 0xFF padding to the sector boundary.
    public var signedRange: Range<Int64>?
    /// The present blocks (first byte 0xE7), in slot order.
    public var signatureBlocks: [SignatureBlock]
    /// Bytes after the signature sector, covered by nothing; nil when there are none.
    public var trailingBytes: Int64?

    /// `chip_id` and its name.
    public struct Chip: Sendable, Codable, Equatable {
        public var id: UInt16
        /// nil for a chip id ESP-IDF does not define.
        public var name: String?
    }

    /// Header bytes 2 and 3.
    public struct Flash: Sendable, Codable, Equatable {
        /// `spi_mode` by name (`DIO`), or `0x..` when unknown.
        public var mode: String
        /// `spi_size` (high nibble) by name, nil when unknown.
        public var size: String?
        /// `spi_speed` (low nibble) by name for chips fwgate knows, else `0x.`.
        public var frequency: String
    }

    /// The 16-byte `esp_image_header_t` extension (bytes 8..23).
    public struct ExtendedHeader: Sendable, Codable, Equatable {
        /// `wp_pin`, as `0x..` (`0xee`: disabled).
        public var wpPin: String
        /// The six 4-bit drive strengths of `spi_pin_drv[3]` (clk, q, d, cs0, hd, wp).
        public var spiPinDrive: [UInt8]
        public var chipId: UInt16
        /// `min_chip_rev` (legacy).
        public var minChipRev: UInt8
        public var minChipRevFull: UInt16
        public var maxChipRevFull: UInt16
        /// `hash_appended`.
        public var hashAppended: Bool
    }

    /// One `esp_image_segment_header_t` and where its data lies.
    public struct Segment: Sendable, Codable, Equatable {
        public var index: Int
        public var loadAddress: UInt32
        /// `data_len`.
        public var length: UInt32
        public var headerOffset: Int64
        public var dataOffset: Int64
        /// The chip's memory regions the load address falls in (empty for chips fwgate does not
        /// map).
        public var memoryTypes: [String]

        /// File range of the data.
        public var dataRange: Range<Int64> { dataOffset..<(dataOffset + Int64(length)) }
    }

    /// The XOR checksum byte.
    public struct Checksum: Sendable, Codable, Equatable {
        public var offset: Int64
        /// The stored byte, as `0x..`.
        public var stored: String

        /// The stored byte as a number (nil only for a hand-made description with bad text).
        public var storedValue: UInt8? { UInt8(hexText: stored) }
    }

    /// The SHA-256 appended after the checksum byte.
    public struct AppendedDigest: Sendable, Codable, Equatable {
        public var offset: Int64
        /// Lowercase hex, as stored.
        public var value: String
        /// The bytes it covers: `[0, checksum offset + 1)`.
        public var coveredRange: Range<Int64>
    }

    /// `esp_app_desc_t`, found at file offset 0x20 (the start of segment 0's data).
    public struct AppDescriptor: Sendable, Codable, Equatable {
        public var offset: Int64
        /// `magic_word`, as `0xabcd5432`.
        public var magic: String
        public var secureVersion: UInt32
        public var version: String
        public var projectName: String
        public var time: String
        public var date: String
        public var idfVersion: String
        /// `app_elf_sha256`, lowercase hex.
        public var appElfSha256: String
        public var minEfuseBlkRevFull: UInt16
        public var maxEfuseBlkRevFull: UInt16
        /// `mmu_page_size` (log2 of the MMU page size).
        public var mmuPageSizeLog2: UInt8
    }

    /// Where the signature sector lies.
    public struct SignatureSector: Sendable, Codable, Equatable {
        public var offset: Int64
        public var length: Int64
    }

    /// One present Secure Boot v2 signature block, as declared.
    public struct SignatureBlock: Sendable, Codable, Equatable {
        /// The block's scheme, from its version, SHA and curve bytes.
        public enum Scheme: String, Sendable, Codable, Equatable {
            case rsa3072PSS = "RSA-3072-PSS"
            case ecdsaP192 = "ECDSA-P192"
            case ecdsaP256 = "ECDSA-P256"
            case ecdsaP384 = "ECDSA-P384"
        }

        /// Slot 0, 1 or 2.
        public var index: Int
        public var offset: Int64
        /// Byte 1, as `0x02` (RSA) or `0x03` (ECDSA).
        public var version: String
        /// nil when the version, SHA or curve byte names nothing Secure Boot v2 defines.
        public var algorithm: Scheme?
        /// The hash of the image digest: SHA-256, or SHA-384 for P-384.
        public var hashAlgorithm: DigestAlgorithm?
        /// `image_digest`, lowercase hex.
        public var declaredDigest: String?
        /// File range of the key as the block holds it (little-endian numbers; RSA:
        /// `n ‖ e ‖ rinv ‖ mdash`, ECDSA: `curve_id ‖ X ‖ Y`). Its SHA-256 is the eFuse key
        /// digest (espsecure `digest-sbv2-public-key`).
        public var keyRange: Range<Int64>?
        /// File range of the signature field (little endian; ECDSA `r ‖ s`, zero-padded for
        /// P-192).
        public var signatureRange: Range<Int64>?
        /// `block_crc`, as `0x` and eight hex digits: CRC-32 of the block's bytes `[0, 1196)`.
        public var crc: String

        /// File range the CRC covers.
        public var crcRange: Range<Int64> { offset..<(offset + ESPIDFConstants.signatureBlockCRCOffset) }
        /// `crc` as a number (nil only for a hand-made description with bad text).
        public var crcValue: UInt32? { UInt32(hexText: crc) }
    }
}

extension FixedWidthInteger {
    /// Parses `0x…` text as written in descriptions.
    fileprivate init?(hexText text: String) {
        guard text.hasPrefix("0x"), text.count > 2 else { return nil }
        self.init(text.dropFirst(2), radix: 16)
    }
}
