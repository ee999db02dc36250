import FirmwareCrypto
import Foundation

/// The rules of a Mender artifact, one function each.
struct MenderVerifier {
    let description: MenderDescription
    let input: FormatVerificationInput
    var subject: String { input.path }

    /// Members the manifest does not list by design: itself, its signature, the augment manifest.
    static let unhashed: Set<String> = ["manifest", "manifest.sig", "manifest-augment"]

    /// `data/NNNN.tar`, optionally `.gz`, `.xz` or `.zst`.
    static func isDataArchive(_ name: String) -> Bool { dataIndex(name) != nil }

    static func dataIndex(_ name: String) -> (index: String, compression: String)? {
        let parts = name.split(separator: "/")
        guard parts.count == 2, parts[0] == "data" else { return nil }
        let file = parts[1]
        guard file.count >= 8, file.prefix(4).allSatisfy(\.isASCII), file.prefix(4).allSatisfy(\.isNumber), file.dropFirst(4).hasPrefix(".tar") else { return nil }
        let compression = String(file.dropFirst(8))
        guard ["", ".gz", ".xz", ".zst"].contains(compression) else { return nil }
        return (String(file.prefix(4)), compression)
    }

    func result() -> FormatVerificationResult {
        var checks: [Check] = []
        let signature = signatureChecks()
        checks += signature.checks
        // A manifest whose signature fails vouches for nothing: comparing the payload with it
        // would only repeat the finding. (Unsigned artifacts are still checked against it.)
        if description.signature != nil && signature.signer == nil {
            return FormatVerificationResult(checks: checks, signer: nil, signed: true, signingKey: signature.key)
        }
        var matched: Set<String> = []
        checks += memberChecks(matched: &matched)
        checks += dataChecks(matched: &matched)
        checks += completeness(matched: matched)
        checks += augmentChecks()
        return FormatVerificationResult(
            checks: checks, signer: checks.contains { $0.status == .failed } ? nil : signature.signer, signed: description.signature != nil,
            signingKey: signature.key)
    }

    // MARK: - manifest.sig

    /// mender-artifact signs the manifest file's bytes: RSA PKCS#1 v1.5 with SHA-256, ECDSA
    /// P-256 with SHA-256 (written as r‖s since mender-artifact 3.x; DER by older ones), Ed25519.
    func signatureChecks() -> (checks: [Check], signer: Signer?, key: PublicKey?) {
        guard let signature = description.signature else {
            let keys = input.trustedKeys.isEmpty ? "" : " although keys were given to verify it with (a stripped signature)"
            return ([.failed(.signatureMissing, subject: subject, "the artifact has no manifest.sig: nothing vouches for its manifest\(keys)")], nil, nil)
        }
        var plausible: [TrustedKey] = []
        for key in input.trustedKeys {
            let schemes = Self.schemes(for: key.key.algorithm, length: signature.count)
            guard !schemes.isEmpty else { continue }
            plausible.append(key)
            for scheme in schemes {
                if case .valid = key.key.verify(signature: signature, over: .message(description.manifestBytes), scheme: scheme) {
                    return (
                        [
                            .passed(.keyUntrusted, subject: subject, "manifest.sig is by trusted key '\(key.name)'"),
                            .passed(.signatureInvalid, subject: subject, "manifest.sig (\(scheme)) verifies over the manifest with '\(key.name)'"),
                        ],
                        Signer(name: key.name, keyFingerprint: key.fingerprint), key.key
                    )
                }
            }
        }
        if plausible.isEmpty {
            return ([.failed(.keyUntrusted, subject: subject, "manifest.sig (\(signature.count) bytes) could not have been made by any trusted key (\(input.trustedKeys.count) given): the artifact is signed by a key that is not trusted")], nil, nil)
        }
        let names = plausible.map { "'\($0.name)'" }.joined(separator: ", ")
        return ([.failed(.signatureInvalid, subject: subject, "manifest.sig does not verify over the manifest with \(names): the manifest or the signature was changed, or another key of that type signed it")], nil, nil)
    }

    static func schemes(for algorithm: KeyAlgorithm, length: Int) -> [SignatureScheme] {
        switch algorithm {
        case .rsa(let bits): length == (bits + 7) / 8 ? [.rsaPKCS1v15(.sha256)] : []
        case .ec(curve: .p256): length == 64 ? [.ecdsa(.sha256, encoding: .raw)] : ((8...72).contains(length) ? [.ecdsa(.sha256, encoding: .der)] : [])
        case .ed25519: length == 64 ? [.ed25519] : []
        default: []
        }
    }

    // MARK: - Members

    /// `version` and the header (and any other non-data member) against the manifest.
    func memberChecks(matched: inout Set<String>) -> [Check] {
        var checks: [Check] = []
        let manifest = Dictionary(uniqueKeysWithValues: description.manifest.map { ($0.path, $0.sha256) })
        let augmented = Set(description.augment.map(\.path))
        var good = 0
        for member in description.members where !Self.unhashed.contains(member.name) && !Self.isDataArchive(member.name) {
            guard let expected = manifest[member.name] else {
                if augmented.contains(member.name) { continue }
                checks.append(.failed(.manifestUnlistedEntry, subject: subject, "member '\(member.name)' is not in the signed manifest: nothing vouches for it"))
                continue
            }
            matched.insert(member.name)
            guard let digest = input.digests[DigestRequest(.sha256, member.offset..<(member.offset + member.size))] else {
                checks.append(.failed(.integrityUnverifiable, subject: subject, "the SHA-256 of '\(member.name)' was not computed"))
                continue
            }
            if digest.hex == expected {
                good += 1
            } else {
                checks.append(.failed(.manifestEntryMismatch, subject: subject, "'\(member.name)' has SHA-256 \(digest.hex); the manifest says \(expected): it was changed after signing"))
            }
        }
        for member in description.members where Self.dataIndex(member.name) == nil && member.name.hasPrefix("data/") {
            checks.append(.failed(.manifestUnlistedEntry, subject: subject, "member '\(member.name)' is not a data archive (data/NNNN.tar[.gz]) and nothing vouches for it"))
        }
        if good > 0 && !checks.contains(where: { $0.code == .manifestEntryMismatch }) {
            checks.append(.passed(.manifestEntryMismatch, subject: subject, "\(good) member(s) (version, header) match the manifest"))
        }
        return checks
    }

    /// The largest output accepted from a compressed data archive: 256 times its size, and at
    /// least 1 GiB. Deflate cannot exceed about 1032:1; real root file systems stay far below
    /// 256:1 once above 1 GiB, while a zero-filled bomb does not.
    static func inflateLimit(compressed: Int64) -> Int64 { max(1 << 30, compressed.multipliedReportingOverflow(by: 256).overflow ? .max : compressed * 256) }

    /// Each data archive inflated and read as tar; each file's SHA-256 against
    /// `data/NNNN/NAME` in the manifest.
    func dataChecks(matched: inout Set<String>) -> [Check] {
        var checks: [Check] = []
        let manifest = Dictionary(uniqueKeysWithValues: description.manifest.map { ($0.path, $0.sha256) })
        var files = 0
        for member in description.members {
            guard let (index, compression) = Self.dataIndex(member.name) else { continue }
            let range = member.offset..<(member.offset + member.size)
            // An archive that cannot be read has one finding; its manifest lines are not also
            // reported missing.
            let covered = description.manifest.map(\.path).filter { $0.hasPrefix("data/\(index)/") }
            guard compression == "" || compression == ".gz" else {
                checks.append(
                    .failed(
                        .integrityUnverifiable, subject: subject,
                        "'\(member.name)' is compressed with \(compression.dropFirst()), which this fwgate cannot decompress: the payload inside it is not verified"))
                matched.formUnion(covered)
                continue
            }
            guard let number = Int(index), description.unsupportedCompression != nil || number < description.payloadTypes.count else {
                checks.append(
                    .failed(
                        .manifestUnlistedEntry, subject: subject,
                        "'\(member.name)' is a data archive for payload \(index), but header-info declares \(description.payloadTypes.count) payload(s): nothing vouches for it"))
                continue
            }
            do throws(MalformedInput) {
                switch compression {
                case ".gz":
                    var reader = TarReader(try GzipInput(input.source, range: range, limit: Self.inflateLimit(compressed: member.size)))
                    files += try hashFiles(&reader, index: index, manifest: manifest, matched: &matched, checks: &checks)
                case "":
                    var reader = TarReader(SourceInput(input.source, range: range))
                    files += try hashFiles(&reader, index: index, manifest: manifest, matched: &matched, checks: &checks)
                default:
                    break
                }
            } catch {
                matched.formUnion(covered)
                checks.append(.failed(error.code, subject: "\(subject): \(member.name)", "\(error.message) (at \(member.name) offset \(error.offset))"))
            }
        }
        if files > 0 && !checks.contains(where: { $0.status == .failed }) {
            checks.append(.passed(.manifestEntryMismatch, subject: subject, "\(files) payload file(s) match the manifest"))
        }
        return checks
    }

    private func hashFiles<Input>(
        _ reader: inout TarReader<Input>, index: String, manifest: [String: String], matched: inout Set<String>, checks: inout [Check]
    ) throws(MalformedInput) -> Int {
        var count = 0
        var names: Set<String> = []
        while let entry = try reader.next() {
            let path = "data/\(index)/\(entry.name)"
            if let reason = ArtifactFolder.unsafeReason(entry.name) {
                throw MalformedInput(.malformedUnsafePath, at: entry.dataOffset, "payload file '\(entry.name)': \(reason)")
            }
            guard entry.kind == .file else {
                throw MalformedInput(.malformedEncoding, at: entry.dataOffset, "payload member '\(entry.name)' is not a regular file (\(entry.kind))")
            }
            guard names.insert(entry.name).inserted else {
                throw MalformedInput(.malformedDuplicateEntry, at: entry.dataOffset, "data archive \(index) holds two files named '\(entry.name)'")
            }
            guard let expected = manifest[path] else {
                checks.append(.failed(.manifestUnlistedEntry, subject: subject, "payload file '\(path)' is not in the signed manifest: nothing vouches for it"))
                continue
            }
            // Large files are hashed on another core while this one inflates the next bytes.
            guard let context = try? PipelinedDigest(.sha256) else {
                checks.append(.failed(.integrityUnverifiable, subject: subject, "SHA-256 is not available"))
                continue
            }
            try reader.streamData { context.update($0) }
            let digest = context.finalize().hex
            matched.insert(path)
            count += 1
            if digest != expected {
                checks.append(.failed(.manifestEntryMismatch, subject: subject, "payload file '\(path)' has SHA-256 \(digest); the manifest says \(expected): it was changed after signing"))
            }
        }
        return count
    }

    /// Every manifest line must name something in the artifact.
    func completeness(matched: Set<String>) -> [Check] {
        let missing = description.manifest.map(\.path).filter { !matched.contains($0) }
        guard missing.isEmpty else {
            return [.failed(.manifestMissingEntry, subject: subject, "the manifest lists \(missing.joined(separator: ", ")), which the artifact does not hold")]
        }
        return [.passed(.manifestMissingEntry, subject: subject, "every manifest line is matched")]
    }

    /// `manifest-augment` and what it lists are not signed: reported, never trusted.
    func augmentChecks() -> [Check] {
        guard !description.augment.isEmpty else { return [] }
        let paths = description.augment.map(\.path).joined(separator: ", ")
        return [.warning(.integrityUnverifiable, subject: subject, "augmented content (\(paths)) is listed in manifest-augment, which no signature covers: it is unauthenticated")]
    }
}
