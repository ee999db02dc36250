import FirmwareCrypto
import Foundation

/// MCUboot's rules, one function each, as mcuboot's `bootutil_img_validate()`
/// (boot/bootutil/src/image_validate.c) applies them, and stricter: fwgate requires a trusted
/// key, fails duplicate or misplaced TLVs and reports unsigned bytes after the image.
struct MCUbootVerifier {
    let description: MCUbootImageDescription
    let input: FormatVerificationInput

    var subject: String { input.path }
    var unprotected: [MCUbootImageDescription.TLV] { description.tlvs.filter { $0.area == .unprotected } }

    /// Every rule; the signature rule last, since it needs the declared hash.
    func verify() -> FormatVerificationResult {
        var checks = placementChecks() + duplicateChecks()
        let hash = imageHashChecks()
        checks += hash.checks
        checks += trailingDataChecks()
        var result = signatureChecks(declared: hash.declared)
        result.checks = checks + result.checks
        return result
    }

    // MARK: - Structure

    /// image_validate.c `allowed_unprot_tlvs[]`: outside the hashed area only hashes, keys,
    /// signatures and encryption keys may sit; hashes, keys and signatures never belong inside it.
    func placementChecks() -> [Check] {
        var problems: [String] = []
        for tlv in description.tlvs {
            if tlv.area == .unprotected && !tlv.kind.mayBeUnprotected {
                problems.append(
                    "TLV \(tlv.kind) at \(tlv.offset.hex) sits in the unprotected area, which the image hash does not cover; MCUboot refuses it there")
            }
            if tlv.area == .protected && (tlv.kind.hashAlgorithm != nil || tlv.kind.isSignature || tlv.kind == .keyHash || tlv.kind == .publicKey) {
                problems.append("TLV \(tlv.kind) at \(tlv.offset.hex) sits in the protected area; hash, key and signature TLVs belong in the unprotected area")
            }
        }
        if problems.isEmpty { return [.passed(.malformedTLVPlacement, subject: subject, "every TLV sits in an area MCUboot allows")] }
        return problems.map { .failed(.malformedTLVPlacement, subject: subject, $0) }
    }

    /// One image hash, one key hint, one signature, one security counter: a second one could
    /// make fwgate and the bootloader look at different TLVs.
    func duplicateChecks() -> [Check] {
        let groups: [(String, (MCUbootTLVKind) -> Bool)] = [
            ("image hash", { $0.hashAlgorithm != nil }), ("signature", { $0.isSignature }),
            ("KEYHASH/PUBKEY", { $0 == .keyHash || $0 == .publicKey }), ("SEC_CNT", { $0 == .securityCounter }),
        ]
        var problems: [String] = []
        for (name, matches) in groups {
            let found = description.tlvs.filter { matches($0.kind) }
            if found.count > 1 {
                problems.append("\(found.count) \(name) TLVs (at \(found.map(\.offset.hex).joined(separator: ", "))); exactly one is allowed")
            }
        }
        if problems.isEmpty { return [.passed(.malformedDuplicateTLV, subject: subject, "no duplicate hash, key, signature or counter TLV")] }
        return problems.map { .failed(.malformedDuplicateTLV, subject: subject, $0) }
    }

    // MARK: - Image hash

    /// The declared image hash and its algorithm, when the hash TLV is well-formed.
    struct DeclaredHash {
        let value: Data
        let algorithm: DigestAlgorithm
    }

    /// image_validate.c `bootutil_img_hash`: the hash TLV must equal the hash of
    /// `[0, hdr_size + img_size + protect_tlv_size)`. An encrypted payload's hash covers the
    /// plaintext, which fwgate does not decrypt: unverifiable, a failure.
    func imageHashChecks() -> (checks: [Check], declared: DeclaredHash?) {
        guard let hashTLV = unprotected.first(where: { $0.kind.hashAlgorithm != nil }), let name = hashTLV.kind.hashAlgorithm else {
            return ([.failed(.malformedMissingTLV, subject: subject, "no SHA256/SHA384/SHA512 TLV: the image carries no hash to check")], nil)
        }
        let algorithm = MCUbootFormat.digestAlgorithm(name)
        guard Int(hashTLV.length) == name.byteCount,
            let value = try? input.source.bytes(at: hashTLV.valueRange.lowerBound, length: Int(hashTLV.length))
        else {
            return ([.failed(.malformedLength, subject: subject, "\(hashTLV.kind.name) TLV is \(hashTLV.length) bytes; \(algorithm) is \(name.byteCount)")], nil)
        }
        let declared = DeclaredHash(value: value, algorithm: algorithm)
        let range = description.hashedRange
        if description.flags & (MCUbootFlags.encryptedAES128 | MCUbootFlags.encryptedAES256) != 0 {
            return (
                [
                    .failed(
                        .integrityUnverifiable, subject: subject,
                        "the payload is encrypted (\(description.flagNames.joined(separator: ", "))); its \(algorithm) covers the plaintext, which fwgate does not decrypt")
                ], declared
            )
        }
        guard let computed = input.digests[DigestRequest(algorithm, range)] else {
            return ([.failed(.integrityUnverifiable, subject: subject, "the image hash was not computed")], declared)
        }
        if computed.matches(value) {
            return (
                [
                    .passed(
                        .integrityDigestMismatch, subject: subject,
                        "\(algorithm) of header, payload and protected TLVs (bytes 0..\(range.upperBound.hex)) matches the \(hashTLV.kind.name) TLV: \(computed.hex)")
                ], declared
            )
        }
        return (
            [
                .failed(
                    .integrityDigestMismatch, subject: subject,
                    "\(algorithm) of bytes 0..\(range.upperBound.hex) is \(computed.hex), but the \(hashTLV.kind.name) TLV says \(value.hexString): header, payload or protected TLVs were changed")
            ], declared
        )
    }

    // MARK: - Trailing data

    /// The boot trailer's largest extent before its 16-byte magic: image_ok, copy_done,
    /// swap_info and swap_size, each padded to BOOT_MAX_ALIGN (at most 32 bytes).
    static let trailerFieldsLength: Int64 = 4 * 32

    /// Bytes after the unprotected TLV area are covered by neither hash nor signature. Allowed:
    /// erased flash (0xFF) and MCUboot's own image trailer (bootutil_public.h: fields, then the
    /// 16-byte boot magic, ending the slot). Anything else could be code or a script someone
    /// appended: a warning (the policy may make it a failure) naming offset and length.
    func trailingDataChecks() -> [Check] {
        let end = description.unprotectedArea.offset + Int64(description.unprotectedArea.totalLength)
        let length = input.source.count - end
        guard length > 0 else { return [] }
        let magic = MCUbootConstants.bootMagic
        var trailerStart = input.source.count
        if length >= Int64(magic.count),
            let tail = try? input.source.bytes(at: input.source.count - Int64(magic.count), length: magic.count), tail == magic
        {
            trailerStart = max(end, input.source.count - Int64(magic.count) - Self.trailerFieldsLength)
        }
        guard let firstForeign = input.source.firstByte(notEqualTo: 0xFF, in: end..<trailerStart) else {
            let what = trailerStart < input.source.count ? "erased flash (0xFF) and the MCUboot boot trailer" : "erased flash (0xFF)"
            return [
                .passed(.integrityUnsignedTrailingData, subject: subject, "the \(length) byte(s) after the TLV area at \(end.hex) are \(what)")
            ]
        }
        let foreign = input.source.count - firstForeign
        return [
            .warning(
                .integrityUnsignedTrailingData, subject: subject,
                "\(foreign) byte(s) at \(firstForeign.hex) after the signed image are neither erased flash nor the boot trailer; no hash or signature covers them",
                detail: ["offset": firstForeign.hex, "length": String(foreign)])
        ]
    }

    // MARK: - Signature and key

    /// image_validate.c: the signature TLV verifies over the declared hash with the key that
    /// KEYHASH or PUBKEY names, and that key must be trusted (fail closed: no key, no pass).
    func signatureChecks(declared: DeclaredHash?) -> FormatVerificationResult {
        var checks: [Check] = []
        let signatures = unprotected.filter(\.kind.isSignature)
        guard let signatureTLV = signatures.first else {
            checks.append(
                .failed(.signatureMissing, subject: subject, "no signature TLV: the image is hash-only, anyone could have built it"))
            return FormatVerificationResult(checks: checks, signed: false)
        }
        guard let declared else {
            checks.append(.failed(.signatureInvalid, subject: subject, "the signature cannot be checked without a valid image hash TLV"))
            return FormatVerificationResult(checks: checks, signed: true)
        }
        let signature = (try? input.source.bytes(at: signatureTLV.valueRange.lowerBound, length: Int(signatureTLV.length))) ?? Data()
        let pure = description.tlvs.contains { $0.kind == .sigPure }

        let declaredDigest = declared.value
        let imageHash = declared.algorithm
        let identified = MCUbootFormat.identifyKey(description, input: input)
        let candidates: [TrustedKey]
        var signingKey: PublicKey?
        switch identified {
        case .hint(let kind, let value, let matches, let embedded):
            signingKey = embedded ?? matches.first?.key
            guard !matches.isEmpty else {
                checks.append(
                    .failed(
                        .keyUntrusted, subject: subject,
                        "the \(kind) TLV (\(value.hexString.prefix(16))…) matches none of the \(input.trustedKeys.count) trusted key(s)"))
                return FormatVerificationResult(checks: checks, signed: true, signingKey: signingKey)
            }
            candidates = matches
        case .none:
            candidates = input.trustedKeys
        }

        var lastAnswer: SignatureVerification = .unsupported("no trusted key of a matching type")
        for candidate in candidates {
            let scheme: SignatureScheme
            let signed: SignedInput
            switch MCUbootFormat.schemeFor(signatureTLV.kind, key: candidate.key, imageHash: imageHash) {
            case .failure(let reason):
                lastAnswer = .unsupported(reason.description)
                continue
            case .success(let chosen): scheme = chosen
            }
            var bytes = signature
            if case .ecdsa = scheme { bytes = ECDSASignatureDER.removingZeroPadding(signature) }
            if case .ed25519 = scheme {
                if pure {
                    guard description.hashedRange.count <= 64 << 20,
                        let message = try? input.source.bytes(at: 0, length: Int(description.hashedRange.upperBound))
                    else {
                        lastAnswer = .unsupported("a pure Ed25519 signature over more than 64 MiB")
                        continue
                    }
                    signed = .message(message)
                } else {
                    // imgtool signs the image hash itself as the Ed25519 message.
                    signed = .message(declaredDigest)
                }
            } else {
                signed = .digest(declaredDigest)
            }
            let answer = candidate.key.verify(signature: bytes, over: signed, scheme: scheme)
            lastAnswer = answer
            if answer == .valid {
                checks.append(
                    .passed(
                        .signatureInvalid, subject: subject,
                        "\(signatureTLV.kind.name) signature (\(scheme)) verifies with trusted key '\(candidate.name)'"))
                checks.append(
                    .passed(.keyUntrusted, subject: subject, "signed by trusted key '\(candidate.name)' (SHA-256 \(candidate.fingerprint))"))
                return FormatVerificationResult(
                    checks: checks, signer: Signer(name: candidate.name, keyFingerprint: candidate.fingerprint), signed: true,
                    signingKey: candidate.key)
            }
        }
        if case .none = identified, lastAnswer != .valid {
            checks.append(
                .failed(
                    .keyUntrusted, subject: subject,
                    "the image names no key (no KEYHASH or PUBKEY TLV) and none of the \(input.trustedKeys.count) trusted key(s) verifies it"))
            return FormatVerificationResult(checks: checks, signed: true, signingKey: signingKey)
        }
        switch lastAnswer {
        case .unsupported(let reason):
            checks.append(.failed(.signatureUnsupportedAlgorithm, subject: subject, "\(signatureTLV.kind.name): \(reason)"))
        case .malformed(let reason):
            checks.append(.failed(.signatureInvalid, subject: subject, "\(signatureTLV.kind.name) is not a well-formed signature: \(reason)"))
        default:
            checks.append(
                .failed(
                    .signatureInvalid, subject: subject,
                    "\(signatureTLV.kind.name) signature does not verify with the trusted key the image names: the image or its signature was changed"))
        }
        return FormatVerificationResult(checks: checks, signed: true, signingKey: signingKey)
    }
}
