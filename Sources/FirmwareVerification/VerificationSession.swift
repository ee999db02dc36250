import FirmwareCrypto
import FirmwareFormats
import Foundation
import Synchronization

/// One verification run: the policy, the extra trust (`--trust`) and the time, made once; a
/// verifier per vendor/model scope, built on first use and cached. `verify`, `batch` and `gate`
/// gather options, make a session, and ask it for reports; they never assemble the pipeline.
///
/// - Note: Content problems are checks in the report; only environment problems (a file that
///   cannot be opened, a policy that covers no such vendor) throw ``FwgateError``.
public struct VerificationSession: Sendable {
    /// How the session judges artifacts beyond the format rules.
    public struct Options: Sendable {
        /// A format to use instead of detection (`--format`).
        public var format: FormatID?
        /// The procurement gate: certificate validity must also meet the policy's minimum, and a
        /// file no firmware format recognises is judged as a code-signing certificate chain.
        public var procurement: Bool
        /// The raw signature scheme (`--signature-scheme`): only it is tried.
        public var signatureScheme: RawSignatureScheme?

        public init(format: FormatID? = nil, procurement: Bool = false, signatureScheme: RawSignatureScheme? = nil) {
            self.format = format
            self.procurement = procurement
            self.signatureScheme = signatureScheme
        }
    }

    public let policy: Policy
    /// Trust given besides the policy (`--trust`): trusted for every vendor.
    public let extraTrust: TrustStore
    /// The time of verification, read once per run.
    public let at: Date
    public let options: Options
    private let scopes: ScopeCache

    /// - Parameters:
    ///   - policy: the policy (``Policy/default``, the strict built-in one, when none is given).
    ///   - trust: keys, roots and CRLs trusted for every vendor.
    ///   - at: the time of verification.
    ///   - options: `--format` and the procurement switch.
    public init(policy: Policy = .default, trust: TrustStore = TrustStore(), at: Date, options: Options = Options()) {
        self.policy = policy
        self.extraTrust = trust
        self.at = at
        self.options = options
        self.scopes = ScopeCache()
    }

    /// Loads the policy (or the default) and the trust files.
    ///
    /// - Throws: `FwgateError` naming the file and the problem when the policy or a trust file
    ///   cannot be read.
    public static func load(policy path: String?, trust paths: [String], at: Date, options: Options = Options()) throws(FwgateError)
        -> VerificationSession
    {
        let policy = try path.map { path throws(FwgateError) in try Policy.load(path: path) } ?? .default
        return VerificationSession(policy: policy, trust: try TrustStore.load(paths), at: at, options: options)
    }

    /// The policy digest recorded with posture entries (nil for the built-in policy).
    public var policyDigest: String? { policy.source == nil ? nil : policy.digest }

    /// True when neither the policy nor `--trust` gives a single key or root.
    public var hasNoTrust: Bool {
        extraTrust.keys.isEmpty && extraTrust.roots.isEmpty && policy.vendors.allSatisfy { $0.trustedKeys.isEmpty && $0.roots.isEmpty }
    }

    /// The verifier for a vendor/model scope: the policy's keys and roots for it plus `--trust`.
    ///
    /// - Throws: `FwgateError(.invalidPolicy)` when the policy lists vendors and none covers
    ///   this one.
    public func verifier(vendor: String?, model: String?) throws(FwgateError) -> FirmwareVerifier {
        let key = "\(vendor ?? "")\u{1F}\(model ?? "")"
        if let cached = scopes.get(key) { return cached }
        let verifier = FirmwareVerifier(trust: try policy.trustStore(vendor: vendor, model: model).merging(extraTrust), policy: policy)
        scopes.set(key, verifier)
        return verifier
    }

    /// Checks, before any work starts, that the policy covers every device's scope (a batch
    /// fails now, not halfway through).
    ///
    /// - Throws: as ``verifier(vendor:model:)``.
    public func prepareScopes(for devices: some Sequence<DeviceFacts>) throws(FwgateError) {
        _ = try verifier(vendor: nil, model: nil)
        for device in devices { _ = try verifier(vendor: device.vendor, model: device.model) }
    }

    /// Verifies one artifact for one device (or a vendor/model at procurement, or none).
    ///
    /// - Parameters:
    ///   - artifact: the file and its companions.
    ///   - device: the device it is for (rollback compares with its installed version).
    ///   - vendor: the vendor when no device is named (the procurement gate).
    ///   - model: the model when no device is named.
    /// - Returns: the report.
    /// - Throws: `FwgateError` when a file cannot be opened or read, or the scope is unknown.
    public func report(for artifact: Artifact, device: DeviceFacts? = nil, vendor: String? = nil, model: String? = nil) throws(FwgateError)
        -> VerificationReport
    {
        let prepared = try FirmwareVerifier.prepare(artifact, format: options.format)
        let context = VerificationContext(at: at, device: device, vendor: vendor, model: model, procurement: options.procurement)
        return try report(prepared, context: context, stages: nil)
    }

    /// Verifies bytes already in hand as if they were the artifact's primary file: the same
    /// detection, parsing, rules and policy (fuzzing drives this; so can a caller that read the
    /// file once for another purpose).
    ///
    /// - Parameters:
    ///   - source: the primary file's bytes.
    ///   - artifact: its name (for messages) and companions.
    ///   - device: the device it is for.
    /// - Returns: the report.
    /// - Throws: `FwgateError` when a companion cannot be opened or the scope is unknown.
    public func report(for source: any ByteSource, as artifact: Artifact, device: DeviceFacts? = nil) throws(FwgateError)
        -> VerificationReport
    {
        let prepared = try FirmwareVerifier.prepare(source, as: artifact, format: options.format)
        let context = VerificationContext(at: at, device: device, procurement: options.procurement)
        return try report(prepared, context: context, stages: nil)
    }

    /// Verifies one artifact for each of its devices: read and hashed once, the format's rules
    /// run once per trust scope, the policy (rollback, ...) per device. An unreadable file gives
    /// an `input.unreadable` report per device, not an error: a batch goes on.
    ///
    /// - Parameters:
    ///   - artifact: the file and its companions.
    ///   - devices: the devices (nil: no device).
    /// - Returns: one report per device, in order.
    public func reports(for artifact: Artifact, devices: [DeviceFacts?]) -> [VerificationReport] {
        let prepared: FirmwareVerifier.PreparedArtifact
        do {
            prepared = try FirmwareVerifier.prepare(artifact, format: options.format)
        } catch {
            return devices.map { _ in .unreadable(artifact, reason: error.reason) }
        }
        let stages = StageCache()
        return devices.map { device in
            let context = VerificationContext(at: at, device: device, procurement: options.procurement)
            do throws(FwgateError) {
                return try report(prepared, context: context, stages: stages)
            } catch {
                return .unreadable(artifact, reason: error.reason)
            }
        }
    }

    /// Parses an artifact without verifying it (`inspect`).
    ///
    /// - Throws: `FwgateError` when a file cannot be opened or the format is unknown.
    public func inspect(_ artifact: Artifact) throws(FwgateError) -> FirmwareVerifier.Inspection {
        try FirmwareVerifier.inspect(artifact, format: options.format)
    }

    // MARK: - Internals

    private func report(_ prepared: FirmwareVerifier.PreparedArtifact, context: VerificationContext, stages: StageCache?) throws(FwgateError)
        -> VerificationReport
    {
        let verifier = try verifier(vendor: context.vendor, model: context.model)
        let scopeKey = "\(context.vendor ?? "")\u{1F}\(context.model ?? "")"
        let stage: FirmwareVerifier.FormatStage
        if let cached = stages?.get(scopeKey) {
            stage = cached
        } else {
            stage = formatStage(prepared, verifier: verifier)
            stages?.set(scopeKey, stage)
        }
        return explainingMissingTrust(verifier.applyPolicy(to: stage, context: context), verifier: verifier)
    }

    /// The format's rules; at procurement, a file no format recognises that holds a certificate
    /// is judged as a code-signing chain to the scope's roots instead.
    private func formatStage(_ prepared: FirmwareVerifier.PreparedArtifact, verifier: FirmwareVerifier) -> FirmwareVerifier.FormatStage {
        let stage = verifier.formatStage(prepared, at: at, signatureScheme: options.signatureScheme)
        guard options.procurement, stage.report.format == nil, let certificate = certificateReport(prepared, verifier: verifier) else {
            return stage
        }
        return FirmwareVerifier.FormatStage(report: certificate, signingKey: nil)
    }

    /// The largest certificate file judged at the gate; larger files are not certificates.
    static let certificateFileLimit: Int64 = 64 << 20

    private func certificateReport(_ prepared: FirmwareVerifier.PreparedArtifact, verifier: FirmwareVerifier) -> VerificationReport? {
        let source = prepared.source
        guard source.count > 0, source.count <= Self.certificateFileLimit, let sha256 = prepared.sha256,
            let bytes = try? source.bytes(at: 0, length: Int(source.count)), (try? Certificate.parseAll(bytes)) != nil
        else { return nil }
        let chains = CertificateVerifier(
            roots: verifier.trust.roots, intermediates: verifier.trust.intermediates, crls: verifier.trust.crls,
            crlCheck: verifier.trust.crls.isEmpty ? .none : .leaf, purpose: .codeSigning,
            weakAlgorithms: verifier.policy.algorithms.weak == .fail ? .fail : .warnUnsafe)
        var report = chains.verify(bytes: bytes, sha256: sha256, path: prepared.path, at: at)
        report.size = prepared.size
        return report
    }

    /// With no key or root in scope, every signature fails as untrusted: say how to give keys.
    private func explainingMissingTrust(_ report: VerificationReport, verifier: FirmwareVerifier) -> VerificationReport {
        guard verifier.trust.keys.isEmpty, verifier.trust.roots.isEmpty else { return report }
        var report = report
        for index in report.checks.indices where report.checks[index].status == .failed {
            let code = report.checks[index].code
            if code == .keyUntrusted || code == .certUntrustedChain {
                report.checks[index].message += " (no trusted keys or roots were given: pass the vendor's public keys or root certificates with --trust FILE|FOLDER, or a policy naming them with --policy FILE)"
            }
        }
        return report
    }
}

/// The verifiers of a session, one per vendor/model scope, shared by the batch's tasks.
private final class ScopeCache: Sendable {
    private let storage = Mutex<[String: FirmwareVerifier]>([:])
    func get(_ key: String) -> FirmwareVerifier? { storage.withLock { $0[key] } }
    func set(_ key: String, _ value: FirmwareVerifier) { storage.withLock { $0[key] = value } }
}

/// The format stages of one artifact, one per trust scope (within one `reports(for:devices:)`).
private final class StageCache: Sendable {
    private let storage = Mutex<[String: FirmwareVerifier.FormatStage]>([:])
    func get(_ key: String) -> FirmwareVerifier.FormatStage? { storage.withLock { $0[key] } }
    func set(_ key: String, _ value: FirmwareVerifier.FormatStage) { storage.withLock { $0[key] = value } }
}
