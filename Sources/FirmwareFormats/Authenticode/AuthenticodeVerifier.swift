import FirmwareCrypto
import Foundation

/// The rules of an Authenticode-signed image, in order: the table's place and entries, each
/// signature (the image digest it signs, its PKCS#7, its signer chain), then the CheckSum.
struct AuthenticodeVerifier {
    let description: AuthenticodeDescription
    let input: FormatVerificationInput
    var subject: String { input.path }
    var image: PEImage { description.image }

    func result() -> FormatVerificationResult {
        var checks: [Check] = []
        // One pass over the file: the checksum and the image digest in every algorithm asked for.
        let algorithms = Set(description.signatures.compactMap(\.decoded).flatMap { [$0] + $0.nested }.compactMap(\.imageDigestAlgorithm))
        let computed: (digests: [DigestAlgorithm: Digest], checksum: UInt32)
        do {
            computed = try digests(Array(algorithms))
        } catch {
            return FormatVerificationResult(checks: [.failed(.integrityUnverifiable, subject: subject, "the image could not be read: \(error)")], signed: !description.signatures.isEmpty)
        }

        guard image.certificateTable != nil, !description.signatures.isEmpty else {
            checks.append(
                .failed(
                    .signatureMissing, subject: subject,
                    "the image has no certificate table (its security directory is empty): it carries no Authenticode signature"))
            checks.append(checksum(computed.checksum))
            return FormatVerificationResult(checks: checks, signed: false)
        }
        if description.trailingBytes > 0 {
            checks.append(
                .failed(
                    .integrityUnsignedTrailingData, subject: subject,
                    "\(description.trailingBytes) bytes follow the certificate table: no signature covers them (the table must end the file)"))
        }

        var signer: Signer?
        var signingKey: PublicKey?
        var expiries: [Date] = []
        for entry in description.signatures {
            let label = description.signatures.count > 1 ? "\(subject) (signature \(entry.index))" : subject
            guard entry.revision == "0x0200", entry.certificateType.hasSuffix("(0x0002)") else {
                checks.append(
                    .failed(
                        .signatureUnsupportedAlgorithm, subject: label,
                        "WIN_CERTIFICATE \(entry.index) has revision \(entry.revision) and type \(entry.certificateType); Authenticode uses revision 0x0200 with PKCS#7 SignedData (0x0002)"))
                continue
            }
            guard let signature = entry.decoded else {
                checks.append(.failed(.malformedEncoding, subject: label, "WIN_CERTIFICATE \(entry.index) does not hold an Authenticode signature: \(entry.problem ?? "unreadable")"))
                continue
            }
            if entry.paddingBytes >= 8 || !entry.paddingIsZero {
                checks.append(
                    .failed(
                        .integrityUnsignedTrailingData, subject: label,
                        "WIN_CERTIFICATE \(entry.index) holds \(entry.paddingBytes) bytes after its signature\(entry.paddingIsZero ? "" : ", not all zero"): no signature covers them (only up to 7 zero bytes of alignment may follow; MS13-098)"))
            }
            var all = [(signature, label)]
            for (number, nested) in signature.nested.enumerated() { all.append((nested, "\(label), nested signature \(number + 1)")) }
            for (one, oneLabel) in all {
                let outcome = verify(one, subject: oneLabel, digests: computed.digests)
                checks += outcome.checks
                if signer == nil, let leaf = outcome.leaf {
                    signer = Signer(name: leaf.subject, keyFingerprint: leaf.publicKey.fingerprint, subject: leaf.subject)
                    signingKey = leaf.publicKey
                }
                expiries += outcome.expiry.map { [$0] } ?? []
            }
        }
        checks.append(checksum(computed.checksum))
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(checks: checks, signer: failed ? nil : signer, signed: true, earliestExpiry: expiries.min(), signingKey: signingKey)
    }

    /// One signature: what it signs, its digests' strength, the image digest, its PKCS#7 and chain.
    func verify(_ signature: AuthenticodeSignature, subject: String, digests: [DigestAlgorithm: Digest]) -> (checks: [Check], leaf: Certificate?, expiry: Date?) {
        guard signature.indirectDataType == AuthenticodeSignature.spcPEImageData else {
            return ([.failed(.signatureUnsupportedAlgorithm, subject: subject, "the signature signs a \(signature.indirectDataType), not a PE image (\(AuthenticodeSignature.spcPEImageData))")], nil, nil)
        }
        guard let algorithm = signature.imageDigestAlgorithm, let digest = digests[algorithm] else {
            return ([.failed(.signatureUnsupportedAlgorithm, subject: subject, "the image digest uses \(signature.imageDigestAlgorithmName), which fwgate does not compute")], nil, nil)
        }
        var checks: [Check] = []
        let weak = [signature.imageDigestAlgorithmName, signature.signerInfo.digestAlgorithm].filter { DigestAlgorithm(name: $0)?.isWeak ?? false }
        if weak.isEmpty {
            checks.append(.passed(.algorithmWeak, subject: subject, "image digest \(algorithm), message digest \(signature.signerInfo.digestAlgorithm)"))
        } else {
            checks.append(
                .failed(
                    .algorithmWeak, subject: subject,
                    "the signature uses \(Set(weak).sorted().joined(separator: ", ")), which allows collisions: it could be moved to another image"))
        }
        if digest.matches(signature.imageDigest) {
            checks.append(.passed(.integrityDigestMismatch, subject: subject, "the image's Authenticode \(algorithm) digest matches the signed one"))
        } else {
            checks.append(
                .failed(
                    .integrityDigestMismatch, subject: subject,
                    "the image's Authenticode \(algorithm) digest is \(digest.hex); the signature signs \(signature.imageDigest.hexString): the image was changed after signing, or the signature belongs to another image"))
        }

        let crlCheck: CRLCheck = input.crls.isEmpty ? .none : .leaf
        let verification: AuthenticodeVerification
        do {
            verification = try signature.verify(roots: input.trustedRoots, intermediates: input.intermediates, crls: input.crls, crlCheck: crlCheck, at: input.at)
        } catch {
            return (checks + [.failed(.integrityUnverifiable, subject: subject, error.reason)], nil, nil)
        }
        var chainChecks = CMSChecks.checks(for: verification.result, subject: subject, crlCheck: crlCheck, purpose: .codeSigning, at: verification.validationTime)
        CMSChecks.addTrustHint("an Authenticode signer is trusted through certificates: pass its root CA with --trust", to: &chainChecks, input: input)
        if let timestamp = verification.timestamp {
            let note: String
            if timestamp.trusted {
                note = " (validated at \(RFC3339.string(timestamp.time)), the time of a trusted RFC 3161 timestamp by \(timestamp.authority ?? "its authority"))"
            } else {
                note = " (at the verification time: the RFC 3161 timestamp of \(RFC3339.string(timestamp.time)) is not trusted: \(timestamp.problem ?? "unknown"))"
            }
            for index in chainChecks.indices where [.certExpired, .certNotYetValid].contains(chainChecks[index].code) {
                chainChecks[index].message += note
            }
        }
        checks += chainChecks
        let leaf = verification.result.signers.first?.chain.first
        return (checks, leaf, verification.result.signers.compactMap(\.earliestExpiry).min())
    }

    /// The stored CheckSum against the file's: Windows checks it for drivers and boot images;
    /// the Authenticode digest leaves it out, so a wrong one is a warning.
    func checksum(_ computed: UInt32) -> Check {
        let stored = image.storedChecksum
        if stored == 0 { return .passed(.integrityChecksumMismatch, subject: subject, "no CheckSum is stored (0)") }
        if stored == computed { return .passed(.integrityChecksumMismatch, subject: subject, "the stored CheckSum 0x\(String(stored, radix: 16)) matches the file") }
        return .warning(
            .integrityChecksumMismatch, subject: subject,
            "the stored CheckSum is 0x\(String(stored, radix: 16)); the file's is 0x\(String(computed, radix: 16)) (the header was edited after it was computed; kernel-mode loaders refuse such a driver)")
    }

    /// Streams the file once: the PE checksum over every byte, and each algorithm's digest over
    /// the Authenticode ranges.
    func digests(_ algorithms: [DigestAlgorithm]) throws -> (digests: [DigestAlgorithm: Digest], checksum: UInt32) {
        let contexts = try algorithms.map { try DigestContext($0) }
        let ranges = image.digestRanges(fileSize: input.source.count)
        var checksum = PEChecksum(checksumOffset: image.checksumOffset)
        var offset: Int64 = 0
        try input.source.forEachChunk(in: 0..<input.source.count) { chunk in
            checksum.update(chunk)
            let chunkRange = offset..<(offset + Int64(chunk.count))
            for range in ranges where range.overlaps(chunkRange) {
                let lower = Int(max(range.lowerBound, chunkRange.lowerBound) - offset)
                let upper = Int(min(range.upperBound, chunkRange.upperBound) - offset)
                let part = UnsafeRawBufferPointer(rebasing: chunk[lower..<upper])
                for context in contexts { context.update(part) }
            }
            offset = chunkRange.upperBound
        }
        var result: [DigestAlgorithm: Digest] = [:]
        for context in contexts { result[context.algorithm] = context.finalize() }
        return (result, checksum.finalize())
    }
}
