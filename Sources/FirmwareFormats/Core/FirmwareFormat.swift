import FirmwareCrypto
import Foundation

/// What every format's description carries (DESIGN.md "Description"); Codable so `inspect
/// --json` is free. Per-format fields live in the conforming type.
public protocol FirmwareDescription: Sendable, Codable {
    /// The format.
    var format: FormatID { get }
    /// The image version as the format writes it (`1.2.3+45`), when it has one.
    var version: String? { get }
    /// The anti-rollback security counter, when the format carries one in signed data.
    var securityCounter: UInt64? { get }
    /// The device types an update package says it is for (RAUC `compatible`, SWUpdate
    /// `hardware-compatibility`, Mender `device_type`); nil when the format declares none.
    var compatibleDevices: [String]? { get }
}

extension FirmwareDescription {
    public var compatibleDevices: [String]? { nil }
}

/// A key the caller trusts, already filtered to the vendor/model scope of this verification.
public struct TrustedKey: Sendable, Hashable {
    /// A human name ("acme-pump-prod-2026"), shown as the signer.
    public let name: String
    public let key: PublicKey
    /// Where the key was loaded from.
    public let source: String
    /// The key's own identifier, for formats whose signatures name their key by one (minisign
    /// and signify: 8 bytes); nil for keys loaded as plain public keys.
    public let keyID: Data?

    public init(name: String, key: PublicKey, source: String, keyID: Data? = nil) {
        self.name = name
        self.key = key
        self.source = source
        self.keyID = keyID
    }

    public var fingerprint: String { key.fingerprint }
}

/// Everything a format verifier may use. Time, trust and digests are passed in, never read
/// from globals.
public struct FormatVerificationInput: Sendable {
    /// The primary file's bytes (for a detached signature: the signed content).
    public let source: any ByteSource
    /// The artifact's path, for messages.
    public let path: String
    /// The artifact: primary path and companion paths.
    public let artifact: Artifact
    /// The companions' bytes, by role (only the roles the format declares).
    public let companions: [Artifact.Role: any ByteSource]
    public let trustedKeys: [TrustedKey]
    public let trustedRoots: [Certificate]
    public let intermediates: [Certificate]
    public let crls: [CertificateRevocationList]
    /// Trust given as documents a format interprets itself (a TUF client's root.json and its
    /// trusted state), with where they came from.
    public let trustDocuments: [TrustDocument]
    /// The artifact's folder, for formats whose artifact is one (``ParsedPart/folderEntry(_:)``);
    /// read it through ``ArtifactFolder``.
    public let folder: ArtifactFolder?
    /// The raw signature scheme the caller named (`--signature-scheme`), if any.
    public let signatureScheme: RawSignatureScheme?
    public let at: Date
    /// The digests the format asked for (``FirmwareFormat/digestRequests(for:)``), computed in
    /// one pass over the file.
    public let digests: [DigestRequest: Digest]

    public init(
        source: any ByteSource, path: String, artifact: Artifact? = nil, companions: [Artifact.Role: any ByteSource] = [:],
        trustedKeys: [TrustedKey], trustedRoots: [Certificate] = [],
        intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [], trustDocuments: [TrustDocument] = [],
        folder: ArtifactFolder? = nil, signatureScheme: RawSignatureScheme? = nil, at: Date, digests: [DigestRequest: Digest]
    ) {
        self.source = source
        self.path = path
        self.artifact = artifact ?? Artifact(path: path)
        self.companions = companions
        self.trustedKeys = trustedKeys
        self.trustedRoots = trustedRoots
        self.intermediates = intermediates
        self.crls = crls
        self.trustDocuments = trustDocuments
        self.folder = folder
        self.signatureScheme = signatureScheme
        self.at = at
        self.digests = digests
    }
}

extension FormatVerificationInput {
    /// The digest of the whole primary file, requested with ``DigestRequest/wholeFile(_:)``.
    public func wholeFileDigest(_ algorithm: DigestAlgorithm) -> Digest? {
        digests[DigestRequest(algorithm, 0..<source.count)]
    }
}

extension DigestRequest {
    /// A digest of the whole primary file, for formats that parse a companion and do not know
    /// the primary's size (a detached signature): the pipeline replaces the open end with the
    /// file's size, and ``FormatVerificationInput/wholeFileDigest(_:)`` finds it.
    public static func wholeFile(_ algorithm: DigestAlgorithm) -> DigestRequest { DigestRequest(algorithm, 0..<Int64.max) }
}

/// What a format verifier found.
public struct FormatVerificationResult: Sendable {
    public var checks: [Check]
    /// The trusted key or certificate that verified the artifact.
    public var signer: Signer?
    /// Whether the artifact carries a signature at all.
    public var signed: Bool
    /// The earliest certificate expiry involved, for certificate-based formats.
    public var earliestExpiry: Date?
    /// The signing key, when one was identified (trusted or not): policy rules such as the
    /// known-test-key deny-list and key strength look at it.
    public var signingKey: PublicKey?

    public init(checks: [Check], signer: Signer? = nil, signed: Bool, earliestExpiry: Date? = nil, signingKey: PublicKey? = nil) {
        self.checks = checks
        self.signer = signer
        self.signed = signed
        self.earliestExpiry = earliestExpiry
        self.signingKey = signingKey
    }
}

/// Which bytes a format sniffs and parses.
public enum ParsedPart: Sendable, Hashable {
    /// The primary file (an image, a package, a manifest).
    case primary
    /// A companion (a detached signature's format is detected from the signature file).
    case companion(Artifact.Role)
    /// For an artifact that is a folder (a TUF repository): the file at this path inside it,
    /// which stands for the artifact (sniffed, parsed and hashed like a primary file); the
    /// verifier reads the rest through ``FormatVerificationInput/folder``.
    case folderEntry(String)
}

/// One firmware format: sniff (magic), parse (pure: bytes in, description out) and verify (the
/// format's own rules). A new format is a new folder plus one line in ``FormatRegistry``
/// (`docs/adding-a-format.md`).
public protocol FirmwareFormat: Sendable {
    associatedtype Description: FirmwareDescription

    static var id: FormatID { get }
    /// Human name, e.g. "MCUboot image".
    static var name: String { get }
    /// How detection recognises it, for `fwgate formats` ("magic 0x96f3b83d at offset 0").
    static var detects: String { get }
    /// What verification checks, one phrase each, for `fwgate formats`.
    static var verifies: [String] { get }
    /// Every check code the parser and the verifier may report (generic ones included), for
    /// `fwgate formats` and ``CheckCode/all``. A format's own codes are declared in its folder.
    static var checkCodes: [CheckCode] { get }
    /// What the format's own codes are called when they pass ("segments clear of bootloader
    /// RAM"); generic codes have theirs in `CheckPhrases.swift`.
    static var passPhrases: [CheckCode: String] { get }
    /// Which bytes ``sniff(_:)`` and ``parse(_:)`` read (default: the primary file).
    static var parsedPart: ParsedPart { get }
    /// The companions the format uses (default none); an artifact with another is refused.
    static var companionRoles: Set<Artifact.Role> { get }

    /// True when the first bytes look like this format (a cheap magic check).
    static func sniff(_ source: any ByteSource) -> Bool

    /// Parses the structure. Reads only what it must; no crypto.
    ///
    /// - Throws: `MalformedInput` for anything that cannot be parsed.
    static func parse(_ source: any ByteSource) throws(MalformedInput) -> Description

    /// For a folder artifact (``ParsedPart/folderEntry(_:)``): parses the entry with the folder
    /// at hand, so `inspect` can describe the whole artifact. Reads only; verifies nothing.
    /// Default: ``parse(_:)`` of the entry.
    static func parse(_ source: any ByteSource, folder: ArtifactFolder) throws(MalformedInput) -> Description

    /// The digests verification needs, so the pipeline can compute them (and the file's
    /// SHA-256) in one pass.
    static func digestRequests(for description: Description) -> [DigestRequest]

    /// Applies the format's rules. Never throws over content: findings are checks.
    static func verify(_ description: Description, input: FormatVerificationInput) -> FormatVerificationResult
}

extension FirmwareFormat {
    public static func parse(_ source: any ByteSource, folder: ArtifactFolder) throws(MalformedInput) -> Description { try parse(source) }
    public static var passPhrases: [CheckCode: String] { [:] }
    public static var parsedPart: ParsedPart { .primary }
    public static var companionRoles: Set<Artifact.Role> { [] }
}
