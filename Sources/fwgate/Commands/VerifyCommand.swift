import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate verify FILE... --trust PATH... [--format F] [--at T] [--json]`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify firmware images against trusted keys: digests, signatures, key trust, structure.",
        discussion: """
            Detects the format (MCUboot, ESP-IDF; --format forces one), checks every rule and \
            prints each check. Fail-closed: an unknown key, a signature that cannot be checked, \
            a missing signature or a malformed length fails the image. Exit 0 when every file \
            passes (warnings allowed), 1 when one fails, 2 on usage or input errors.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var time: TimeOptions

    @Flag(help: "Print the fwgate.verify/1 JSON report (an array for several files).")
    var json = false

    @Option(help: ArgumentHelp("The device the files are for (rollback checks use its installed version).", valueName: "id"))
    var device: String?

    @Flag(help: "Record each result as a posture entry in the inventory (--db).")
    var record = false

    @Argument(help: ArgumentHelp("Firmware files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if trust.trustPaths.isEmpty && trust.policy == nil {
            throw ValidationError("--trust or --policy is required: give the vendor's public keys (files or a folder) or a policy naming them")
        }
    }

    func run() async throws {
        let at = try time.resolve()
        let setup = try trust.load()
        let inventory = (record || device != nil) ? try global.openInventory() : nil
        var facts: DeviceFacts?
        if let device, let inventory {
            guard let known = try inventory.facts(for: device) else {
                throw FwgateError(.usage, "device '\(device)' is not in the inventory \(inventory.path); import it first (fwgate devices import)")
            }
            facts = known
        }
        let verifier = try setup.verifier(vendor: facts?.vendor, model: facts?.model)
        var reports: [VerificationReport] = []
        for file in files {
            let report = try verifier.report(path: file, format: format.formatID, context: VerificationContext(at: at, device: facts))
            if record, let inventory {
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
                try inventory.record(
                    report, deviceID: device, size: size, policyDigest: setup.policyDigest, toolVersion: FwgateVersion.string, at: at)
            }
            reports.append(report)
        }
        if json {
            print(try ReportPrinter.json(reports))
        } else {
            let printer = ReportPrinter(color: global.useColor, verbose: !global.quiet)
            print(reports.map { printer.human($0, at: at) }.joined(separator: "\n\n"))
        }
        if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
    }
}
