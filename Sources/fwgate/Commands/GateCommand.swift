import ArgumentParser
import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate gate FILE... --policy FILE [--vendor V] [--device-model M]`: the procurement gate.
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Procurement gate: PASS/FAIL per artifact against a policy, with reasons, recorded for the audit trail.",
        discussion: """
            Firmware files are verified like 'fwgate verify'; certificate files are validated as \
            code-signing chains to the policy's roots. Procurement rules apply on top: signer \
            certificates must stay valid for the policy's procurementMinimumDays. One line per \
            artifact; exit 0 when all pass (warnings allowed), 1 when any fails, 2 on errors. \
            Each result is recorded as a posture entry without a device unless --no-record.
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

    func run() async throws {
        let at = try time.resolve()
        let setup = try trust.load()
        let context = VerificationContext(at: at, vendor: vendor, model: deviceModel, procurement: true)
        let verifier = try setup.verifier(vendor: vendor, model: deviceModel)
        let inventory = noRecord ? nil : try global.openInventory()
        var reports: [VerificationReport] = []
        for file in files {
            let artifact = try FirmwareVerifier.prepare(path: file)
            var report = verifier.report(artifact, context: context)
            if report.format == "unknown", let certificate = try certificateReport(file, verifier: verifier, context: context) {
                report = certificate
            }
            if let inventory {
                try inventory.record(
                    report, deviceID: nil, size: artifact.size, policyDigest: setup.policyDigest, toolVersion: FwgateVersion.string, at: at)
            }
            reports.append(report)
        }
        if json {
            let data = try FwgateJSON.encoder().encode(reports)
            print(String(decoding: data, as: UTF8.self))
        } else {
            for report in reports {
                let verdict = report.verdict == .fail ? "FAIL" : (report.verdict == .warn ? "PASS (with warnings)" : "PASS")
                let colored = Terminal.paint(verdict, report.verdict == .fail ? .red : (report.verdict == .warn ? .yellow : .green), enabled: global.useColor)
                let signer = report.signer.map { " signer \($0.name ?? $0.subject ?? "-")" } ?? ""
                print("\(colored)  \(report.file)  \(report.format) \(report.version ?? "")\(signer)")
                for check in report.checks where check.status == .failed || check.status == .warning {
                    print("    \(check.status == .failed ? "✗" : "!") \(check.code): \(check.message)")
                }
            }
            let failed = reports.filter { $0.verdict == .fail }.count
            print("gate: \(reports.count - failed) of \(reports.count) artifact(s) pass policy \(trust.policy ?? "")")
        }
        if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
    }

    /// A certificate file judged as a code-signing chain to the scoped roots, with the
    /// policy's procurement rules; nil when the file is not a certificate.
    func certificateReport(_ file: String, verifier: FirmwareVerifier, context: VerificationContext) throws -> VerificationReport? {
        guard (try? Certificate.load(contentsOf: file)) != nil else { return nil }
        let chains = CertificateVerifier(
            roots: verifier.trust.roots, intermediates: verifier.trust.intermediates, crls: verifier.trust.crls,
            crlCheck: verifier.trust.crls.isEmpty ? .none : .leaf, purpose: .codeSigning,
            weakAlgorithms: verifier.policy.algorithms.weak == .fail ? .fail : .warnUnsafe)
        let report = try chains.verify(path: file, at: context.at)
        let outcome = verifier.policy.evaluate(PolicyInput(report: report, signingKey: nil, context: context))
        return outcome.applied(to: report)
    }
}
