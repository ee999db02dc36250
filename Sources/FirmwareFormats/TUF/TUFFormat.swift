import FirmwareCrypto
import Foundation

extension FormatID {
    /// A TUF repository on disk (The Update Framework 1.0.x): `REPOSITORY/metadata/` and
    /// `REPOSITORY/targets/`, verified offline against a client's trusted root.json.
    public static let tuf: FormatID = "tuf"
}

extension CheckCode {
    /// A metadata file's version is not the one that names or lists it (`N.root.json` holding
    /// another version; snapshot or targets not at the version the signed meta gives: a
    /// mix-and-match of validly signed files).
    public static let metadataVersionMismatch: CheckCode = "metadata.version-mismatch"
    /// A delegated role lists a target path it was not delegated, or a delegation cannot be
    /// followed (the role's metadata is not in the snapshot).
    public static let metadataDelegation: CheckCode = "metadata.delegation"
}

/// TUF repositories (theupdateframework.github.io/specification, v1.0.x), verified offline as
/// the client workflow of §5 does: `fwgate verify REPOSITORY/ --trust CLIENT/metadata/root.json`.
///
/// - §5.3 root rotation through `N.root.json` (each new root signed by the old and its own
///   thresholds), then expiry of the final root;
/// - §5.4–5.6 timestamp → snapshot → targets: thresholds of distinct keys, signed lengths and
///   hashes, versions as the signed meta gives them, expiry at the context time, and no version
///   below the client's trusted timestamp and snapshot (in the root's folder);
/// - §5.6.7 delegations in order, with paths, path hash prefixes and `terminating`;
/// - every target file by length and hashes (sha256/384/512), streamed.
public enum TUFFormat: FirmwareFormat {
    public static let id: FormatID = .tuf
    public static let name = "TUF repository"
    public static let detects = "a folder with metadata/timestamp.json (a TUF repository)"
    public static let verifies = [
        "root rotation N → N+1 signed by the old and new root thresholds, from the client's trusted root.json",
        "timestamp, snapshot, targets and delegated roles: thresholds of distinct keys (ed25519, ecdsa-sha2-nistp256/384, rsassa-pss-sha256) over canonical JSON",
        "expiry at the context time; versions as the signed meta lists them; no rollback below the client's trusted timestamp and snapshot",
        "snapshot and targets metadata against their signed lengths and hashes",
        "delegations: paths, path hash prefixes, terminating; no target listed by a role not delegated it",
        "every target file's length and hashes (sha256/384/512)",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedEncoding, .malformedLength, .malformedUnsafePath, .metadataThreshold, .metadataExpired, .metadataVersionMismatch,
        .metadataDelegation, .rollbackVersion, .integrityDigestMismatch, .integrityUnverifiable, .manifestEntryMismatch,
        .manifestMissingEntry, .keyUntrusted, .signatureUnsupportedAlgorithm,
    ]
    public static let passPhrases: [CheckCode: String] = [
        .metadataVersionMismatch: "metadata versions as signed",
        .metadataDelegation: "delegations respected",
    ]
    public static let parsedPart: ParsedPart = .folderEntry("metadata/timestamp.json")

    /// The files beside a client's root.json that hold its trusted state.
    public static let clientStateFiles = ["timestamp.json", "snapshot.json"]

    /// True for a TUF root metadata file (`"_type": "root"` inside `"signed"`), as a trust file.
    public static func looksLikeRoot(_ bytes: Data) -> Bool { metadataType(bytes) == "root" }

    /// True for a client's trusted root, timestamp or snapshot metadata given as a trust file.
    public static func looksLikeClientState(_ bytes: Data) -> Bool {
        ["root", "timestamp", "snapshot"].contains(metadataType(bytes) ?? "")
    }

    /// `signed._type` of a small JSON metadata file, or nil.
    static func metadataType(_ bytes: Data) -> String? {
        guard bytes.count <= TUFMetadata.maxLength("snapshot"), bytes.first(where: { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }) == UInt8(ascii: "{"),
            let document = try? JSONDocument.parse(bytes)
        else { return nil }
        return document["signed"]?["_type"]?.string
    }

    public static func sniff(_ source: any ByteSource) -> Bool {
        guard source.count > 0, let head = try? source.bytes(at: 0, length: Int(min(source.count, 4096))) else { return false }
        return head.first(where: { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }) == UInt8(ascii: "{")
    }

    /// The repository's timestamp.json (what `inspect` shows; the rest is read by the verifier).
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> TUFDescription {
        guard source.count <= TUFMetadata.maxLength("timestamp") else {
            throw MalformedInput(.malformedLength, at: 0, "metadata/timestamp.json has \(source.count) bytes, more than the 16384 a timestamp may have")
        }
        var reader = ByteReader(source)
        let bytes = try reader.take(Int(source.count), what: "timestamp.json")
        let timestamp: TUFMetadata
        let snapshot: TUFMetaFile
        do throws(TUFProblem) {
            timestamp = try TUFMetadata.parse(bytes, type: "timestamp", file: "metadata/timestamp.json")
            snapshot = try TUFMetaFile.parse(timestamp.signed["meta"]?["snapshot.json"], name: "snapshot.json", file: "metadata/timestamp.json")
        } catch {
            throw MalformedInput(error.code, at: 0, error.message)
        }
        return TUFDescription(
            specVersion: timestamp.specVersion, timestampVersion: timestamp.version, timestampExpires: timestamp.expiresText,
            snapshotVersion: snapshot.version)
    }

    /// The timestamp, then what the repository's other metadata says (roles, versions, expiries,
    /// thresholds, targets), read as it is, not verified: `inspect` shows it; `verify` judges it.
    public static func parse(_ source: any ByteSource, folder: ArtifactFolder) throws(MalformedInput) -> TUFDescription {
        var description = try parse(source)
        TUFInspection.describe(folder, into: &description)
        return description
    }

    public static func digestRequests(for description: TUFDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: TUFDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        TUFVerifier(input: input).result()
    }
}

/// What `fwgate inspect REPOSITORY/` shows: the repository's timestamp.
public struct TUFDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .tuf }
    public var specVersion: String
    public var timestampVersion: Int64
    public var timestampExpires: String
    /// The snapshot version the timestamp names.
    public var snapshotVersion: Int64
    /// Every role's metadata as the repository holds it (not verified by `inspect`).
    public var roles: [TUFDescription.Role] = []
    /// Every target any role lists.
    public var targets: [TUFDescription.Target] = []
    public var consistentSnapshot: Bool?
    public var version: String? { nil }

    public struct Role: Sendable, Codable, Equatable {
        public var name: String
        public var file: String
        public var version: Int64?
        public var expires: String?
        /// From root (top-level roles) or the delegating role's delegations.
        public var threshold: Int64?
        public var keys: Int?
        public var signatures: Int?
        /// Why the file could not be read, when it could not.
        public var unreadable: String?
    }

    public struct Target: Sendable, Codable, Equatable {
        public var path: String
        public var length: Int64?
        public var sha256: String?
        public var role: String
    }
    public var securityCounter: UInt64? { nil }

    enum CodingKeys: String, CodingKey {
        case format, specVersion, timestampVersion, timestampExpires, snapshotVersion, consistentSnapshot, roles, targets, note
    }

    init(specVersion: String, timestampVersion: Int64, timestampExpires: String, snapshotVersion: Int64) {
        self.specVersion = specVersion
        self.timestampVersion = timestampVersion
        self.timestampExpires = timestampExpires
        self.snapshotVersion = snapshotVersion
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(specVersion, forKey: .specVersion)
        try container.encode(timestampVersion, forKey: .timestampVersion)
        try container.encode(timestampExpires, forKey: .timestampExpires)
        try container.encode(snapshotVersion, forKey: .snapshotVersion)
        try container.encodeIfPresent(consistentSnapshot, forKey: .consistentSnapshot)
        if !roles.isEmpty {
            try container.encode(roles, forKey: .roles)
            try container.encode(targets, forKey: .targets)
            try container.encode("read as the repository holds it, not verified: fwgate verify checks it", forKey: .note)
        }
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a TUF description is made by parsing, not decoded"))
    }
}
