/// `expiry:` in the policy: when an expiring certificate warns, and how long a signer
/// certificate must stay valid at procurement.
public struct ExpiryPolicy: Sendable, Hashable, Decodable {
    /// Days before the earliest certificate expiry from which `cert.expiring-soon` warns
    /// (default 30; 0 turns the warning off).
    public var warnDays: Int
    /// At procurement (`fwgate gate`), the signer's certificate chain must stay valid for at
    /// least this many days from the verification time, or `policy.validity-too-short` fails
    /// (default 365; 0 turns the check off).
    public var procurementMinimumDays: Int

    /// fwgate's defaults: warn 30 days ahead; require a year of validity at procurement.
    public static let strict = ExpiryPolicy(warnDays: 30, procurementMinimumDays: 365)

    /// Creates a setting.
    ///
    /// - Parameters:
    ///   - warnDays: the warning window in days.
    ///   - procurementMinimumDays: the validity required at procurement, in days.
    public init(warnDays: Int, procurementMinimumDays: Int) {
        self.warnDays = warnDays
        self.procurementMinimumDays = procurementMinimumDays
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case warnDays, procurementMinimumDays
    }

    /// Decodes `expiry:`; omitted keys keep the defaults.
    ///
    /// - Throws: a problem naming the key for an unknown key or a day count outside 0...36500.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        warnDays = try Self.days(container, .warnDays) ?? Self.strict.warnDays
        procurementMinimumDays = try Self.days(container, .procurementMinimumDays) ?? Self.strict.procurementMinimumDays
    }

    private static func days(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard let value = try container.decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard (0...36_500).contains(value) else {
            throw PolicyProblem(codingPath: container.codingPath + [key], "must be a number of days between 0 and 36500, not \(value)")
        }
        return value
    }
}
