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
    /// Codes of the report's warnings that the policy makes failures (`unsignedTrailingData:
    /// fail` makes `integrity.unsigned-trailing-data` one).
    public var escalated: Set<CheckCode>

    /// Creates an outcome.
    ///
    /// - Parameters:
    ///   - added: checks to append.
    ///   - downgradedUnsafe: failed codes to turn into warnings.
    ///   - escalated: warning codes to turn into failures.
    public init(added: [Check], downgradedUnsafe: Set<CheckCode> = [], escalated: Set<CheckCode> = []) {
        self.added = added
        self.downgradedUnsafe = downgradedUnsafe
        self.escalated = escalated
    }

    /// The report with ``added`` appended, every failed check whose code is in
    /// ``downgradedUnsafe`` turned into a warning (its message says the policy accepted it), and
    /// every warning whose code is in ``escalated`` turned into a failure.
    ///
    /// - Parameter report: the report the outcome was computed for.
    /// - Returns: the report the verdict should be derived from.
    public func applied(to report: VerificationReport) -> VerificationReport {
        var result = report
        result.checks = report.checks.map { check in
            if check.status == .warning, escalated.contains(check.code) {
                var failure = check
                failure.status = .failed
                failure.message += " (a failure under the policy)"
                return failure
            }
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
