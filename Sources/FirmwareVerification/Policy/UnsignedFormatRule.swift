import FirmwareFormats

/// Whether an unsigned image may pass (`policy.unsigned-format`). DESIGN.md: "no signature at
/// all is a failure unless the policy explicitly allows unsigned images for that format".
///
/// - Signed image: passed.
/// - Unsigned (the format reported a failed `signature.missing`) and the format is listed in
///   `unsignedFormatsUnsafe`: a warning, and ``downgrades(_:)`` names `signature.missing` so the
///   caller turns that failure into a warning.
/// - Unsigned and not listed: the format's own failed `signature.missing` already fails the
///   artifact, so this rule adds only a skipped note saying how a lab policy could accept it
///   (one failure per problem: failed-code sets stay exact).
/// - No signature finding at all (the file could not be parsed): skipped.
public struct UnsignedFormatRule: PolicyRule {
    /// Formats whose unsigned images only warn.
    ///
    /// - Warning: an unsigned image proves nothing about who built it.
    public var unsafeFormats: Set<FormatID>

    /// Creates the rule.
    ///
    /// - Parameter unsafeFormats: the policy's `unsignedFormatsUnsafe`.
    public init(unsafeFormats: Set<FormatID>) {
        self.unsafeFormats = unsafeFormats
    }

    /// Judges whether the image is signed, or may be unsigned.
    ///
    /// - Parameter input: the report so far.
    /// - Returns: one `policy.unsigned-format` check.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        let code = PolicyCheckCodes.unsignedFormat
        let subject = input.subject
        let format = input.report.format?.rawValue ?? "unknown"
        if input.report.signed {
            return [.passed(code, subject: subject, "the image is signed")]
        }
        guard isMissingSignature(input.report) else {
            return [Check(code, .skipped, subject: subject, "no signature finding to judge (the image could not be parsed as \(format))")]
        }
        if let id = input.report.format, unsafeFormats.contains(id) {
            return [
                .warning(
                    code, subject: subject,
                    "unsigned \(format) image accepted because the policy lists \(format) under unsignedFormatsUnsafe; nothing proves who built it")
            ]
        }
        return [
            Check(
                code, .skipped, subject: subject,
                "unsigned \(format) images are not accepted (signature.missing fails it); sign the image, or (labs only, never in production) list \(format) under unsignedFormatsUnsafe")
        ]
    }

    /// The failed codes the caller turns into warnings: `signature.missing` for an unsigned
    /// image of a listed format, otherwise none.
    ///
    /// - Parameter input: the report so far.
    /// - Returns: the codes to downgrade.
    public func downgrades(_ input: PolicyInput) -> Set<CheckCode> {
        guard !input.report.signed, isMissingSignature(input.report),
            let format = input.report.format, unsafeFormats.contains(format)
        else { return [] }
        return [.signatureMissing]
    }

    private func isMissingSignature(_ report: VerificationReport) -> Bool {
        report.checks.contains { $0.code == .signatureMissing && $0.status == .failed }
    }
}
