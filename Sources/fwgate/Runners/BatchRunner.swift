import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Runs a batch: a bounded task group verifies artifacts in parallel (each hashed once, however
/// many devices it serves); results come back to one writer, which records each (artifact,
/// device) pair in its own transaction and prints it. A batch killed at any moment leaves only
/// whole entries; `--resume` skips the pairs already recorded.
struct BatchRunner {
    struct Result: Sendable {
        let report: VerificationReport
        let deviceID: String?
        let size: Int64
    }

    let manifest: BatchManifest
    let jobs: Int
    let format: FormatID?
    /// The verifier (trust scope and policy) for a device; the same key for the same scope.
    let verifier: @Sendable (DeviceFacts?) -> (key: String, verifier: FirmwareVerifier)
    let at: Date
    let facts: [String: DeviceFacts]
    let skip: Set<String>

    /// Runs the batch, calling `handle` on the calling task with every artifact's results (one
    /// per device), in completion order.
    func run(_ handle: ([Result]) throws -> Void) async throws {
        let pending = manifest.items.compactMap { item -> BatchManifest.Item? in
            let devices = item.devices.filter { !skip.contains(Inventory.pairKey(artifactPath: item.artifact, deviceID: $0)) }
            return devices.isEmpty ? nil : BatchManifest.Item(artifact: item.artifact, devices: devices)
        }
        try await withThrowingTaskGroup(of: [Result].self) { group in
            var iterator = pending.makeIterator()
            func submit() {
                guard let item = iterator.next() else { return }
                group.addTask { [verifier, facts, format, at] in
                    Self.verify(item, format: format, facts: facts, at: at, verifier: verifier)
                }
            }
            for _ in 0..<max(1, jobs) { submit() }
            while let results = try await group.next() {
                try handle(results)
                submit()
            }
        }
    }

    /// Verifies one artifact for each of its devices: read and hashed once, the format's rules
    /// run once per trust scope, the policy (rollback, ...) per device. An unreadable file
    /// becomes a failed report per device, not an aborted batch.
    static func verify(
        _ item: BatchManifest.Item, format: FormatID?, facts: [String: DeviceFacts], at: Date,
        verifier: (DeviceFacts?) -> (key: String, verifier: FirmwareVerifier)
    ) -> [Result] {
        let prepared: FirmwareVerifier.PreparedArtifact
        do {
            prepared = try FirmwareVerifier.prepare(path: item.artifact, format: format)
        } catch {
            return item.devices.map { device in
                Result(
                    report: VerificationReport(
                        file: item.artifact, sha256: nil, format: "unknown", signed: false,
                        checks: [.failed(.inputUnreadable, subject: item.artifact, error.reason)]),
                    deviceID: device, size: 0)
            }
        }
        var stages: [String: FirmwareVerifier.FormatStage] = [:]
        return item.devices.map { device in
            let deviceFacts = device.flatMap { facts[$0] }
            let (key, scoped) = verifier(deviceFacts)
            let stage = stages[key] ?? scoped.formatStage(prepared, at: at)
            stages[key] = stage
            let report = scoped.applyPolicy(to: stage, context: VerificationContext(at: at, device: deviceFacts))
            return Result(report: report, deviceID: device, size: prepared.size)
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
        var lines = ["summary: \(total) result(s): \(verdicts["pass", default: 0]) pass, \(verdicts["warn", default: 0]) warn, \(verdicts["fail", default: 0]) fail; \(recorded) recorded, \(skipped) already recorded (skipped)"]
        if !failingCodes.isEmpty {
            lines.append(Table.render(
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
