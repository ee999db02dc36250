import FirmwareFormats
import Foundation

/// Certificate lifetime against the policy's `expiry:` settings.
///
/// - `cert.expiring-soon` (warning) when the earliest certificate expiry lies inside
///   `expiry.warnDays` of the verification time.
/// - `policy.validity-too-short` (failed) at procurement (`VerificationContext.procurement`)
///   when the signer's certificate chain stays valid for fewer than
///   `expiry.procurementMinimumDays` whole days: a device model bought today should not need
///   its firmware re-signed within the year.
///
/// Days are whole days from the verification time to the earliest notAfter, rounded down, as
/// `certs sweep` counts them. Expired certificates are `cert.expired`, not this rule's concern.
public struct ExpiryWindowRule: PolicyRule {
    /// The warning window and the procurement minimum.
    public var policy: ExpiryPolicy

    /// Creates the rule.
    ///
    /// - Parameter policy: the warning window and the procurement minimum.
    public init(policy: ExpiryPolicy) {
        self.policy = policy
    }

    /// Judges the report's earliest certificate expiry.
    ///
    /// - Parameter input: the report (earliest expiry, chain) and the context (time, procurement).
    /// - Returns: one `cert.expiring-soon` and one `policy.validity-too-short` check; both are
    ///   skipped when no certificate is involved.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        let subject = input.subject
        let code = PolicyCheckCodes.validityTooShort
        guard let earliest = earliestExpiry(input.report) else {
            return [
                Check(.certExpiringSoon, .skipped, subject: subject, "no certificate is involved (signed with a bare key, or unsigned)"),
                Check(code, .skipped, subject: subject, "no signer certificate is involved"),
            ]
        }
        let at = input.context.at
        let days = ExpiryWindows.daysLeft(until: earliest, at: at)
        let who = input.report.chain?.first?.subject ?? input.report.signer?.subject ?? "the signer's certificate chain"
        let detail = ["notAfter": RFC3339.string(earliest), "daysLeft": String(days)]
        var checks = [
            ExpiringSoon.check(
                who: who, end: earliest, at: at, window: Double(policy.warnDays) * 86_400, windowName: "expiry.warnDays", subject: subject)
        ]
        if !input.context.procurement {
            checks.append(Check(code, .skipped, subject: subject, "minimum validity is checked at procurement only", detail: detail))
        } else if policy.procurementMinimumDays == 0 {
            checks.append(
                Check(code, .skipped, subject: subject, "no minimum validity at procurement (expiry.procurementMinimumDays: 0)", detail: detail))
        } else if days < policy.procurementMinimumDays {
            checks.append(
                .failed(
                    code, subject: subject,
                    "\(who) stays valid for \(max(days, 0)) day(s), until \(RFC3339.string(earliest)); the policy requires at least \(policy.procurementMinimumDays) at procurement (expiry.procurementMinimumDays)",
                    detail: detail))
        } else {
            checks.append(
                .passed(
                    code, subject: subject,
                    "\(who) stays valid for \(days) day(s), at least the \(policy.procurementMinimumDays) required at procurement",
                    detail: detail))
        }
        return checks
    }

    /// The earliest notAfter of any certificate in the report (its chain included).
    private func earliestExpiry(_ report: VerificationReport) -> Date? {
        ([report.earliestExpiry].compactMap { $0 } + (report.chain ?? []).map(\.notAfter)).min()
    }
}
