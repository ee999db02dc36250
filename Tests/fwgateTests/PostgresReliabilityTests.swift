import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL inventory under many concurrent writers, killed writers, lost connections,
/// and sites pushing their SQLite inventories (issue 14), through the built binary against the
/// real server.
@Suite(.serialized, .enabled(if: PostgresTestServer.shouldRun, Comment(rawValue: PostgresTestServer.skipReason)))
struct PostgresReliabilityTests {
    static let mcuboot = ProjectPaths.testVectors.appendingPathComponent("mcuboot").path
    static let trust = PostgresCLITests.trust

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws -> BinaryRunner.Result {
        try PostgresCLITests.run(arguments, environment: environment, timeout: timeout)
    }

    /// `inventory export --format jsonl` as objects.
    static func export(_ db: String) throws -> [[String: Any]] {
        let result = try run(["inventory", "export", "--format", "jsonl", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a whole JSON entry: \(line)")
        }
    }

    /// A folder with `artifacts` non-firmware files, `devices` per artifact, their devices file
    /// imported into `db`, and a manifest pairing them.
    static func batchFixture(in dir: URL, db: String, artifacts: Int, devicesPerArtifact: Int, prefix: String = "") throws -> String {
        var devicesCSV = "id,make,model\n"
        var manifest = "file,device\n"
        for copy in 0..<artifacts {
            try Data("not firmware \(prefix)\(copy)\n".utf8).write(to: dir.appendingPathComponent("\(prefix)fw-\(copy).bin"))
        }
        for index in 0..<(artifacts * devicesPerArtifact) {
            devicesCSV += "\(prefix)dev-\(index),acme,x1\n"
            manifest += "\(prefix)fw-\(index / devicesPerArtifact).bin,\(prefix)dev-\(index)\n"
        }
        try devicesCSV.write(to: dir.appendingPathComponent("\(prefix)devices.csv"), atomically: true, encoding: .utf8)
        let manifestURL = dir.appendingPathComponent("\(prefix)manifest.csv")
        try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
        let imported = try run(["devices", "import", dir.appendingPathComponent("\(prefix)devices.csv").path, "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        return manifestURL.path
    }

    /// 4 batches and 8 `verify --record` loops, all at once, from 12 "sites" into one
    /// PostgreSQL inventory: every entry is there, each site's count is right, and the chain is
    /// one valid chain.
    @Test func concurrentBatchesAndVerifyLoopsLoseNoEntryAndKeepOneChain() async throws {
        let dir = try PostgresCLITests.scratch()
        let (url, name) = try PostgresCLITests.database()
        defer {
            try? FileManager.default.removeItem(at: dir)
            PostgresTestServer.dropDatabase(name)
        }
        #expect(try Self.run(["inventory", "init", "--db", url]).status == 0)
        var manifests: [String] = []
        for batch in 0..<4 {
            manifests.append(try Self.batchFixture(in: dir, db: url, artifacts: 10, devicesPerArtifact: 5, prefix: "b\(batch)-"))
        }
        let files = ["ecdsa-p256.bin", "ed25519.bin", "unsigned.bin"].map { "\(Self.mcuboot)/\($0)" }
        let rounds = 5
        let statuses = try await withThrowingTaskGroup(of: (String, BinaryRunner.Result).self) { group in
            for (index, manifest) in manifests.enumerated() {
                group.addTask {
                    ("batch-\(index)", try Self.run(["batch", manifest, "--db", url, "--quiet", "--jobs", "2", "--site", "batch-\(index)"] + Self.trust))
                }
            }
            for loop in 0..<8 {
                group.addTask {
                    var last = try Self.run(["verify", "--record", "--quiet", "--db", url, "--site", "loop-\(loop)"] + Self.trust + files)
                    for _ in 1..<rounds where last.status == 1 {  // unsigned.bin fails: 1 is the expected status
                        last = try Self.run(["verify", "--record", "--quiet", "--db", url, "--site", "loop-\(loop)"] + Self.trust + files)
                    }
                    return ("loop-\(loop)", last)
                }
            }
            var collected: [(String, BinaryRunner.Result)] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        for (who, result) in statuses {
            #expect(result.status == 1, "\(who): \(result.stderr)")  // every batch file and unsigned.bin fail
        }
        let entries = try Self.export(url)
        #expect(entries.count == 4 * 50 + 8 * rounds * files.count)
        var perSite: [String: Int] = [:]
        for entry in entries { perSite[(entry["site"] as? String) ?? "-", default: 0] += 1 }
        for batch in 0..<4 { #expect(perSite["batch-\(batch)"] == 50) }
        for loop in 0..<8 { #expect(perSite["loop-\(loop)"] == rounds * files.count) }
        #expect((entries.compactMap { $0["id"] as? Int }) == Array(1...entries.count))
        let audit = try Self.run(["inventory", "audit", "--db", url])
        #expect(audit.status == 0)
        #expect(audit.stdout.hasPrefix("audit: \(entries.count) entries, chain intact"), "\(audit.stdout)")
    }

    enum Interruption: String, CaseIterable, Sendable {
        /// The server ends the batch's connection (as a restart or a network failure would).
        case connectionLost
        /// The batch is killed with SIGKILL, mid-transaction or between two.
        case sigkill
    }

    /// A batch of 300 artifacts × 10 devices is interrupted while it records: what it committed
    /// stays (whole artifacts: one transaction each), the chain is intact, a lost connection is
    /// exit 2 saying what was not recorded, and `--resume` records exactly the missing pairs.
    @Test(arguments: Interruption.allCases)
    func anInterruptedBatchKeepsWholeEntriesAndResumeCompletesIt(_ interruption: Interruption) throws {
        let dir = try PostgresCLITests.scratch()
        let (url, name) = try PostgresCLITests.database()
        defer {
            try? FileManager.default.removeItem(at: dir)
            PostgresTestServer.dropDatabase(name)
        }
        let artifacts = 300
        let perArtifact = 10
        let manifest = try Self.batchFixture(in: dir, db: url, artifacts: artifacts, devicesPerArtifact: perArtifact)

        let process = Process()
        process.executableURL = try BinaryRunner.executable()
        process.arguments = ["batch", manifest, "--db", url, "--jobs", "1", "--quiet", "--site", "ward-1"] + Self.trust
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline {
            let count = try PostgresTestServer.psql(database: name, "SELECT count(*) FROM posture_entry")
            if let entries = Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), entries >= perArtifact { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "the batch finished before it could be interrupted: nothing was tested")
        switch interruption {
        case .connectionLost:
            let ended = try PostgresTestServer.psql(
                database: name, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            #expect(ended.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(ended.stdout) \(ended.stderr)")
        case .sigkill:
            kill(process.processIdentifier, SIGKILL)
        }
        // Bounded: a batch that hangs instead of exiting fails the test rather than the run.
        let exitDeadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < exitDeadline { usleep(50_000) }
        let hung = process.isRunning
        if hung { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(!hung, "the batch did not exit within 120 s of the interruption")
        try err.close()
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        switch interruption {
        case .connectionLost:
            #expect(process.terminationStatus == 2, "\(stderr)")
            #expect(stderr.contains("was lost"), "\(stderr)")
            #expect(stderr.contains("NOT recorded") && stderr.contains("not recorded: ") && stderr.contains("--resume"), "\(stderr)")
            #expect(!stderr.contains(try PostgresTestServer.parts().password))
        case .sigkill:
            #expect(process.terminationReason == .uncaughtSignal)
        }

        let afterwards = try Self.export(url)
        #expect(afterwards.count % perArtifact == 0, "\(afterwards.count) entries: an artifact was recorded in part")
        #expect(afterwards.count < artifacts * perArtifact)
        let before = Set((0..<afterwards.count).map { "fw-\($0 / perArtifact).bin dev-\($0)" })
        let recorded = Set(afterwards.map { "\(URL(fileURLWithPath: ($0["artifactPath"] as? String) ?? "").lastPathComponent) \(($0["deviceID"] as? String) ?? "-")" })
        #expect(recorded == before)
        if interruption == .connectionLost, let reported = Int(stderr.split(separator: " ").dropFirst().first ?? "") {
            #expect(reported == afterwards.count, "the batch said \(reported) pairs were recorded; \(afterwards.count) are")
        }
        #expect(try Self.run(["inventory", "audit", "--db", url]).status == 0, "the chain must be intact after the interruption")

        let resumed = try Self.run(["batch", manifest, "--db", url, "--resume", "--json", "--site", "ward-1"] + Self.trust)
        #expect(resumed.status == 1, "\(resumed.stderr)")  // not firmware: every pair fails
        #expect(resumed.stdout.split(separator: "\n").count == artifacts * perArtifact - afterwards.count, "resume must record only the missing pairs")
        let all = try Self.export(url)
        #expect(all.count == artifacts * perArtifact)
        #expect(Set(all.map { "\(URL(fileURLWithPath: ($0["artifactPath"] as? String) ?? "").lastPathComponent) \(($0["deviceID"] as? String) ?? "-")" }).count == all.count)
        #expect(try Self.run(["inventory", "audit", "--db", url]).status == 0)
    }

    /// A site records offline into SQLite and pushes to the central PostgreSQL inventory: the
    /// site's chain is audited first, entries are copied once however often it pushes, a push
    /// after more recording copies only the new ones, each copy keeps the site's entry id and
    /// hash, and both chains audit intact. A site whose chain was edited is refused.
    @Test func pushCopiesASitesEntriesOnceKeepingTheirSiteHash() throws {
        let dir = try PostgresCLITests.scratch()
        let (url, name) = try PostgresCLITests.database()
        defer {
            try? FileManager.default.removeItem(at: dir)
            PostgresTestServer.dropDatabase(name)
        }
        let site = dir.appendingPathComponent("clinic.sqlite").path
        try Data("id,make\npump-1,acme\n".utf8).write(to: dir.appendingPathComponent("devices.csv"))
        #expect(try Self.run(["devices", "import", dir.appendingPathComponent("devices.csv").path, "--db", site]).status == 0)
        func record(_ count: Int) throws {
            for _ in 0..<count {
                let result = try Self.run(["verify", "--record", "--quiet", "--device", "pump-1", "--site", "clinic-a", "--db", site, "\(Self.mcuboot)/ed25519.bin"] + Self.trust)
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        try record(3)
        // The central inventory has entries of its own already.
        #expect(try Self.run(["verify", "--record", "--quiet", "--site", "hq", "--db", url, "\(Self.mcuboot)/ed25519.bin"] + Self.trust).status == 0)

        let first = try Self.run(["inventory", "push", "--db", site, "--to", url, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstOutcome = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(firstOutcome["copied"] as? Int == 3)
        #expect(firstOutcome["devicesAdded"] as? Int == 1)
        let again = try Self.run(["inventory", "push", "--db", site, "--to", url])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 copied, 3 already in"), "\(again.stdout)")
        try record(2)
        let third = try Self.run(["inventory", "push", "--db", site, "--to", url, "--json"])
        let thirdOutcome = try #require(try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [String: Any])
        #expect(thirdOutcome["copied"] as? Int == 2 && thirdOutcome["alreadyThere"] as? Int == 3)

        let siteEntries = try Self.export(site)
        let central = try Self.export(url)
        #expect(central.count == 6)
        #expect(central.filter { $0["site"] as? String == "clinic-a" }.count == 5)
        // Each copy names the site entry it came from, by id and hash: the two sides agree.
        let origins = try PostgresTestServer.psql(database: name, "SELECT origin_entry_id || ' ' || origin_entry_hash FROM posture_entry WHERE origin_entry_hash IS NOT NULL ORDER BY id")
        let expected = siteEntries.map { "\($0["id"] as? Int ?? 0) \($0["entryHash"] as? String ?? "")" }
        #expect(origins.stdout.split(separator: "\n").map(String.init) == expected)
        #expect(try Self.run(["inventory", "audit", "--db", url]).status == 0)
        #expect(try Self.run(["inventory", "audit", "--db", site]).status == 0)

        // An edited site chain is refused, naming the entry; nothing is pushed.
        let sqlite3 = try #require(["/usr/bin/sqlite3", "/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let edit = try BinaryRunner.runProgram(
            URL(fileURLWithPath: sqlite3),
            [site, "DROP TRIGGER postureEntry_no_update; UPDATE postureEntry SET verdict = 'pass', artifactPath = 'other.bin' WHERE id = 4;"],
            environment: [:], unsetting: [])
        #expect(edit.status == 0, "\(edit.stderr)")
        try record(1)
        let refused = try Self.run(["inventory", "push", "--db", site, "--to", url])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("chain is broken at entry #4") && refused.stderr.contains("nothing was pushed"), "\(refused.stderr)")
        #expect(try Self.export(url).count == 6)
        #expect(try Self.run(["inventory", "push", "--db", url, "--to", url]).status == 2)
    }
}
