import Foundation

/// The one `cert.expiring-soon` rule, used by chain verification (`certs verify --warn`) and
/// the policy's expiry window alike.
public enum ExpiringSoon {
    /// Judges something that ends at `end`, at `at`, against a warning window.
    ///
    /// - Parameters:
    ///   - who: what expires, for the message ("the chain", a subject).
    ///   - end: its notAfter.
    ///   - at: the verification time.
    ///   - window: the warning window in seconds; 0 turns the warning off.
    ///   - windowName: where the window comes from, for the message ("expiry.warnDays").
    ///   - subject: the check's subject.
    /// - Returns: skipped when already expired (`cert.expired` says so) or the window is off, a
    ///   warning inside the window, passed outside it; `detail` carries notAfter and daysLeft.
    public static func check(who: String, end: Date, at: Date, window: TimeInterval, windowName: String? = nil, subject: String) -> Check {
        let days = Int((end.timeIntervalSince(at) / 86_400).rounded(.down))
        let detail = ["notAfter": RFC3339.string(end), "daysLeft": String(days)]
        let windowDays = Int(window / 86_400)
        let source = windowName.map { " (\($0))" } ?? ""
        if end < at {
            return Check(.certExpiringSoon, .skipped, subject: subject, "a certificate already expired on \(RFC3339.string(end)) (cert.expired)", detail: detail)
        }
        if window <= 0 {
            return Check(.certExpiringSoon, .skipped, subject: subject, "the warning window is off\(source)", detail: detail)
        }
        if end.timeIntervalSince(at) <= window {
            return .warning(
                .certExpiringSoon, subject: subject,
                "\(who) expires in \(days) day(s), on \(RFC3339.string(end)), inside the \(windowDays)-day warning window\(source)", detail: detail)
        }
        return .passed(
            .certExpiringSoon, subject: subject,
            "\(who) expires in \(days) day(s), on \(RFC3339.string(end)), outside the \(windowDays)-day warning window", detail: detail)
    }
}
