import FirmwareCrypto
import FirmwareFormats

/// `algorithms:` in the policy: the weakest signing key fwgate accepts, and what a weaker one
/// does to the verdict.
///
/// Defaults follow NIST SP 800-131A Rev. 2 (RSA below 2048 bits and EC below 256 bits are
/// disallowed for signature generation) and DESIGN.md (weak algorithms fail by default).
public struct AlgorithmPolicy: Sendable, Hashable, Decodable {
    /// Whether `algorithm.weak` fails the artifact (`fail`) or only warns (`warn-unsafe`).
    ///
    /// - Warning: `warn-unsafe` lets artifacts signed with short keys pass with a warning.
    public var weak: ChainChecks.WeakAlgorithmHandling
    /// The smallest RSA modulus accepted, in bits (default 2048).
    public var minimumRSABits: Int
    /// The smallest elliptic-curve group order accepted, in bits (default 256: P-256).
    public var minimumECBits: Int

    /// fwgate's defaults: weak keys fail; RSA-2048 and EC P-256 are the minimum.
    public static let strict = AlgorithmPolicy(weak: .fail, minimumRSABits: 2048, minimumECBits: 256)

    /// Creates a setting.
    ///
    /// - Parameters:
    ///   - weak: fail or warn on a weak key.
    ///   - minimumRSABits: the smallest RSA modulus accepted.
    ///   - minimumECBits: the smallest EC group order accepted.
    public init(weak: ChainChecks.WeakAlgorithmHandling, minimumRSABits: Int, minimumECBits: Int) {
        self.weak = weak
        self.minimumRSABits = minimumRSABits
        self.minimumECBits = minimumECBits
    }

    /// Why `algorithm` is below this policy, or nil when it meets it. Ed25519 and Ed448 always
    /// meet it; key types fwgate cannot classify (DSA, ...) never do.
    ///
    /// - Parameter algorithm: the signing key's algorithm.
    /// - Returns: a reason naming the policy setting, or nil.
    public func shortfall(of algorithm: KeyAlgorithm) -> String? {
        switch algorithm {
        case .rsa(let bits), .rsaPSS(let bits):
            bits < minimumRSABits ? "\(algorithm) is below the policy's minimum RSA-\(minimumRSABits) (algorithms.minimumRSABits)" : nil
        case .ec:
            algorithm.bits < minimumECBits
                ? "\(algorithm) (\(algorithm.bits) bits) is below the policy's minimum of \(minimumECBits) bits (algorithms.minimumECBits)" : nil
        case .ed25519, .ed448:
            nil
        case .other:
            "\(algorithm) is not a signature algorithm fwgate accepts (RSA, ECDSA, Ed25519, Ed448)"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case weak, minimumRSABits, minimumECBits
    }

    /// Decodes `algorithms:`; omitted keys keep the strict defaults.
    ///
    /// - Throws: a problem naming the key for an unknown key, an unknown `weak` value, or a bit
    ///   count outside 1...16384.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AlgorithmPolicy.strict
        if let text = try container.decodeIfPresent(String.self, forKey: .weak) {
            guard let handling = ChainChecks.WeakAlgorithmHandling(rawValue: text) else {
                throw PolicyProblem(
                    codingPath: container.codingPath + [CodingKeys.weak], "must be 'fail' or 'warn-unsafe', not '\(text)'")
            }
            weak = handling
        } else {
            weak = defaults.weak
        }
        minimumRSABits = try Self.bits(container, .minimumRSABits) ?? defaults.minimumRSABits
        minimumECBits = try Self.bits(container, .minimumECBits) ?? defaults.minimumECBits
    }

    private static func bits(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard let value = try container.decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard (1...16_384).contains(value) else {
            throw PolicyProblem(codingPath: container.codingPath + [key], "must be a key size in bits between 1 and 16384, not \(value)")
        }
        return value
    }
}
