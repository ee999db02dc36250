import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate batch (DIR | MANIFEST.csv | MANIFEST.json) --trust ... [--jobs N] [--json]`
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Verify many artifacts for many devices and record a posture entry for each pair.",
        discussion: """
            The input is a folder (every file, recursively, for no device) or a manifest: CSV with \
            'file' and 'device' columns (one row per pair; the same file may serve many devices), \
            or JSON [{"file": "...", "device": "..."}] / [{"file": "...", "devices": [...]}]. \
            Paths are relative to the manifest. Each file is hashed once. Devices must be in the \
            inventory (fwgate devices import). Unreadable files are failed results, not an \
            aborted batch. Exit 1 when anything failed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var time: TimeOptions

    @Option(help: ArgumentHelp("Parallel verifications (default: the number of cores).", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "One JSON object per result on stdout (JSON Lines); the summary goes to stderr.")
    var json = false

    @Flag(name: .customLong("no-record"), help: "Verify only; record nothing in the inventory.")
    var noRecord = false

    @Flag(help: "Skip the (file, device) pairs already recorded (after an interrupted batch).")
    var resume = false

    @Argument(help: ArgumentHelp("A folder, or a manifest (.csv / .json).", valueName: "input"))
    var input: String

    func validate() throws {
        if trust.trustPaths.isEmpty && trust.policy == nil {
            throw ValidationError("--trust or --policy is required: give the vendors' public keys (files or a folder) or a policy naming them")
        }
        guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256") }
        if resume && noRecord { throw ValidationError("--resume needs recording; drop --no-record") }
    }

    static func scope(_ device: DeviceFacts?) -> String { "\(device?.vendor ?? "")\u{1F}\(device?.model ?? "")" }

    func run() async throws {
        let at = try time.resolve()
        let manifest = try BatchManifest.load(input)
        let setup = try trust.load()
        let needsInventory = !noRecord || !manifest.deviceIDs.isEmpty
        let inventory = needsInventory ? try global.openInventory() : nil
        var facts: [String: DeviceFacts] = [:]
        if let inventory {
            var unknown: [String] = []
            let all = try inventory.allFacts()
            for id in manifest.deviceIDs.sorted() {
                if let known = all[id] { facts[id] = known } else { unknown.append(id) }
            }
            guard unknown.isEmpty else {
                throw FwgateError(
                    .usage,
                    "\(input): \(unknown.count) device(s) not in the inventory \(inventory.path): \(unknown.prefix(10).joined(separator: ", "))\(unknown.count > 10 ? ", ..." : ""); import them first (fwgate devices import)")
            }
        }
        let skip = resume ? try inventory?.recordedPairs() ?? [] : []
        // One verifier per vendor/model scope, built before the batch starts (a policy that does
        // not cover a device's vendor is an error now, not halfway through).
        var verifiers: [String: FirmwareVerifier] = [Self.scope(nil): try setup.verifier(vendor: nil, model: nil)]
        for device in facts.values where verifiers[Self.scope(device)] == nil {
            verifiers[Self.scope(device)] = try setup.verifier(vendor: device.vendor, model: device.model)
        }
        let scoped = verifiers
        let runner = BatchRunner(
            manifest: manifest, jobs: jobs, format: format.formatID,
            verifier: { device in
                let key = scoped[Self.scope(device)] == nil ? Self.scope(nil) : Self.scope(device)
                return (key, scoped[key]!)
            },
            at: at, facts: facts, skip: skip)

        var summary = BatchSummary()
        summary.skipped = manifest.items.reduce(0) { count, item in
            count + item.devices.filter { skip.contains(Inventory.pairKey(artifactPath: item.artifact, deviceID: $0)) }.count
        }
        var progress = ProgressBar(total: manifest.pairCount - summary.skipped, enabled: !global.quiet && !json)
        let encoder = FwgateJSON.encoder(pretty: false)
        let printer = ReportPrinter(color: global.useColor, verbose: false)
        try await runner.run { results in
            // One artifact's results are recorded in one transaction.
            if !noRecord, let inventory {
                try inventory.record(
                    all: results.map { Inventory.PendingEntry(report: $0.report, deviceID: $0.deviceID, size: $0.size) },
                    policyDigest: setup.policyDigest, toolVersion: FwgateVersion.string, at: at)
                summary.recorded += results.count
            }
            for result in results {
                summary.add(result.report)
                if json {
                    var line = try JSONSerialization.jsonObject(with: encoder.encode(result.report)) as? [String: Any] ?? [:]
                    line["device"] = result.deviceID ?? NSNull()
                    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else if !global.quiet || result.report.verdict == .fail {
                    let firstLine = printer.human(result.report, at: at).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
                    let reasons = result.report.checks.filter { $0.status == .failed }.map { "    \($0.code): \($0.message)" }
                    print(([firstLine + "  device \(result.deviceID ?? "-")"] + reasons).joined(separator: "\n"))
                }
                progress.step(failed: result.report.verdict == .fail)
            }
        }
        if json {
            Terminal.printError(summary.table())
        } else {
            print(summary.table())
        }
        if summary.verdicts["fail", default: 0] > 0 { throw VerdictExit.failed }
    }
}
