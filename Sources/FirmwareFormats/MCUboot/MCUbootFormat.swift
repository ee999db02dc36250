import FirmwareCrypto
import Foundation

/// MCUboot images, verified as mcuboot's `bootutil_img_validate()` (image_validate.c) does, and
/// stricter: fwgate requires a trusted key and fails duplicate or misplaced TLVs.
public enum MCUbootFormat: FirmwareFormat {
    public static let id: FormatID = .mcuboot
    public static let name = "MCUboot image"

    public static func sniff(_ source: any ByteSource) -> Bool {
        var reader = ByteReader(source)
        return (try? reader.u32le("magic")) == MCUbootConstants.imageMagic
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> MCUbootImageDescription {
        try MCUbootParser.parse(source)
    }

    /// The image hash: `[0, hdr_size + img_size + protect_tlv_size)` with the algorithm of the
    /// (first) hash TLV.
    public static func digestRequests(for description: MCUbootImageDescription) -> [DigestRequest] {
        guard let tlv = description.tlvs.first(where: { $0.kind.hashAlgorithm != nil && $0.area == .unprotected }),
            let name = tlv.kind.hashAlgorithm
        else { return [] }
        return [DigestRequest(digestAlgorithm(name), description.hashedRange)]
    }

    static func digestAlgorithm(_ name: DigestAlgorithmName) -> DigestAlgorithm {
        switch name {
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    public static func verify(_ description: MCUbootImageDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        var checks: [Check] = []
        let subject = input.path
        let unprotected = description.tlvs.filter { $0.area == .unprotected }

        // Placement (image_validate.c allowed_unprot_tlvs[]): outside the hashed area only
        // hashes, keys, signatures and encryption keys may sit; hashes, keys and signatures
        // never belong inside it.
        var placement: [String] = []
        for tlv in description.tlvs {
            if tlv.area == .unprotected && !tlv.kind.mayBeUnprotected {
                placement.append("TLV \(tlv.kind) at \(tlv.offset.hex) sits in the unprotected area, which the image hash does not cover; MCUboot refuses it there")
            }
            if tlv.area == .protected && (tlv.kind.hashAlgorithm != nil || tlv.kind.isSignature || tlv.kind == .keyHash || tlv.kind == .publicKey) {
                placement.append("TLV \(tlv.kind) at \(tlv.offset.hex) sits in the protected area; hash, key and signature TLVs belong in the unprotected area")
            }
        }
        if placement.isEmpty {
            checks.append(.passed(.malformedTLVPlacement, subject: subject, "every TLV sits in an area MCUboot allows"))
        } else {
            checks += placement.map { .failed(.malformedTLVPlacement, subject: subject, $0) }
        }

        // Duplicates: one hash, one key hint, one signature, one security counter.
        let groups: [(String, (MCUbootTLVKind) -> Bool)] = [
            ("image hash", { $0.hashAlgorithm != nil }), ("signature", { $0.isSignature }),
            ("KEYHASH/PUBKEY", { $0 == .keyHash || $0 == .publicKey }), ("SEC_CNT", { $0 == .securityCounter }),
        ]
        var duplicates: [String] = []
        for (name, matches) in groups {
            let found = description.tlvs.filter { matches($0.kind) }
            if found.count > 1 {
                duplicates.append("\(found.count) \(name) TLVs (at \(found.map(\.offset.hex).joined(separator: ", "))); exactly one is allowed")
            }
        }
        if duplicates.isEmpty {
            checks.append(.passed(.malformedDuplicateTLV, subject: subject, "no duplicate hash, key, signature or counter TLV"))
        } else {
            checks += duplicates.map { .failed(.malformedDuplicateTLV, subject: subject, $0) }
        }

        // Image hash.
        let hashTLVs = unprotected.filter { $0.kind.hashAlgorithm != nil }
        var declaredDigest: Data?
        var imageHash: DigestAlgorithm?
        if let hashTLV = hashTLVs.first, let name = hashTLV.kind.hashAlgorithm {
            let algorithm = digestAlgorithm(name)
            imageHash = algorithm
            let value = try? input.source.bytes(at: hashTLV.valueRange.lowerBound, length: Int(hashTLV.length))
            if Int(hashTLV.length) != name.byteCount || value == nil {
                checks.append(
                    .failed(.malformedLength, subject: subject, "\(hashTLV.kind.name) TLV is \(hashTLV.length) bytes; \(algorithm) is \(name.byteCount)"))
            } else if let value {
                declaredDigest = value
                let range = description.hashedRange
                if description.flags & (MCUbootFlags.encryptedAES128 | MCUbootFlags.encryptedAES256) != 0 {
                    checks.append(
                        .failed(
                            .integrityUnverifiable, subject: subject,
                            "the payload is encrypted (\(description.flagNames.joined(separator: ", "))); its \(algorithm) covers the plaintext, which fwgate does not decrypt"))
                } else if let computed = input.digests[DigestRequest(algorithm, range)] {
                    if computed.matches(value) {
                        checks.append(
                            .passed(
                                .integrityDigestMismatch, subject: subject,
                                "\(algorithm) of header, payload and protected TLVs (bytes 0..\(range.upperBound.hex)) matches the \(hashTLV.kind.name) TLV: \(computed.hex)"))
                    } else {
                        checks.append(
                            .failed(
                                .integrityDigestMismatch, subject: subject,
                                "\(algorithm) of bytes 0..\(range.upperBound.hex) is \(computed.hex), but the \(hashTLV.kind.name) TLV says \(value.hexString): header, payload or protected TLVs were changed"))
                    }
                } else {
                    checks.append(.failed(.integrityUnverifiable, subject: subject, "the image hash was not computed"))
                }
            }
        } else {
            checks.append(.failed(.malformedMissingTLV, subject: subject, "no SHA256/SHA384/SHA512 TLV: the image carries no hash to check"))
        }

        // Signature and key.
        let signatures = unprotected.filter(\.kind.isSignature)
        guard let signatureTLV = signatures.first else {
            checks.append(
                .failed(.signatureMissing, subject: subject, "no signature TLV: the image is hash-only, anyone could have built it"))
            return FormatVerificationResult(checks: checks, signed: false)
        }
        guard let declaredDigest, let imageHash else {
            checks.append(.failed(.signatureInvalid, subject: subject, "the signature cannot be checked without a valid image hash TLV"))
            return FormatVerificationResult(checks: checks, signed: true)
        }
        let signature = (try? input.source.bytes(at: signatureTLV.valueRange.lowerBound, length: Int(signatureTLV.length))) ?? Data()
        let pure = description.tlvs.contains { $0.kind == .sigPure }

        let identified = identifyKey(description, input: input)
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
            switch schemeFor(signatureTLV.kind, key: candidate.key, imageHash: imageHash) {
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

    enum KeyIdentification {
        /// KEYHASH or PUBKEY present: the trusted keys it matches (and the embedded key).
        case hint(kind: String, value: Data, matches: [TrustedKey], embedded: PublicKey?)
        /// Neither: every trusted key is a candidate.
        case none
    }

    /// The bytes imgtool hashes for KEYHASH and embeds as PUBKEY: PKCS#1 for RSA,
    /// SubjectPublicKeyInfo for EC and Ed25519.
    static func keyBytes(_ key: PublicKey) -> Data {
        key.pkcs1DER ?? key.spkiDER
    }

    static func identifyKey(_ description: MCUbootImageDescription, input: FormatVerificationInput) -> KeyIdentification {
        let unprotected = description.tlvs.filter { $0.area == .unprotected }
        if let tlv = unprotected.first(where: { $0.kind == .keyHash }),
            let value = try? input.source.bytes(at: tlv.valueRange.lowerBound, length: Int(tlv.length))
        {
            let algorithm: DigestAlgorithm? =
                switch value.count {
                case 32: .sha256
                case 48: .sha384
                case 64: .sha512
                default: nil
                }
            let matches = input.trustedKeys.filter { trusted in
                guard let algorithm, let digest = try? Digest.hash(keyBytes(trusted.key), using: algorithm) else { return false }
                return digest.matches(value)
            }
            return .hint(kind: "KEYHASH", value: value, matches: matches, embedded: nil)
        }
        if let tlv = unprotected.first(where: { $0.kind == .publicKey }),
            let value = try? input.source.bytes(at: tlv.valueRange.lowerBound, length: Int(tlv.length))
        {
            let embedded = (try? PublicKey(spkiDER: value)) ?? (try? PublicKey(pkcs1DER: value))
            let matches = input.trustedKeys.filter { embedded != nil && $0.key == embedded }
            return .hint(kind: "PUBKEY", value: value, matches: matches, embedded: embedded)
        }
        return .none
    }

    /// The signature scheme a TLV type means for a given key (image.h IMAGE_TLV_*).
    static func schemeFor(_ kind: MCUbootTLVKind, key: PublicKey, imageHash: DigestAlgorithm) -> Result<SignatureScheme, SchemeError> {
        switch (kind, key.algorithm) {
        case (.rsa2048PSS, .rsa(2048)), (.rsa3072PSS, .rsa(3072)):
            // bootutil/src/image_rsa.c: RSASSA-PSS, MGF1 and salt of the hash's length.
            return .success(.rsaPSS(imageHash, saltLength: .digestLength))
        case (.ecdsaSig, .ec(.p256)), (.ecdsaSig, .ec(.p384)):
            return .success(.ecdsa(imageHash, encoding: .der))
        case (.ed25519, .ed25519):
            return .success(.ed25519)
        case (.ecdsa224, _):
            return .failure(SchemeError("ECDSA P-224 signatures (IMAGE_TLV_ECDSA224) are not supported"))
        default:
            return .failure(SchemeError("a \(kind.name) signature cannot be made with a \(key.algorithm) key"))
        }
    }

    struct SchemeError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

