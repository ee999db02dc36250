/// One thing that was verified, and how it came out. Findings are data, not exceptions.
public struct Check: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How a check came out.
    public enum Status: String, Sendable, Hashable, Codable, Comparable {
        case passed
        case warning
        case failed
        /// Not applicable here (e.g. no CRL check requested). Never used for a signature that
        /// could not be checked: that is `failed`.
        case skipped

        private var rank: Int {
            switch self {
            case .skipped: 0
            case .passed: 1
            case .warning: 2
            case .failed: 3
            }
        }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    /// The rule checked.
    public var code: CheckCode
    public var status: Status
    /// What was checked: a file, a TLV, a certificate subject.
    public var subject: String
    /// Plain English, with field names and numbers.
    public var message: String
    /// Machine-readable extra facts (e.g. OpenSSL's verify error name, a depth).
    public var detail: [String: String]?

    public init(_ code: CheckCode, _ status: Status, subject: String, _ message: String, detail: [String: String]? = nil) {
        self.code = code
        self.status = status
        self.subject = subject
        self.message = message
        self.detail = detail
    }

    public static func passed(_ code: CheckCode, subject: String, _ message: String, detail: [String: String]? = nil) -> Check {
        Check(code, .passed, subject: subject, message, detail: detail)
    }

    public static func failed(_ code: CheckCode, subject: String, _ message: String, detail: [String: String]? = nil) -> Check {
        Check(code, .failed, subject: subject, message, detail: detail)
    }

    public static func warning(_ code: CheckCode, subject: String, _ message: String, detail: [String: String]? = nil) -> Check {
        Check(code, .warning, subject: subject, message, detail: detail)
    }

    public var description: String { "\(status.rawValue) \(code): \(message)" }
}
