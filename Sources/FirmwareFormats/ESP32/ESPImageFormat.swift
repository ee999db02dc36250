import FirmwareCrypto
import Foundation

// Placeholder: the ESP-IDF parser and verifier are being written; until then nothing sniffs as
// ESP-IDF and forcing the format reports it as unknown.
public struct ESPImageDescription: FirmwareDescription {
    public var format: FormatID { .espImage }
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }
}

public enum ESPImageFormat: FirmwareFormat {
    public static let id: FormatID = .espImage
    public static let name = "ESP-IDF application image"
    public static func sniff(_ source: any ByteSource) -> Bool { false }
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> ESPImageDescription {
        throw MalformedInput(.unknownFormat, at: 0, "ESP-IDF images are not supported yet")
    }
    public static func digestRequests(for description: ESPImageDescription) -> [DigestRequest] { [] }
    public static func verify(_ description: ESPImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        FormatVerificationResult(checks: [], signed: false)
    }
}
