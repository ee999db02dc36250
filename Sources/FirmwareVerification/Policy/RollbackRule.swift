import FirmwareFormats

/// Anti-rollback (`rollback.version`, `rollback.security-counter`): a candidate must not be
/// older than what the device runs.
///
/// - Versions compare as dotted numbers, `major.minor.revision`, with the `+build` part ignored
///   (MCUboot's default, without `MCUBOOT_VERSION_CMP_USE_BUILD_NUMBER`). Equal passes.
///   A version that is not a dotted number cannot be ordered and fails (fail-closed).
/// - Security counters compare as integers (MCUboot `IMAGE_TLV_SEC_CNT`, ESP-IDF
///   `secure_version`). Equal passes.
/// - Each check is skipped when the policy turns rollback off, no device is named, or the
///   device or the image does not carry the fact.
public struct RollbackRule: PolicyRule {
    /// Whether rollback is enforced.
    public var policy: RollbackPolicy

    /// Creates the rule.
    ///
    /// - Parameter policy: whether rollback is enforced.
    public init(policy: RollbackPolicy) {
        self.policy = policy
    }

    /// Compares the candidate with the device's installed firmware.
    ///
    /// - Parameter input: the report (version, security counter), and the context's device.
    /// - Returns: one `rollback.version` and one `rollback.security-counter` check.
    public func evaluate(_ input: PolicyInput) -> [Check] {
        [versionCheck(input), securityCounterCheck(input)]
    }

    private func skipReason(_ input: PolicyInput) -> String? {
        if !policy.enforce { return "rollback protection is off in the policy (rollback.enforce: false)" }
        if input.context.device == nil { return "no device named: nothing installed to compare against" }
        return nil
    }

    private func versionCheck(_ input: PolicyInput) -> Check {
        let subject = input.subject
        if let reason = skipReason(input) { return Check(.rollbackVersion, .skipped, subject: subject, reason) }
        guard let device = input.context.device, let installedText = device.installedVersion else {
            return Check(
                .rollbackVersion, .skipped, subject: subject, "device \(input.context.deviceID ?? "?") has no installed version on record")
        }
        guard let candidateText = input.report.version else {
            return Check(.rollbackVersion, .skipped, subject: subject, "the image carries no version")
        }
        let detail = ["candidate": candidateText, "installed": installedText, "device": device.deviceID]
        guard let candidate = FirmwareVersion(candidateText), let installed = FirmwareVersion(installedText) else {
            let bad = FirmwareVersion(candidateText) == nil ? candidateText : installedText
            return .failed(
                .rollbackVersion, subject: subject,
                "cannot compare candidate version \(candidateText) with \(installedText) installed on device \(device.deviceID): '\(bad)' is not a dotted numeric version (major.minor.revision), so a rollback cannot be ruled out",
                detail: detail)
        }
        let note = candidate.hadBuild || installed.hadBuild ? " (build numbers ignored, as MCUboot does by default)" : ""
        if candidate < installed {
            return .failed(
                .rollbackVersion, subject: subject,
                "candidate version \(candidateText) is lower than \(installedText) installed on device \(device.deviceID)\(note): a rollback",
                detail: detail)
        }
        let relation = candidate == installed ? "equal to" : "higher than"
        return .passed(
            .rollbackVersion, subject: subject,
            "candidate version \(candidateText) is \(relation) \(installedText) installed on device \(device.deviceID)\(note)", detail: detail)
    }

    private func securityCounterCheck(_ input: PolicyInput) -> Check {
        let subject = input.subject
        if let reason = skipReason(input) { return Check(.rollbackSecurityCounter, .skipped, subject: subject, reason) }
        guard let device = input.context.device, let installed = device.installedSecurityCounter else {
            return Check(
                .rollbackSecurityCounter, .skipped, subject: subject,
                "device \(input.context.deviceID ?? "?") has no installed security counter on record")
        }
        guard let candidate = input.report.securityCounter else {
            return Check(.rollbackSecurityCounter, .skipped, subject: subject, "the image carries no security counter")
        }
        let detail = ["candidate": String(candidate), "installed": String(installed), "device": device.deviceID]
        if candidate < installed {
            return .failed(
                .rollbackSecurityCounter, subject: subject,
                "candidate security counter \(candidate) is lower than \(installed) on device \(device.deviceID): a rollback of the anti-rollback counter",
                detail: detail)
        }
        return .passed(
            .rollbackSecurityCounter, subject: subject,
            "candidate security counter \(candidate) is not lower than \(installed) on device \(device.deviceID)", detail: detail)
    }
}
