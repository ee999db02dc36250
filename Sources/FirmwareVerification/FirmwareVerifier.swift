import FirmwareCrypto
import FirmwareFormats
import Foundation

/// sniff → parse → digests (one pass) → the format's rules → fwgate's rules → report.
///
/// `report(path:…)` never throws over content: a malformed or unknown file is a report with a
/// failed check. Only environment problems (a missing file) throw.
public struct FirmwareVerifier: Sendable {
    public let trust: TrustStore
    /// The rules applied after the format's own (algorithm strength, rollback, expiry, known
    /// test keys, accepted formats, unsigned images). ``Policy/default`` when none is given.
    public let policy: Policy

    public init(trust: TrustStore, policy: Policy = .default) {
        self.trust = trust
        self.policy = policy
    }

    /// What `inspect` shows: the detected format and its description, or why it could not be
    /// parsed.
    public struct Inspection: Sendable, Encodable {
        public var file: String
        public var size: Int64
        public var format: FormatID?
        public var description: JSONValue?
        public var malformed: MalformedFinding?
    }

    public struct MalformedFinding: Sendable, Codable {
        public var code: CheckCode
        public var offset: Int64
        public var message: String
    }

    /// Parses without verifying.
    ///
    /// - Throws: `FwgateError` when the file cannot be opened or `forced` is unknown.
    public static func inspect(path: String, format forced: FormatID? = nil) throws(FwgateError) -> Inspection {
        let source = try open(path)
        guard let format = try choose(forced, for: source) else {
            return Inspection(
                file: path, size: source.count, format: nil, description: nil,
                malformed: MalformedFinding(code: .malformedUnknownFormat, offset: 0, message: unknownFormatMessage))
        }
        switch format.parse(source) {
        case .success(let description):
            return Inspection(file: path, size: source.count, format: format.id, description: json(description), malformed: nil)
        case .failure(let error):
            return Inspection(
                file: path, size: source.count, format: format.id, description: nil,
                malformed: MalformedFinding(code: error.code, offset: error.offset, message: error.message))
        }
    }

    /// An artifact read, parsed and hashed once; verification against one or more trust scopes
    /// and devices reuses it (a batch hashes each file once however many devices it serves).
    public struct PreparedArtifact: Sendable {
        public let path: String
        public let size: Int64
        public let sha256: String?
        let source: any ByteSource
        let format: RegisteredFormat?
        let parsed: Result<any FirmwareDescription, MalformedInput>?
        let digests: [DigestRequest: Digest]
    }

    /// Opens, detects, parses and hashes `path` (one pass over the file for every digest).
    ///
    /// - Throws: `FwgateError` when the file cannot be opened or read, or `forced` is unknown.
    public static func prepare(path: String, format forced: FormatID? = nil) throws(FwgateError) -> PreparedArtifact {
        let source = try open(path)
        let fileDigest = DigestRequest(.sha256, 0..<source.count)
        guard let format = try choose(forced, for: source) else {
            let digests = try digests([fileDigest], source: source, path: path)
            return PreparedArtifact(
                path: path, size: source.count, sha256: digests[fileDigest]?.hex, source: source, format: nil, parsed: nil, digests: digests)
        }
        let parsed = format.parse(source)
        var requests = [fileDigest]
        if case .success(let description) = parsed { requests += format.digestRequests(description) }
        let digests = try digests(requests, source: source, path: path)
        return PreparedArtifact(
            path: path, size: source.count, sha256: digests[fileDigest]?.hex, source: source, format: format, parsed: parsed,
            digests: digests)
    }

    /// Verifies one artifact.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - forced: a format to use instead of detection (`--format`).
    ///   - context: time and device.
    /// - Returns: the report; content problems are failed checks.
    /// - Throws: `FwgateError` when the file cannot be opened or read.
    public func report(path: String, format forced: FormatID? = nil, context: VerificationContext) throws(FwgateError) -> VerificationReport {
        report(try Self.prepare(path: path, format: forced), context: context)
    }

    /// Verifies a prepared artifact with this verifier's trust and the given context. Never
    /// throws: everything about the content is a check.
    public func report(_ artifact: PreparedArtifact, context: VerificationContext) -> VerificationReport {
        reportAndSigningKey(artifact, context: context).report
    }

    /// The report, and the signing key the format identified.
    public func reportAndSigningKey(_ artifact: PreparedArtifact, context: VerificationContext) -> (
        report: VerificationReport, signingKey: PublicKey?
    ) {
        let stage = formatStage(artifact, at: context.at)
        return (applyPolicy(to: stage, context: context), stage.signingKey)
    }

    /// The format's verdict on an artifact before any policy or device rule: the part of
    /// verification that depends only on the file, the trust and the time, so a batch computes it
    /// once per (artifact, trust scope) however many devices the artifact serves.
    public struct FormatStage: Sendable {
        public let report: VerificationReport
        public let signingKey: PublicKey?
    }

    /// Runs the format's rules (no policy).
    public func formatStage(_ artifact: PreparedArtifact, at: Date) -> FormatStage {
        let path = artifact.path
        guard let format = artifact.format, let parsed = artifact.parsed else {
            return FormatStage(
                report: VerificationReport(
                    file: path, sha256: artifact.sha256, format: "unknown", signed: false,
                    checks: [.failed(.malformedUnknownFormat, subject: path, Self.unknownFormatMessage)]),
                signingKey: nil)
        }
        let description: any FirmwareDescription
        switch parsed {
        case .success(let value):
            description = value
        case .failure(let error):
            return FormatStage(
                report: VerificationReport(
                    file: path, sha256: artifact.sha256, format: format.id.rawValue, signed: false,
                    checks: [.failed(error.code, subject: path, "\(format.name): \(error.message)", detail: ["offset": error.offset.hex])]),
                signingKey: nil)
        }
        let input = FormatVerificationInput(
            source: artifact.source, path: path, trustedKeys: trust.keys, trustedRoots: trust.roots, intermediates: trust.intermediates,
            crls: trust.crls, at: at, digests: artifact.digests)
        let result = format.verify(description, input)
        var report = VerificationReport(
            file: path, sha256: artifact.sha256, format: format.id.rawValue, signed: result.signed,
            version: description.version, signer: result.signer, earliestExpiry: result.earliestExpiry, checks: result.checks)
        report.securityCounter = description.securityCounter
        report.description = Self.json(description)
        return FormatStage(report: report, signingKey: result.signingKey)
    }

    /// Applies the policy (rollback against the context's device, known test keys, ...) to a
    /// format stage.
    public func applyPolicy(to stage: FormatStage, context: VerificationContext) -> VerificationReport {
        // Unparsed or unknown files carry no signature to judge; the policy still runs so the
        // report lists every rule.
        let outcome = policy.evaluate(PolicyInput(report: stage.report, signingKey: stage.signingKey, context: context))
        return outcome.applied(to: stage.report)
    }

    static let unknownFormatMessage =
        "not a format fwgate knows (\(FormatRegistry.formats.map(\.name).joined(separator: ", "))); use --format to force one"

    static func open(_ path: String) throws(FwgateError) -> FileByteSource {
        do {
            return try FileByteSource(path: path)
        } catch {
            throw FwgateError(FileManager.default.fileExists(atPath: path) ? .unreadableInput : .fileNotFound, error.reason)
        }
    }

    static func choose(_ forced: FormatID?, for source: any ByteSource) throws(FwgateError) -> RegisteredFormat? {
        if let forced {
            guard let format = FormatRegistry.format(forced) else {
                throw FwgateError(
                    .usage, "unknown format '\(forced)'; known: \(FormatRegistry.formats.map(\.id.rawValue).joined(separator: ", "))")
            }
            return format
        }
        return FormatRegistry.detect(source)
    }

    static func digests(_ requests: [DigestRequest], source: any ByteSource, path: String) throws(FwgateError) -> [DigestRequest: Digest] {
        do {
            return try MultiRangeDigest.compute(requests, over: source)
        } catch {
            throw FwgateError(.io, "\(path): \(error.reason)")
        }
    }

    static func json(_ description: any FirmwareDescription) -> JSONValue? {
        guard let data = try? FwgateJSON.encoder(pretty: false).encode(AnyDescription(description)) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}
