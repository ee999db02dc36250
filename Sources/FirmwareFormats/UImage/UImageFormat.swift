import FirmwareCrypto
import Foundation

extension FormatID {
    /// U-Boot legacy images (`mkimage -A … -T kernel|multi|script …`).
    public static let uimage: FormatID = "uimage"
}

/// U-Boot legacy images (uImage): a 64-byte header with two CRC-32s, and the data. Verified as
/// U-Boot's `bootm` does (`image_check_magic`, `image_check_hcrc`, `image_check_dcrc`,
/// `image_multi_getimg`), and stricter:
///
/// - the format carries no signature, so an image fails with `signature.missing` unless the
///   policy lists `uimage` under `unsignedFormatsUnsafe` (integrity is reported either way);
/// - every size (the data, each sub-image of a multi-file image or script) is checked against
///   the file before use;
/// - bytes after the data that are not erased flash are reported
///   (`integrity.unsigned-trailing-data`).
public enum UImageFormat: FirmwareFormat {
    public static let id: FormatID = .uimage
    public static let name = "U-Boot legacy image (uImage)"
    public static let detects = "magic 0x27051956 (big-endian) at offset 0"
    public static let verifies = [
        "header CRC-32 (ih_hcrc, computed with the field zeroed)",
        "data CRC-32 (ih_dcrc) over ih_size bytes",
        "every size against the file, and the size table of multi-file images and scripts",
        "no signature exists: signature.missing unless the policy accepts unsigned uImages",
        "no bytes after the data but erased flash",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedLength, .integrityCRCMismatch, .integrityUnverifiable,
        .integrityUnsignedTrailingData, .signatureMissing,
    ]

    /// The four magic bytes `27 05 19 56`.
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard source.count >= 4, let head = try? source.bytes(at: 0, length: 4) else { return false }
        return [UInt8](head) == [0x27, 0x05, 0x19, 0x56]
    }

    /// Parses the header and the size table (see ``UImageParser``).
    ///
    /// - Throws: `MalformedInput` for anything that cannot be parsed.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> UImageDescription {
        try UImageParser.parse(source)
    }

    /// None: both CRCs are computed by the verifier (the pipeline adds the file's SHA-256).
    public static func digestRequests(for description: UImageDescription) -> [DigestRequest] { [] }

    /// Applies the rules above. Never throws over content: findings are checks.
    public static func verify(_ description: UImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        var checks = [headerCRCCheck(description, input: input), dataCRCCheck(description, input: input)]
        if let trailing = trailingDataCheck(description, input: input) { checks.append(trailing) }
        checks.append(signatureCheck(input: input))
        return FormatVerificationResult(checks: checks, signed: false)
    }
}
