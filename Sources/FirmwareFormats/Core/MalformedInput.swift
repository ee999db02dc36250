/// Input that cannot be what it claims to be. Parsers throw it (typed throws); the verification
/// layer turns it into one failed check with the same code. Never a crash, never a pass.
///
/// The code is a `malformed.*` ``CheckCode``: the generic ones live in `CheckCode.swift`, and a
/// format that needs its own declares it in its folder (`extension CheckCode`), so adding a
/// format never edits this type.
public struct MalformedInput: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `malformed.*` check code this problem is reported under.
    public let code: CheckCode
    /// File offset of the problem: for a truncation, where the range that runs past the end
    /// starts; for a wrong field (a magic, a length), the field itself.
    public let offset: Int64
    /// Plain English with field names and numbers.
    public let message: String

    /// - Parameters:
    ///   - code: a `malformed.*` code (`.malformedTruncated`, `.malformedLength`, ...).
    ///   - offset: where in the file the problem was found.
    ///   - message: plain English, naming the field and the numbers.
    public init(_ code: CheckCode, at offset: Int64, _ message: String) {
        precondition(code.family == "malformed", "MalformedInput takes malformed.* codes, not \(code)")
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { message }

    /// The same problem with context in front ("MCUboot protected TLV area: ..."); the code stays.
    public func prefixed(_ prefix: String) -> MalformedInput { MalformedInput(code, at: offset, "\(prefix): \(message)") }
}
