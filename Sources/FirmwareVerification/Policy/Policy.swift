import FirmwareCrypto
import FirmwareFormats
import Foundation

/// What a hospital accepts from its vendors, read from a YAML policy file (DESIGN.md "Policy";
/// `keys-example/policy.yaml` shows every option): which keys and roots may sign firmware for
/// which vendor and model, which formats are accepted, whether unsigned formats may pass, the
/// weakest acceptable key, anti-rollback, certificate expiry windows, and which published test
/// keys a lab may use.
///
/// Immutable once loaded. ``load(path:)`` decodes and validates in one go, loading every key
/// and root file, so a policy that loaded is a policy that applies; ``default`` is the strict
/// policy used when no file is given.
public struct Policy: Sendable {
    /// The policy file as given, or nil for ``default``.
    public let source: String?
    /// SHA-256 of the policy file's bytes, lowercase hex (for posture entries); for ``default``,
    /// of ``defaultDocument``.
    public let digest: String
    /// Who may sign for which vendor and model.
    public let vendors: [VendorPolicy]
    /// Formats accepted at all; nil: every format fwgate knows.
    public let formats: Set<FormatID>?
    /// Formats whose unsigned images pass with a warning instead of failing.
    ///
    /// - Warning: an unsigned image proves nothing about who built it.
    public let unsignedFormatsUnsafe: Set<FormatID>
    /// The weakest acceptable signing key.
    public let algorithms: AlgorithmPolicy
    /// Anti-rollback.
    public let rollback: RollbackPolicy
    /// Expiry warning window and procurement minimum validity.
    public let expiry: ExpiryPolicy
    /// Known test keys a lab may use.
    public let knownTestKeys: KnownTestKeyPolicy
    /// What bytes after a signed image that nothing covers (`integrity.unsigned-trailing-data`)
    /// do to the verdict.
    public let unsignedTrailingData: TrailingDataHandling
    /// Device model (lowercased) → the compatible strings its updater accepts; nil when the
    /// policy has no `compatible:` map.
    public let compatible: [String: [String]]?

    init(
        source: String?, digest: String, vendors: [VendorPolicy], formats: Set<FormatID>?, unsignedFormatsUnsafe: Set<FormatID>,
        algorithms: AlgorithmPolicy, rollback: RollbackPolicy, expiry: ExpiryPolicy, knownTestKeys: KnownTestKeyPolicy,
        unsignedTrailingData: TrailingDataHandling = .warn, compatible: [String: [String]]? = nil
    ) {
        self.source = source
        self.digest = digest
        self.vendors = vendors
        self.formats = formats
        self.unsignedFormatsUnsafe = unsignedFormatsUnsafe
        self.algorithms = algorithms
        self.rollback = rollback
        self.expiry = expiry
        self.knownTestKeys = knownTestKeys
        self.unsignedTrailingData = unsignedTrailingData
        self.compatible = compatible
    }

    /// The built-in policy as YAML: what ``default`` means, and what its ``digest`` is taken of.
    public static let defaultDocument = """
        # fwgate's built-in policy, used when no --policy is given.
        version: 1
        vendors: []                # keys come from --trust only
        unsignedFormatsUnsafe: []  # an unsigned image fails
        algorithms:
          weak: fail
          minimumRSABits: 2048
          minimumECBits: 256
        rollback:
          enforce: true
        expiry:
          warnDays: 30
          procurementMinimumDays: 365
        knownTestKeys:
          allowUnsafe: []          # every known test key fails
        unsignedTrailingData: warn # bytes after a signed image that nothing covers warn

        """

    /// The strict policy used when no policy file is given: no vendor scoping (keys come from
    /// `--trust`), every format accepted but unsigned images fail, weak keys (RSA < 2048, EC <
    /// 256 bits) fail, rollback enforced, a 30-day expiry warning, 365 days of validity required
    /// at procurement, and every known test key fails.
    public static let `default` = Policy(
        source: nil, digest: (try? Digest.hash(Data(defaultDocument.utf8), using: .sha256).hex) ?? "", vendors: [], formats: nil,
        unsignedFormatsUnsafe: [], algorithms: .strict, rollback: .strict, expiry: .strict, knownTestKeys: .strict)

    /// The rules this policy applies, in the order their checks are reported.
    public var rules: [any PolicyRule] {
        [
            FormatAllowedRule(formats: formats, vendors: vendors),
            UnsignedFormatRule(unsafeFormats: unsignedFormatsUnsafe),
            AlgorithmStrengthRule(policy: algorithms),
            KnownTestKeyRule(allowUnsafe: knownTestKeys.allowUnsafe),
            CompatibilityRule(compatible: compatible),
            RollbackRule(policy: rollback),
            ExpiryWindowRule(policy: expiry),
        ]
    }

    /// Applies every rule to one artifact's report. Never stops at the first failure.
    ///
    /// Call it after the format's own checks, then use ``PolicyOutcome/applied(to:)`` (or append
    /// ``PolicyOutcome/added`` and downgrade ``PolicyOutcome/downgradedUnsafe`` yourself).
    ///
    /// - Parameter input: the report so far, the signing key and the context.
    /// - Returns: the rules' checks, and the failed codes the policy accepts as warnings.
    public func evaluate(_ input: PolicyInput) -> PolicyOutcome {
        PolicyOutcome(
            added: rules.flatMap { $0.evaluate(input) },
            downgradedUnsafe: UnsignedFormatRule(unsafeFormats: unsignedFormatsUnsafe).downgrades(input),
            escalated: unsignedTrailingData == .fail ? [.integrityUnsignedTrailingData] : [])
    }

    /// The trust store for one vendor and model: the keys (named `<vendor>/<file name>`) and
    /// roots of every `vendors` entry that covers them.
    ///
    /// With no vendor given, every entry's keys and roots (the policy as a whole). A policy
    /// without `vendors` gives an empty store (keys then come from `--trust`).
    ///
    /// - Parameters:
    ///   - vendor: the device's vendor, when known.
    ///   - model: the device's model, when known.
    /// - Returns: the scoped trust store.
    /// - Throws: `FwgateError(.invalidPolicy)` when the policy lists vendors but none covers
    ///   this vendor and model.
    public func trustStore(vendor: String?, model: String?) throws(FwgateError) -> TrustStore {
        guard !vendors.isEmpty else { return TrustStore() }
        var entries = vendors
        if let vendor {
            entries = vendors.filter { $0.covers(vendor: vendor, model: model) }
            guard !entries.isEmpty else {
                let device = model.map { "vendor '\(vendor)' model '\($0)'" } ?? "vendor '\(vendor)'"
                throw FwgateError(
                    .invalidPolicy,
                    "\(source ?? "the policy"): no vendors entry covers \(device) (entries: \(vendors.map(\.label).joined(separator: "; "))); add one, or check the device's vendor and model")
            }
        }
        var keys: [TrustedKey] = []
        var roots: [Certificate] = []
        for entry in entries {
            for key in entry.trustedKeys where !keys.contains(key) { keys.append(key) }
            for root in entry.roots where !roots.contains(root) { roots.append(root) }
        }
        return TrustStore(keys: keys, roots: roots)
    }

    /// ``trustStore(vendor:model:)`` for the context's vendor and model.
    ///
    /// - Parameter context: the verification context.
    /// - Returns: the scoped trust store.
    /// - Throws: as ``trustStore(vendor:model:)``.
    public func trustStore(for context: VerificationContext) throws(FwgateError) -> TrustStore {
        try trustStore(vendor: context.vendor, model: context.model)
    }
}

/// `unsignedTrailingData:` in the policy.
public enum TrailingDataHandling: String, Sendable, Codable {
    /// The default: a warning that names offset and length.
    case warn
    /// A failure: nothing may follow a signed image but padding the format defines.
    case fail
}
