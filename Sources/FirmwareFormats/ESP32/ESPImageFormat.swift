import FirmwareCrypto
import Foundation

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
public enum ESPImageFormat: FirmwareFormat {
    public static let id: FormatID = .espImage
    public static let name = "ESP-IDF application image"

    /// Byte 0 is 0xE9 and, when the header is complete, `segment_count` ≤ 16 and
    /// `hash_appended` is 0 or 1. (One byte of magic alone would claim every x86 `JMP`.)
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard let header = try? source.bytes(at: 0, length: Int(min(source.count, ESP32Constants.headerLength))),
            header.first == ESP32Constants.imageMagic
        else { return false }
        guard Int64(header.count) == ESP32Constants.headerLength else { return true }
        return header[1] <= ESP32Constants.maxSegments && header[23] <= 1
    }

    /// Parses the image (see ``ESPImageParser``).
    ///
    /// - Throws: `MalformedInput` for anything that cannot be parsed.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> ESPImageDescription {
        try ESPImageParser.parse(source)
    }

    /// SHA-256 of `[0, checksum + 1)` (the appended SHA-256), the image digest of every block's
    /// hash over `[0, signature sector)` (SHA-256, or SHA-384 for P-384), and SHA-256 of each
    /// block's key bytes (its eFuse key digest, reported with the block).
    public static func digestRequests(for description: ESPImageDescription) -> [DigestRequest] {
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
    public static func verify(_ description: ESPImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        var checks: [Check] = []
        checks.append(checksumCheck(description, input: input))
        if let check = appendedDigestCheck(description, input: input) { checks.append(check) }
        checks += segmentOverlapChecks(description, subject: input.path)

        guard let signed = description.signedRange, !description.signatureBlocks.isEmpty else {
            let why =
                description.signatureSector == nil
                ? "the file ends with the image (at \(description.imageLength.hex)): there is no Secure Boot v2 signature sector"
                : "the signature sector at \(description.signedRange?.upperBound.hex ?? "?") holds no signature block (no slot starts with 0xe7)"
            checks.append(.failed(.signatureMissing, subject: input.path, "\(why); anyone could have built this image"))
            return FormatVerificationResult(checks: checks, signed: false)
        }

        var signer: TrustedKey?
        var untrusted: [(block: ESPImageDescription.SignatureBlock, reason: String, keyDigest: String?)] = []
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

    // MARK: - Image rules

    /// esp_image_format.c `process_checksum`: 0xEF XOR every segment data byte must equal the
    /// stored byte. The segment data is streamed from the source (memory stays flat).
    static func checksumCheck(_ description: ESPImageDescription, input: FormatVerificationInput) -> Check {
        var computed = ESP32Constants.checksumSeed
        do {
            for segment in description.segments {
                try input.source.forEachChunk(in: segment.dataRange) { chunk in
                    for byte in chunk { computed ^= byte }
                }
            }
        } catch {
            return .failed(.integrityUnverifiable, subject: input.path, "could not read the segment data for the checksum: \(error)")
        }
        let stored = description.checksum.stored
        if computed == description.checksum.storedValue {
            return .passed(
                .integrityChecksumMismatch, subject: input.path,
                "XOR checksum of \(description.segments.count) segment(s) is \(computed.hex(digits: 2)), as stored at \(description.checksum.offset.hex)")
        }
        return .failed(
            .integrityChecksumMismatch, subject: input.path,
            "XOR checksum of the segment data is \(computed.hex(digits: 2)), but the image stores \(stored) at \(description.checksum.offset.hex): segment data was changed")
    }

    /// esp_image_format.c `verify_simple_hash`: SHA-256 of `[0, checksum + 1)` must equal the
    /// appended digest. nil when the image appends none.
    static func appendedDigestCheck(_ description: ESPImageDescription, input: FormatVerificationInput) -> Check? {
        guard let appended = description.appendedDigest else { return nil }
        let range = appended.coveredRange
        guard let computed = input.digests[DigestRequest(.sha256, range)], let stored = Data(hexString: appended.value) else {
            return .failed(.integrityUnverifiable, subject: input.path, "the SHA-256 of bytes 0..\(range.upperBound.hex) was not computed")
        }
        if computed.matches(stored) {
            return .passed(
                .integrityDigestMismatch, subject: input.path,
                "SHA-256 of bytes 0..\(range.upperBound.hex) matches the appended SHA-256 at \(appended.offset.hex): \(computed.hex)")
        }
        return .failed(
            .integrityDigestMismatch, subject: input.path,
            "SHA-256 of bytes 0..\(range.upperBound.hex) is \(computed.hex), but the appended SHA-256 at \(appended.offset.hex) is \(appended.value): the header, segments or the digest itself were changed"
        )
    }

    /// esp_image_format.c `verify_load_addr` (the CVE-2018-18558 fix): a segment copied into RAM
    /// must not overlap the RAM the second-stage bootloader runs from. Flash-mapped segments
    /// (IROM/DROM) are mapped, not copied, and are exempt. Ends are computed in 64 bits, so
    /// `load_addr + data_len` cannot wrap.
    static func segmentOverlapChecks(_ description: ESPImageDescription, subject: String) -> [Check] {
        guard let chip = ESP32Constants.chips[description.chip.id] else {
            return [
                .warning(
                    .policySegmentOverlap, subject: subject,
                    "segment load addresses not checked: fwgate has no bootloader RAM range for chip id \(description.chip.id) (\(description.chip.name ?? "unknown chip"))"
                )
            ]
        }
        let ram = chip.bootloaderRAM
        var checks: [Check] = []
        for segment in description.segments where segment.length > 0 {
            let mapped = chip.memoryMap.contains { $0.isFlashMapped && $0.contains(segment.loadAddress) }
            guard !mapped else { continue }
            let start = UInt64(segment.loadAddress)
            let end = start + UInt64(segment.length)
            if start < ram.upperBound && end > ram.lowerBound {
                checks.append(
                    .failed(
                        .policySegmentOverlap, subject: subject,
                        "segment \(segment.index) loads 0x\(String(start, radix: 16))..0x\(String(end, radix: 16)) into RAM the \(chip.name) bootloader occupies (0x\(String(ram.lowerBound, radix: 16))..0x\(String(ram.upperBound, radix: 16))): loading it would overwrite the loader",
                        detail: ["source": chip.bootloaderRAMSource]))
            }
        }
        if checks.isEmpty {
            checks.append(
                .passed(
                    .policySegmentOverlap, subject: subject,
                    "no RAM segment overlaps the \(chip.name) bootloader's RAM (0x\(String(ram.lowerBound, radix: 16))..0x\(String(ram.upperBound, radix: 16)))"))
        }
        return checks
    }

    // MARK: - Signature blocks

    struct BlockOutcome {
        var checks: [Check] = []
        /// nil when the block never got as far as its key (bad CRC, unknown scheme, P-192).
        var key: ESPSecureBootKey.Identification?
        var verified = false
        /// SHA-256 of the block's key bytes (the eFuse key digest), lowercase hex.
        var keyDigest: String?
    }

    /// One block, in the ROM's order: CRC, scheme, image digest, key, signature (over the
    /// digest the block declares, as the ROM checks it).
    static func verifyBlock(
        _ block: ESPImageDescription.SignatureBlock, signedRange: Range<Int64>, subject: String, input: FormatVerificationInput
    ) -> BlockOutcome {
        var outcome = BlockOutcome()

        // CRC-32 of bytes [0, 1196): a block that fails it is corrupt and not used further.
        let computedCRC: UInt32
        do {
            computedCRC = try CRC32.checksum(input.source, range: block.crcRange)
        } catch {
            outcome.checks.append(.failed(.integrityUnverifiable, subject: subject, "could not read the block for its CRC: \(error.reason)"))
            return outcome
        }
        guard computedCRC == block.crcValue else {
            outcome.checks.append(
                .failed(
                    .integrityCRCMismatch, subject: subject,
                    "CRC-32 of the block's first 1196 bytes is \(computedCRC.hex(digits: 8)), but the block stores \(block.crc): the block is corrupt"
                ))
            return outcome
        }
        outcome.checks.append(.passed(.integrityCRCMismatch, subject: subject, "CRC-32 \(computedCRC.hex(digits: 8)) of bytes 0..1196 matches"))

        guard let scheme = block.algorithm, let hash = block.hashAlgorithm, let declaredHex = block.declaredDigest,
            let declared = Data(hexString: declaredHex), let keyRange = block.keyRange, let signatureRange = block.signatureRange
        else {
            outcome.checks.append(
                .failed(
                    .signatureUnsupportedAlgorithm, subject: subject,
                    "block version \(block.version) with this SHA/curve byte is not a Secure Boot v2 scheme (RSA-3072-PSS, ECDSA P-192/P-256/P-384)"
                ))
            return outcome
        }
        // The key and signature fields, at the ranges the parser found (inside the block).
        let keyBytes: [UInt8]
        let signatureBytes: [UInt8]
        do {
            keyBytes = [UInt8](try input.source.bytes(at: keyRange.lowerBound, length: keyRange.count))
            signatureBytes = [UInt8](try input.source.bytes(at: signatureRange.lowerBound, length: signatureRange.count))
        } catch {
            outcome.checks.append(.failed(.integrityUnverifiable, subject: subject, "could not read the block's key and signature: \(error.reason)"))
            return outcome
        }
        outcome.keyDigest = input.digests[DigestRequest(.sha256, keyRange)]?.hex

        // Image digest: the block's image_digest must be the hash of [0, sector).
        if let computed = input.digests[DigestRequest(hash, signedRange)] {
            if computed.matches(declared) {
                outcome.checks.append(
                    .passed(
                        .integrityDigestMismatch, subject: subject,
                        "\(hash) of bytes 0..\(signedRange.upperBound.hex) matches the block's image digest"))
            } else {
                outcome.checks.append(
                    .failed(
                        .integrityDigestMismatch, subject: subject,
                        "\(hash) of bytes 0..\(signedRange.upperBound.hex) is \(computed.hex), but the block's image digest is \(declaredHex): the signed image was changed"
                    ))
            }
        } else {
            outcome.checks.append(
                .failed(.integrityUnverifiable, subject: subject, "the \(hash) of bytes 0..\(signedRange.upperBound.hex) was not computed"))
        }

        // P-192 (espsecure still makes it) is below fwgate's minimum: never counts as a signature.
        if scheme == .ecdsaP192 {
            outcome.checks.append(
                .failed(.algorithmWeak, subject: subject, "ECDSA P-192 signature: below the minimum (EC P-256); the block is not used"))
            return outcome
        }

        // Key: only a trusted key's own object is ever used to verify.
        let identification = ESPSecureBootKey.identify(scheme: scheme, keyBytes: keyBytes, trustedKeys: input.trustedKeys)
        outcome.key = identification
        guard case .trusted(let trusted) = identification else { return outcome }
        let digestNote = outcome.keyDigest.map { ", eFuse key digest \($0)" } ?? ""
        outcome.checks.append(
            .passed(
                .keyUntrusted, subject: subject, "carries trusted key '\(trusted.name)' (SHA-256 SPKI \(trusted.fingerprint)\(digestNote))",
                detail: outcome.keyDigest.map { ["keyDigest": $0] }))

        guard let prepared = ESPSecureBootKey.signatureToCheck(scheme: scheme, signatureBytes: signatureBytes) else {
            outcome.checks.append(.failed(.signatureInvalid, subject: subject, "the \(scheme.rawValue) signature field has the wrong length"))
            return outcome
        }
        switch trusted.key.verify(signature: prepared.signature, over: .digest(declared), scheme: prepared.scheme) {
        case .valid:
            outcome.verified = true
            outcome.checks.append(
                .passed(
                    .signatureInvalid, subject: subject,
                    "\(scheme.rawValue) signature (\(prepared.scheme)) over the block's image digest verifies with trusted key '\(trusted.name)'"))
        case .invalid:
            outcome.checks.append(
                .failed(
                    .signatureInvalid, subject: subject,
                    "\(scheme.rawValue) signature does not verify with trusted key '\(trusted.name)': the signature or the digest it signs was changed"))
        case .malformed(let reason):
            outcome.checks.append(.failed(.signatureInvalid, subject: subject, "\(scheme.rawValue) signature is not well-formed: \(reason)"))
        case .unsupported(let reason):
            outcome.checks.append(.failed(.signatureUnsupportedAlgorithm, subject: subject, "\(scheme.rawValue): \(reason)"))
        }
        return outcome
    }

}
