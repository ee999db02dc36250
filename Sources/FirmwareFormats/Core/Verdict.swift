/// The outcome for one artifact: derived from its checks, never stored on its own.
public enum Verdict: String, Sendable, Hashable, Codable, Comparable {
    case pass
    case warn
    case fail

    /// Fail-closed: any failed check fails; no checks at all fails (nothing was verified);
    /// otherwise any warning warns.
    public init(checks: [Check]) {
        if checks.isEmpty || checks.contains(where: { $0.status == .failed }) {
            self = .fail
        } else if checks.contains(where: { $0.status == .warning }) {
            self = .warn
        } else if checks.allSatisfy({ $0.status == .skipped }) {
            self = .fail
        } else {
            self = .pass
        }
    }

    private var rank: Int {
        switch self {
        case .pass: 0
        case .warn: 1
        case .fail: 2
        }
    }
    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}
