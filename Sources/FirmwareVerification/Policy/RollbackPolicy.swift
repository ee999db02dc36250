/// `rollback:` in the policy: whether a candidate may be older than what the device runs.
///
/// Enforces `rollback.version` (the image version, compared as MCUboot does by default:
/// `major.minor.revision`, build number ignored) and `rollback.security-counter` (the signed
/// anti-rollback counter, e.g. MCUboot's `IMAGE_TLV_SEC_CNT` or ESP-IDF's `secure_version`).
public struct RollbackPolicy: Sendable, Hashable, Decodable {
    /// True (the default): a candidate older than the installed firmware fails.
    ///
    /// - Warning: `false` lets a device be downgraded to firmware with known vulnerabilities.
    public var enforce: Bool

    /// fwgate's default: rollback is enforced.
    public static let strict = RollbackPolicy(enforce: true)

    /// Creates a setting.
    ///
    /// - Parameter enforce: whether rollback checks apply.
    public init(enforce: Bool) {
        self.enforce = enforce
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enforce
    }

    /// Decodes `rollback:`; an omitted `enforce` stays true.
    ///
    /// - Throws: a problem naming the key for an unknown key or a value that is not true/false.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        enforce = try container.decodeIfPresent(Bool.self, forKey: .enforce) ?? Self.strict.enforce
    }
}
