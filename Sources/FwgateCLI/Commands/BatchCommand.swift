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
            'file' and 'device' columns (one row per pair; the same file may serve many devices; \
            optional 'signature' and 'payload' columns name companions), or JSON \
            [{"file": "...", "device": "..."}] / [{"file": "...", "devices": [...]}]. Paths are \
            relative to the manifest. Each file is hashed once; repeated rows are verified once \
            (and said so). Devices must be in the inventory (fwgate devices import). Unreadable \
            files are failed results, not an aborted batch. Exit 1 when anything failed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var time: TimeOptions

    @Option(help: ArgumentHelp("Parallel verifications (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Flag(help: "One JSON object per result on stdout (JSON Lines); the summary goes to stderr.")
    var json = false

    @Flag(name: .customLong("no-record"), help: "Verify only; record nothing in the inventory.")
    var noRecord = false

    @Flag(help: "Skip the (file, device) pairs already recorded (after an interrupted batch).")
    var resume = false

    @Argument(help: ArgumentHelp("A folder, or a manifest (.csv / .json).", valueName: "input"))
    var input: String

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256") }
        if resume && noRecord { throw ValidationError("--resume needs recording; drop --no-record") }
    }

    func run() async throws {
        let session = try trust.session(at: try time.resolve(), format: format.formatID)
        let manifest = try BatchManifest.load(input)
        for note in manifest.duplicates where !global.quiet { Terminal.printError("fwgate: note: \(note)") }
        let needsInventory = !noRecord || !manifest.deviceIDs.isEmpty
        let inventory = needsInventory ? try global.openInventory() : nil
        let facts = try Self.facts(for: manifest, in: inventory, input: input)
        // A policy that does not cover a device's vendor is an error now, not halfway through.
        try session.prepareScopes(for: facts.values)
        let skip = resume ? try inventory?.recordedPairs() ?? [] : []
        let runner = BatchRunner(
            manifest: manifest, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, session: session, facts: facts, skip: skip)

        var summary = BatchSummary()
        summary.skipped = manifest.pairCount - runner.pending.reduce(0) { $0 + $1.devices.count }
        var progress = ProgressBar(total: manifest.pairCount - summary.skipped, enabled: !global.quiet && !json)
        let reporter = BatchReporter(json: json, quiet: global.quiet, color: global.useColor, at: session.at)
        let site = noRecord ? nil : try global.resolvedSite()
        var recordedPairs: Set<String> = []
        try await runner.run { results in
            // One artifact's results are recorded in one transaction.
            if !noRecord, let inventory {
                do {
                    try inventory.record(
                        all: results.map { Inventory.PendingEntry(report: $0.report, deviceID: $0.deviceID, size: $0.report.size ?? 0) },
                        policyDigest: session.policyDigest, toolVersion: FwgateVersion.string, at: session.at, site: site)
                } catch {
                    // Every transaction committed so far stays; say what is missing and how to
                    // complete it (the connection may be lost, the server restarted).
                    reportNotRecorded(runner: runner, recorded: recordedPairs)
                    throw error
                }
                summary.recorded += results.count
                for result in results {
                    recordedPairs.insert(Inventory.pairKey(artifactPath: result.report.file, deviceID: result.deviceID))
                }
            }
            for result in results {
                summary.add(result.report)
                try reporter.print(result.report, device: result.deviceID)
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

    /// After a failed append: how many pairs were recorded, which were not (the first 20 by
    /// name), and that `--resume` records exactly those.
    func reportNotRecorded(runner: BatchRunner, recorded: Set<String>) {
        var missing: [String] = []
        var total = 0
        for item in runner.pending {
            for device in item.devices where !recorded.contains(Inventory.pairKey(artifactPath: item.artifact.path, deviceID: device)) {
                total += 1
                if missing.count < 20 { missing.append("\(item.artifact.path) for \(device ?? "(no device)")") }
            }
        }
        var lines = ["fwgate: \(recorded.count) pair(s) were recorded before the inventory failed; \(total) pair(s) were NOT recorded:"]
        lines += missing.map { "  not recorded: \($0)" }
        if total > missing.count { lines.append("  ... and \(total - missing.count) more") }
        lines.append("fwgate: run the same command with --resume to record exactly the missing pairs")
        Terminal.printError(lines.joined(separator: "\n"))
    }

    /// The inventory facts of every device the manifest names; every one must be known.
    static func facts(for manifest: BatchManifest, in inventory: (any InventoryStore)?, input: String) throws -> [String: DeviceFacts] {
        guard let inventory else { return [:] }
        var facts: [String: DeviceFacts] = [:]
        var unknown: [String] = []
        let all = try inventory.facts(for: manifest.deviceIDs)
        for id in manifest.deviceIDs.sorted() {
            if let known = all[id] { facts[id] = known } else { unknown.append(id) }
        }
        guard unknown.isEmpty else {
            throw FwgateError(
                .usage,
                "\(input): \(unknown.count) device(s) not in the inventory \(inventory.path): \(unknown.prefix(10).joined(separator: ", "))\(unknown.count > 10 ? ", ..." : ""); import them first (fwgate devices import)"
            )
        }
        return facts
    }
}
