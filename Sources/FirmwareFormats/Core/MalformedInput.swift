/// Input that cannot be what it claims to be. Parsers throw it (typed throws); the verification
/// layer turns it into one failed check with the same code. Never a crash, never a pass.
public struct MalformedInput: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case truncated = "malformed.truncated"
        case badMagic = "malformed.bad-magic"
        case length = "malformed.length"
        case duplicateTLV = "malformed.duplicate-tlv"
        case tlvPlacement = "malformed.tlv-placement"
        case missingTLV = "malformed.missing-tlv"
        case encoding = "malformed.encoding"
        case unknownFormat = "malformed.unknown-format"
    }

    public let kind: Kind
    /// File offset the problem was found at.
    public let offset: Int64
    /// Plain English with field names and numbers.
    public let message: String

    public init(_ kind: Kind, at offset: Int64, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// The check code this problem is reported under.
    public var code: CheckCode { CheckCode(rawValue: kind.rawValue) }

    public var description: String { message }

    /// The same problem with context in front ("MCUboot protected TLV area: ...").
    public func prefixed(_ prefix: String) -> MalformedInput { MalformedInput(kind, at: offset, "\(prefix): \(message)") }
}
