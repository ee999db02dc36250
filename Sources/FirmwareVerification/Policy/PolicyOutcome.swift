import FirmwareFormats

/// What ``Policy/evaluate(_:)`` decided: checks to add to the report, and failed codes the
/// policy explicitly accepts as warnings.
public struct PolicyOutcome: Sendable {
    /// The rules' checks, passed, skipped, warning and failed alike.
    public var added: [Check]
    /// Codes of the report's failed checks that the policy turns into warnings. Only
    /// `signature.missing`, for an unsigned image whose format is listed in
    /// `unsignedFormatsUnsafe`.
    ///
    /// - Warning: applying this accepts unsigned firmware.
    public var downgradedUnsafe: Set<CheckCode>

    /// Creates an outcome.
    ///
    /// - Parameters:
    ///   - added: checks to append.
    ///   - downgradedUnsafe: failed codes to turn into warnings.
    public init(added: [Check], downgradedUnsafe: Set<CheckCode> = []) {
        self.added = added
        self.downgradedUnsafe = downgradedUnsafe
    }

    /// The report with ``added`` appended and every failed check whose code is in
    /// ``downgradedUnsafe`` turned into a warning (its message says the policy accepted it).
    ///
    /// - Parameter report: the report the outcome was computed for.
    /// - Returns: the report the verdict should be derived from.
    public func applied(to report: VerificationReport) -> VerificationReport {
        var result = report
        result.checks = report.checks.map { check in
            guard check.status == .failed, downgradedUnsafe.contains(check.code) else { return check }
            var warning = check
            warning.status = .warning
            warning.message += " (accepted as unsafe by the policy)"
            return warning
        }
        result.checks += added
        return result
    }
}
