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

    /// The run's verification session: the policy (or the default) and the `--trust` material,
    /// loaded once.
    ///
    /// - Throws: `FwgateError` naming the file when the policy or a trust file cannot be read.
    func session(at: Date, format: FormatID? = nil, procurement: Bool = false, signatureScheme: RawSignatureScheme? = nil) throws -> VerificationSession {
        try VerificationSession.load(
            policy: policy, trust: trustPaths, at: at,
            options: VerificationSession.Options(format: format, procurement: procurement, signatureScheme: signatureScheme))
    }
}

/// `--format F`: skip detection.
struct FormatOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Treat the file as this format instead of detecting it: \(FormatRegistry.idList) (see 'fwgate formats').",
            valueName: "format"))
    var format: String?

    var formatID: FormatID? { format.map(FormatID.init(rawValue:)) }

    func validate() throws {
        if let format, FormatRegistry.format(FormatID(rawValue: format)) == nil {
            throw ValidationError("unknown --format '\(format)'; use one of \(FormatRegistry.idList) (see 'fwgate formats')")
        }
    }
}

/// `--signature` and `--payload`: the companions of one artifact.
struct CompanionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A detached signature over the file (its format is detected).", valueName: "file"))
    var signature: String?

    @Option(help: ArgumentHelp("The payload a manifest describes (for manifest formats).", valueName: "file"))
    var payload: String?

    @Option(
        help: ArgumentHelp(
            "For a raw --signature: the scheme it was made with, the only one tried (\(RawSignatureScheme.nameList)). Default: every standard scheme for the trusted key's type, and the report says which verified.",
            valueName: "scheme"))
    var signatureScheme: RawSignatureScheme?

    /// The artifact for `file` with these companions.
    func artifact(_ file: String) -> Artifact { Artifact(path: file, signature: signature, payload: payload) }

    /// Companions name one file each, so they go with exactly one artifact.
    func validate(fileCount: Int) throws {
        if signatureScheme != nil && signature == nil {
            throw ValidationError("--signature-scheme names how a raw --signature was made; give the signature with --signature FILE")
        }
        if (signature != nil || payload != nil) && fileCount != 1 {
            throw ValidationError("--signature and --payload belong to one file; verify the files one at a time, or use 'fwgate batch' with signature/payload columns")
        }
    }
}

extension RawSignatureScheme: ExpressibleByArgument {
    // Written out rather than argument-parser's defaults, which describe each case with
    // `String(describing:)`: its dynamic casts cost conformance scans in every run that builds
    // the verify, inspect or gate options (3% of a small verify's instructions; issue 10). The
    // help text is the same: the raw values, and no per-value descriptions.
    public var defaultValueDescription: String { rawValue }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
}
