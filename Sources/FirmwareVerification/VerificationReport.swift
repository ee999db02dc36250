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
    public var format: String
    public var signed: Bool
    public var version: String?
    /// The anti-rollback security counter from signed data, when the format has one.
    public var securityCounter: UInt64?
    public var signer: Signer?
    /// The earliest notAfter of any certificate involved.
    public var earliestExpiry: Date?
    public var checks: [Check]
    /// For certificate verification: the built chain, leaf first.
    public var chain: [CertificateDescription]?
    /// The format's description of the artifact (what `inspect` shows).
    public var description: JSONValue?

    /// Derived: fail-closed over ``checks``.
    public var verdict: Verdict { Verdict(checks: checks) }

    /// Codes of the checks that failed.
    public var failedCodes: Set<CheckCode> { Set(checks.filter { $0.status == .failed }.map(\.code)) }
    /// Codes of the checks that warned.
    public var warningCodes: Set<CheckCode> { Set(checks.filter { $0.status == .warning }.map(\.code)) }

    public init(
        file: String, sha256: String?, format: String, signed: Bool, version: String? = nil, signer: Signer? = nil,
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
        case schema, file, sha256, format, verdict, signed, version, securityCounter, signer, earliestExpiry, checks, chain
        case description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        file = try container.decode(String.self, forKey: .file)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        format = try container.decode(String.self, forKey: .format)
        signed = try container.decode(Bool.self, forKey: .signed)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        signer = try container.decodeIfPresent(Signer.self, forKey: .signer)
        earliestExpiry = try container.decodeIfPresent(Date.self, forKey: .earliestExpiry)
        checks = try container.decode([Check].self, forKey: .checks)
        chain = try container.decodeIfPresent([CertificateDescription].self, forKey: .chain)
        securityCounter = try container.decodeIfPresent(UInt64.self, forKey: .securityCounter)
        description = try container.decodeIfPresent(JSONValue.self, forKey: .description)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(file, forKey: .file)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(format, forKey: .format)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(signed, forKey: .signed)
        try container.encode(version, forKey: .version)
        try container.encode(signer, forKey: .signer)
        try container.encode(earliestExpiry, forKey: .earliestExpiry)
        try container.encode(checks, forKey: .checks)
        try container.encodeIfPresent(chain, forKey: .chain)
        try container.encode(securityCounter, forKey: .securityCounter)
        try container.encodeIfPresent(description, forKey: .description)
    }

    /// Throws ``VerificationFailed`` unless the verdict is pass or warn (for callers who want an
    /// exception instead of a report).
    public func requirePass() throws(VerificationFailed) {
        if verdict == .fail { throw VerificationFailed(report: self) }
    }
}

/// Thrown by ``VerificationReport/requirePass()``.
public struct VerificationFailed: Error, Sendable {
    public let report: VerificationReport
}

/// The JSON encoder every fwgate JSON output uses: sorted keys, RFC 3339 dates.
public enum FwgateJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return decoder
    }
}
