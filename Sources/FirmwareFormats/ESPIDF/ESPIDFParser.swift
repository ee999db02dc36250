// Parses ESP-IDF application images. Spec: ESP-IDF
// components/bootloader_support/include/esp_app_format.h (esp_image_header_t,
// esp_image_segment_header_t), components/bootloader_support/src/esp_image_format.c (checksum
// placement, appended SHA-256), components/esp_app_format/include/esp_app_desc.h
// (esp_app_desc_t), components/esp_rom/<chip>/include/<chip>/rom/secure_boot.h and esptool's
// espsecure (Secure Boot v2 signature sector and blocks). Layout, all little endian:
//
//   0  esp_image_header_t (24 bytes): magic 0xE9, segment_count, spi_mode, spi_speed:4|spi_size:4,
//      entry_addr u32, wp_pin, spi_pin_drv[3], chip_id u16, min_chip_rev, min_chip_rev_full u16,
//      max_chip_rev_full u16, reserved[4], hash_appended
//  24  segment_count x { load_addr u32, data_len u32, data[data_len] }
//      zero padding so that the checksum byte is the last byte of a 16-byte block
//      checksum = 0xEF XOR every segment data byte
//      SHA-256 of [0, checksum + 1) when hash_appended == 1
//      (Secure Boot v2) 0xFF padding to a 4 KiB boundary, then a 4 KiB signature sector holding
//      up to three 1216-byte blocks (first byte 0xE7), the rest 0xFF.

import FirmwareCrypto
import Foundation

/// Reads an ESP-IDF application image into an ``ESPIDFImageDescription``. Pure: bytes in, a
/// description out; no crypto, no file system beyond the byte source. Every length passes
/// through ``ByteReader``, so nothing is read past the file.
public enum ESPIDFParser {
    /// Parses the image header, segments, checksum, appended SHA-256, application descriptor
    /// and signature sector.
    ///
    /// - Parameter source: the image.
    /// - Returns: what the image declares.
    /// - Throws: `MalformedInput` — `.badMagic` when byte 0 is not 0xE9; `.length` for
    ///   `hash_appended` other than 0/1, more than 16 segments, or an offset that overflows;
    ///   `.truncated` when the file ends before a declared length or before a signature sector
    ///   it has begun.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> ESPIDFImageDescription {
        var reader = ByteReader(source)
        let magic = try reader.u8("image magic")
        guard magic == ESPIDFConstants.imageMagic else {
            throw MalformedInput(.malformedBadMagic, at: 0, "image magic is \(magic.hex(digits: 2)), not 0xe9: not an ESP-IDF image")
        }
        try reader.seek(to: 0, what: "image header")
        var header = try reader.slice(ESPIDFConstants.headerLength, what: "image header and extended header")
        _ = try header.u8("magic")
        let segmentCount = try header.u8("segment_count")
        let spiMode = try header.u8("spi_mode")
        let speedSize = try header.u8("spi_speed/spi_size")
        let entry = try header.u32le("entry_addr")
        let wpPin = try header.u8("wp_pin")
        let drive = [UInt8](try header.take(3, what: "spi_pin_drv"))
        let chipID = try header.u16le("chip_id")
        let minRev = try header.u8("min_chip_rev")
        let minRevFull = try header.u16le("min_chip_rev_full")
        let maxRevFull = try header.u16le("max_chip_rev_full")
        try header.skip(4, what: "reserved")
        let hashAppended = try header.u8("hash_appended")

        let chip = ESPIDFConstants.chips[chipID]
        let speed = speedSize & 0x0F
        let flash = ESPIDFImageDescription.Flash(
            mode: ESPIDFConstants.flashModes[spiMode] ?? spiMode.hex(digits: 2),
            size: ESPIDFConstants.flashSizes[speedSize >> 4],
            frequency: chip?.flashFrequencies[speed] ?? "0x\(String(speed, radix: 16))")
        let extended = ESPIDFImageDescription.ExtendedHeader(
            wpPin: wpPin.hex(digits: 2),
            spiPinDrive: drive.flatMap { [$0 & 0x0F, $0 >> 4] },
            chipId: chipID, minChipRev: minRev, minChipRevFull: minRevFull, maxChipRevFull: maxRevFull,
            hashAppended: hashAppended == 1)

        guard hashAppended <= 1 else {
            throw MalformedInput(.malformedLength, at: 23, "hash_appended is \(hashAppended), not 0 or 1")
        }
        guard segmentCount <= ESPIDFConstants.maxSegments else {
            throw MalformedInput(.malformedLength, at: 1, "segment_count is \(segmentCount); ESP-IDF allows at most \(ESPIDFConstants.maxSegments)")
        }

        // Segments: every data_len is checked against what remains before it is skipped.
        var segments: [ESPIDFImageDescription.Segment] = []
        for index in 0..<Int(segmentCount) {
            let headerOffset = reader.offset
            var segmentHeader = try reader.slice(ESPIDFConstants.segmentHeaderLength, what: "segment \(index) header")
            let loadAddress = try segmentHeader.u32le("segment \(index) load_addr")
            let length = try segmentHeader.u32le("segment \(index) data_len")
            let dataOffset = reader.offset
            try reader.skip(Int64(length), what: "segment \(index) data (data_len \(length))")
            segments.append(
                ESPIDFImageDescription.Segment(
                    index: index, loadAddress: loadAddress, length: length, headerOffset: headerOffset, dataOffset: dataOffset,
                    memoryTypes: chip?.memoryMap.filter { $0.contains(loadAddress) }.map(\.name) ?? []))
        }

        // Checksum: the last byte of the 16-byte block the segments end in.
        let segmentsEnd = reader.offset
        let alignment = ESPIDFConstants.checksumAlignment
        let checksumOffset = segmentsEnd + (alignment - 1 - segmentsEnd % alignment)
        try reader.seek(to: checksumOffset, what: "checksum byte")
        let storedChecksum = try reader.u8("checksum byte")
        var imageEnd = reader.offset

        var appendedDigest: ESPIDFImageDescription.AppendedDigest?
        if hashAppended == 1 {
            let value = try reader.take(Int(ESPIDFConstants.appendedDigestLength), what: "appended SHA-256")
            appendedDigest = ESPIDFImageDescription.AppendedDigest(offset: imageEnd, value: value.hexString, coveredRange: 0..<imageEnd)
            imageEnd = reader.offset
        }

        let appDescriptor = try parseAppDescriptor(source, segments: segments)

        // Signature sector: whenever the file goes on past the image (espsecure pads to 4 KiB).
        var sector: ESPIDFImageDescription.SignatureSector?
        var blocks: [ESPIDFImageDescription.SignatureBlock] = []
        var trailing: Int64?
        if source.count > imageEnd {
            let sectorLength = ESPIDFConstants.signatureSectorLength
            let (padded, overflow) = imageEnd.addingReportingOverflow(sectorLength - 1)
            guard !overflow else {
                throw MalformedInput(.malformedLength, at: imageEnd, "signature sector offset overflows")
            }
            let sectorOffset = padded / sectorLength * sectorLength
            try reader.seek(to: sectorOffset, what: "Secure Boot v2 signature sector")
            var sectorReader = try reader.slice(sectorLength, what: "Secure Boot v2 signature sector")
            sector = ESPIDFImageDescription.SignatureSector(offset: sectorOffset, length: sectorLength)
            for index in 0..<ESPIDFConstants.signatureBlockSlots {
                let blockOffset = sectorReader.offset
                let bytes = [UInt8](try sectorReader.take(Int(ESPIDFConstants.signatureBlockLength), what: "signature block \(index)"))
                if bytes[0] == ESPIDFConstants.signatureBlockMagic {
                    blocks.append(parseSignatureBlock(bytes, index: index, offset: blockOffset))
                }
            }
            let rest = source.count - reader.offset
            trailing = rest > 0 ? rest : nil
        }

        let descriptorVersion = appDescriptor?.version
        return ESPIDFImageDescription(
            fileSize: source.count, magic: magic.hex(digits: 2), chip: ESPIDFImageDescription.Chip(id: chipID, name: ESPIDFConstants.chipNames[chipID]),
            segmentCount: segmentCount, flash: flash, entry: entry, extendedHeader: extended, segments: segments,
            checksum: ESPIDFImageDescription.Checksum(offset: checksumOffset, stored: storedChecksum.hex(digits: 2)),
            appendedDigest: appendedDigest, imageLength: imageEnd, version: descriptorVersion,
            securityCounter: appDescriptor.map { UInt64($0.secureVersion) },
            hashAlgorithm: hashAppended == 1 ? .sha256 : nil,
            signatureAlgorithm: blocks.first?.algorithm, appDescriptor: appDescriptor, signatureSector: sector,
            signedRange: sector.map { 0..<$0.offset }, signatureBlocks: blocks, trailingBytes: trailing)
    }

    /// `esp_app_desc_t` at file offset 0x20, read only when segment 0's data holds all 256 bytes
    /// of it (so it lies inside the region the appended SHA-256 and the signatures cover) and it
    /// starts with `ESP_APP_DESC_MAGIC_WORD`. This is where the bootloader reads
    /// `secure_version` for anti-rollback.
    static func parseAppDescriptor(
        _ source: any ByteSource, segments: [ESPIDFImageDescription.Segment]
    ) throws(MalformedInput) -> ESPIDFImageDescription.AppDescriptor? {
        guard let first = segments.first, first.dataOffset == ESPIDFConstants.appDescriptorOffset,
            Int64(first.length) >= ESPIDFConstants.appDescriptorLength
        else { return nil }
        var reader = ByteReader(source, range: first.dataOffset..<(first.dataOffset + ESPIDFConstants.appDescriptorLength))
        let magic = try reader.u32le("esp_app_desc_t magic_word")
        guard magic == ESPIDFConstants.appDescriptorMagic else { return nil }
        let secureVersion = try reader.u32le("secure_version")
        try reader.skip(8, what: "reserv1")
        let version = cString(try reader.take(32, what: "version"))
        let projectName = cString(try reader.take(32, what: "project_name"))
        let time = cString(try reader.take(16, what: "time"))
        let date = cString(try reader.take(16, what: "date"))
        let idfVersion = cString(try reader.take(32, what: "idf_ver"))
        let elfSHA = try reader.take(32, what: "app_elf_sha256").hexString
        let minEfuse = try reader.u16le("min_efuse_blk_rev_full")
        let maxEfuse = try reader.u16le("max_efuse_blk_rev_full")
        let mmu = try reader.u8("mmu_page_size")
        return ESPIDFImageDescription.AppDescriptor(
            offset: first.dataOffset, magic: magic.hex(digits: 8), secureVersion: secureVersion, version: version, projectName: projectName,
            time: time, date: date, idfVersion: idfVersion, appElfSha256: elfSHA, minEfuseBlkRevFull: minEfuse,
            maxEfuseBlkRevFull: maxEfuse, mmuPageSizeLog2: mmu)
    }

    /// Decodes one present block (first byte 0xE7) of exactly 1216 bytes. The scheme is nil
    /// when the version, SHA or curve byte is not one Secure Boot v2 defines; the verifier fails
    /// such a block as an unsupported algorithm.
    static func parseSignatureBlock(_ bytes: [UInt8], index: Int, offset: Int64) -> ESPIDFImageDescription.SignatureBlock {
        precondition(Int64(bytes.count) == ESPIDFConstants.signatureBlockLength)
        let version = bytes[1]
        let crcAt = Int(ESPIDFConstants.signatureBlockCRCOffset)
        let crc = UInt32(bytes[crcAt]) | UInt32(bytes[crcAt + 1]) << 8 | UInt32(bytes[crcAt + 2]) << 16 | UInt32(bytes[crcAt + 3]) << 24

        var scheme: ESPIDFImageDescription.SignatureBlock.Scheme?
        var hash: DigestAlgorithm?
        var digest: Range<Int>?
        var key: Range<Int>?
        var signature: Range<Int>?
        if version == ESPIDFConstants.blockVersionRSA {
            scheme = .rsa3072PSS
            hash = .sha256
            digest = ESPIDFConstants.RSABlock.digest
            key = ESPIDFConstants.RSABlock.key
            signature = ESPIDFConstants.RSABlock.signature
        } else if version == ESPIDFConstants.blockVersionECDSA {
            let layout = ESPIDFConstants.ECDSABlock.self
            switch bytes[2] {
            case ESPIDFConstants.ecdsaSHA256:
                let curve = bytes[layout.sha256Key.lowerBound]
                if curve == ESPIDFConstants.curveIDP256 || curve == ESPIDFConstants.curveIDP192 {
                    scheme = curve == ESPIDFConstants.curveIDP256 ? .ecdsaP256 : .ecdsaP192
                    hash = .sha256
                    digest = layout.sha256Digest
                    key = layout.sha256Key
                    signature = layout.sha256Signature
                }
            case ESPIDFConstants.ecdsaSHA384:
                if bytes[layout.sha384Key.lowerBound] == ESPIDFConstants.curveIDP384 {
                    scheme = .ecdsaP384
                    hash = .sha384
                    digest = layout.sha384Digest
                    key = layout.sha384Key
                    signature = layout.sha384Signature
                }
            default:
                break
            }
        }
        func fileRange(_ range: Range<Int>?) -> Range<Int64>? {
            range.map { (offset + Int64($0.lowerBound))..<(offset + Int64($0.upperBound)) }
        }
        return ESPIDFImageDescription.SignatureBlock(
            index: index, offset: offset, version: version.hex(digits: 2), algorithm: scheme, hashAlgorithm: hash,
            declaredDigest: digest.map { Data(bytes[$0]).hexString }, keyRange: fileRange(key), signatureRange: fileRange(signature),
            crc: crc.hex(digits: 8))
    }

    /// A NUL-terminated field as text (invalid UTF-8 replaced, never trapped on).
    static func cString(_ data: Data) -> String {
        String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }
}
