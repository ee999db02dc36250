import FirmwareCrypto
import Foundation

/// The rules of an SWUpdate package, one function each.
struct SWUpdateVerifier {
    let description: SWUpdateDescription
    let input: FormatVerificationInput
    var subject: String { input.path }

    func result() -> FormatVerificationResult {
        let signature = signatureChecks()
        var checks = signature.checks
        checks += artifactChecks()
        checks += unlistedMembers()
        checks += cpioChecksums()
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : signature.signer, signed: description.signed, earliestExpiry: signature.expiry,
            signingKey: signature.key)
    }

    // MARK: - sw-description.sig

    /// SWUpdate's two methods (CONFIG_SIGALG_CMS, CONFIG_SIGALG_RAWRSA / RSAPSS): a CMS
    /// SignedData detached over sw-description, or a bare RSA signature of its SHA-256.
    func signatureChecks() -> (checks: [Check], signer: Signer?, key: PublicKey?, expiry: Date?) {
        guard let signature = description.signature else {
            let given = input.trustedKeys.isEmpty && input.trustedRoots.isEmpty ? "" : " although trust was given to verify it with (a stripped signature)"
            return ([.failed(.signatureMissing, subject: subject, "the package has no sw-description.sig: nothing vouches for sw-description\(given)")], nil, nil, nil)
        }
        if let cms = try? CMSSignedData(bytes: signature) {
            return cmsChecks(cms)
        }
        return rawChecks(signature)
    }

    private func cmsChecks(_ cms: CMSSignedData) -> (checks: [Check], signer: Signer?, key: PublicKey?, expiry: Date?) {
        let outcome = CMSChecks.outcome(
            cms, content: .bytes(description.swDescription), input: input, subject: "\(subject): sw-description.sig",
            trustHint: "a CMS-signed package is trusted through certificates: pass the vendor's root CA certificate with --trust")
        return (outcome.checks, outcome.signer, outcome.signingKey, outcome.earliestExpiry)
    }

    private func rawChecks(_ signature: Data) -> (checks: [Check], signer: Signer?, key: PublicKey?, expiry: Date?) {
        let sigSubject = "\(subject): sw-description.sig"
        let schemes: [SignatureScheme] = [.rsaPKCS1v15(.sha256), .rsaPSS(.sha256, saltLength: .auto)]
        var plausible: [TrustedKey] = []
        for key in input.trustedKeys {
            guard case .rsa(let bits) = key.key.algorithm, signature.count == (bits + 7) / 8 else { continue }
            plausible.append(key)
            for scheme in schemes {
                if case .valid = key.key.verify(signature: signature, over: .message(description.swDescription), scheme: scheme) {
                    return (
                        [
                            .passed(.keyUntrusted, subject: sigSubject, "signed by trusted key '\(key.name)'"),
                            .passed(.signatureInvalid, subject: sigSubject, "\(scheme) over sw-description verifies with '\(key.name)'"),
                        ], Signer(name: key.name, keyFingerprint: key.fingerprint), key.key, nil
                    )
                }
            }
        }
        if plausible.isEmpty {
            let hint = input.trustedRoots.isEmpty ? "" : " (it is not a CMS structure, so root certificates do not apply)"
            return ([.failed(.keyUntrusted, subject: sigSubject, "sw-description.sig (\(signature.count) bytes) could not have been made by any trusted RSA key\(hint)")], nil, nil, nil)
        }
        return ([.failed(.signatureInvalid, subject: sigSubject, "the RSA signature over sw-description does not verify with \(plausible.map { "'\($0.name)'" }.joined(separator: ", ")): sw-description or the signature was changed")], nil, nil, nil)
    }

    // MARK: - Artifacts

    /// Each image, file and script: present, with a sha256 that matches.
    func artifactChecks() -> [Check] {
        var checks: [Check] = []
        let members = Dictionary(uniqueKeysWithValues: description.members.map { ($0.name, $0) })
        var good = 0
        for artifact in description.artifacts {
            let what = "\(artifact.section) entry '\(artifact.filename)'"
            guard let member = members[artifact.filename] else {
                checks.append(.failed(.manifestMissingEntry, subject: subject, "sw-description lists \(what), which the package does not hold"))
                continue
            }
            guard let expected = artifact.sha256 else {
                checks.append(.failed(.integrityUnverifiable, subject: subject, "\(what) has no sha256 in sw-description: nothing binds its bytes to the signature"))
                continue
            }
            guard let digest = input.digests[DigestRequest(.sha256, member.dataRange)] else {
                checks.append(.failed(.integrityUnverifiable, subject: subject, "the SHA-256 of '\(artifact.filename)' was not computed"))
                continue
            }
            if digest.hex == expected {
                good += 1
            } else {
                checks.append(.failed(.manifestEntryMismatch, subject: subject, "'\(artifact.filename)' has SHA-256 \(digest.hex); sw-description says \(expected): it was changed after signing"))
            }
        }
        if good > 0 && !checks.contains(where: { $0.code == .manifestEntryMismatch }) {
            checks.append(.passed(.manifestEntryMismatch, subject: subject, "\(good) listed image(s), file(s) and script(s) match their sha256"))
        }
        if !checks.contains(where: { $0.code == .manifestMissingEntry }) {
            checks.append(.passed(.manifestMissingEntry, subject: subject, "every entry sw-description lists is in the package"))
        }
        return checks
    }

    /// Members no entry lists: nothing vouches for them.
    func unlistedMembers() -> [Check] {
        let listed = Set(description.artifacts.map(\.filename)).union(["sw-description", "sw-description.sig"])
        let unlisted = description.members.map(\.name).filter { !listed.contains($0) }
        guard unlisted.isEmpty else {
            return [.failed(.manifestUnlistedEntry, subject: subject, "the package holds \(unlisted.map { "'\($0)'" }.joined(separator: ", ")), which sw-description does not list")]
        }
        return [.passed(.manifestUnlistedEntry, subject: subject, "sw-description lists every member")]
    }

    /// The crc format's per-member checksum: the 32-bit sum of the data bytes.
    func cpioChecksums() -> [Check] {
        guard description.members.first?.checksum != nil else { return [] }
        var bad: [String] = []
        for member in description.members {
            guard let expected = member.checksum else { continue }
            var sum: UInt32 = 0
            do {
                try input.source.forEachChunk(in: member.dataRange, chunkSize: ByteSourceChunk.defaultSize) { chunk in
                    for byte in chunk { sum &+= UInt32(byte) }
                }
            } catch {
                return [.failed(.integrityUnverifiable, subject: subject, "'\(member.name)' could not be read: \(error)")]
            }
            if sum != expected { bad.append("'\(member.name)' (sum \(sum), header \(expected))") }
        }
        guard bad.isEmpty else {
            return [.failed(.integrityChecksumMismatch, subject: subject, "cpio crc checksums do not match for \(bad.joined(separator: ", "))")]
        }
        return [.passed(.integrityChecksumMismatch, subject: subject, "every cpio crc checksum matches")]
    }
}
