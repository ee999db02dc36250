import FirmwareFormats

/// The known-test-key deny-list (`key.known-test-key`): an artifact signed by a published test
/// or sample key (``KnownTestKeys``) fails even when the key is in the trust store, because its
/// private key is public and anyone can sign with it. The signing key, the signer's key and
/// every certificate in the reported chain are checked (SOURCE.md of the known-test-keys set:
/// "for a certificate chain, check every certificate in it").
///
/// A key listed in the policy's `knownTestKeys.allowUnsafe` only warns.
public struct KnownTestKeyRule: PolicyRule {
    /// Fingerprints (SPKI SHA-256, lowercase hex) that only warn.
    ///
    /// - Warning: for labs only; never in production.
    public var allowUnsafe: Set<String>

    /// Creates the rule.
    ///
    /// - Parameter allowUnsafe: the policy's `knownTestKeys.allowUnsafe`.
    public init(allowUnsafe: Set<String> = []) {
        self.allowUnsafe = Set(allowUnsafe.map(KnownTestKeys.normalized))
    }

    /// Looks up every key involved in the deny-list.
    ///
    /// - Parameter input: the signing key and the report's signer and chain.
    /// - Returns: a failed (or, when allowed, warning) `key.known-test-key` check per known test
    ///   key found; otherwise one passed check; skipped when no key is involved.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        let subject = input.subject
        var candidates: [(fingerprint: String, role: String)] = []
        if let key = input.signingKey { candidates.append((key.fingerprint, "signing key \(key.algorithm)")) }
        if let fingerprint = input.report.signer?.keyFingerprint {
            candidates.append((fingerprint, "signer key\(input.report.signer?.name.map { " '\($0)'" } ?? "")"))
        }
        for (depth, certificate) in (input.report.chain ?? []).enumerated() {
            candidates.append((certificate.keyFingerprint, "key of certificate \(certificate.subject) (chain depth \(depth))"))
        }
        var seen: Set<String> = []
        candidates = candidates.filter { !$0.fingerprint.isEmpty && seen.insert(KnownTestKeys.normalized($0.fingerprint)).inserted }
        guard !candidates.isEmpty else {
            return [Check(.keyKnownTestKey, .skipped, subject: subject, "no signing key or certificate was identified")]
        }
        var checks: [Check] = []
        for candidate in candidates {
            guard let known = KnownTestKeys.lookup(fingerprint: candidate.fingerprint) else { continue }
            var detail = [
                "fingerprint": known.spkiSHA256, "origin": known.origin, "algorithm": known.algorithm, "kind": known.kind.rawValue,
            ]
            if !known.originCommit.isEmpty { detail["commit"] = known.originCommit }
            let what = "\(candidate.role) is a known test key (\(known.algorithm), SPKI SHA-256 \(known.spkiSHA256)) published at \(known.origin): \(known.why)\(known.why.hasSuffix(".") ? "" : ".")"
            if allowUnsafe.contains(known.spkiSHA256) {
                checks.append(
                    .warning(
                        .keyKnownTestKey, subject: subject,
                        "\(what) Accepted because the policy lists it under knownTestKeys.allowUnsafe (labs only, never in production).",
                        detail: detail))
            } else {
                checks.append(
                    .failed(
                        .keyKnownTestKey, subject: subject,
                        "\(what) Anyone can sign with it: remove it from the trust store and have the vendor sign with its production key.",
                        detail: detail))
            }
        }
        if checks.isEmpty {
            let count = candidates.count
            return [
                .passed(
                    .keyKnownTestKey, subject: subject,
                    count == 1 ? "the \(candidates[0].role) is not a known test key" : "none of the \(count) keys involved is a known test key")
            ]
        }
        return checks
    }
}
