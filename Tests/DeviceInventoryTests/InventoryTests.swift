import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import GRDB
import Testing

@Suite struct InventoryTests {
    static func report(_ file: String, verdict: Check.Status = .passed) -> VerificationReport {
        VerificationReport(
            file: file, sha256: String(repeating: "a", count: 64), format: "mcuboot", signed: true, version: "1.2.3+4",
            signer: Signer(name: "vendor", keyFingerprint: String(repeating: "b", count: 64)),
            checks: [Check(.signatureInvalid, verdict, subject: file, "signature check")])
    }

    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-\(UUID().uuidString).sqlite").path
    }

    /// Times just before a whole second: SQLite stores milliseconds (rounded), the hashed form
    /// whole seconds. An entry recorded at 0.9996 s past a second was hashed as that second and
    /// read back as the next, and failed the audit (seen 1 in ~300 entries under load). Entries
    /// are now stored at whole seconds, so what is stored is what is hashed.
    @Test(arguments: [0.9996, 0.99999, 0.5, 0.0004, 0.0])
    func timesNearASecondBoundaryAuditIntact(fraction: Double) throws {
        let path = Self.temporaryDatabase()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let at = Date(timeIntervalSince1970: 1_780_000_000 + fraction)
        do {
            let inventory = try Inventory.open(path: path)
            let entry = try inventory.record(Self.report("a.bin"), deviceID: nil, size: 10, policyDigest: nil, toolVersion: "t", at: at)
            #expect(entry.recordedAt == Date(timeIntervalSince1970: 1_780_000_000))
        }
        let reopened = try Inventory.openReadOnly(path: path)
        #expect(try reopened.verifyAuditChain().intact, "fraction \(fraction)")
        #expect(try reopened.entries().first?.recordedAt == Date(timeIntervalSince1970: 1_780_000_000))
    }

    /// The record's one field list is the table: same columns as the migrated schema, so an
    /// added column cannot be left out of the insert (or the insert name a missing one).
    @Test func storedColumnsAreTheTablesColumns() throws {
        let path = Self.temporaryDatabase()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        _ = try Inventory.open(path: path)
        let columns = try DatabaseQueue(path: path).read { db in try db.columns(in: "postureEntry").map(\.name) }
        #expect(Set(columns) == Set(PostureEntry.storedColumnNames))
        #expect(PostureEntry.storedColumnNames.count == columns.count)
    }

    @Test func recordsChainAndAuditIntact() throws {
        let inventory = try Inventory.inMemory()
        var device = DeviceRecord(id: "pump-1", updatedAt: Self.at)
        device.make = "acme"
        device.installedVersion = "1.0.0"
        try inventory.upsert([device])
        let first = try inventory.record(Self.report("a.bin"), deviceID: "pump-1", size: 10, policyDigest: nil, toolVersion: "t", at: Self.at)
        let second = try inventory.record(Self.report("b.bin", verdict: .failed), deviceID: nil, size: 20, policyDigest: "p", toolVersion: "t", at: Self.at)
        #expect(first.previousHash == PostureEntry.genesisHash)
        #expect(second.previousHash == first.entryHash)
        #expect(second.verdict == .fail)
        let audit = try inventory.verifyAuditChain()
        #expect(audit.intact)
        #expect(audit.entries == 2)
        #expect(audit.headHash == second.entryHash)
        #expect(try inventory.entries(.init(verdict: .fail)).map(\.artifactPath) == ["b.bin"])
        #expect(try inventory.entries(.init(deviceID: "pump-1")).count == 1)
        #expect(try inventory.facts(for: "pump-1")?.installedVersion == "1.0.0")
    }

    @Test func canonicalFormIsSortedJSONThatKeepsEveryCharacter() throws {
        let inventory = try Inventory.inMemory()
        let tricky = "fw \"quoted\" \\ back\nline\u{01}\u{1F} é ✓.bin"
        let entry = try inventory.record(Self.report(tricky), deviceID: nil, size: 7, policyDigest: nil, toolVersion: "t", at: Self.at)
        let data = try entry.canonicalForm()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["artifactPath"] as? String == tricky)
        #expect(object["artifactSize"] as? Int == 7)
        #expect(object["deviceID"] is NSNull)
        #expect(object["recordedAt"] as? Int == Int(Self.at.timeIntervalSince1970))
        #expect(object.count == 20)  // 18 fields, plus id and hashVersion (hash version 2)
        #expect(object["id"] as? Int == 1)
        #expect(object["hashVersion"] as? Int == 2)
        let keys = String(decoding: data, as: UTF8.self).split(separator: ",").compactMap { $0.split(separator: ":").first }
        #expect(keys.first == "{\"artifactPath\"")
        #expect(try entry.computedHash() == entry.entryHash)
        #expect(try inventory.verifyAuditChain().intact)
    }

    @Test func checksJSONRoundTripsThroughJSONDecoder() throws {
        let checks = [
            Check(.signatureInvalid, .passed, subject: "a\"b", "ok \\ fine\n", detail: ["depth": "1", "openssl": "X509_V_ERR_\u{7}"]),
            Check(.keyUntrusted, .failed, subject: "s", "no key"),
        ]
        let text = PostureEntry.checksJSON(checks)
        #expect(try JSONDecoder().decode([Check].self, from: Data(text.utf8)) == checks)
        #expect(PostureEntry.checksJSON([]) == "[]")
    }

    @Test func unknownDeviceIsRefused() throws {
        let inventory = try Inventory.inMemory()
        #expect(throws: FwgateError.self) {
            try inventory.record(Self.report("a.bin"), deviceID: "ghost", size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
        }
        #expect(try inventory.entries().isEmpty)
    }

    @Test func sqliteRefusesUpdateAndDelete() throws {
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let inventory = try Inventory.open(path: path)
        try inventory.record(Self.report("a.bin"), deviceID: nil, size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE postureEntry SET verdict = 'pass'") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM postureEntry") } }
        #expect(try inventory.entries().count == 1)
    }

    /// Rows edited with the sqlite3 shell (triggers dropped first, as an attacker would) are
    /// caught by the audit, which names the first entry concerned.
    @Test(arguments: [
        ("UPDATE postureEntry SET verdict = 'pass' WHERE id = 2", 2, "altered"),
        ("UPDATE postureEntry SET checks = '[]' WHERE id = 3", 3, "altered"),
        ("DELETE FROM postureEntry WHERE id = 2", 3, "deleted"),
        ("UPDATE postureEntry SET recordedAt = '2020-01-01 00:00:00.000' WHERE id = 1", 1, "altered"),
    ])
    func shellEditsAreCaughtByTheAudit(sql: String, brokenAt: Int64, word: String) throws {
        let sqlite3 = ["/usr/bin/sqlite3", "/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let inventory = try Inventory.open(path: path)
            for (index, verdict) in [Check.Status.passed, .failed, .failed, .passed].enumerated() {
                try inventory.record(Self.report("f\(index).bin", verdict: verdict), deviceID: nil, size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
            }
            #expect(try inventory.verifyAuditChain().intact)
        }
        let script = "DROP TRIGGER postureEntry_no_update; DROP TRIGGER postureEntry_no_delete; \(sql);"
        if let sqlite3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sqlite3)
            process.arguments = [path, script]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        } else {
            // No sqlite3 shell on this machine (CI installs one): the same edit through SQLite.
            try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: script) }
        }
        let audit = try Inventory.open(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == brokenAt)
        #expect(audit.problem?.contains(word) == true, "\(audit.problem ?? "")")
    }

    @Test func csvImportKeepsGoodRowsAndExplainsBadOnes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("devices-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let csv = #"""
            id,make,model,installedVersion,installedSecurityCounter,storesEPHI,tlsPort,location
            pump-1,acme,"pump, x1",1.0.0,3,yes,443,"ICU ""north"""
            pump-2,acme,pump-x1,,-1,no,,
            pump-3,acme,pump-x1,,,no,70000,
            ,acme,pump-x1,,,,,
            pump-1,acme,dup,,,,,
            pump-4,acme
            """#
        try csv.write(to: url, atomically: true, encoding: .utf8)
        let result = try DeviceImport.read(path: url.path, now: Self.at)
        #expect(result.devices.map(\.id) == ["pump-1"])
        #expect(result.devices[0].model == "pump, x1")
        #expect(result.devices[0].location == "ICU \"north\"")
        #expect(result.devices[0].storesEPHI == true)
        #expect(result.devices[0].tlsPort == 443)
        #expect(result.rejected.map(\.row) == [3, 4, 5, 6, 7])
        #expect(result.rejected[0].reason.contains("installedSecurityCounter"))
        #expect(result.rejected[1].reason.contains("tlsPort"))
        #expect(result.rejected[3].reason.contains("twice"))
    }

    @Test func csvParserHandlesQuotesAndRefusesBrokenOnes() throws {
        #expect(try CSV.parse("a,b\r\n\"x,y\",\"z\"\"q\"\n") == [["a", "b"], ["x,y", "z\"q"]])
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,\"b\n") }
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,b\"c\n") }
    }

    @Test func databasePathPrecedence() {
        #expect(Inventory.defaultPath(option: "x.sqlite", environment: ["FWGATE_DB": "y"]) == "x.sqlite")
        #expect(Inventory.defaultPath(option: nil, environment: ["FWGATE_DB": "y.sqlite"]) == "y.sqlite")
        #expect(Inventory.defaultPath(option: nil, environment: [:]) == "fwgate.sqlite")
    }

    @Test func anInventoryFromANewerFwgateIsRefused() throws {
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Inventory.open(path: path)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        #expect(throws: FwgateError.self) { try Inventory.open(path: path) }
    }
}
