import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Runs a batch: a bounded task group asks the session for each artifact's reports (each file
/// hashed once, however many devices it serves); results come back to one writer, which records
/// each artifact's results in one transaction and prints them. A batch killed at any moment
/// leaves only whole entries; `--resume` skips the pairs already recorded.
struct BatchRunner {
    struct Result: Sendable {
        let report: VerificationReport
        let deviceID: String?
    }

    let manifest: BatchManifest
    let jobs: Int
    let session: VerificationSession
    let facts: [String: DeviceFacts]
    let skip: Set<String>

    /// The items left after `--resume`'s skips.
    var pending: [BatchManifest.Item] {
        manifest.items.compactMap { item in
            let devices = item.devices.filter { !skip.contains(Inventory.pairKey(artifactPath: item.artifact.path, deviceID: $0)) }
            return devices.isEmpty ? nil : BatchManifest.Item(artifact: item.artifact, devices: devices)
        }
    }

    /// Runs the batch, calling `handle` on the calling task with every artifact's results (one
    /// per device), in completion order.
    func run(_ handle: ([Result]) throws -> Void) async throws {
        try await withThrowingTaskGroup(of: [Result].self) { group in
            var iterator = pending.makeIterator()
            func submit() {
                guard let item = iterator.next() else { return }
                group.addTask { [session, facts] in
                    let reports = session.reports(for: item.artifact, devices: item.devices.map { $0.flatMap { facts[$0] } })
                    return zip(reports, item.devices).map { Result(report: $0, deviceID: $1) }
                }
            }
            for _ in 0..<max(1, jobs) { submit() }
            while let results = try await group.next() {
                try handle(results)
                submit()
            }
        }
    }
}

/// Counts for the end-of-batch summary.
struct BatchSummary: Encodable {
    var total = 0
    var verdicts: [String: Int] = [:]
    var failingCodes: [String: Int] = [:]
    var recorded = 0
    var skipped = 0

    mutating func add(_ report: VerificationReport) {
        total += 1
        verdicts[report.verdict.rawValue, default: 0] += 1
        for code in report.failedCodes { failingCodes[code.rawValue, default: 0] += 1 }
    }

    func table() -> String {
        var lines = [
            "summary: \(total) result(s): \(verdicts["pass", default: 0]) pass, \(verdicts["warn", default: 0]) warn, \(verdicts["fail", default: 0]) fail; \(recorded) recorded, \(skipped) already recorded (skipped)"
        ]
        if !failingCodes.isEmpty {
            lines.append(
                Table.render(
                    header: ["FAILING CHECK", "RESULTS"],
                    rows: failingCodes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [$0.key, String($0.value)] }))
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on stderr, only on a terminal.
struct ProgressBar {
    let total: Int
    let enabled: Bool
    private(set) var done = 0
    private(set) var failed = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && Terminal.stderrIsTTY
    }

    mutating func step(failed didFail: Bool) {
        done += 1
        if didFail { failed += 1 }
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)  \(failed) failed".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
