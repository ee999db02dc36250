import FirmwareCrypto
import FirmwareFormats
import Foundation

/// sniff → parse → digests (one pass) → the format's rules → fwgate's rules → report, for one
/// trust scope. Commands do not use it directly: ``VerificationSession`` picks the scope for
/// each device and calls it.
///
/// `report(…)` never throws over content: a malformed or unknown file is a report with a failed
/// check. Only environment problems (a missing file) throw.
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
    /// - Throws: `FwgateError` when a file cannot be opened or `forced` is unknown.
    public static func inspect(_ artifact: Artifact, format forced: FormatID? = nil) throws(FwgateError) -> Inspection {
        let opened = try OpenedArtifact(artifact)
        let path = artifact.path
        guard let format = try choose(forced, for: opened) else {
            return Inspection(
                file: path, size: opened.primary.count, format: nil, description: nil,
                malformed: MalformedFinding(code: .malformedUnknownFormat, offset: 0, message: unknownFormatMessage(size: opened.primary.count)))
        }
        switch format.parse(try opened.parsedSource(for: format), opened.folder) {
        case .success(let description):
            return Inspection(file: path, size: opened.primary.count, format: format.id, description: json(description), malformed: nil)
        case .failure(let error):
            return Inspection(
                file: path, size: opened.primary.count, format: format.id, description: nil,
                malformed: MalformedFinding(code: error.code, offset: error.offset, message: error.message))
        }
    }

    /// An artifact read, parsed and hashed once; verification against one or more trust scopes
    /// and devices reuses it (a batch hashes each file once however many devices it serves).
    public struct PreparedArtifact: Sendable {
        public let artifact: Artifact
        public var path: String { artifact.path }
        public let size: Int64
        /// The file's SHA-256 (hex); waits for it when it is still being computed beside the
        /// format's verification.
        public var sha256: String? { fileDigest.wait()?.hex }
        let fileDigest: FileDigest
        let opened: OpenedArtifact
        let format: RegisteredFormat?
        let parsed: Result<any FirmwareDescription, MalformedInput>?
        let digests: [DigestRequest: Digest]
        /// The primary file's bytes, for callers that judge them otherwise (a certificate file
        /// at the procurement gate) without reading the file again.
        public var source: any ByteSource { opened.primary }
    }

    /// Opens, detects, parses and hashes an artifact (one pass over the primary file for every
    /// digest).
    ///
    /// - Throws: `FwgateError` when a file cannot be opened or read, `forced` is unknown, or
    ///   the artifact carries a companion its format does not take.
    public static func prepare(_ artifact: Artifact, format forced: FormatID? = nil) throws(FwgateError) -> PreparedArtifact {
        try prepare(try OpenedArtifact(artifact), format: forced)
    }

    /// ``prepare(_:format:)`` over bytes already in hand (tests, fuzzing, a file read once for
    /// another purpose): the same detection, parsing and digests as for a file.
    ///
    /// - Parameters:
    ///   - source: the primary file's bytes.
    ///   - artifact: its name and companions (companions are opened from their paths).
    ///   - forced: a format to use instead of detection.
    /// - Throws: as ``prepare(_:format:)``.
    public static func prepare(_ source: any ByteSource, as artifact: Artifact, format forced: FormatID? = nil) throws(FwgateError)
        -> PreparedArtifact
    {
        try prepare(try OpenedArtifact(artifact, primary: source), format: forced)
    }

    static func prepare(_ opened: OpenedArtifact, format forced: FormatID?) throws(FwgateError) -> PreparedArtifact {
        let artifact = opened.artifact
        let source = opened.primary
        let fileDigest = DigestRequest(.sha256, 0..<source.count)
        guard let format = try choose(forced, for: opened) else {
            let digests = try digests([fileDigest], source: source, path: artifact.path)
            return PreparedArtifact(
                artifact: artifact, size: source.count, fileDigest: .ready(digests[fileDigest]), opened: opened, format: nil, parsed: nil,
                digests: digests)
        }
        let unexpected = artifact.roles.subtracting(format.companionRoles)
        guard unexpected.isEmpty else {
            let roles = unexpected.sorted().map { "--\($0.rawValue)" }.joined(separator: ", ")
            throw FwgateError(.usage, "\(artifact.path): a \(format.name) takes no \(roles)")
        }
        let parsed = format.parse(try opened.parsedSource(for: format), opened.folder)
        var requests = [fileDigest]
        // Digest ranges refer to the primary file (for a detached signature: the content).
        if case .success(let description) = parsed {
            requests += format.digestRequests(description).map { request in
                request.range.upperBound == .max ? DigestRequest(request.algorithm, request.range.lowerBound..<source.count) : request
            }
        }
        // A format whose own digests cover little of the file streams it in its own way
        // (inflating archives, hashing a verity tree, reading a PE's ranges): the file's SHA-256
        // for the report is then computed on another core while it does, not before; its own
        // small digests are computed first, as its rules need them.
        let own = requests.dropFirst()
        if case .success = parsed, source.count >= FileDigest.backgroundMinimum,
            own.reduce(Int64(0), { $0 + Int64($1.range.count) }) <= source.count / 8
        {
            let pending = BackgroundDigest(fileDigest, over: source)
            let digests = try digests(Array(own), source: source, path: artifact.path)
            return PreparedArtifact(
                artifact: artifact, size: source.count, fileDigest: .background(pending), opened: opened, format: format, parsed: parsed,
                digests: digests)
        }
        let digests = try digests(requests, source: source, path: artifact.path)
        return PreparedArtifact(
            artifact: artifact, size: source.count, fileDigest: .ready(digests[fileDigest]), opened: opened, format: format, parsed: parsed,
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
        report(try Self.prepare(Artifact(path: path), format: forced), context: context)
    }

    /// Verifies a prepared artifact with this verifier's trust and the given context. Never
    /// throws: everything about the content is a check.
    public func report(_ artifact: PreparedArtifact, context: VerificationContext) -> VerificationReport {
        applyPolicy(to: formatStage(artifact, at: context.at), context: context)
    }

    /// The format's verdict on an artifact before any policy or device rule: the part of
    /// verification that depends only on the file, the trust and the time, so a batch computes it
    /// once per (artifact, trust scope) however many devices the artifact serves.
    public struct FormatStage: Sendable {
        public let report: VerificationReport
        public let signingKey: PublicKey?
    }

    /// Runs the format's rules (no policy).
    public func formatStage(_ artifact: PreparedArtifact, at: Date, signatureScheme: RawSignatureScheme? = nil) -> FormatStage {
        let path = artifact.path
        guard let format = artifact.format, let parsed = artifact.parsed else {
            var report = VerificationReport.unknownFormat(artifact.artifact, sha256: artifact.sha256, reason: Self.unknownFormatMessage(size: artifact.size))
            report.size = artifact.size
            return FormatStage(report: report, signingKey: nil)
        }
        let description: any FirmwareDescription
        switch parsed {
        case .success(let value):
            description = value
        case .failure(let error):
            var report = VerificationReport(
                file: path, sha256: artifact.sha256, format: format.id, signed: false,
                checks: [.failed(error.code, subject: path, "\(format.name): \(error.message)", detail: ["offset": error.offset.hex])])
            report.size = artifact.size
            report.companions = artifact.artifact.companions.isEmpty ? nil : artifact.artifact.companions
            return FormatStage(report: report, signingKey: nil)
        }
        let input = FormatVerificationInput(
            source: artifact.opened.primary, path: path, artifact: artifact.artifact, companions: artifact.opened.companions,
            trustedKeys: trust.keys, trustedRoots: trust.roots, intermediates: trust.intermediates, crls: trust.crls,
            trustDocuments: trust.documents, folder: artifact.opened.folder, signatureScheme: signatureScheme, at: at, digests: artifact.digests)
        var result = format.verify(description, input)
        if case .failure(let error) = artifact.fileDigest.result {
            result.checks.append(.failed(.inputUnreadable, subject: path, "the file could not be read to the end for its SHA-256: \(error.reason)"))
            result.signer = nil
        }
        var report = VerificationReport(
            file: path, sha256: artifact.sha256, format: format.id, signed: result.signed,
            version: description.version, signer: result.signer, earliestExpiry: result.earliestExpiry, checks: result.checks)
        report.size = artifact.size
        report.companions = artifact.artifact.companions.isEmpty ? nil : artifact.artifact.companions
        report.securityCounter = description.securityCounter
        report.compatibleDevices = description.compatibleDevices
        report.setDescription(description)
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

    static func unknownFormatMessage(size: Int64?) -> String {
        if size == 0 { return "the file is empty (0 bytes): no firmware format to verify" }
        return "not a format fwgate knows (\(FormatRegistry.nameList)); use --format to force one, or see 'fwgate formats'"
    }

    static func choose(_ forced: FormatID?, for opened: OpenedArtifact) throws(FwgateError) -> RegisteredFormat? {
        if let forced {
            guard let format = FormatRegistry.format(forced) else {
                throw FwgateError(.usage, "unknown format '\(forced)'; known: \(FormatRegistry.idList)")
            }
            return format
        }
        // Formats read by a companion (a detached signature) are tried first when it is there.
        for role in opened.artifact.roles.sorted() {
            if let source = opened.companions[role], let format = FormatRegistry.detect(source, part: .companion(role)) { return format }
        }
        return FormatRegistry.detect(opened.primary, part: opened.part)
    }

    static func digests(_ requests: [DigestRequest], source: any ByteSource, path: String) throws(FwgateError) -> [DigestRequest: Digest] {
        do {
            return try MultiRangeDigest.compute(requests, over: source)
        } catch {
            throw FwgateError(.io, "\(path): \(error.reason)")
        }
    }

    /// The description as JSON, built directly (no encode-to-text-and-decode round trip) with
    /// `--json`'s conventions (dates as RFC 3339 text, `FwgateJSON`).
    static func json(_ description: any FirmwareDescription) -> JSONValue? {
        try? FwgateJSON.valueEncoder().encode(AnyDescription(description))
    }
}

/// The byte sources of an artifact: its primary file and each companion, opened once.
struct OpenedArtifact: Sendable {
    let artifact: Artifact
    let primary: any ByteSource
    let companions: [Artifact.Role: any ByteSource]
    /// For a folder artifact: the folder, and the entry that stands for it.
    let folder: ArtifactFolder?
    /// Which part the primary bytes are (a file, or a folder's entry file).
    let part: ParsedPart

    init(_ artifact: Artifact) throws(FwgateError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: artifact.path, isDirectory: &isFolder), isFolder.boolValue else {
            try self.init(artifact, primary: try Self.open(artifact.path))
            return
        }
        // A folder is an artifact when a format reads folders and its entry file is there.
        let folder = ArtifactFolder(artifact.path)
        for format in FormatRegistry.formats {
            guard case .folderEntry(let entry) = format.parsedPart, folder.exists(entry) else { continue }
            try self.init(artifact, primary: try Self.open(folder.path(of: entry)), folder: folder, part: format.parsedPart)
            return
        }
        let entries = FormatRegistry.formats.compactMap { format -> String? in
            guard case .folderEntry(let entry) = format.parsedPart else { return nil }
            return "\(format.name) (\(entry))"
        }
        throw FwgateError(
            .usage, "\(artifact.path) is a folder; fwgate verifies folders only when they are a \(entries.joined(separator: " or ")), and this one has no such file")
    }

    init(_ artifact: Artifact, primary: any ByteSource, folder: ArtifactFolder? = nil, part: ParsedPart = .primary) throws(FwgateError) {
        self.artifact = artifact
        self.primary = primary
        self.folder = folder
        self.part = part
        var companions: [Artifact.Role: any ByteSource] = [:]
        for companion in artifact.companions {
            companions[companion.role] = try Self.open(companion.path)
        }
        self.companions = companions
    }

    /// The bytes the format sniffs and parses.
    func parsedSource(for format: RegisteredFormat) throws(FwgateError) -> any ByteSource {
        switch format.parsedPart {
        case .primary, .folderEntry:
            return primary
        case .companion(let role):
            guard let source = companions[role] else {
                throw FwgateError(.usage, "\(artifact.path): a \(format.name) needs --\(role.rawValue) FILE")
            }
            return source
        }
    }

    static func open(_ path: String) throws(FwgateError) -> FileByteSource {
        do {
            return try FileByteSource(path: path)
        } catch {
            throw FwgateError(InputFile.isMissing(path) ? .fileNotFound : .unreadableInput, error.reason)
        }
    }
}

/// The file's SHA-256 for the report: computed with the format's digests, or on another thread.
enum FileDigest: Sendable {
    case ready(Digest?)
    case background(BackgroundDigest)

    /// Below this the thread costs more than the overlap saves.
    static let backgroundMinimum: Int64 = 4 << 20

    var result: Result<Digest, CryptoError>? {
        switch self {
        case .ready(let digest): digest.map { .success($0) }
        case .background(let pending): pending.wait()
        }
    }

    func wait() -> Digest? { try? result?.get() }
}

/// A digest of a range computed on a global queue; ``wait()`` blocks until it is done (any
/// number of times, from any thread).
final class BackgroundDigest: @unchecked Sendable {
    // @unchecked Sendable: `outcome` is written once, on the worker, before the group is left,
    // and read only after waiting on the group (which orders the two).
    private let group = DispatchGroup()
    private var outcome: Result<Digest, CryptoError>?

    init(_ request: DigestRequest, over source: any ByteSource) {
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            do throws(CryptoError) {
                let digests = try MultiRangeDigest.compute([request], over: source)
                self.outcome = digests[request].map { .success($0) } ?? .failure(CryptoError(.io, "no digest was computed"))
            } catch {
                self.outcome = .failure(error)
            }
            self.group.leave()
        }
    }

    func wait() -> Result<Digest, CryptoError>? {
        group.wait()
        return outcome
    }
}
