import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate verify FILE... [--trust PATH...] [--policy FILE] [--format F] [--at T] [--json]`
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify firmware images against trusted keys: digests, signatures, key trust, structure.",
        discussion: """
            Detects the format (\(FormatRegistry.idList); --format forces one; 'fwgate formats' \
            lists what each checks), checks every rule and prints each check. Fail-closed: an \
            unknown key, a signature that cannot be checked, a missing signature or a malformed \
            length fails the image. Without --trust or --policy every integrity check still runs \
            and signatures fail as untrusted. Exit 0 when every file passes (warnings allowed), 1 \
            when one fails, 2 on usage or input errors.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var time: TimeOptions
    @OptionGroup var companions: CompanionOptions

    @Flag(help: "Print the fwgate.verify/1 JSON report (an array for several files).")
    var json = false

    @Option(help: ArgumentHelp("The device the files are for (rollback checks use its installed version).", valueName: "id"))
    var device: String?

    @Flag(help: "Record each result as a posture entry in the inventory (--db).")
    var record = false

    @Argument(help: ArgumentHelp("Firmware files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        try companions.validate(fileCount: files.count)
    }

    func run() throws {
        let session = try trust.session(at: try time.resolve(), format: format.formatID, signatureScheme: companions.signatureScheme)
        let inventory = (record || device != nil) ? try global.openInventory() : nil
        let site = record ? try global.resolvedSite() : nil
        let facts = try device.map { id in try DeviceLookup.facts(id, in: inventory) }
        var reports: [VerificationReport] = []
        for file in files {
            let artifact = companions.artifact(file)
            let report = try session.report(for: artifact, device: facts)
            if record, let inventory {
                try inventory.record(
                    report, deviceID: device, size: report.size ?? 0, policyDigest: session.policyDigest, toolVersion: FwgateVersion.string,
                    at: session.at, site: site)
            }
            reports.append(report)
        }
        if json {
            print(try ReportPrinter.json(reports))
        } else {
            let printer = ReportPrinter(color: global.useColor, verbose: !global.quiet)
            print(reports.map { printer.human($0, at: session.at) }.joined(separator: "\n\n"))
        }
        if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
    }
}

/// Looks a device up once, with an error that says what to do.
enum DeviceLookup {
    static func facts(_ id: String, in inventory: (any InventoryStore)?) throws -> DeviceFacts {
        guard let inventory, let known = try inventory.facts(for: id) else {
            throw FwgateError(
                .usage, "device '\(id)' is not in the inventory \(inventory?.path ?? ""); import it first (fwgate devices import)")
        }
        return known
    }
}
