import Foundation
import FwgateTestSupport
import Testing

/// Auditors read an inventory they may not change (issue 9 item 6), and an audit catches edits
/// at the end of the chain when given the head kept from `inventory head` (item 5).
@Suite(.serialized) struct InventoryAuditorCLITests {
    static let mcuboot = ProjectPaths.testVectors.appendingPathComponent("mcuboot").path

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An inventory with one device and `entries` posture entries.
    static func makeInventory(in dir: URL, entries: Int = 2) throws -> String {
        let db = dir.appendingPathComponent("inv.sqlite").path
        let devices = dir.appendingPathComponent("devices.csv")
        try Data("id,ip\npump-1,10.0.0.1\n".utf8).write(to: devices)
        #expect(try BinaryRunner.run(["devices", "import", devices.path, "--db", db]).status == 0)
        for _ in 0..<entries {
            let verify = try BinaryRunner.run(
                ["verify", "--record", "--quiet", "--db", db, "--device", "pump-1", "--trust", "\(mcuboot)/keys/test-ed25519.pub.pem",
                 "\(mcuboot)/ed25519.bin"])
            #expect(verify.status == 0, "\(verify.stderr)")
        }
        try FileManager.default.removeItem(at: devices)
        return db
    }

    static let readCommands: [[String]] = [
        ["inventory", "list"], ["inventory", "show", "1"], ["inventory", "show", "pump-1"], ["inventory", "history", "pump-1"],
        ["inventory", "export", "--format", "csv"], ["inventory", "export", "--format", "json"], ["inventory", "audit"],
        ["inventory", "head"], ["devices", "list"], ["devices", "show", "pump-1"],
    ]

    /// Main failed every one of these with "attempt to write a readonly database" (a PRAGMA at
    /// open). As root the file modes do not bind, so the commands run as `nobody` (setpriv).
    @Test(arguments: readCommands)
    func readCommandsWorkOnAReadOnlyFileInAReadOnlyFolder(command: [String]) throws {
        let dir = try Self.scratch()
        let db = try Self.makeInventory(in: dir)
        defer {
            chmod(dir.path, 0o755)
            try? FileManager.default.removeItem(at: dir)
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(chmod(db, 0o444) == 0)
        #expect(chmod(dir.path, 0o555) == 0)
        let result = try BinaryRunner.runUnprivileged(command + ["--db", db])
        #expect(result.status == 0, "\(command): \(result.stderr)")
        #expect(!result.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["inv.sqlite"], "a read command created files")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "a read command changed the file")
    }

    @Test func aWriteCommandOnAReadOnlyInventorySaysSoInFwgatesWords() throws {
        let dir = try Self.scratch()
        let db = try Self.makeInventory(in: dir, entries: 1)
        defer {
            chmod(dir.path, 0o755)
            try? FileManager.default.removeItem(at: dir)
        }
        chmod(db, 0o444)
        chmod(dir.path, 0o555)
        let result = try BinaryRunner.runUnprivileged(["verify", "--record", "--quiet", "--db", db, "\(Self.mcuboot)/ed25519.bin"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(db))
        #expect(!result.stderr.contains("SQLite error"))
    }

    /// `--db` naming garbage, a folder, an empty file or nothing: exit 2 naming the file.
    @Test(arguments: [["inventory", "audit"], ["inventory", "list"], ["devices", "list"], ["inventory", "head"]])
    func badDatabasePathsGiveAClearError(command: [String]) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.sqlite")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: garbage)
        let empty = dir.appendingPathComponent("empty.sqlite")
        try Data().write(to: empty)
        let cases: [(String, String)] = [
            (garbage.path, "not an fwgate inventory (not an SQLite database)"),
            (dir.path, "is a folder, not a regular file"),
            (empty.path, "not an fwgate inventory (the file is empty)"),
            (dir.appendingPathComponent("missing.sqlite").path, "no inventory here"),
        ]
        for (path, message) in cases {
            let result = try BinaryRunner.run(command + ["--db", path], timeout: 30)
            #expect(result.status == 2, "\(path)")
            #expect(result.stderr.contains("\(path): \(message)") || result.stderr.contains("\(path): cannot open the inventory: \(message)"), "\(result.stderr)")
            #expect(!result.stderr.contains("SQLite error"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing.sqlite").path), "a read command created the inventory")
    }

    static func tamper(_ db: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [db, "DROP TRIGGER IF EXISTS postureEntry_no_update; DROP TRIGGER IF EXISTS postureEntry_no_delete; \(sql)"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func auditWithTheKeptHeadCatchesTheNewestEntriesDeleted() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.makeInventory(in: dir, entries: 3)
        let head = try BinaryRunner.run(["inventory", "head", "--json", "--db", db])
        #expect(head.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(head.stdout.utf8)) as? [String: Any])
        let hash = try #require(object["headHash"] as? String)
        #expect(object["entries"] as? Int == 3)
        let text = try BinaryRunner.run(["inventory", "head", "--db", db])
        #expect(text.stdout == "entries 3\nhead \(hash)\n")
        #expect(try BinaryRunner.run(["inventory", "audit", "--expect-head", hash, "--expect-count", "3", "--db", db]).status == 0)

        // The newest entry deleted: the table's sequence still says 3.
        try Self.tamper(db, "DELETE FROM postureEntry WHERE id = 3;")
        let plain = try BinaryRunner.run(["inventory", "audit", "--db", db])
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("the newest entry 3 was deleted"), "\(plain.stdout)")

        // The sequence rewritten too: only the kept head or count can tell.
        try Self.tamper(db, "UPDATE sqlite_sequence SET seq = 2 WHERE name = 'postureEntry';")
        #expect(try BinaryRunner.run(["inventory", "audit", "--db", db]).status == 0)
        let byHead = try BinaryRunner.run(["inventory", "audit", "--expect-head", hash, "--db", db])
        #expect(byHead.status == 1)
        #expect(byHead.stdout.contains("cut short or rewritten"))
        let byCount = try BinaryRunner.run(["inventory", "audit", "--expect-count", "3", "--db", db])
        #expect(byCount.status == 1)
        #expect(byCount.stdout.contains("fewer than the 3 expected"))
        #expect(try BinaryRunner.run(["inventory", "audit", "--expect-head", "xyz", "--db", db]).status == 2)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func auditCatchesARenumberedEntry() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.makeInventory(in: dir, entries: 2)
        try Self.tamper(db, "UPDATE postureEntry SET id = 5 WHERE id = 2;")
        let audit = try BinaryRunner.run(["inventory", "audit", "--db", db])
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("BROKEN at entry #5"), "\(audit.stdout)")
    }
}
