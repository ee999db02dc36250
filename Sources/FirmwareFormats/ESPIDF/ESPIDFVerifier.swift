import FirmwareCrypto
import Foundation

/// The ESP-IDF rules, one function each (see ``ESPIDFFormat`` for the order and what is
/// stricter than the ROM).
extension ESPIDFFormat {
    // MARK: - Image rules

    /// esp_image_format.c `process_checksum`: 0xEF XOR every segment data byte must equal the
    /// stored byte. The segment data is streamed from the source (memory stays flat).
    static func checksumCheck(_ description: ESPIDFImageDescription, input: FormatVerificationInput) -> Check {
        var computed = ESPIDFConstants.checksumSeed
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
    static func appendedDigestCheck(_ description: ESPIDFImageDescription, input: FormatVerificationInput) -> Check? {
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
    static func segmentOverlapChecks(_ description: ESPIDFImageDescription, subject: String) -> [Check] {
        guard let chip = ESPIDFConstants.chips[description.chip.id] else {
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

    /// Bytes no signature or digest covers: in a signed image, the signature sector outside its
    /// blocks and everything after the sector; in an unsigned one, everything after the image.
    /// Erased flash (0xFF) is padding; anything else could be code someone appended: a warning
    /// (the policy may make it a failure) naming offset and length.
    static func trailingDataChecks(_ description: ESPIDFImageDescription, input: FormatVerificationInput) -> [Check] {
        let count = input.source.count
        var ranges: [Range<Int64>] = []
        if let sector = description.signatureSector, !description.signatureBlocks.isEmpty {
            var cursor = sector.offset
            for block in description.signatureBlocks.sorted(by: { $0.offset < $1.offset }) {
                ranges.append(cursor..<max(cursor, block.offset))
                cursor = max(cursor, block.offset + ESPIDFConstants.signatureBlockLength)
            }
            let sectorEnd = min(count, sector.offset + sector.length)
            ranges.append(cursor..<max(cursor, sectorEnd))
            ranges.append(sectorEnd..<count)
        } else if description.imageLength < count {
            ranges.append(description.imageLength..<count)
        }
        ranges = ranges.filter { !$0.isEmpty && $0.lowerBound < count }.map { $0.lowerBound..<min($0.upperBound, count) }
        guard !ranges.isEmpty else { return [] }
        let total = ranges.reduce(Int64(0)) { $0 + Int64($1.count) }
        for range in ranges {
            if let first = input.source.firstByte(notEqualTo: 0xFF, in: range) {
                let foreign = count - first
                return [
                    .warning(
                        .integrityUnsignedTrailingData, subject: input.path,
                        "byte(s) from \(first.hex) to the end (\(foreign)) are outside the signed image and not erased flash (0xff); no digest or signature covers them",
                        detail: ["offset": first.hex, "length": String(foreign)])
                ]
            }
        }
        return [
            .passed(
                .integrityUnsignedTrailingData, subject: input.path,
                "the \(total) byte(s) outside the signed image and its signature blocks are erased flash (0xff)")
        ]
    }

    // MARK: - Signature blocks

    struct BlockOutcome {
        var checks: [Check] = []
        /// nil when the block never got as far as its key (bad CRC, unknown scheme, P-192).
        var key: ESPIDFSecureBootKey.Identification?
        var verified = false
        /// SHA-256 of the block's key bytes (the eFuse key digest), lowercase hex.
        var keyDigest: String?
    }

    /// One block, in the ROM's order: CRC, scheme, image digest, key, signature (over the
    /// digest the block declares, as the ROM checks it).
    static func verifyBlock(
        _ block: ESPIDFImageDescription.SignatureBlock, signedRange: Range<Int64>, subject: String, input: FormatVerificationInput
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
        let identification = ESPIDFSecureBootKey.identify(scheme: scheme, keyBytes: keyBytes, trustedKeys: input.trustedKeys)
        outcome.key = identification
        guard case .trusted(let trusted) = identification else { return outcome }
        let digestNote = outcome.keyDigest.map { ", eFuse key digest \($0)" } ?? ""
        outcome.checks.append(
            .passed(
                .keyUntrusted, subject: subject, "carries trusted key '\(trusted.name)' (SHA-256 SPKI \(trusted.fingerprint)\(digestNote))",
                detail: outcome.keyDigest.map { ["keyDigest": $0] }))

        guard let prepared = ESPIDFSecureBootKey.signatureToCheck(scheme: scheme, signatureBytes: signatureBytes) else {
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
