import FirmwareFormats

/// The policy rules' codes (constants in `CheckCode.swift`), under the names the rules use.
enum PolicyCheckCodes {
    static let formatNotAllowed = CheckCode.policyFormatNotAllowed
    static let validityTooShort = CheckCode.policyValidityTooShort
    static let unsignedFormat = CheckCode.policyUnsignedFormat
}
