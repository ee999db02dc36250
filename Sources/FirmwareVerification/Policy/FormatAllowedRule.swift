import FirmwareFormats

/// Whether the artifact's format is accepted (`policy.format-not-allowed`): by the policy's
/// top-level `formats`, and for the device's vendor and model by the matching `vendors` entries'
/// `formats`. A vendor the policy does not list accepts nothing once the policy lists vendors.
public struct FormatAllowedRule: PolicyRule {
    /// Formats accepted at all; nil: every format.
    public var formats: Set<FormatID>?
    /// The policy's vendor entries.
    public var vendors: [VendorPolicy]

    /// Creates the rule.
    ///
    /// - Parameters:
    ///   - formats: the policy's top-level `formats` (nil: all).
    ///   - vendors: the policy's `vendors` entries.
    public init(formats: Set<FormatID>?, vendors: [VendorPolicy]) {
        self.formats = formats
        self.vendors = vendors
    }

    /// Judges the report's format.
    ///
    /// - Parameter input: the report (format) and the context (vendor, model).
    /// - Returns: a failed `policy.format-not-allowed` check per scope that refuses the format,
    ///   or one passed check; skipped when the format is unknown.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        let code = PolicyCheckCodes.formatNotAllowed
        let subject = input.subject
        guard let format = input.report.format, FormatRegistry.format(format) != nil else {
            return [Check(code, .skipped, subject: subject, "the format is not one fwgate knows; nothing to judge")]
        }
        var failures: [Check] = []
        var scope = "by the policy"
        if let formats, !formats.contains(format) {
            failures.append(
                .failed(code, subject: subject, "\(format) is not among the formats the policy accepts (formats: \(Self.list(formats)))"))
        }
        if let vendor = input.context.vendor, !vendors.isEmpty {
            let model = input.context.model
            let device = model.map { "vendor \(vendor) model \($0)" } ?? "vendor \(vendor)"
            let entries = vendors.filter { $0.covers(vendor: vendor, model: model) }
            if entries.isEmpty {
                failures.append(
                    .failed(code, subject: subject, "the policy has no vendors entry for \(device), so it accepts no format for it"))
            } else if !entries.contains(where: { $0.formats?.contains(format) ?? true }) {
                let accepted = entries.compactMap(\.formats).reduce(into: Set<FormatID>()) { $0.formUnion($1) }
                failures.append(
                    .failed(code, subject: subject, "\(format) is not accepted for \(device) (formats: \(Self.list(accepted)))"))
            }
            scope = "for \(device)"
        }
        return failures.isEmpty ? [.passed(code, subject: subject, "\(format) is accepted \(scope)")] : failures
    }

    private static func list(_ formats: Set<FormatID>) -> String {
        formats.map(\.rawValue).sorted().joined(separator: ", ")
    }
}
