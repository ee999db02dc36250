/// `knownTestKeys:` in the policy: which published test keys a lab may use.
///
/// By default every key in ``KnownTestKeys`` fails an artifact with `key.known-test-key`, even
/// when it is in the trust store.
public struct KnownTestKeyPolicy: Sendable, Hashable, Decodable {
    /// SPKI SHA-256 fingerprints (lowercase hex) of known test keys that only warn.
    ///
    /// - Warning: anyone can sign with these keys. Allow them in a lab, never in production.
    public var allowUnsafe: Set<String>

    /// fwgate's default: no test key is allowed.
    public static let strict = KnownTestKeyPolicy(allowUnsafe: [])

    /// Creates a setting.
    ///
    /// - Parameter allowUnsafe: fingerprints of known test keys to downgrade to a warning.
    public init(allowUnsafe: Set<String>) {
        self.allowUnsafe = Set(allowUnsafe.map(KnownTestKeys.normalized))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case allowUnsafe
    }

    /// Decodes `knownTestKeys:`.
    ///
    /// - Throws: a problem naming the entry for an unknown key, a value that is not a SHA-256 in
    ///   hex, or a fingerprint that is not a known test key (so a typo cannot hide).
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var allowed: Set<String> = []
        for (index, text) in (try container.decodeIfPresent([String].self, forKey: .allowUnsafe) ?? []).enumerated() {
            let path = container.codingPath + [CodingKeys.allowUnsafe, PolicyKey(intValue: index)]
            let fingerprint = KnownTestKeys.normalized(text)
            guard fingerprint.count == 64, fingerprint.allSatisfy(\.isHexDigit) else {
                throw PolicyProblem(
                    codingPath: path, "'\(text)' is not an SPKI SHA-256 fingerprint (64 hex digits, as `fwgate keys fingerprint` prints)")
            }
            guard KnownTestKeys.lookup(fingerprint: fingerprint) != nil else {
                throw PolicyProblem(
                    codingPath: path, "\(fingerprint) is not a known test key; remove it (only listed test keys need allowing)")
            }
            allowed.insert(fingerprint)
        }
        allowUnsafe = allowed
    }
}
