import FirmwareFormats

/// Device-type compatibility (`compatibility.device-type`): an update package must be made for
/// the device it is verified for. The package declares the device types it is for (RAUC
/// `compatible`, SWUpdate `hardware-compatibility`, Mender `device_type`); the policy's
/// `compatible:` maps each device model to the strings its updater accepts.
///
/// - Skipped when the package declares no device types, no device is named, or the policy has
///   no `compatible:` map (nothing to compare against: the message says so).
/// - Failed (fail-closed) when the policy has the map but the device's model is unknown or not
///   in it, or when no declared type is one the model accepts (compared exactly, as RAUC and
///   Mender compare them).
public struct CompatibilityRule: PolicyRule {
    /// Model (lowercased) → accepted compatible strings; nil: the policy has no map.
    public var compatible: [String: [String]]?

    /// Creates the rule.
    ///
    /// - Parameter compatible: the policy's `compatible:` map, models lowercased.
    public init(compatible: [String: [String]]?) {
        self.compatible = compatible
    }

    public func evaluate(_ input: PolicyInput) -> [Check] {
        let code = CheckCode.compatibilityDeviceType
        let subject = input.subject
        guard let declared = input.report.compatibleDevices, !declared.isEmpty else {
            return [Check(code, .skipped, subject: subject, "the artifact declares no device types (only RAUC, SWUpdate and Mender packages do)")]
        }
        let list = declared.joined(separator: ", ")
        guard let device = input.context.device else {
            return [Check(code, .skipped, subject: subject, "no device named: the package is for \(list)")]
        }
        guard let compatible else {
            return [
                Check(
                    code, .skipped, subject: subject,
                    "the policy maps no device models to compatible strings (compatible:), so the package's device types (\(list)) were not compared with device \(device.deviceID)")
            ]
        }
        let detail = ["declared": list, "device": device.deviceID]
        guard let model = input.context.model ?? device.model else {
            return [
                .failed(
                    code, subject: subject,
                    "device \(device.deviceID) has no model on record, so the package's device types (\(list)) cannot be matched against the policy's compatible: map",
                    detail: detail)
            ]
        }
        guard let accepted = compatible[model.lowercased()] else {
            return [
                .failed(
                    code, subject: subject,
                    "the policy's compatible: map has no entry for model \(model) (device \(device.deviceID)); the package is for \(list)",
                    detail: detail.merging(["model": model]) { $1 })
            ]
        }
        let matches = declared.filter { accepted.contains($0) }
        let facts = detail.merging(["model": model, "accepted": accepted.joined(separator: ", ")]) { $1 }
        guard matches.isEmpty else {
            return [.passed(code, subject: subject, "the package is for \(matches.joined(separator: ", ")), which model \(model) accepts", detail: facts)]
        }
        return [
            .failed(
                code, subject: subject,
                "the package is for \(list); model \(model) (device \(device.deviceID)) accepts \(accepted.joined(separator: ", ")): installing it could brick the device or run firmware built for other hardware",
                detail: facts)
        ]
    }
}
