import Foundation

/// A member of the outer tar.
struct MenderMember: Sendable, Hashable {
    let name: String
    /// Where its data starts in the artifact.
    let offset: Int64
    let size: Int64
}

/// A line of `manifest`.
struct MenderManifestEntry: Sendable, Hashable, Codable {
    let path: String
    let sha256: String
}

/// What `fwgate inspect ARTIFACT.mender` shows.
public struct MenderDescription: FirmwareDescription {
    public var format: FormatID { .mender }
    public var artifactName: String?
    public var artifactGroup: String?
    /// `artifact_depends.device_type`: the devices it is for.
    public var deviceTypes: [String] = []
    public var payloadTypes: [String] = []
    /// Every payload's `artifact_provides` (`rootfs-image.version`, ...).
    public var provides: [String: String] = [:]
    /// The outer members, in order, with their sizes.
    public var memberList: [String] { members.map { "\($0.name) (\($0.size) bytes)" } }
    public var signed: Bool { signature != nil }
    /// The header's compression when fwgate cannot read it (xz, zst).
    public var unsupportedCompression: String?
    /// The version the rollback rule compares: `rootfs-image.version`, else the artifact name.
    public var version: String? { provides["rootfs-image.version"] ?? artifactName }
    public var securityCounter: UInt64? { nil }
    public var compatibleDevices: [String]? { deviceTypes.isEmpty ? nil : deviceTypes }

    let members: [MenderMember]
    let manifest: [MenderManifestEntry]
    let manifestBytes: Data
    let signature: Data?
    let augment: [MenderManifestEntry]

    init(members: [MenderMember], manifest: [MenderManifestEntry], manifestBytes: Data, signature: Data?, augment: [MenderManifestEntry]) {
        self.members = members
        self.manifest = manifest
        self.manifestBytes = manifestBytes
        self.signature = signature
        self.augment = augment
    }

    enum CodingKeys: String, CodingKey {
        case format, artifactName, artifactGroup, deviceTypes, payloadTypes, provides, members, manifest, signed, unsupportedCompression
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encodeIfPresent(artifactName, forKey: .artifactName)
        try container.encodeIfPresent(artifactGroup, forKey: .artifactGroup)
        try container.encode(deviceTypes, forKey: .deviceTypes)
        try container.encode(payloadTypes, forKey: .payloadTypes)
        try container.encode(provides, forKey: .provides)
        try container.encode(memberList, forKey: .members)
        try container.encode(manifest.map { "\($0.sha256)  \($0.path)" }, forKey: .manifest)
        try container.encode(signed, forKey: .signed)
        try container.encodeIfPresent(unsupportedCompression, forKey: .unsupportedCompression)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a Mender description is made by parsing, not decoded"))
    }
}
