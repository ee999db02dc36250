import FirmwareCrypto
import Foundation

/// The uImage rules, one function each, in U-Boot's order (`image_check_hcrc`,
/// `image_check_dcrc`), plus what U-Boot never checks: that nothing follows the data and that
/// an unsigned image is called unsigned.
extension UImageFormat {
    /// `image_check_hcrc`: CRC-32 of the 64-byte header with `ih_hcrc` zeroed.
    static func headerCRCCheck(_ description: UImageDescription, input: FormatVerificationInput) -> Check {
        var header: Data
        do {
            header = try input.source.bytes(at: 0, length: Int(UImageConstants.headerLength))
        } catch {
            return .failed(.integrityUnverifiable, subject: input.path, "could not read the header for its CRC: \(error.reason)")
        }
        let field = Int(UImageConstants.headerCRCOffset)
        header.replaceSubrange(field..<(field + 4), with: [0, 0, 0, 0])
        let computed = CRC32.checksum(header)
        if computed == description.storedHeaderCRC {
            return .passed(
                .integrityCRCMismatch, subject: "\(input.path): header",
                "header CRC-32 \(computed.hex(digits: 8)) (computed with ih_hcrc zeroed) matches ih_hcrc")
        }
        return .failed(
            .integrityCRCMismatch, subject: "\(input.path): header",
            "header CRC-32 is \(computed.hex(digits: 8)), but ih_hcrc at 0x4 stores \(description.headerCRC): a header field (size, addresses, type, name) was changed"
        )
    }

    /// `image_check_dcrc`: CRC-32 of the `ih_size` data bytes after the header, streamed.
    static func dataCRCCheck(_ description: UImageDescription, input: FormatVerificationInput) -> Check {
        let range = description.dataRange
        let computed: UInt32
        do {
            computed = try CRC32.checksum(input.source, range: range)
        } catch {
            return .failed(.integrityUnverifiable, subject: input.path, "could not read the data for its CRC: \(error.reason)")
        }
        if computed == description.storedDataCRC {
            return .passed(
                .integrityCRCMismatch, subject: "\(input.path): data",
                "data CRC-32 \(computed.hex(digits: 8)) of bytes \(range.lowerBound.hex)..\(range.upperBound.hex) matches ih_dcrc")
        }
        return .failed(
            .integrityCRCMismatch, subject: "\(input.path): data",
            "data CRC-32 of bytes \(range.lowerBound.hex)..\(range.upperBound.hex) is \(computed.hex(digits: 8)), but ih_dcrc at 0x18 stores \(description.dataCRC): the data was changed"
        )
    }

    /// Bytes after the data: no CRC covers them. Erased flash (0xFF) is what a partition dump
    /// holds after the image; anything else is reported with offset and length (a warning the
    /// policy may make a failure).
    static func trailingDataCheck(_ description: UImageDescription, input: FormatVerificationInput) -> Check? {
        let range = description.dataRange.upperBound..<input.source.count
        guard !range.isEmpty else { return nil }
        if let first = input.source.firstByte(notEqualTo: 0xFF, in: range) {
            let length = input.source.count - first
            return .warning(
                .integrityUnsignedTrailingData, subject: input.path,
                "byte(s) from \(first.hex) to the end (\(length)) follow the \(description.dataSize)-byte data that ih_size declares and are not erased flash (0xff); no CRC covers them",
                detail: ["offset": first.hex, "length": String(length)])
        }
        return .passed(
            .integrityUnsignedTrailingData, subject: input.path,
            "the \(range.count) byte(s) after the data are erased flash (0xff)")
    }

    /// A legacy image has no signature: a failure, which only a policy listing `uimage` under
    /// `unsignedFormatsUnsafe` turns into a warning.
    static func signatureCheck(input: FormatVerificationInput) -> Check {
        .failed(
            .signatureMissing, subject: input.path,
            "a legacy uImage carries no signature: its CRC-32s catch accidental damage, not tampering (whoever changes the image can recompute them); ship a signed FIT image instead")
    }
}
