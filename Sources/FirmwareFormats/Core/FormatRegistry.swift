import FirmwareCrypto
import Foundation

/// A format behind a type-erased face, so the registry can be a plain list.
public struct RegisteredFormat: Sendable {
    public let id: FormatID
    public let name: String
    public let sniff: @Sendable (any ByteSource) -> Bool
    /// Parses and returns the description (as an existential) or the malformation.
    public let parse: @Sendable (any ByteSource) -> Result<any FirmwareDescription, MalformedInput>
    public let digestRequests: @Sendable (any FirmwareDescription) -> [DigestRequest]
    public let verify: @Sendable (any FirmwareDescription, FormatVerificationInput) -> FormatVerificationResult

    public init<F: FirmwareFormat>(_ format: F.Type) {
        id = F.id
        name = F.name
        sniff = { F.sniff($0) }
        parse = { source in
            do throws(MalformedInput) {
                return .success(try F.parse(source))
            } catch {
                return .failure(error)
            }
        }
        digestRequests = { description in
            guard let description = description as? F.Description else { return [] }
            return F.digestRequests(for: description)
        }
        verify = { description, input in
            guard let description = description as? F.Description else {
                return FormatVerificationResult(
                    checks: [.failed(.malformedUnknownFormat, subject: input.path, "internal: description of the wrong format")],
                    signed: false)
            }
            return F.verify(description, input: input)
        }
    }
}

/// The formats fwgate knows, in sniffing order.
public enum FormatRegistry {
    public static let formats: [RegisteredFormat] = [
        RegisteredFormat(MCUbootFormat.self),
        RegisteredFormat(ESPImageFormat.self),
    ]

    /// The first format whose magic matches, or nil.
    public static func detect(_ source: any ByteSource) -> RegisteredFormat? {
        formats.first { $0.sniff(source) }
    }

    /// The format with this id (for `--format`).
    public static func format(_ id: FormatID) -> RegisteredFormat? {
        formats.first { $0.id == id }
    }
}

/// Encodes any description through its own Codable conformance.
public struct AnyDescription: Encodable, Sendable {
    public let value: any FirmwareDescription
    public init(_ value: any FirmwareDescription) { self.value = value }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
