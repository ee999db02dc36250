import FirmwareCrypto
import Foundation

extension FormatID {
    /// ESP-IDF application images (esptool elf2image, espsecure Secure Boot v2).
    public static let espIDF: FormatID = "esp-idf"
}

extension CheckCode {
    /// An ESP-IDF segment loads over the second-stage bootloader's own RAM (CVE-2018-18558).
    public static let policySegmentOverlap: CheckCode = "policy.segment-overlap"
}

/// ESP-IDF application images (esptool `elf2image` output), signed for Secure Boot v2 by
/// espsecure. Verified as the second-stage bootloader and ROM do (esp_image_format.c
/// `image_load`, `process_checksum`, `verify_simple_hash`, `verify_load_addr`; ROM
/// `ets_secure_boot_verify_signature`), and stricter:
///
/// - the image must carry a signature block whose key is trusted and whose signature verifies
///   (fail closed: an unsigned image fails with `signature.missing`);
/// - a present block that is corrupt (bad CRC), of an unknown scheme, weak (P-192) or whose
///   signature fails, fails the image even when another block verifies (the ROM would skip it);
/// - a block's image digest must equal the image's, and the appended SHA-256 and XOR checksum
///   must match;
/// - no RAM segment may load over the second-stage bootloader's own RAM.
///
/// A block whose key is not trusted fails with `key.untrusted` only when no block verifies;
/// beside a verifying block it is a warning (the device ignores blocks of keys it does not
/// hold, as in a key-rotation image signed by an old and a new key).
public enum ESPIDFFormat: FirmwareFormat {
    public static let id: FormatID = .espIDF
    public static let name = "ESP-IDF application image"
    public static let detects = "byte 0xe9 at offset 0 with at most 16 segments and hash_appended 0 or 1"
    public static let verifies = [
        "XOR checksum of the segment data and the appended SHA-256",
        "every Secure Boot v2 signature block: CRC, image digest, RSA-3072-PSS or ECDSA P-256/P-384 with a key trusted by its eFuse digest",
        "no RAM segment loads over the bootloader's RAM (CVE-2018-18558)",
        "every length against the file; no unsigned bytes after the signature sector but erased flash",
    ]
    public static let passPhrases: [CheckCode: String] = [.policySegmentOverlap: "segments clear of the bootloader's RAM"]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedLength, .integrityChecksumMismatch, .integrityDigestMismatch,
        .integrityCRCMismatch, .integrityUnverifiable, .integrityUnsignedTrailingData, .signatureInvalid, .signatureMissing,
        .signatureUnsupportedAlgorithm, .keyUntrusted, .algorithmWeak, .policySegmentOverlap,
    ]

    /// Byte 0 is 0xE9 and, when the header is complete, `segment_count` ≤ 16 and
    /// `hash_appended` is 0 or 1. (One byte of magic alone would claim every x86 `JMP`.)
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard let header = try? source.bytes(at: 0, length: Int(min(source.count, ESPIDFConstants.headerLength))),
            header.first == ESPIDFConstants.imageMagic
        else { return false }
        guard Int64(header.count) == ESPIDFConstants.headerLength else { return true }
        return header[1] <= ESPIDFConstants.maxSegments && header[23] <= 1
    }

    /// Parses the image (see ``ESPIDFParser``).
    ///
    /// - Throws: `MalformedInput` for anything that cannot be parsed.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> ESPIDFImageDescription {
        try ESPIDFParser.parse(source)
    }

    /// SHA-256 of `[0, checksum + 1)` (the appended SHA-256), the image digest of every block's
    /// hash over `[0, signature sector)` (SHA-256, or SHA-384 for P-384), and SHA-256 of each
    /// block's key bytes (its eFuse key digest, reported with the block).
    public static func digestRequests(for description: ESPIDFImageDescription) -> [DigestRequest] {
        var requests: [DigestRequest] = []
        if let appended = description.appendedDigest {
            requests.append(DigestRequest(.sha256, appended.coveredRange))
        }
        if let signed = description.signedRange {
            for block in description.signatureBlocks {
                if let hash = block.hashAlgorithm { requests.append(DigestRequest(hash, signed)) }
                if let keyRange = block.keyRange { requests.append(DigestRequest(.sha256, keyRange)) }
            }
        }
        var seen = Set<DigestRequest>()
        return requests.filter { seen.insert($0).inserted }
    }

    /// Applies the rules above. Never throws over content: findings are checks.
    ///
    /// - Parameters:
    ///   - description: the parsed image.
    ///   - input: the source, the trusted keys and the digests of ``digestRequests(for:)``.
    /// - Returns: one check per rule and per signature block, the signer (the trusted key of
    ///   the first block that verified), and the signing key for policy rules.
    public static func verify(_ description: ESPIDFImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        var checks: [Check] = []
        checks.append(checksumCheck(description, input: input))
        if let check = appendedDigestCheck(description, input: input) { checks.append(check) }
        checks += segmentOverlapChecks(description, subject: input.path)
        checks += trailingDataChecks(description, input: input)

        guard let signed = description.signedRange, !description.signatureBlocks.isEmpty else {
            let why =
                description.signatureSector == nil
                ? "the file ends with the image (at \(description.imageLength.hex)): there is no Secure Boot v2 signature sector"
                : "the signature sector at \(description.signedRange?.upperBound.hex ?? "?") holds no signature block (no slot starts with 0xe7)"
            checks.append(.failed(.signatureMissing, subject: input.path, "\(why); anyone could have built this image"))
            return FormatVerificationResult(checks: checks, signed: false)
        }

        var signer: TrustedKey?
        var untrusted: [(block: ESPIDFImageDescription.SignatureBlock, reason: String, keyDigest: String?)] = []
        var embeddedKey: PublicKey?
        for block in description.signatureBlocks {
            let subject = "\(input.path): signature block \(block.index)"
            let outcome = verifyBlock(block, signedRange: signed, subject: subject, input: input)
            checks += outcome.checks.map { check in
                var check = check
                check.message = "signature block \(block.index) at \(block.offset.hex): " + check.message
                return check
            }
            switch outcome.key {
            case .trusted(let key)?:
                if outcome.verified, signer == nil { signer = key }
            case .untrusted(let key, let reason)?:
                untrusted.append((block, reason, outcome.keyDigest))
                if embeddedKey == nil { embeddedKey = key }
            case nil:
                break
            }
        }

        for entry in untrusted {
            let subject = "\(input.path): signature block \(entry.block.index)"
            let digest = entry.keyDigest.map { " (eFuse key digest \($0))" } ?? ""
            let detail = entry.keyDigest.map { ["keyDigest": $0] }
            let block = "signature block \(entry.block.index) at \(entry.block.offset.hex): \(entry.block.algorithm?.rawValue ?? "its")"
            if let signer {
                checks.append(
                    .warning(
                        .keyUntrusted, subject: subject,
                        "\(block) key\(digest) is not trusted: \(entry.reason); the image is verified by trusted key '\(signer.name)' in another block",
                        detail: detail))
            } else {
                checks.append(
                    .failed(
                        .keyUntrusted, subject: subject,
                        "\(block) key\(digest) matches none of the \(input.trustedKeys.count) trusted key(s): \(entry.reason)",
                        detail: detail))
            }
        }

        if let signer {
            return FormatVerificationResult(
                checks: checks, signer: Signer(name: signer.name, keyFingerprint: signer.fingerprint), signed: true, signingKey: signer.key)
        }
        if !checks.contains(where: { $0.status == .failed }) {
            // Unreachable by construction (every path that does not verify fails a check), kept
            // so that a future path cannot pass an image no block verified.
            checks.append(.failed(.signatureInvalid, subject: input.path, "no signature block verified with a trusted key"))
        }
        return FormatVerificationResult(checks: checks, signed: true, signingKey: embeddedKey)
    }
}
