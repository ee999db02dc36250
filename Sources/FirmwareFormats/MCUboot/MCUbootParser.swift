import FirmwareCrypto
import Foundation

/// Parses MCUboot images (mcuboot `boot/bootutil/include/bootutil/image.h`; layout as imgtool 2.x
/// writes it). Pure: bytes in, description out, no crypto. Every length is checked against what
/// remains before use, and offsets are summed in Int64 so `hdr_size + img_size` cannot wrap.
///
/// Structural problems throw `MalformedInput`: a file that ends before a declared length is
/// `malformed.truncated` (checked first), a TLV that overruns its area or an area whose size
/// disagrees with the header is `malformed.length`. Placement and duplication are not parse
/// errors: the description keeps every TLV and the verifier judges them.
public enum MCUbootParser {
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> MCUbootImageDescription {
        var reader = ByteReader(source)
        let magic = try reader.u32le("MCUboot header magic")
        guard magic == MCUbootConstants.imageMagic else {
            throw MalformedInput(
                .malformedBadMagic, at: 0,
                "header magic is \(magic.hex(digits: 8)), not MCUboot's \(MCUbootConstants.imageMagic.hex(digits: 8))")
        }
        let loadAddress = try reader.u32le("ih_load_addr")
        let headerSize = try reader.u16le("ih_hdr_size")
        let protectedSize = try reader.u16le("ih_protect_tlv_size")
        let imageSize = try reader.u32le("ih_img_size")
        let flags = try reader.u32le("ih_flags")
        let version = MCUbootImageDescription.Version(
            major: try reader.u8("ih_ver.iv_major"), minor: try reader.u8("ih_ver.iv_minor"),
            revision: try reader.u16le("ih_ver.iv_revision"), build: try reader.u32le("ih_ver.iv_build_num"))
        _ = try reader.u32le("_pad1")

        guard Int(headerSize) >= MCUbootConstants.headerSize else {
            throw MalformedInput(.malformedLength, at: 8, "ih_hdr_size \(headerSize) is smaller than the 32-byte header")
        }
        // hdr_size (u16) + img_size (u32) fits Int64 without overflow.
        let payloadEnd = Int64(headerSize) + Int64(imageSize)
        guard payloadEnd <= source.count else {
            throw MalformedInput(
                .malformedTruncated, at: 0,
                "header + payload (ih_hdr_size \(headerSize) + ih_img_size \(imageSize)) needs \(payloadEnd) bytes from 0x0, but the file ends at \(source.count.hex)")
        }

        var tlvs: [MCUbootImageDescription.TLV] = []
        var protectedArea: MCUbootImageDescription.TLVArea?
        var offset = payloadEnd
        if protectedSize > 0 {
            let area = try parseArea(
                source, at: offset, magic: MCUbootConstants.protectedTLVInfoMagic, name: "protected TLV area",
                declaredSize: protectedSize, kind: .protected, into: &tlvs)
            protectedArea = area
            offset += Int64(protectedSize)
        } else {
            var peek = ByteReader(source, range: offset..<source.count)
            let first = try peek.u16le("TLV info magic")
            if first == MCUbootConstants.protectedTLVInfoMagic {
                throw MalformedInput(
                    .malformedLength, at: offset, "a protected TLV area is present at \(offset.hex) but ih_protect_tlv_size is 0")
            }
        }
        let unprotected = try parseArea(
            source, at: offset, magic: MCUbootConstants.tlvInfoMagic, name: "TLV area", declaredSize: nil, kind: .unprotected,
            into: &tlvs)
        let end = offset + Int64(unprotected.totalLength)

        let securityCounter: UInt64? = try tlvs.first { $0.kind == .securityCounter && $0.area == .protected }.map { tlv throws(MalformedInput) in
            guard tlv.length == 4 else {
                throw MalformedInput(.malformedLength, at: tlv.offset, "SEC_CNT TLV length is \(tlv.length), not 4")
            }
            var value = ByteReader(source, range: tlv.valueRange)
            return UInt64(try value.u32le("SEC_CNT value"))
        }

        return MCUbootImageDescription(
            fileSize: source.count, loadAddress: loadAddress, headerSize: headerSize, protectedTLVSize: protectedSize,
            imageSize: imageSize, flags: flags, flagNames: MCUbootFlags.names(flags),
            version: "\(version.major).\(version.minor).\(version.revision)+\(version.build)", versionParts: version,
            securityCounter: securityCounter, hashedRange: 0..<(payloadEnd + Int64(protectedSize)),
            protectedArea: protectedArea, unprotectedArea: unprotected, tlvs: tlvs, trailingBytes: source.count - end)
    }

    /// Reads one `image_tlv_info` and the TLVs inside it.
    private static func parseArea(
        _ source: any ByteSource, at start: Int64, magic expected: UInt16, name: String, declaredSize: UInt16?,
        kind: MCUbootImageDescription.TLV.Area, into tlvs: inout [MCUbootImageDescription.TLV]
    ) throws(MalformedInput) -> MCUbootImageDescription.TLVArea {
        var reader = ByteReader(source, range: start..<source.count)
        let magic = try reader.u16le("\(name) info magic")
        guard magic == expected else {
            throw MalformedInput(
                .malformedBadMagic, at: start, "\(name) info magic at \(start.hex) is \(magic.hex(digits: 4)), expected \(expected.hex(digits: 4))")
        }
        let total = try reader.u16le("\(name) it_tlv_tot")
        if let declaredSize, total != declaredSize {
            throw MalformedInput(.malformedLength, at: start + 2, "\(name) length \(total) differs from ih_protect_tlv_size \(declaredSize)")
        }
        guard Int(total) >= MCUbootConstants.tlvInfoSize else {
            throw MalformedInput(.malformedLength, at: start + 2, "\(name) length \(total) is smaller than its own 4-byte info header")
        }
        let end = start + Int64(total)
        guard end <= source.count else {
            throw MalformedInput(
                .malformedTruncated, at: start,
                "\(name) at \(start.hex) declares \(total) bytes (it_tlv_tot, to \(end.hex)), but the file ends at \(source.count.hex)")
        }
        var area = ByteReader(source, range: reader.offset..<end)
        while !area.isAtEnd {
            let tlvOffset = area.offset
            guard area.remaining >= Int64(MCUbootConstants.tlvHeaderSize) else {
                throw MalformedInput(
                    .malformedLength, at: tlvOffset, "\(name): \(area.remaining) stray byte(s) at \(tlvOffset.hex), too few for a TLV header")
            }
            let type = try area.u16le("TLV type")
            let length = try area.u16le("TLV length")
            guard Int64(length) <= area.remaining else {
                throw MalformedInput(
                    .malformedLength, at: tlvOffset + 2,
                    "TLV \(type.hex(digits: 2)) at \(tlvOffset.hex): its length \(length) runs past the \(name) end \(end.hex)")
            }
            try area.skip(Int64(length), what: "TLV value")
            let tlvKind = MCUbootTLVKind(rawValue: type)
            tlvs.append(.init(kind: tlvKind, name: tlvKind.name, area: kind, offset: tlvOffset, length: length))
        }
        return .init(magic: magic.hex(digits: 4), offset: start, totalLength: total)
    }
}
