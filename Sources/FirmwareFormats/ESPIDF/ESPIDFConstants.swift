// ESP-IDF application image and Secure Boot v2 signature block constants, named as in the spec
// sources:
//  - components/bootloader_support/include/esp_app_format.h (esp_image_header_t,
//    esp_image_segment_header_t, esp_chip_id_t; ESP_IMAGE_HEADER_MAGIC, ESP_IMAGE_MAX_SEGMENTS)
//  - components/esp_app_format/include/esp_app_desc.h (esp_app_desc_t, ESP_APP_DESC_MAGIC_WORD)
//  - components/esp_rom/<chip>/include/<chip>/rom/secure_boot.h (ets_secure_boot_sig_block,
//    ETS_SECURE_BOOT_V2_SIGNATURE_MAGIC, CRC_SIGN_BLOCK_LEN, SIG_BLOCK_PADDING)
//  - esptool's espsecure/__init__.py (SIG_BLOCK_VERSION_*, ECDSA_SHA_*, CURVE_ID_*, the P-384
//    block layout that the ROM header above predates)
//  - esptool's targets/<chip>.py (IMAGE_CHIP_ID, MEMORY_MAP)

/// Numbers and tables of the ESP-IDF application image format (little endian throughout).
public enum ESPIDFConstants {
    // MARK: esp_image_header_t / esp_image_segment_header_t (esp_app_format.h)

    /// `ESP_IMAGE_HEADER_MAGIC`: the first byte of every image.
    public static let imageMagic: UInt8 = 0xE9
    /// `sizeof(esp_image_header_t)`: the 8-byte common header plus the 16-byte extended header.
    public static let headerLength: Int64 = 24
    /// `sizeof(esp_image_segment_header_t)`: `load_addr` and `data_len`, both u32.
    public static let segmentHeaderLength: Int64 = 8
    /// `ESP_IMAGE_MAX_SEGMENTS`.
    public static let maxSegments: UInt8 = 16
    /// `ESP_ROM_CHECKSUM_INITIAL`: the seed of the XOR checksum over all segment data bytes.
    public static let checksumSeed: UInt8 = 0xEF
    /// The checksum byte is the last byte of a 16-byte block (esp_image_format.c
    /// `process_checksum`: the padding makes `(offset + 1) % 16 == 0`).
    public static let checksumAlignment: Int64 = 16
    /// Length of the SHA-256 appended after the checksum byte when `hash_appended == 1`.
    public static let appendedDigestLength: Int64 = 32

    // MARK: esp_app_desc_t (esp_app_desc.h)

    /// `ESP_APP_DESC_MAGIC_WORD`.
    public static let appDescriptorMagic: UInt32 = 0xABCD_5432
    /// `sizeof(esp_app_desc_t)`.
    public static let appDescriptorLength: Int64 = 256
    /// Where the bootloader reads the descriptor: `sizeof(esp_image_header_t) +
    /// sizeof(esp_image_segment_header_t)`, the first byte of segment 0's data
    /// (bootloader_common.c `bootloader_common_get_partition_description`). Anti-rollback uses the
    /// `secure_version` found here.
    public static let appDescriptorOffset: Int64 = 0x20

    // MARK: Secure Boot v2 signature sector (rom/secure_boot.h, espsecure)

    /// `SIG_BLOCK_PADDING`: the signature sector starts at the next multiple of this and is this long.
    public static let signatureSectorLength: Int64 = 4096
    /// `sizeof(ets_secure_boot_sig_block_t)`.
    public static let signatureBlockLength: Int64 = 1216
    /// `SECURE_BOOT_NUM_BLOCKS`: signature blocks a sector can hold.
    public static let signatureBlockSlots = 3
    /// `ETS_SECURE_BOOT_V2_SIGNATURE_MAGIC`: first byte of a present block.
    public static let signatureBlockMagic: UInt8 = 0xE7
    /// `CRC_SIGN_BLOCK_LEN`: the block CRC-32 covers bytes `[0, 1196)` and sits at 1196.
    public static let signatureBlockCRCOffset: Int64 = 1196
    /// `SIG_BLOCK_VERSION_RSA`: RSA-3072, RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32.
    public static let blockVersionRSA: UInt8 = 0x02
    /// `SIG_BLOCK_VERSION_ECDSA`: ECDSA over P-192, P-256 (SHA-256) or P-384 (SHA-384).
    public static let blockVersionECDSA: UInt8 = 0x03
    /// `ECDSA_SHA_256` / `ECDSA_SHA_384`: byte 2 of an ECDSA block.
    public static let ecdsaSHA256: UInt8 = 0x00
    public static let ecdsaSHA384: UInt8 = 0x01
    /// `CURVE_ID_P192` / `CURVE_ID_P256` / `CURVE_ID_P384`.
    public static let curveIDP192: UInt8 = 1
    public static let curveIDP256: UInt8 = 2
    public static let curveIDP384: UInt8 = 3
    /// RSA salt length espsecure signs with and the ROM expects.
    public static let rsaPSSSaltLength = 32

    /// Field offsets inside an RSA block (`struct ets_secure_boot_sig_block`, RSA scheme):
    /// `image_digest[32]` at 4, `ets_rsa_pubkey_t { n[384]; e u32; rinv[384]; mdash u32 }` at 36,
    /// `signature[384]` at 812; every big number little endian.
    public enum RSABlock {
        public static let digest: Range<Int> = 4..<36
        /// The key as the block holds it; SHA-256 of these bytes is the eFuse key digest.
        public static let key: Range<Int> = 36..<812
        public static let modulusLength = 384
        public static let signature: Range<Int> = 812..<1196
    }

    /// Field offsets inside an ECDSA block (espsecure `generate_ecdsa_signature_block`):
    /// `<BBBx32sB64s64s…>` for P-192/P-256 and `<BBBx48sB96s96s…>` for P-384. The key is
    /// `curve_id ‖ X ‖ Y` and the signature `r ‖ s`, each coordinate little endian; a P-192 point
    /// and signature are zero-padded to 64 bytes. SHA-256 of the key bytes is the eFuse key digest
    /// (espsecure `_digest_sbv2_public_key`: `<B64s` or `<B96s`).
    public enum ECDSABlock {
        public static let sha256Digest: Range<Int> = 4..<36
        public static let sha256Key: Range<Int> = 36..<101
        public static let sha256Signature: Range<Int> = 101..<165
        public static let sha384Digest: Range<Int> = 4..<52
        public static let sha384Key: Range<Int> = 52..<149
        public static let sha384Signature: Range<Int> = 149..<245
    }

    // MARK: Chips

    /// Names of `esp_chip_id_t` values (esp_app_format.h; esptool `IMAGE_CHIP_ID`).
    public static let chipNames: [UInt16: String] = [
        0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6", 16: "ESP32-H2",
        18: "ESP32-P4", 20: "ESP32-C61", 23: "ESP32-C5", 25: "ESP32-H21", 28: "ESP32-H4", 31: "ESP32-E22",
        32: "ESP32-S31",
    ]

    /// `esp_image_spi_mode_t`.
    public static let flashModes: [UInt8: String] = [0: "QIO", 1: "QOUT", 2: "DIO", 3: "DOUT", 4: "FAST_READ", 5: "SLOW_READ"]

    /// `esp_image_flash_size_t` (the high nibble of header byte 3).
    public static let flashSizes: [UInt8: String] = [
        0x0: "1MB", 0x1: "2MB", 0x2: "4MB", 0x3: "8MB", 0x4: "16MB", 0x5: "32MB", 0x6: "64MB", 0x7: "128MB",
    ]

    /// One address range of a chip's memory map.
    public struct Region: Sendable, Hashable {
        public let name: String
        /// `[start, end)`.
        public let start: UInt32
        public let end: UInt32
        /// True for flash-mapped ranges (IROM/DROM): the bootloader maps such segments through the
        /// MMU instead of copying them into RAM (esp_image_format.c `should_map`).
        public let isFlashMapped: Bool

        public func contains(_ address: UInt32) -> Bool { start <= address && address < end }
    }

    /// What fwgate knows about one chip: how its segments are classified and which RAM the
    /// second-stage bootloader occupies while it loads an app.
    public struct Chip: Sendable, Hashable {
        public let id: UInt16
        public let name: String
        /// esptool `targets/<chip>.py` `MEMORY_MAP` (the parts an app uses).
        public let memoryMap: [Region]
        /// `[start, end)` of RAM the bootloader runs from while loading an app. An app segment
        /// copied here overwrites the loader mid-load (the CVE-2018-18558 class), so
        /// esp_image_format.c `verify_load_addr` refuses it on the device; fwgate fails it before
        /// it ships.
        public let bootloaderRAM: Range<UInt64>
        /// Where `bootloaderRAM` comes from.
        public let bootloaderRAMSource: String
        /// Flash frequency names for the low nibble of header byte 3 (chip-specific).
        public let flashFrequencies: [UInt8: String]
    }

    /// The ESP32-C5.
    public static let esp32c5 = Chip(
        id: 23,
        name: "ESP32-C5",
        memoryMap: [
            Region(name: "DROM", start: 0x4200_0000, end: 0x4400_0000, isFlashMapped: true),
            Region(name: "DRAM", start: 0x4080_0000, end: 0x4086_0000, isFlashMapped: false),
            Region(name: "BYTE_ACCESSIBLE", start: 0x4080_0000, end: 0x4086_0000, isFlashMapped: false),
            Region(name: "IROM", start: 0x4200_0000, end: 0x4400_0000, isFlashMapped: true),
            Region(name: "IRAM", start: 0x4080_0000, end: 0x4086_0000, isFlashMapped: false),
            Region(name: "RTC_IRAM", start: 0x5000_0000, end: 0x5000_4000, isFlashMapped: false),
            Region(name: "RTC_DRAM", start: 0x5000_0000, end: 0x5000_4000, isFlashMapped: false),
        ],
        bootloaderRAM: 0x4084_E5A0..<0x4086_0000,
        bootloaderRAMSource:
            "ESP-IDF components/bootloader/subproject/main/ld/esp32c5/bootloader.ld.in: iram_loader_seg starts at 0x4084e5a0 (asserted equal to the app's SRAM_DRAM_END), then dram_seg, the startup stack and ROM .bss/.data up to the end of HP SRAM at 0x40860000",
        flashFrequencies: [0xF: "80m", 0x0: "40m", 0x2: "20m"])

    /// Chips whose bootloader RAM range fwgate knows, by image chip id. Add a chip only with its
    /// linker-script citation.
    public static let chips: [UInt16: Chip] = [esp32c5.id: esp32c5]
}
