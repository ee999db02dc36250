import ArgumentParser
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `--trust` and `--policy`, shared by `verify`, `batch` and `gate`.
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("trust"),
        help: ArgumentHelp(
            "Trusted public keys, root certificates or CRLs: files or folders (repeatable). Trusted for every vendor.",
            valueName: "path"))
    var trustPaths: [String] = []

    @Option(
        help: ArgumentHelp(
            "Policy file (YAML): keys and roots per vendor/model, accepted formats, algorithms, rollback, expiry, known test keys. Default: fwgate's strict built-in policy.",
            valueName: "file"))
    var policy: String?

    /// Loads the policy (or the default) and the `--trust` material.
    func load() throws -> VerificationSetup {
        VerificationSetup(
            policy: try policy.map { try Policy.load(path: $0) } ?? .default, extraTrust: try TrustStore.load(trustPaths))
    }
}

/// The policy and trust of one run, and a verifier per vendor/model scope.
struct VerificationSetup: Sendable {
    let policy: Policy
    let extraTrust: TrustStore

    /// The policy digest recorded with posture entries (nil for the built-in policy).
    var policyDigest: String? { policy.source == nil ? nil : policy.digest }

    /// A verifier trusting the policy's keys for this vendor/model plus `--trust`.
    ///
    /// - Throws: `FwgateError(.invalidPolicy)` when the policy lists vendors and none covers
    ///   this one.
    func verifier(vendor: String?, model: String?) throws -> FirmwareVerifier {
        FirmwareVerifier(trust: try policy.trustStore(vendor: vendor, model: model).merging(extraTrust), policy: policy)
    }
}

/// `--format F`: skip detection.
struct FormatOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Treat the file as this format instead of detecting it: \(FormatRegistry.formats.map(\.id.rawValue).joined(separator: ", ")).",
            valueName: "format"))
    var format: String?

    var formatID: FormatID? { format.map(FormatID.init(rawValue:)) }

    func validate() throws {
        if let format, FormatRegistry.format(FormatID(rawValue: format)) == nil {
            throw ValidationError(
                "unknown --format '\(format)'; use one of \(FormatRegistry.formats.map(\.id.rawValue).joined(separator: ", "))")
        }
    }
}
