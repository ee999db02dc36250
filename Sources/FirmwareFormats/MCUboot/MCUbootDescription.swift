import Foundation

/// Everything `fwgate inspect` shows about an MCUboot image.
public struct MCUbootImageDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .mcuboot }
    public var fileSize: Int64
    /// `ih_load_addr`.
    public var loadAddress: UInt32
    /// `ih_hdr_size`: header plus padding before the payload.
    public var headerSize: UInt16
    /// `ih_protect_tlv_size`: the protected TLV area including its info header, 0 if none.
    public var protectedTLVSize: UInt16
    /// `ih_img_size`: payload bytes.
    public var imageSize: UInt32
    /// `ih_flags`.
    public var flags: UInt32
    public var flagNames: [String]
    /// `ih_ver` as `major.minor.revision+build`.
    public var version: String?
    public var versionParts: Version
    /// The SEC_CNT TLV value from the protected area.
    public var securityCounter: UInt64?
    /// The bytes the image hash covers: `[0, hdr_size + img_size + protect_tlv_size)`.
    public var hashedRange: Range<Int64>
    public var protectedArea: TLVArea?
    public var unprotectedArea: TLVArea
    /// Every TLV, protected ones first, in file order.
    public var tlvs: [TLV]
    /// Bytes after the TLV areas (the boot trailer of a padded image), if any.
    public var trailingBytes: Int64

    public struct Version: Sendable, Codable, Equatable, Comparable {
        public var major: UInt8
        public var minor: UInt8
        public var revision: UInt16
        public var build: UInt32

        public static func < (a: Version, b: Version) -> Bool {
            (a.major, a.minor, a.revision, a.build) < (b.major, b.minor, b.revision, b.build)
        }
    }

    public struct TLVArea: Sendable, Codable, Equatable {
        /// `0x6908` (protected) or `0x6907`.
        public var magic: String
        /// Offset of the area's info header.
        public var offset: Int64
        /// `it_tlv_tot`: the area's length including the info header.
        public var totalLength: UInt16
    }

    public struct TLV: Sendable, Codable, Equatable {
        public enum Area: String, Sendable, Codable { case protected, unprotected }
        public var kind: MCUbootTLVKind
        public var name: String
        public var area: Area
        /// Offset of the TLV header; the value follows 4 bytes later.
        public var offset: Int64
        public var length: UInt16

        public var valueRange: Range<Int64> { (offset + 4)..<(offset + 4 + Int64(length)) }
    }

    /// The TLVs of one kind.
    public func tlvs(_ kind: MCUbootTLVKind) -> [TLV] { tlvs.filter { $0.kind == kind } }
}
