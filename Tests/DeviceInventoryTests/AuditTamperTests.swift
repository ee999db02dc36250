@testable import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation
import GRDB
import Testing

/// Edits an attacker could make with the sqlite3 shell (triggers dropped first) to the fields
/// an auditor relies on — the artifact's SHA-256, the device, the signer, the policy digest, the
/// order of the chain — each caught by `verifyAuditChain()`, which names the entry concerned.
///
/// Exact entry hashes are not asserted: the hash form may change; which entry breaks may not.
@Suite struct AuditTamperTests {
    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    static func report(_ index: Int) -> VerificationReport {
        VerificationReport(
            file: "fw-\(index).bin", sha256: String(repeating: String(index), count: 64), format: "mcuboot", signed: true,
            version: "1.\(index).0", signer: Signer(name: "vendor-\(index)", keyFingerprint: String(repeating: "b", count: 64)),
            checks: [Check(.signatureInvalid, .passed, subject: "fw-\(index).bin", "signature verifies")])
    }

    /// Four entries for four devices, each with a policy digest; audited intact.
    static func makeInventory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-tamper-\(UUID().uuidString).sqlite").path
        let inventory = try Inventory.open(path: path)
        try inventory.upsert((1...4).map { DeviceRecord(id: "pump-\($0)", updatedAt: at) })
        for index in 1...4 {
            try inventory.record(
                report(index), deviceID: "pump-\(index)", size: 100, policyDigest: String(repeating: "c", count: 64), toolVersion: "t",
                at: at)
        }
        let audit = try inventory.verifyAuditChain()
        #expect(audit.intact && audit.entries == 4)
        return path
    }

    /// Runs `sql` as the sqlite3 shell would, after dropping the append-only triggers.
    static func tamper(_ path: String, _ sql: String) throws {
        let script = "DROP TRIGGER postureEntry_no_update; DROP TRIGGER postureEntry_no_delete; \(sql)"
        if let sqlite3 = ["/usr/bin/sqlite3", "/bin/sqlite3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sqlite3)
            process.arguments = [path, script]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        } else {
            try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: script) }
        }
    }

    struct Edit: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        let brokenAt: Int64
        let word: String
        var testDescription: String { name }
    }

    static let edits: [Edit] = [
        Edit(
            name: "artifact SHA-256 replaced",
            sql: "UPDATE postureEntry SET artifactSHA256 = '\(String(repeating: "e", count: 64))' WHERE id = 2;", brokenAt: 2,
            word: "altered"),
        Edit(name: "entry moved to another device", sql: "UPDATE postureEntry SET deviceID = 'pump-4' WHERE id = 3;", brokenAt: 3, word: "altered"),
        Edit(name: "entry detached from its device", sql: "UPDATE postureEntry SET deviceID = NULL WHERE id = 1;", brokenAt: 1, word: "altered"),
        Edit(name: "signer renamed", sql: "UPDATE postureEntry SET signerName = 'trusted-vendor' WHERE id = 4;", brokenAt: 4, word: "altered"),
        Edit(
            name: "signer fingerprint replaced",
            sql: "UPDATE postureEntry SET signerFingerprint = '\(String(repeating: "d", count: 64))' WHERE id = 2;", brokenAt: 2,
            word: "altered"),
        Edit(
            name: "policy digest replaced",
            sql: "UPDATE postureEntry SET policyDigest = '\(String(repeating: "0", count: 64))' WHERE id = 3;", brokenAt: 3,
            word: "altered"),
        Edit(name: "policy digest removed", sql: "UPDATE postureEntry SET policyDigest = NULL WHERE id = 1;", brokenAt: 1, word: "altered"),
        // Entries 2 and 3 swap places (ids exchanged): entry 2 no longer links to entry 1.
        Edit(
            name: "chain reordered",
            sql: "UPDATE postureEntry SET id = 100 WHERE id = 2; UPDATE postureEntry SET id = 2 WHERE id = 3; UPDATE postureEntry SET id = 3 WHERE id = 100;",
            brokenAt: 2, word: "reordered"),
        // The last entry moved to the front, renumbered 0.
        Edit(name: "head moved first", sql: "UPDATE postureEntry SET id = 0 WHERE id = 4;", brokenAt: 0, word: "reordered"),
    ]

    @Test(arguments: edits)
    func shellEditIsCaughtAndTheEntryNamed(_ edit: Edit) throws {
        let path = try Self.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.tamper(path, edit.sql)
        let audit = try Inventory.open(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == edit.brokenAt)
        #expect(audit.problem?.contains("entry \(edit.brokenAt) ") == true, "\(audit.problem ?? "")")
        #expect(audit.problem?.contains(edit.word) == true, "\(audit.problem ?? "")")
    }

    /// The control: dropping the triggers and rewriting a field with its own value changes
    /// nothing, so the audit must still pass (the edits above fail for what they change).
    @Test func rewritingAFieldWithItsOwnValueStaysIntact() throws {
        let path = try Self.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.tamper(path, "UPDATE postureEntry SET artifactSHA256 = artifactSHA256, deviceID = deviceID, policyDigest = policyDigest;")
        let audit = try Inventory.open(path: path).verifyAuditChain()
        #expect(audit.intact)
        #expect(audit.entries == 4)
    }
}

/// Edits at the end of the chain, and renumbering, that hash links alone cannot see (issue 9
/// item 5): each entry's id is in its hashed form (hash version 2), ids are checked against the
/// table's AUTOINCREMENT sequence, and an auditor's kept head / count catch a chain cut short.
@Suite struct AuditEndOfChainTests {
    typealias T = AuditTamperTests

    @Test func deletingTheNewestEntryIsCaught() throws {
        let path = try T.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try T.tamper(path, "DELETE FROM postureEntry WHERE id = 4;")
        let audit = try Inventory.openReadOnly(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == 4)
        #expect(audit.problem?.contains("the newest entry 4 was deleted") == true, "\(audit.problem ?? "")")
    }

    @Test func deletingTheNewestEntriesAndTheSequenceIsCaughtByTheKeptHead() throws {
        let path = try T.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let head = try Inventory.openReadOnly(path: path).head()
        #expect(head.entries == 4)
        #expect(try Inventory.openReadOnly(path: path).verifyAuditChain(expecting: .init(headHash: head.headHash, count: 4)).intact)
        try T.tamper(path, "DELETE FROM postureEntry WHERE id >= 3; UPDATE sqlite_sequence SET seq = 2 WHERE name = 'postureEntry';")
        let inventory = try Inventory.openReadOnly(path: path)
        #expect(try inventory.verifyAuditChain().intact)  // nothing inside the table shows it...
        let byHead = try inventory.verifyAuditChain(expecting: .init(headHash: head.headHash))
        #expect(!byHead.intact)
        #expect(byHead.problem?.contains("cut short or rewritten") == true)
        let byCount = try inventory.verifyAuditChain(expecting: .init(count: 4))
        #expect(!byCount.intact)
        #expect(byCount.problem?.contains("fewer than the 4 expected") == true)
    }

    @Test func renumberingAnEntryIsCaught() throws {
        let path = try T.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The newest entry renumbered upwards: links still hold; its hash (with the id) does not.
        try T.tamper(path, "UPDATE postureEntry SET id = 7 WHERE id = 4;")
        let audit = try Inventory.openReadOnly(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == 7)
        #expect(audit.problem?.contains("renumbered") == true, "\(audit.problem ?? "")")
    }

    @Test func deletingAMiddleEntryIsCaught() throws {
        let path = try T.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try T.tamper(path, "DELETE FROM postureEntry WHERE id = 2;")
        let audit = try Inventory.openReadOnly(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == 3)
        #expect(audit.problem?.contains("deleted") == true)
    }

    @Test func downgradingAnEntryToHashVersionOneIsCaught() throws {
        let path = try T.makeInventory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try T.tamper(path, "UPDATE postureEntry SET hashVersion = 1 WHERE id = 3;")
        let audit = try Inventory.openReadOnly(path: path).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == 3)
    }

    /// Entries written before the hash-version migration (version 1: no id in the hash) keep
    /// verifying, and new entries after them are version 2.
    /// An entry an older fwgate recorded 0.4 ms before a whole second: hashed as that second,
    /// stored rounded up to the next (`…:01.000`). The audit accepts it (the hash still has to
    /// match, with the second before); stored a further second later, it is an edit and fails.
    @Test(arguments: [(1.0, true), (2.0, false)])
    func entryStoredRoundedUpToAWholeSecondStillVerifies(storedOffset: Double, intact: Bool) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-ms-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Inventory.open(path: path)
        let hashedAt = T.at.addingTimeInterval(0.9996)
        var entry = PostureEntry(
            id: 1, deviceID: nil, artifactPath: "old.bin", artifactSHA256: nil, artifactSize: 1, format: "mcuboot",
            version: nil, securityCounter: nil, signerName: nil, signerFingerprint: nil, signerSubject: nil, chainStatus: nil,
            earliestExpiry: nil, verdict: .pass, checks: "[]", policyDigest: nil, toolVersion: "old", recordedAt: hashedAt,
            previousHash: PostureEntry.genesisHash, entryHash: "", hashVersion: 1)
        entry.entryHash = try entry.computedHash()
        let stored = Self.sqliteDate(T.at.addingTimeInterval(storedOffset))
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: "INSERT INTO postureEntry (id, artifactPath, artifactSize, format, verdict, checks, toolVersion, recordedAt, previousHash, entryHash, hashVersion) VALUES (1, 'old.bin', 1, 'mcuboot', 'pass', '[]', 'old', '\(stored)', '\(entry.previousHash)', '\(entry.entryHash)', 1);")
        }
        #expect(try Inventory.open(path: path).verifyAuditChain().intact == intact)
    }

    @Test func versionOneEntriesKeepVerifyingAndNewOnesAreVersionTwo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-v1-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Inventory.open(path: path)
        var previous = PostureEntry.genesisHash
        var rows: [String] = []
        for id in 1...2 {
            var entry = PostureEntry(
                id: Int64(id), deviceID: nil, artifactPath: "old-\(id).bin", artifactSHA256: nil, artifactSize: 1, format: "mcuboot",
                version: nil, securityCounter: nil, signerName: nil, signerFingerprint: nil, signerSubject: nil, chainStatus: nil,
                earliestExpiry: nil, verdict: .pass, checks: "[]", policyDigest: nil, toolVersion: "old", recordedAt: T.at,
                previousHash: previous, entryHash: "", hashVersion: 1)
            entry.entryHash = try entry.computedHash()
            previous = entry.entryHash
            rows.append(
                "INSERT INTO postureEntry (id, artifactPath, artifactSize, format, verdict, checks, toolVersion, recordedAt, previousHash, entryHash, hashVersion) VALUES (\(id), 'old-\(id).bin', 1, 'mcuboot', 'pass', '[]', 'old', '\(Self.sqliteDate(T.at))', '\(entry.previousHash)', '\(entry.entryHash)', 1);"
            )
        }
        try DatabaseQueue(path: path).write { db in for row in rows { try db.execute(sql: row) } }
        let inventory = try Inventory.open(path: path)
        #expect(try inventory.verifyAuditChain().intact)
        let new = try inventory.record(T.report(3), deviceID: nil, size: 1, policyDigest: nil, toolVersion: "t", at: T.at)
        #expect(new.id == 3)
        #expect(new.hashVersion == 2)
        let audit = try inventory.verifyAuditChain()
        #expect(audit.intact, "\(audit.problem ?? "")")
        #expect(audit.entries == 3)
    }

    static func sqliteDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter.string(from: date)
    }
}
