import Foundation

/// Everything `fwgate inspect` shows about a U-Boot legacy image (see ``UImageConstants`` for
/// the header). Values are what the file declares; the CRCs fwgate computes are checks
/// (``UImageFormat/verify(_:input:)``). Offsets are file offsets.
public struct UImageDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .uimage }
    public var fileSize: Int64
    /// `ih_name`, up to the first NUL, bytes outside printable ASCII shown as `\xNN`.
    public var name: String
    /// `ih_hcrc` as `0x…`.
    public var headerCRC: String
    /// `ih_time` (seconds since 1970) as RFC 3339 UTC, e.g. `2026-01-01T00:00:00Z`.
    public var created: String
    /// `ih_size`.
    public var dataSize: UInt32
    /// `ih_load`, `ih_ep` as `0x…`.
    public var loadAddress: String
    public var entryPoint: String
    /// `ih_dcrc` as `0x…`.
    public var dataCRC: String
    public var os: String
    public var architecture: String
    public var type: String
    public var compression: String
    /// The data, `[64, 64 + ih_size)`.
    public var dataRange: Range<Int64>
    /// Multi-file images and scripts: each sub-image as the size table declares it.
    public var subImages: [SubImage]?
    /// Bytes after the data, covered by neither CRC; nil when there are none.
    public var trailingBytes: Int64?
    /// A legacy image has no version field and no security counter.
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }

    /// The stored CRCs as numbers (from the fields above, so they are not encoded twice).
    var storedHeaderCRC: UInt32 { UInt32(headerCRC.dropFirst(2), radix: 16) ?? 0 }
    var storedDataCRC: UInt32 { UInt32(dataCRC.dropFirst(2), radix: 16) ?? 0 }

    /// One entry of a multi-file image's size table.
    public struct SubImage: Sendable, Codable, Equatable {
        public var index: Int
        public var offset: Int64
        public var size: UInt32
    }

    init(
        fileSize: Int64, name: String, storedHeaderCRC: UInt32, created: UInt32, dataSize: UInt32, loadAddress: UInt32,
        entryPoint: UInt32, storedDataCRC: UInt32, os: UInt8, architecture: UInt8, type: UInt8, compression: UInt8,
        subImages: [SubImage]?
    ) {
        self.fileSize = fileSize
        self.name = name
        self.headerCRC = storedHeaderCRC.hex(digits: 8)
        self.created = Date(timeIntervalSince1970: TimeInterval(created)).formatted(.iso8601)
        self.dataSize = dataSize
        self.loadAddress = loadAddress.hex(digits: 8)
        self.entryPoint = entryPoint.hex(digits: 8)
        self.dataCRC = storedDataCRC.hex(digits: 8)
        self.os = UImageConstants.name(os, in: UImageConstants.operatingSystems)
        self.architecture = UImageConstants.name(architecture, in: UImageConstants.architectures)
        self.type = UImageConstants.name(type, in: UImageConstants.types)
        self.compression = UImageConstants.name(compression, in: UImageConstants.compressions)
        let dataEnd = UImageConstants.headerLength + Int64(dataSize)
        self.dataRange = UImageConstants.headerLength..<dataEnd
        self.subImages = subImages
        self.trailingBytes = fileSize > dataEnd ? fileSize - dataEnd : nil
    }
}
