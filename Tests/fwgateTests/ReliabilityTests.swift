import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The inventory under concurrent writers and sudden death (issue 4 "Reliability").
@Suite(.serialized) struct ReliabilityTests {
    static let mcuboot = ProjectPaths.testVectors.appendingPathComponent("mcuboot").path
    static let trust = ["--trust", "\(mcuboot)/keys/test-ecdsa-p256.pub.pem", "--trust", "\(mcuboot)/keys/test-ed25519.pub.pem"]

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-rel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func count(_ db: String) throws -> Int {
        let result = try BinaryRunner.run(["inventory", "export", "--format", "jsonl", "--db", db])
        return result.stdout.split(separator: "\n").count
    }

    static func auditIntact(_ db: String) throws -> Bool {
        try BinaryRunner.run(["inventory", "audit", "--db", db]).status == 0
    }

    @Test func concurrentProcessesLoseNoEntryAndKeepTheChain() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        _ = try BinaryRunner.run(["inventory", "audit", "--db", db])  // create and migrate once
        let files = ["ecdsa-p256.bin", "ed25519.bin", "unsigned.bin", "ecdsa-p256-sig-flip.bin", "ecdsa-p256-seccnt7.bin"].map { "\(Self.mcuboot)/\($0)" }
        let processes = 4
        let rounds = 3
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<processes {
                group.addTask {
                    var status: Int32 = 0
                    for _ in 0..<rounds {
                        status = max(status, try BinaryRunner.run(["verify", "--record", "--quiet", "--db", db] + Self.trust + files).status)
                    }
                    return status
                }
            }
            for try await status in group { #expect(status == 1) }  // two of the files fail
        }
        #expect(try Self.count(db) == processes * rounds * files.count)
        #expect(try Self.auditIntact(db))
    }

    @Test func killedBatchLeavesWholeEntriesAndResumeRecordsOnlyTheMissingPairs() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        let devices = 400
        var devicesCSV = "id,make,model\n"
        var manifest = "file,device\n"
        // 40 distinct 8 MiB files, 10 devices each: a batch records one artifact per transaction,
        // so there are 40 commits for the kill to land between, and hashing each file takes long
        // enough (with --jobs 1) for the kill to land mid-batch. The files are not firmware: each
        // pair is a failed entry, which is just as good for testing crash safety.
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        var block = random.readData(ofLength: 8 << 20)
        try random.close()
        for copy in 0..<40 {
            block[0] = UInt8(copy)  // distinct files, distinct digests
            try block.write(to: dir.appendingPathComponent("fw-\(copy).bin"))
        }
        for index in 0..<devices {
            devicesCSV += "dev-\(index),acme,x1\n"
            manifest += "fw-\(index % 40).bin,dev-\(index)\n"
        }
        try devicesCSV.write(to: dir.appendingPathComponent("devices.csv"), atomically: true, encoding: .utf8)
        try manifest.write(to: dir.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("devices.csv").path, "--db", db]).status == 0)

        // Start the batch and kill it with SIGKILL while it records.
        let process = Process()
        process.executableURL = try BinaryRunner.executable()
        process.arguments = ["batch", dir.appendingPathComponent("manifest.csv").path, "--db", db, "--jobs", "1", "--quiet"] + Self.trust
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some entries exist (or the batch ends), then kill.
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline {
            if (try? Self.count(db)) ?? 0 > 20 { break }
            usleep(20_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()

        let afterKill = try Self.count(db)
        #expect(afterKill > 0 && afterKill < devices, "the kill must land mid-batch (recorded \(afterKill) of \(devices))")
        #expect(try Self.auditIntact(db), "the chain must be intact after SIGKILL")

        let resumed = try BinaryRunner.run(
            ["batch", dir.appendingPathComponent("manifest.csv").path, "--db", db, "--resume", "--json"] + Self.trust)
        #expect(resumed.status == 1)  // the files are not firmware: every pair fails
        let lines = resumed.stdout.split(separator: "\n")
        #expect(lines.count == devices - afterKill, "resume must record only the missing pairs")
        #expect(try Self.count(db) == devices)
        #expect(try Self.auditIntact(db))
        // Every (file, device) pair exactly once.
        let export = try BinaryRunner.run(["inventory", "export", "--format", "csv", "--db", db]).stdout
        let rows = export.split(separator: "\n").dropFirst()
        let devicesSeen = rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }
        #expect(Set(devicesSeen).count == devices)
    }
}
