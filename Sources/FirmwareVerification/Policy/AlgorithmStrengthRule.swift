import FirmwareCrypto
import FirmwareFormats

/// `algorithm.weak` for a signing key below the policy's minimums (`algorithms.minimumRSABits`,
/// `algorithms.minimumECBits`; NIST SP 800-131A Rev. 2 by default): failed, or a warning when
/// the policy says `weak: warn-unsafe`.
public struct AlgorithmStrengthRule: PolicyRule {
    /// The minimums and how a weak key is treated.
    public var policy: AlgorithmPolicy

    /// Creates the rule.
    ///
    /// - Parameter policy: the minimums and how a weak key is treated.
    public init(policy: AlgorithmPolicy) {
        self.policy = policy
    }

    /// Judges the signing key.
    ///
    /// - Parameter input: the report, the signing key and the context.
    /// - Returns: one `algorithm.weak` check: passed, failed, warning, or skipped when the format
    ///   identified no signing key.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        guard let key = input.signingKey else {
            return [Check(.algorithmWeak, .skipped, subject: input.subject, "no signing key was identified; key strength not judged")]
        }
        let detail = ["key": key.algorithm.description, "fingerprint": key.fingerprint]
        guard let shortfall = policy.shortfall(of: key.algorithm) else {
            return [
                .passed(
                    .algorithmWeak, subject: input.subject,
                    "signing key \(key.algorithm) meets the policy's minimum (RSA-\(policy.minimumRSABits), EC \(policy.minimumECBits) bits)",
                    detail: detail)
            ]
        }
        switch policy.weak {
        case .fail:
            return [.failed(.algorithmWeak, subject: input.subject, "signing key \(shortfall)", detail: detail)]
        case .warnUnsafe:
            return [
                .warning(
                    .algorithmWeak, subject: input.subject, "signing key \(shortfall); accepted because the policy says `weak: warn-unsafe`",
                    detail: detail)
            ]
        }
    }
}
