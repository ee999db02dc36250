/// A problem in the environment, not in the content being verified: a missing file, an
/// unreadable trust file or policy, a bad option, a database failure. The CLI exits 2.
/// Two errors compare equal when their codes are equal.
public struct FwgateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case fileNotFound = "file-not-found"
        case unreadableInput = "unreadable-input"
        case invalidTrust = "invalid-trust"
        case invalidPolicy = "invalid-policy"
        case usage
        case database
        case io
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    /// The same error with `prefix: ` added in front (context added as the error rises).
    public func prefixed(_ prefix: String) -> FwgateError { FwgateError(code, "\(prefix): \(reason)") }

    public static func == (lhs: FwgateError, rhs: FwgateError) -> Bool { lhs.code == rhs.code }
}
