import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate gate FILE... --policy FILE [--vendor V] [--device-model M]`: the procurement gate.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Procurement gate: PASS/FAIL per artifact against a policy, with reasons, recorded for the audit trail.",
        discussion: """
            Firmware files are verified like 'fwgate verify'; certificate files are validated as \
            code-signing chains to the policy's roots. Procurement rules apply on top: signer \
            certificates must stay valid for the policy's procurementMinimumDays. One line per \
            artifact, then every failed, warning and skipped check with its reason; exit 0 when \
            all pass (warnings allowed), 1 when any fails, 2 on errors. Each result is recorded \
            as a posture entry without a device unless --no-record.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var time: TimeOptions

    @Option(help: ArgumentHelp("The vendor being procured (selects the policy's vendor entry).", valueName: "vendor"))
    var vendor: String?

    @Option(name: .customLong("device-model"), help: ArgumentHelp("The device model being procured.", valueName: "model"))
    var deviceModel: String?

    @Flag(name: .customLong("no-record"), help: "Do not record posture entries.")
    var noRecord = false

    @Flag(help: "Print the fwgate.verify/1 JSON reports (an array).")
    var json = false

    @Argument(help: ArgumentHelp("Firmware images, update packages or certificates from the vendor.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if trust.policy == nil { throw ValidationError("--policy is required: the gate judges artifacts against a policy") }
        if deviceModel != nil && vendor == nil { throw ValidationError("--device-model needs --vendor") }
    }

    func run() throws {
        let session = try trust.session(at: try time.resolve(), procurement: true)
        let inventory = noRecord ? nil : try global.openInventory()
        let site = noRecord ? nil : try global.resolvedSite()
        var reports: [VerificationReport] = []
        for file in files {
            let report = try session.report(for: Artifact(path: file), vendor: vendor, model: deviceModel)
            if let inventory {
                try inventory.record(
                    report, deviceID: nil, size: report.size ?? 0, policyDigest: session.policyDigest, toolVersion: FwgateVersion.string,
                    at: session.at, site: site)
            }
            reports.append(report)
        }
        if json {
            let data = try FwgateJSON.encoder().encode(reports)
            print(String(decoding: data, as: UTF8.self))
        } else {
            let reporter = GateReporter(color: global.useColor)
            for report in reports { print(reporter.render(report)) }
            let failed = reports.filter { $0.verdict == .fail }.count
            print("gate: \(reports.count - failed) of \(reports.count) artifact(s) pass policy \(trust.policy ?? "")")
        }
        if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
    }
}
