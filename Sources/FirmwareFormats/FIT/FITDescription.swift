import FirmwareCrypto
import Foundation

/// Everything `fwgate inspect` shows about a FIT image (U-Boot doc/usage/fit/source_file_format.rst):
/// its images with where their data lies and their hash and signature nodes, and its
/// configurations with the images they name and their signature nodes. Values are what the
/// file declares; what fwgate computes is reported as checks (``FITFormat/verify(_:input:)``).
public struct FITDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .fit }
    public var fileSize: Int64
    /// The device tree's `totalsize`: external image data (mkimage -E) follows it.
    public var treeSize: Int64
    public var description: String?
    /// The root `timestamp`, RFC 3339 UTC.
    public var timestamp: String?
    public var images: [Image]
    /// `/configurations/default`: the configuration U-Boot boots when none is named. Not
    /// covered by any signature: whoever edits the file can point it at another configuration.
    public var defaultConfiguration: String?
    public var configurations: [Configuration]
    /// Bytes after the tree and its external data, covered by nothing; nil when none.
    public var trailingBytes: Int64?
    /// FIT has no image version or security counter of its own.
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }
    /// The parsed tree: the verifier cuts the signature regions from its tokens (not shown by
    /// inspect, so the file is parsed once).
    var tree: FDT

    enum CodingKeys: String, CodingKey {
        case format, fileSize, treeSize, description, timestamp, images, defaultConfiguration, configurations, trailingBytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(fileSize, forKey: .fileSize)
        try container.encode(treeSize, forKey: .treeSize)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(timestamp, forKey: .timestamp)
        try container.encode(images, forKey: .images)
        try container.encodeIfPresent(defaultConfiguration, forKey: .defaultConfiguration)
        try container.encode(configurations, forKey: .configurations)
        try container.encodeIfPresent(trailingBytes, forKey: .trailingBytes)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a FIT description is made by parsing, not decoded"))
    }

    init(
        fileSize: Int64, treeSize: Int64, description: String?, timestamp: String?, images: [Image], defaultConfiguration: String?,
        configurations: [Configuration], trailingBytes: Int64?, tree: FDT
    ) {
        self.fileSize = fileSize
        self.treeSize = treeSize
        self.description = description
        self.timestamp = timestamp
        self.images = images
        self.defaultConfiguration = defaultConfiguration
        self.configurations = configurations
        self.trailingBytes = trailingBytes
        self.tree = tree
    }

    public struct Image: Sendable, Codable, Equatable {
        public var name: String
        public var path: String
        public var description: String?
        public var type: String?
        public var architecture: String?
        public var os: String?
        public var compression: String?
        public var loadAddress: String?
        public var entryPoint: String?
        /// The image data in the file.
        public var dataRange: Range<Int64>
        /// `embedded` (a `data` property), `data-offset` or `data-position` (external data).
        public var dataSource: String
        public var hashes: [Hash]
        public var signatures: [Signature]
    }

    public struct Hash: Sendable, Codable, Equatable {
        public var name: String
        /// `algo`: crc32, md5, sha1, sha256, sha384, sha512.
        public var algorithm: String
        /// `value`, lowercase hex; nil when absent.
        public var value: String?
    }

    public struct Signature: Sendable, Codable, Equatable {
        public var name: String
        public var path: String
        /// `algo`, e.g. `sha256,rsa2048` or `sha256,ecdsa256`.
        public var algorithm: String
        /// `padding`: `pkcs-1.5` (default) or `pss`.
        public var padding: String?
        public var keyNameHint: String?
        /// `value`, lowercase hex; nil when absent.
        public var value: String?
        /// What the signer says it hashed (`hashed-nodes`). Not trusted: fwgate derives the
        /// list from the configuration, as U-Boot does since 2021.
        public var hashedNodes: [String]?
        /// `hashed-strings`: offset (always 0) and length of the strings block prefix signed.
        public var hashedStrings: [UInt32]?
        public var signImages: [String]?
    }

    public struct Configuration: Sendable, Codable, Equatable {
        public var name: String
        public var path: String
        /// Whether U-Boot boots this one when none is named: it is `default`, or there is no
        /// `default` (then fwgate holds every configuration to the rules of the one that boots).
        public var boots: Bool
        public var description: String?
        /// The properties that name images (`kernel`, `fdt`, `ramdisk`, `loadables`, ...).
        public var references: [Reference]
        public var signatures: [Signature]
    }

    public struct Reference: Sendable, Codable, Equatable {
        public var property: String
        public var images: [String]
    }

    public func image(named name: String) -> Image? { images.first { $0.name == name } }
    public func configuration(named name: String) -> Configuration? { configurations.first { $0.name == name } }
}
