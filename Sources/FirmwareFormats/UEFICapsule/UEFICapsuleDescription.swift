import Foundation

/// One payload item of an FMP capsule.
public struct UEFICapsuleItem: Sendable, Codable {
    public var imageTypeID: String
    public var imageIndex: UInt8
    public var hardwareInstance: UInt64
    public var headerVersion: UInt32
    public var imageSize: Int64
    public var vendorCodeSize: Int64
    /// ImageCapsuleSupport has CAPSULE_SUPPORT_AUTHENTICATION (header version 3).
    public var declaresAuthentication: Bool
    /// An EFI_FIRMWARE_IMAGE_AUTHENTICATION is present.
    public var authenticated = false
    public var monotonicCount: UInt64?
    public var certType: String?
    /// From EDK II's FMP_PAYLOAD_HEADER, when the payload starts with one.
    public var fwVersion: UInt32?
    public var lowestSupportedVersion: UInt32?
    /// The firmware bytes the signature covers (with the monotonic count), in the file.
    public var payloadSize: Int64 { Int64(payloadRange.count) }

    var imageStart: Int64
    var payloadRange: Range<Int64> = 0..<0
    var signature: Data?

    enum CodingKeys: String, CodingKey {
        case imageTypeID, imageIndex, hardwareInstance, headerVersion, imageSize, vendorCodeSize, declaresAuthentication, authenticated
        case monotonicCount, certType, payloadSize, fwVersion, lowestSupportedVersion
    }

    init(
        imageTypeID: String, imageIndex: UInt8, hardwareInstance: UInt64, headerVersion: UInt32, imageSize: Int64, vendorCodeSize: Int64,
        declaresAuthentication: Bool, imageStart: Int64
    ) {
        self.imageTypeID = imageTypeID
        self.imageIndex = imageIndex
        self.hardwareInstance = hardwareInstance
        self.headerVersion = headerVersion
        self.imageSize = imageSize
        self.vendorCodeSize = vendorCodeSize
        self.declaresAuthentication = declaresAuthentication
        self.imageStart = imageStart
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(imageTypeID, forKey: .imageTypeID)
        try container.encode(imageIndex, forKey: .imageIndex)
        try container.encode(hardwareInstance, forKey: .hardwareInstance)
        try container.encode(headerVersion, forKey: .headerVersion)
        try container.encode(imageSize, forKey: .imageSize)
        try container.encode(vendorCodeSize, forKey: .vendorCodeSize)
        try container.encode(declaresAuthentication, forKey: .declaresAuthentication)
        try container.encode(authenticated, forKey: .authenticated)
        try container.encodeIfPresent(monotonicCount, forKey: .monotonicCount)
        try container.encodeIfPresent(certType, forKey: .certType)
        try container.encode(payloadSize, forKey: .payloadSize)
        try container.encodeIfPresent(fwVersion, forKey: .fwVersion)
        try container.encodeIfPresent(lowestSupportedVersion, forKey: .lowestSupportedVersion)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a capsule item is made by parsing, not decoded"))
    }
}

/// What `fwgate inspect FILE.capsule` shows.
public struct UEFICapsuleDescription: FirmwareDescription {
    public var format: FormatID { .uefiCapsule }
    public var capsuleGUID: String
    public var headerSize: Int64
    public var flags: UInt32
    public var capsuleImageSize: Int64
    public var embeddedDrivers: Int
    public var items: [UEFICapsuleItem]
    /// Bytes after CapsuleImageSize.
    public var trailingBytes: Int64
    /// The first item's FwVersion (FMP_PAYLOAD_HEADER), for the rollback rule.
    public var version: String? { items.compactMap(\.fwVersion).first.map(String.init) }
    /// The monotonic count (the firmware's anti-replay counter) of the first signed item.
    public var securityCounter: UInt64? { items.compactMap(\.monotonicCount).first }
}
