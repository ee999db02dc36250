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

extension VerifyCommand {
    /// The long names ``init(plain:)`` reads; `PlainVerifyTests` checks them against the
    /// options argument-parser knows for this command, so a new option cannot be missed here.
    static let plainFlags = ["--json", "--record", "--quiet", "--no-color"]
    static let plainOptions = [
        "--db", "--site", "--trust", "--policy", "--format", "--at", "--signature", "--payload", "--signature-scheme", "--device",
    ]
    static let plainRepeatable = ["--trust"]

    /// The command, read without argument-parser when the command line is of the plainest
    /// shape (``PlainArguments``) and every value and validation passes; `nil` otherwise, and
    /// argument-parser then parses it as usual. Scripts run `fwgate verify` once per device and
    /// file; argument-parser's reflection was half of a small verify's instructions (issue 10).
    /// The option groups are validated in argument-parser's order (each group as it is read,
    /// then the command); `PlainVerifyTests` checks the result equals argument-parser's parse.
    /// Every property is set, defaults included: a wrapped property that argument-parser has
    /// not filled stops the program when it is read.
    init?(plain arguments: some Sequence<String>) {
        guard
            let line = PlainArguments(arguments, flags: Self.plainFlags, options: Self.plainOptions, repeatable: Self.plainRepeatable),
            !line.positionals.isEmpty
        else { return nil }
        var global = GlobalOptions()
        global.db = line.value("--db")
        global.site = line.value("--site")
        global.quiet = line.flag("--quiet")
        global.noColor = line.flag("--no-color")
        var trust = TrustOptions()
        trust.trustPaths = line.values["--trust"] ?? []
        trust.policy = line.value("--policy")
        var format = FormatOption()
        format.format = line.value("--format")
        var time = TimeOptions()
        time.at = line.value("--at")
        var companions = CompanionOptions()
        companions.signature = line.value("--signature")
        companions.payload = line.value("--payload")
        if let scheme = line.value("--signature-scheme") {
            guard let parsed = RawSignatureScheme(argument: scheme) else { return nil }
            companions.signatureScheme = parsed
        } else {
            companions.signatureScheme = nil
        }
        // Set on a value rather than on `self`: inside an initializer, assigning a wrapped
        // property can build a new wrapper (`Flag(wrappedValue:)`, a default still to be
        // parsed) instead of setting the value.
        var command = VerifyCommand()
        command.global = global
        command.trust = trust
        command.format = format
        command.time = time
        command.companions = companions
        command.json = line.flag("--json")
        command.device = line.value("--device")
        command.record = line.flag("--record")
        command.files = line.positionals
        do {
            try global.validate()
            try trust.validate()
            try format.validate()
            try time.validate()
            try companions.validate()
            try command.validate()
        } catch {
            return nil
        }
        self = command
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
