import FirmwareFormats
import FirmwareVerification
import Foundation

/// One vector of a `testvectors/<format>/expected.json`: a file made by the format's reference
/// tool (or a tampered twin), the keys to trust, and the verdict and exact check codes fwgate
/// must report. Every format's expected.json uses these fields (others are documentation).
public struct FormatVector: Decodable, Sendable, CustomStringConvertible {
    /// The folder under `testvectors/`.
    public var folder: String = ""
    public var file: String
    /// Trust files, relative to the folder.
    public var trust: [String]
    /// A format to force (`--format`), for a file that detection no longer recognises.
    public var format: String?
    /// A policy file relative to the folder; nil: the built-in strict policy.
    public var policy: String?
    public var verdict: String
    /// The exact set of failed check codes.
    public var failed: [String]
    /// The exact set of warning codes.
    public var warnings: [String]
    /// A detached signature, relative to the folder.
    public var signature: String?
    /// A payload the file describes, relative to the folder.
    public var payload: String?
    /// The verification time (RFC 3339); default ``FormatVectorSuite/defaultTime``.
    public var at: String?
    /// For a file that must not parse: where and why, as the description records it.
    public var parseError: ParseError?

    public struct ParseError: Decodable, Sendable {
        public var code: String
        public var offset: Int64
    }

    enum CodingKeys: String, CodingKey { case file, trust, format, policy, verdict, failed, warnings, signature, payload, at, description }
    enum DescriptionKeys: String, CodingKey { case parseError }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        file = try container.decode(String.self, forKey: .file)
        trust = try container.decodeIfPresent([String].self, forKey: .trust) ?? []
        format = try container.decodeIfPresent(String.self, forKey: .format)
        policy = try container.decodeIfPresent(String.self, forKey: .policy)
        verdict = try container.decode(String.self, forKey: .verdict)
        failed = try container.decode([String].self, forKey: .failed)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
        signature = try container.decodeIfPresent(String.self, forKey: .signature)
        payload = try container.decodeIfPresent(String.self, forKey: .payload)
        at = try container.decodeIfPresent(String.self, forKey: .at)
        if container.contains(.description), (try? container.decodeNil(forKey: .description)) == false,
            let description = try? container.nestedContainer(keyedBy: DescriptionKeys.self, forKey: .description)
        {
            parseError = try description.decodeIfPresent(ParseError.self, forKey: .parseError)
        }
    }

    public var description: String { "\(folder)/\(file)" }
}

/// Runs any format's committed vectors through the production path: a ``VerificationSession``
/// with the vector's trust and policy, detection included. No per-format harness.
public enum FormatVectorSuite {
    /// The time vectors are verified at unless they say otherwise.
    public static let defaultTime = "2026-06-01T00:00:00Z"

    struct File: Decodable { var vectors: [FormatVector] }

    /// The vectors of `testvectors/<folder>/expected.json`.
    ///
    /// - Throws: when the file is missing or does not decode.
    public static func load(_ folder: String) throws -> [FormatVector] {
        try TestVectors.decode(File.self, from: "\(folder)/expected.json").vectors.map { vector in
            var vector = vector
            vector.folder = folder
            return vector
        }
    }

    /// The vectors, or none when they do not load (a separate test calls ``load(_:)`` and fails
    /// then), for `@Test(arguments:)`.
    public static func vectors(_ folder: String) -> [FormatVector] { (try? load(folder)) ?? [] }

    /// The vector's report from the production session.
    ///
    /// - Throws: when a listed file is missing, or the session refuses the input.
    public static func report(_ vector: FormatVector) throws -> VerificationReport {
        let base = vector.folder + "/"
        let at = vector.at ?? defaultTime
        guard let time = RFC3339.parse(at) else { throw TestSupportError("\(vector): 'at' \(at) is not RFC 3339") }
        let session = try VerificationSession.load(
            policy: try vector.policy.map { try TestVectors.path(base + $0) }, trust: try vector.trust.map { try TestVectors.path(base + $0) },
            at: time, options: VerificationSession.Options(format: vector.format.map(FormatID.init(rawValue:))))
        let artifact = Artifact(
            path: try TestVectors.path(base + vector.file), signature: try vector.signature.map { try TestVectors.path(base + $0) },
            payload: try vector.payload.map { try TestVectors.path(base + $0) })
        return try session.report(for: artifact)
    }

    /// Every way the report differs from the vector's expectations (empty: it agrees):
    /// verdict, the exact failed and warning code sets, and a parse error's code and offset.
    public static func mismatches(_ vector: FormatVector, _ report: VerificationReport) -> [String] {
        var problems: [String] = []
        if report.verdict.rawValue != vector.verdict { problems.append("verdict \(report.verdict.rawValue), expected \(vector.verdict)") }
        let failed = Set(report.failedCodes.map(\.rawValue))
        if failed != Set(vector.failed) {
            let details = report.checks.filter { $0.status == .failed }.map { "\($0.code): \($0.message)" }
            problems.append("failed \(failed.sorted()), expected \(vector.failed.sorted()): \(details)")
        }
        let warnings = Set(report.warningCodes.map(\.rawValue))
        if warnings != Set(vector.warnings) { problems.append("warnings \(warnings.sorted()), expected \(vector.warnings.sorted())") }
        if let parseError = vector.parseError {
            let matching = report.checks.first { $0.status == .failed && $0.code.rawValue == parseError.code }
            let offset = matching?.detail?["offset"]
            if offset != "0x" + String(parseError.offset, radix: 16) {
                problems.append("parse error \(parseError.code) at \(offset ?? "no offset"), expected at 0x\(String(parseError.offset, radix: 16))")
            }
        }
        return problems
    }
}
