@testable import DeviceInventory
@testable import PostgresBackend
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// An inventory on one backend, fresh and empty, removed at the end.
struct BackendUnderTest: Sendable, CustomTestStringConvertible {
    enum Kind: String, Sendable, CaseIterable { case sqlite, postgresql }
    let kind: Kind
    var testDescription: String { kind.rawValue }

    /// SQLite always; PostgreSQL when the test cluster is there or CI requires it (then a
    /// missing cluster fails these tests). Without it, ``BackendInventoryTests/postgresqlIsTested()``
    /// is skipped with the reason, so the gap shows.
    static let available = Kind.allCases.filter { $0 == .sqlite || PostgresTestServer.shouldRun }.map(BackendUnderTest.init)

    /// Opens a new inventory; `cleanup` removes it.
    func make() throws -> (store: any InventoryStore, location: String, cleanup: @Sendable () -> Void) {
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-backend-\(UUID().uuidString).sqlite").path
            return (
                try Inventory.open(path: path), path,
                { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            )
        case .postgresql:
            let url = try PostgresTestServer.newDatabaseURL()
            let name = PostgresTestServer.databaseName(in: url)
            return (try PostgresInventory.open(url: url), url, { PostgresTestServer.dropDatabase(name) })
        }
    }

    /// Reopens the inventory read-only.
    func reopenReadOnly(_ location: String) throws -> any InventoryStore {
        switch kind {
        case .sqlite: return try Inventory.openReadOnly(path: location)
        case .postgresql: return try PostgresInventory.open(url: location, access: .readOnly)
        }
    }
}

/// The inventory's behaviour, the same on SQLite and PostgreSQL: one suite over both backends.
@Suite struct BackendInventoryTests {
    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    static func report(_ file: String, verdict: Check.Status = .passed, expiry: Date? = nil) -> VerificationReport {
        var report = VerificationReport(
            file: file, sha256: String(repeating: "a", count: 64), format: "mcuboot", signed: true, version: "1.2.3+4",
            signer: Signer(name: "vendor", keyFingerprint: String(repeating: "b", count: 64)),
            checks: [Check(.signatureInvalid, verdict, subject: file, "signature check \"quoted\" \\ é\n")])
        report.earliestExpiry = expiry
        return report
    }

    static func device(_ id: String, make: String = "acme", installed: String = "1.0.0") -> DeviceRecord {
        var device = DeviceRecord(id: id, updatedAt: at)
        device.make = make
        device.model = "p1"
        device.installedVersion = installed
        device.installedSecurityCounter = 3
        device.tlsPort = 8443
        device.ip = "192.0.2.10"
        device.storesEPHI = true
        return device
    }

    /// Skipped, with the reason, when the PostgreSQL cases of this suite do not run.
    @Test(.enabled(if: PostgresTestServer.shouldRun, Comment(rawValue: PostgresTestServer.skipReason)))
    func postgresqlIsTested() throws {
        #expect(BackendUnderTest.available.map(\.kind) == [.sqlite, .postgresql])
        let url = try PostgresTestServer.newDatabaseURL()
        defer { PostgresTestServer.dropDatabase(PostgresTestServer.databaseName(in: url)) }
        #expect(try PostgresInventory.open(url: url).entryCount() == 0)
    }

    @Test(arguments: BackendUnderTest.available)
    func recordListHistoryAuditAndHead(_ backend: BackendUnderTest) throws {
        let (inventory, location, cleanup) = try backend.make()
        defer { cleanup() }
        try inventory.upsert([Self.device("pump-1"), Self.device("pump-2", installed: "2.0.0")])
        #expect(try inventory.devices().map(\.id) == ["pump-1", "pump-2"])
        #expect(try inventory.device("pump-2")?.installedVersion == "2.0.0")
        #expect(try inventory.device("pump-2") == Self.device("pump-2", installed: "2.0.0"))
        #expect(try inventory.facts(for: "pump-1")?.installedSecurityCounter == 3)
        #expect(try inventory.device("ghost") == nil)

        let first = try inventory.record(Self.report("a.bin"), deviceID: "pump-1", size: 10, policyDigest: nil, toolVersion: "t", at: Self.at)
        let batch = try inventory.record(
            all: [
                .init(report: Self.report("b.bin", verdict: .failed), deviceID: "pump-1", size: 20),
                .init(report: Self.report("b.bin", verdict: .failed), deviceID: "pump-2", size: 20),
                .init(report: Self.report("c.bin", expiry: Self.at.addingTimeInterval(86_400)), deviceID: nil, size: 30),
            ], policyDigest: "p", toolVersion: "t", at: Self.at.addingTimeInterval(60), site: "ward-b")
        #expect(first.id == 1 && first.previousHash == PostureEntry.genesisHash && first.hashVersion == 2 && first.site == nil)
        #expect(batch.map(\.id) == [2, 3, 4])
        #expect(batch[0].previousHash == first.entryHash)
        #expect(batch.allSatisfy { $0.site == "ward-b" && $0.hashVersion == 3 })

        // What was stored is what was returned, field for field.
        let stored = try inventory.entries()
        #expect(stored == [first] + batch)
        #expect(try inventory.entry(3) == batch[1])
        #expect(try inventory.entry(99) == nil)
        #expect(try inventory.entries(.init(verdict: .fail)).map(\.id) == [2, 3])
        #expect(try inventory.entries(.init(deviceID: "pump-1")).map(\.artifactPath) == ["a.bin", "b.bin"])
        #expect(try inventory.entries(.init(format: "mcuboot", since: Self.at.addingTimeInterval(30))).count == 3)
        #expect(try inventory.entries(.init(limit: 2)).map(\.id) == [1, 2])
        #expect(try inventory.entryCount() == 4)
        #expect(
            try inventory.recordedPairs()
                == Set([("a.bin", "pump-1"), ("b.bin", "pump-1"), ("b.bin", "pump-2"), ("c.bin", nil)].map {
                    Inventory.pairKey(artifactPath: $0.0, deviceID: $0.1)
                }))

        let audit = try inventory.verifyAuditChain()
        #expect(audit.intact && audit.entries == 4 && audit.headHash == batch[2].entryHash)
        let head = try inventory.head()
        #expect(head == Inventory.ChainHead(entries: 4, headHash: batch[2].entryHash, headEntryID: 4))
        #expect(try inventory.verifyAuditChain(expecting: .init(headHash: batch[0].entryHash, count: 2)).intact)
        #expect(try !inventory.verifyAuditChain(expecting: .init(count: 5)).intact)

        // The read-only view sees the same, and refuses to write.
        let reader = try backend.reopenReadOnly(location)
        #expect(try reader.entries() == stored)
        #expect(throws: FwgateError.self) {
            try reader.record(Self.report("d.bin"), deviceID: nil, size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
        }
    }

    @Test(arguments: BackendUnderTest.available)
    func unknownDeviceIsRefusedAndNothingRecorded(_ backend: BackendUnderTest) throws {
        let (inventory, _, cleanup) = try backend.make()
        defer { cleanup() }
        try inventory.upsert([Self.device("pump-1")])
        let error = #expect(throws: FwgateError.self) {
            try inventory.record(
                all: [.init(report: Self.report("a.bin"), deviceID: "pump-1", size: 1), .init(report: Self.report("a.bin"), deviceID: "ghost", size: 1)],
                policyDigest: nil, toolVersion: "t", at: Self.at)
        }
        #expect(error?.reason.contains("ghost") == true)
        #expect(try inventory.entries().isEmpty)
        #expect(try inventory.verifyAuditChain().intact)
    }

    @Test(arguments: BackendUnderTest.available)
    func sweepsAndFleetPosture(_ backend: BackendUnderTest) throws {
        let (inventory, _, cleanup) = try backend.make()
        defer { cleanup() }
        try inventory.upsert([Self.device("pump-1"), Self.device("pump-2")])
        let notAfter = Self.at.addingTimeInterval(10 * 86_400)
        let sweep = SweepResult(
            at: Self.at,
            certificates: [
                SweptCertificate(
                    subject: "CN=signer", issuer: "CN=root", serial: "01", sha256: String(repeating: "d", count: 64), notBefore: Self.at.addingTimeInterval(-86_400),
                    notAfter: notAfter, daysLeft: 10, bucket: .warning,
                    locations: [SweepLocation(path: "fw.bin", device: "pump-1", kind: "artifact"), SweepLocation(endpoint: "192.0.2.10:8443", device: "ghost", kind: "tls")])
            ], unreadable: [])
        #expect(try inventory.record(sweep: sweep) == (1, 2))
        #expect(try inventory.record(sweep: sweep) == (1, 2))  // the same locations again: updated, not duplicated
        let certificates = try inventory.certificates(forDevice: "pump-1")
        #expect(certificates.count == 1)
        #expect(certificates.first?.certificate.notAfter == notAfter)
        #expect(certificates.first?.location.path == "fw.bin")

        try inventory.record(Self.report("old.bin", verdict: .failed), deviceID: "pump-1", size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
        try inventory.record(Self.report("old.bin"), deviceID: "pump-1", size: 1, policyDigest: nil, toolVersion: "t", at: Self.at.addingTimeInterval(3600))
        try inventory.record(Self.report("x.bin", verdict: .failed), deviceID: "pump-2", size: 1, policyDigest: nil, toolVersion: "t", at: Self.at)
        try inventory.record(Self.report("later.bin", verdict: .failed), deviceID: "pump-2", size: 1, policyDigest: nil, toolVersion: "t", at: Self.at.addingTimeInterval(86_400 * 400))
        let posture = try inventory.fleetPosture(at: Self.at.addingTimeInterval(7200), staleAfter: 90 * 86_400)
        #expect(posture.devices.count == 2)
        let byID = Dictionary(uniqueKeysWithValues: posture.devices.map { ($0.device.id, $0) })
        #expect(byID["pump-1"]?.status == .pass)
        #expect(byID["pump-2"]?.status == .fail)
        #expect(byID["pump-1"]?.signerExpiry == notAfter)
        #expect(posture.summary.entries == 3)
    }

    @Test(arguments: BackendUnderTest.available)
    func anEditedSiteIsCaughtByTheAudit(_ backend: BackendUnderTest) throws {
        let (inventory, location, cleanup) = try backend.make()
        defer { cleanup() }
        for index in 1...3 {
            try inventory.record(Self.report("f\(index).bin"), deviceID: nil, size: 1, policyDigest: nil, toolVersion: "t", at: Self.at, site: "site-a")
        }
        switch backend.kind {
        case .sqlite:
            try AuditTamperTests.tamper(location, "UPDATE postureEntry SET site = 'site-b' WHERE id = 2;")
        case .postgresql:
            let edit = try PostgresTestServer.psql(
                database: PostgresTestServer.databaseName(in: location),
                "ALTER TABLE posture_entry DISABLE TRIGGER USER; UPDATE posture_entry SET site = 'site-b' WHERE id = 2; ALTER TABLE posture_entry ENABLE TRIGGER USER;")
            #expect(edit.status == 0, "\(edit.stderr)")
        }
        let audit = try backend.reopenReadOnly(location).verifyAuditChain()
        #expect(!audit.intact)
        #expect(audit.firstBrokenEntryID == 2)
    }
}
