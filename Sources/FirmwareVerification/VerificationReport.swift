import FirmwareCrypto
import FirmwareFormats
import Foundation

/// The result of verifying one artifact. Its JSON is the `--json` contract of `verify` and
/// `certs verify` (schema `fwgate.verify/1`). The verdict is derived from the checks and
/// written out, never read back.
public struct VerificationReport: Sendable, Codable {
    public static let schemaID = "fwgate.verify/1"

    public var schema: String = VerificationReport.schemaID
    public var file: String
    /// SHA-256 of the artifact file.
    public var sha256: String?
    /// The artifact file's size in bytes, as read (nil when it could not be read).
    public var size: Int64?
    /// The detected (or forced) format; nil when no registered format recognised the file.
    public var format: FormatID?
    /// The companion files verified with the primary (a detached signature, a payload).
    public var companions: [Artifact.Companion]?
    public var signed: Bool
    public var version: String?
    /// The anti-rollback security counter from signed data, when the format has one.
    public var securityCounter: UInt64?
    /// The device types an update package declares it is for (RAUC, SWUpdate, Mender); absent
    /// for formats that declare none.
    public var compatibleDevices: [String]?
    public var signer: Signer?
    /// The earliest notAfter of any certificate involved.
    public var earliestExpiry: Date?
    public var checks: [Check]
    /// For certificate verification: the built chain, leaf first.
    public var chain: [CertificateDescription]?
    /// The format's description of the artifact (what `inspect` shows), as JSON.
    ///
    /// A report made by verification keeps the parsed description and builds this JSON when it
    /// is read (JSON output, tests), so a batch or a `verify` that prints text never pays for it.
    public var description: JSONValue? {
        get { descriptionSource.json }
        set { descriptionSource = .json(newValue) }
    }
    private var descriptionSource = DescriptionSource.json(nil)

    /// Sets ``description`` from the parsed description; its JSON is built when read.
    public mutating func setDescription(_ parsed: any FirmwareDescription) {
        descriptionSource = .parsed(AnyDescription(parsed))
    }

    /// Derived: fail-closed over ``checks``.
    public var verdict: Verdict { Verdict(checks: checks) }

    /// Codes of the checks that failed.
    public var failedCodes: Set<CheckCode> { Set(checks.filter { $0.status == .failed }.map(\.code)) }
    /// Codes of the checks that warned.
    public var warningCodes: Set<CheckCode> { Set(checks.filter { $0.status == .warning }.map(\.code)) }

    public init(
        file: String, sha256: String?, format: FormatID?, signed: Bool, version: String? = nil, signer: Signer? = nil,
        earliestExpiry: Date? = nil, checks: [Check], chain: [CertificateDescription]? = nil
    ) {
        self.file = file
        self.sha256 = sha256
        self.format = format
        self.signed = signed
        self.version = version
        self.signer = signer
        self.earliestExpiry = earliestExpiry
        self.checks = checks
        self.chain = chain
    }

    private enum CodingKeys: String, CodingKey {
        case schema, file, sha256, size, format, companions, verdict, signed, version, securityCounter, compatibleDevices, signer, earliestExpiry, checks, chain
        case description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        file = try container.decode(String.self, forKey: .file)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        size = try container.decodeIfPresent(Int64.self, forKey: .size)
        format = try container.decodeIfPresent(FormatID.self, forKey: .format)
        companions = try container.decodeIfPresent([Artifact.Companion].self, forKey: .companions)
        signed = try container.decode(Bool.self, forKey: .signed)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        signer = try container.decodeIfPresent(Signer.self, forKey: .signer)
        earliestExpiry = try container.decodeIfPresent(Date.self, forKey: .earliestExpiry)
        checks = try container.decode([Check].self, forKey: .checks)
        chain = try container.decodeIfPresent([CertificateDescription].self, forKey: .chain)
        securityCounter = try container.decodeIfPresent(UInt64.self, forKey: .securityCounter)
        compatibleDevices = try container.decodeIfPresent([String].self, forKey: .compatibleDevices)
        description = try container.decodeIfPresent(JSONValue.self, forKey: .description)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(file, forKey: .file)
        try container.encode(sha256, forKey: .sha256)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encode(format, forKey: .format)
        try container.encodeIfPresent(companions, forKey: .companions)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(signed, forKey: .signed)
        try container.encode(version, forKey: .version)
        try container.encode(signer, forKey: .signer)
        try container.encode(earliestExpiry, forKey: .earliestExpiry)
        try container.encode(checks, forKey: .checks)
        try container.encodeIfPresent(chain, forKey: .chain)
        try container.encode(securityCounter, forKey: .securityCounter)
        try container.encodeIfPresent(compatibleDevices, forKey: .compatibleDevices)
        try container.encodeIfPresent(description, forKey: .description)
    }

    /// Throws ``VerificationFailed`` unless the verdict is pass or warn (for callers who want an
    /// exception instead of a report).
    public func requirePass() throws(VerificationFailed) {
        if verdict == .fail { throw VerificationFailed(report: self) }
    }
}

/// Where a report's description comes from: JSON as given (decoded, assigned), or the parsed
/// description, encoded on demand with `--json`'s conventions.
private enum DescriptionSource: Sendable {
    case json(JSONValue?)
    case parsed(AnyDescription)

    var json: JSONValue? {
        switch self {
        case .json(let value): value
        case .parsed(let description): try? FwgateJSON.valueEncoder().encode(description)
        }
    }
}

extension VerificationReport {
    /// The one report for an artifact that could not be read (a batch goes on): a failed
    /// `input.unreadable` check that names the problem.
    public static func unreadable(_ artifact: Artifact, reason: String) -> VerificationReport {
        var report = VerificationReport(
            file: artifact.path, sha256: nil, format: nil, signed: false,
            checks: [.failed(.inputUnreadable, subject: artifact.path, reason)])
        report.companions = artifact.companions.isEmpty ? nil : artifact.companions
        return report
    }

    /// The one report for an artifact no registered format recognises: a failed
    /// `malformed.unknown-format` check.
    public static func unknownFormat(_ artifact: Artifact, sha256: String?, reason: String) -> VerificationReport {
        var report = VerificationReport(
            file: artifact.path, sha256: sha256, format: nil, signed: false,
            checks: [.failed(.malformedUnknownFormat, subject: artifact.path, reason)])
        report.companions = artifact.companions.isEmpty ? nil : artifact.companions
        return report
    }
}

extension FormatID {
    /// A certificate file judged as a code-signing chain (`certs verify`, the procurement gate):
    /// a report format, not a registered firmware format.
    public static let x509Certificate: FormatID = "x509-certificate"
}

/// Thrown by ``VerificationReport/requirePass()``.
public struct VerificationFailed: Error, Sendable {
    public let report: VerificationReport
}

