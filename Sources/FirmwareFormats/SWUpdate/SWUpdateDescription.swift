import FirmwareCrypto
import Foundation

/// An entry of sw-description's `images`, `files` or `scripts`.
public struct SWUpdateArtifact: Sendable, Hashable, Codable {
    /// `images`, `files` or `scripts`.
    public var section: String
    public var filename: String
    public var sha256: String?
    public var version: String?
    public var type: String?
    /// `device` for images, `path` for files.
    public var target: String?
    public var installedDirectly: Bool?
}

/// What `fwgate inspect PACKAGE.swu` shows.
public struct SWUpdateDescription: FirmwareDescription {
    public var format: FormatID { .swupdate }
    /// `software.version`.
    public var softwareVersion: String?
    public var softwareDescription: String?
    /// `hardware-compatibility`.
    public var hardwareCompatibility: [String]
    public var artifacts: [SWUpdateArtifact]
    /// `libconfig` or `json`.
    public var syntax: String
    /// `newc` or `crc`.
    public var cpioFormat: String
    public var signed: Bool { signature != nil }
    public var version: String? { softwareVersion }
    public var securityCounter: UInt64? { nil }
    /// `hardware-compatibility`; nil when the package lists none (SWUpdate then installs on any board).
    public var compatibleDevices: [String]? { hardwareCompatibility.isEmpty ? nil : hardwareCompatibility }

    let members: [CpioEntry]
    let swDescription: Data
    let signature: Data?

    enum CodingKeys: String, CodingKey {
        case format, softwareVersion, softwareDescription, hardwareCompatibility, artifacts, syntax, cpioFormat, members, signed
    }

    init(
        softwareVersion: String?, softwareDescription: String?, hardwareCompatibility: [String], artifacts: [SWUpdateArtifact], syntax: String,
        members: [CpioEntry], swDescription: Data, signature: Data?
    ) {
        self.softwareVersion = softwareVersion
        self.softwareDescription = softwareDescription
        self.hardwareCompatibility = hardwareCompatibility
        self.artifacts = artifacts
        self.syntax = syntax
        self.cpioFormat = members.first?.checksum == nil ? "newc" : "crc"
        self.members = members
        self.swDescription = swDescription
        self.signature = signature
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encodeIfPresent(softwareVersion, forKey: .softwareVersion)
        try container.encodeIfPresent(softwareDescription, forKey: .softwareDescription)
        try container.encode(hardwareCompatibility, forKey: .hardwareCompatibility)
        try container.encode(artifacts, forKey: .artifacts)
        try container.encode(syntax, forKey: .syntax)
        try container.encode(cpioFormat, forKey: .cpioFormat)
        try container.encode(members.map { "\($0.name) (\($0.size) bytes)" }, forKey: .members)
        try container.encode(signed, forKey: .signed)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an SWUpdate description is made by parsing, not decoded"))
    }
}
