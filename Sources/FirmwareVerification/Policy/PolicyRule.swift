import FirmwareFormats

/// One rule of the policy, in the style of swift-certificates' small composable policies: it
/// reads a ``PolicyInput`` and returns checks. It never stops at the first failure, and it
/// reports what passed (status `.passed`, the rule's code) and what did not apply (`.skipped`)
/// as well as what failed.
public protocol PolicyRule: Sendable {
    /// Judges one artifact.
    ///
    /// - Parameter input: the report so far, the signing key and the context.
    /// - Returns: at least one check, carrying the rule's code(s).
    func evaluate(_ input: PolicyInput) -> [Check]
}
