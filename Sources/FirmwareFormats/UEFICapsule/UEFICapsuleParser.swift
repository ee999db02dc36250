import FirmwareCrypto
import Foundation

/// UEFI GUIDs as stored: the first three fields little-endian (UEFI 2.10 Appendix A).
enum UEFIGUID {
    /// EFI_FIRMWARE_MANAGEMENT_CAPSULE_ID_GUID (UEFI 2.10 §23.3).
    static let fmpCapsule = bytes("6dcbd5ed-e82d-4c44-bda1-7194199ad92a")
    /// EFI_CERT_TYPE_PKCS7_GUID (UEFI 2.10 §32.2.4).
    static let pkcs7 = bytes("4aafd29d-68df-49ee-8aa9-347d375665a7")

    static func bytes(_ text: String) -> Data {
        // `filter`, not `replacingOccurrences`: that bridges through NSString, and these
        // constants are built in every run that loads a trust file (issue 10).
        let hex = String(text.filter { $0 != "-" })
        let raw = [UInt8](Data(hexString: hex)!)
        return Data(raw[0..<4].reversed() + raw[4..<6].reversed() + raw[6..<8].reversed() + raw[8..<16])
    }

    static func string(_ data: Data) -> String {
        let raw = [UInt8](data)
        guard raw.count == 16 else { return data.hexString }
        let ordered = raw[0..<4].reversed() + raw[4..<6].reversed() + raw[6..<8].reversed() + raw[8..<16]
        let hex = Data(ordered).hexString
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}

/// Reads an FMP capsule as `mkeficapsule` and EDK II write it (UEFI 2.10 §23.3): the
/// EFI_CAPSULE_HEADER, the EFI_FIRMWARE_MANAGEMENT_CAPSULE_HEADER and its item offsets, each
/// EFI_FIRMWARE_MANAGEMENT_CAPSULE_IMAGE_HEADER (versions 1–3), and each image's
/// EFI_FIRMWARE_IMAGE_AUTHENTICATION (monotonic count, WIN_CERTIFICATE_UEFI_GUID with PKCS#7).
/// Every size and offset is checked against the capsule and the file before use.
enum UEFICapsuleParser {
    static let capsuleHeaderSize: Int64 = 28
    /// WIN_CERTIFICATE_UEFI_GUID's fixed part: dwLength, wRevision, wCertificateType, CertType.
    static let winCertificateHeader: Int64 = 24
    static let maxItems = 256

    static func parse(_ source: any ByteSource) throws(MalformedInput) -> UEFICapsuleDescription {
        var reader = ByteReader(source)
        let guid = try reader.take(16, what: "capsule GUID")
        guard guid == UEFIGUID.fmpCapsule else {
            throw MalformedInput(.malformedBadMagic, at: 0, "capsule GUID \(UEFIGUID.string(guid)) is not the FMP capsule GUID (6dcbd5ed-e82d-4c44-bda1-7194199ad92a)")
        }
        let headerSize = Int64(try reader.u32le("HeaderSize"))
        let flags = try reader.u32le("Flags")
        let imageSize = Int64(try reader.u32le("CapsuleImageSize"))
        guard headerSize >= capsuleHeaderSize, headerSize <= imageSize else {
            throw MalformedInput(.malformedLength, at: 16, "HeaderSize \(headerSize) is not between \(capsuleHeaderSize) and CapsuleImageSize \(imageSize)")
        }
        guard imageSize <= source.count else {
            throw MalformedInput(.malformedTruncated, at: 24, "CapsuleImageSize is \(imageSize) bytes; the file has \(source.count)")
        }
        // The FMP header and everything after it must lie inside the capsule.
        var fmp = ByteReader(source, range: headerSize..<imageSize)
        let fmpStart = headerSize
        let fmpVersion = try fmp.u32le("FMP capsule header Version")
        guard fmpVersion == 1 else {
            throw MalformedInput(.malformedEncoding, at: fmpStart, "FMP capsule header version \(fmpVersion) (only version 1 is defined)")
        }
        let drivers = Int(try fmp.u16le("EmbeddedDriverCount"))
        let payloads = Int(try fmp.u16le("PayloadItemCount"))
        guard drivers + payloads <= maxItems, payloads >= 1 else {
            throw MalformedInput(.malformedLength, at: fmpStart + 4, "\(drivers) embedded driver(s) and \(payloads) payload item(s): expected 1 to \(maxItems) items")
        }
        var offsets: [Int64] = []
        for index in 0..<(drivers + payloads) {
            let offset = try fmp.u64le("ItemOffsetList[\(index)]")
            guard offset < UInt64(imageSize - fmpStart) else {
                throw MalformedInput(.malformedLength, at: fmp.offset - 8, "ItemOffsetList[\(index)] 0x\(String(offset, radix: 16)) lies outside the capsule")
            }
            offsets.append(fmpStart + Int64(offset))
        }
        let listEnd = fmp.offset
        var items: [UEFICapsuleItem] = []
        for (index, start) in offsets.enumerated().dropFirst(drivers) {
            guard start >= listEnd else {
                throw MalformedInput(.malformedLength, at: start, "payload item \(index - drivers) starts inside the FMP capsule header")
            }
            items.append(try item(source, at: start, capsuleEnd: imageSize, index: index - drivers))
        }
        return UEFICapsuleDescription(
            capsuleGUID: UEFIGUID.string(guid), headerSize: headerSize, flags: flags, capsuleImageSize: imageSize, embeddedDrivers: drivers,
            items: items, trailingBytes: source.count - imageSize)
    }

    /// EFI_FIRMWARE_MANAGEMENT_CAPSULE_IMAGE_HEADER and the image's authentication.
    static func item(_ source: any ByteSource, at start: Int64, capsuleEnd: Int64, index: Int) throws(MalformedInput) -> UEFICapsuleItem {
        var reader = ByteReader(source, range: start..<capsuleEnd)
        let version = try reader.u32le("image header Version")
        guard (1...3).contains(version) else {
            throw MalformedInput(.malformedEncoding, at: start, "payload item \(index): image header version \(version) (1 to 3 are defined)")
        }
        let typeID = try reader.take(16, what: "UpdateImageTypeId")
        let imageIndex = try reader.u8("UpdateImageIndex")
        try reader.skip(3, what: "reserved bytes")
        let imageSize = Int64(try reader.u32le("UpdateImageSize"))
        let vendorCodeSize = Int64(try reader.u32le("UpdateVendorCodeSize"))
        let instance = version >= 2 ? try reader.u64le("UpdateHardwareInstance") : 0
        let support = version >= 3 ? try reader.u64le("ImageCapsuleSupport") : 0
        let imageStart = reader.offset
        guard imageSize + vendorCodeSize <= reader.remaining else {
            throw MalformedInput(
                .malformedLength, at: start + 24,
                "payload item \(index): UpdateImageSize \(imageSize) and UpdateVendorCodeSize \(vendorCodeSize) run past the capsule (\(reader.remaining) bytes remain)")
        }
        var item = UEFICapsuleItem(
            imageTypeID: UEFIGUID.string(typeID), imageIndex: imageIndex, hardwareInstance: instance, headerVersion: version, imageSize: imageSize,
            vendorCodeSize: vendorCodeSize, declaresAuthentication: support & 1 != 0, imageStart: imageStart)
        try authentication(source, into: &item)
        payloadHeader(source, into: &item)
        return item
    }

    /// EDK II's FMP_PAYLOAD_HEADER at the start of the payload (`MSS1`, HeaderSize, FwVersion,
    /// LowestSupportedVersion), when there is one: the versions the rollback rule compares. It is
    /// inside the signed payload.
    static func payloadHeader(_ source: any ByteSource, into item: inout UEFICapsuleItem) {
        let start = item.payloadRange.lowerBound
        guard item.payloadRange.count >= 16, let head = try? source.bytes(at: start, length: 16), head.prefix(4) == Data("MSS1".utf8) else { return }
        let bytes = [UInt8](head)
        func u32(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24 }
        guard u32(4) >= 16, Int64(u32(4)) <= Int64(item.payloadRange.count) else { return }
        item.fwVersion = u32(8)
        item.lowestSupportedVersion = u32(12)
    }

    /// EFI_FIRMWARE_IMAGE_AUTHENTICATION at the start of the image: present when the header
    /// declares it (version 3, CAPSULE_SUPPORT_AUTHENTICATION) or when a WIN_CERTIFICATE_UEFI_GUID
    /// follows the first 8 bytes.
    static func authentication(_ source: any ByteSource, into item: inout UEFICapsuleItem) throws(MalformedInput) {
        let start = item.imageStart
        var reader = ByteReader(source, range: start..<(start + item.imageSize))
        let looksSigned: Bool = {
            guard item.imageSize >= 8 + winCertificateHeader, let head = try? source.bytes(at: start + 12, length: 4) else { return false }
            return head == Data([0x00, 0x02, 0xf1, 0x0e])
        }()
        guard item.declaresAuthentication || looksSigned else {
            item.payloadRange = start..<(start + item.imageSize)
            return
        }
        let count = try reader.u64le("MonotonicCount")
        let length = Int64(try reader.u32le("WIN_CERTIFICATE dwLength"))
        let revision = try reader.u16le("WIN_CERTIFICATE wRevision")
        let type = try reader.u16le("WIN_CERTIFICATE wCertificateType")
        guard revision == 0x0200, type == 0x0ef1 else {
            throw MalformedInput(
                .malformedEncoding, at: start + 12,
                "the image authentication's WIN_CERTIFICATE is revision 0x\(String(revision, radix: 16)) type 0x\(String(type, radix: 16)); a capsule signature is revision 0x200, WIN_CERT_TYPE_EFI_GUID (0x0ef1)")
        }
        guard length >= winCertificateHeader, length <= item.imageSize - 8 else {
            throw MalformedInput(.malformedLength, at: start + 8, "WIN_CERTIFICATE dwLength \(length) does not fit the image (\(item.imageSize) bytes)")
        }
        let certType = try reader.take(16, what: "CertType")
        let certData = try reader.take(Int(length - winCertificateHeader), what: "CertData")
        item.monotonicCount = count
        item.certType = UEFIGUID.string(certType)
        item.signature = certType == UEFIGUID.pkcs7 ? certData : nil
        item.authenticated = true
        item.payloadRange = (start + 8 + length)..<(start + item.imageSize)
    }
}
