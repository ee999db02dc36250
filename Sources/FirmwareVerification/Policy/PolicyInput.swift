import FirmwareCrypto
import FirmwareFormats

/// What the policy rules judge: the report the format's own checks produced, the key that
/// signed it, and the circumstances of the run.
public struct PolicyInput: Sendable {
    /// The report after the format's checks (policy checks not yet added).
    public var report: VerificationReport
    /// The signing key, when the format identified one (trusted or not); the report does not
    /// carry it, so it is passed here (`FormatVerificationResult.signingKey`).
    public var signingKey: PublicKey?
    /// Time, device and procurement flag.
    public var context: VerificationContext

    /// Creates an input.
    ///
    /// - Parameters:
    ///   - report: the report so far.
    ///   - signingKey: the key that signed the artifact, if identified.
    ///   - context: time, device, vendor/model and procurement flag.
    public init(report: VerificationReport, signingKey: PublicKey?, context: VerificationContext) {
        self.report = report
        self.signingKey = signingKey
        self.context = context
    }

    /// What the checks are about: the artifact's file.
    var subject: String { report.file }
}
