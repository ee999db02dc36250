import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import GRDB

/// The device posture inventory (SQLite through GRDB). Each method is one transaction, named
/// for intent. Posture entries are append-only (SQLite triggers refuse UPDATE and DELETE) and
/// hash-chained; ``verifyAuditChain()`` re-walks the chain.
public struct Inventory: Sendable {
    private let writer: any DatabaseWriter
    /// Where the database lives (`:memory:` for tests).
    public let path: String

    /// Whether the inventory may be changed by this process.
    public enum Access: Sendable {
        /// Migrates at open; records entries, devices and certificates.
        case readWrite
        /// Opens with SQLite's read-only flag: no migration, no PRAGMA that writes, nothing
        /// created. Works on a file (and folder) the user may only read: what auditors get.
        case readOnly
    }

    init(writer: any DatabaseWriter, path: String, access: Access = .readWrite) throws(FwgateError) {
        self.writer = writer
        self.path = path
        do {
            let migrator = Migrations.migrator
            if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
                throw FwgateError(
                    .database,
                    "\(path): this inventory was written by a newer fwgate (it has schema changes this version does not know); use the newer fwgate")
            }
            switch access {
            case .readWrite:
                try Self.migrate(writer, with: migrator)
            case .readOnly:
                let tables = try writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
                guard tables.contains("postureEntry"), tables.contains("device") else {
                    throw FwgateError(.database, "\(path): not an fwgate inventory (an SQLite database without fwgate's tables)")
                }
            }
        } catch let error as FwgateError {
            throw error
        } catch {
            throw FwgateError(.database, Self.openFailure(path: path, error))
        }
    }

    /// fwgate's words for an SQLite error at open.
    static func openFailure(path: String, _ error: any Error) -> String {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB: return "\(path): not an fwgate inventory (not an SQLite database)"
            case .SQLITE_CORRUPT: return "\(path): the inventory file is damaged (SQLite reports it corrupt)"
            case .SQLITE_READONLY: return "\(path): the inventory is read-only here; this command needs to write to it"
            case .SQLITE_CANTOPEN: return "\(path): cannot open the inventory (missing, a folder, or its folder is not writable)"
            case .SQLITE_PERM, .SQLITE_AUTH: return "\(path): cannot open the inventory: permission denied"
            default: return "\(path): cannot open the inventory: \(error.message ?? "\(error.resultCode)")"
            }
        }
        return "\(path): cannot open the inventory: \(error)"
    }

    /// Refuses a `--db` path that exists but is not a regular file (a folder, FIFO, socket or
    /// device) before SQLite opens it (SQLite would block on a FIFO).
    static func checkFile(_ path: String, mustExist: Bool) throws(FwgateError) {
        if InputFile.isMissing(path) {
            guard !mustExist else {
                throw FwgateError(
                    .fileNotFound, "\(path): no inventory here (nothing has been recorded yet, or --db / $FWGATE_DB names the wrong file)")
            }
            return
        }
        let source: FileByteSource
        do {
            source = try FileByteSource(path: path)
        } catch {
            throw FwgateError(.database, error.reason.replacingOccurrences(of: ": cannot read: ", with: ": cannot open the inventory: "))
        }
        if mustExist && source.count == 0 {
            throw FwgateError(.database, "\(path): not an fwgate inventory (the file is empty)")
        }
    }

    /// Applies the migrations, safe against other processes opening the same new file at the
    /// same moment (cron jobs started together). GRDB reads which migrations are applied, then
    /// runs each in its own transaction; another process can apply one in between, and ours then
    /// fails ("table already exists"). Each such failure means someone else made progress, so
    /// reading the applied list again and continuing converges; a failure that persists (or a
    /// file that is not an inventory) is thrown after a bounded number of tries.
    static func migrate(_ writer: any DatabaseWriter, with migrator: DatabaseMigrator) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch let error as DatabaseError {
                attempt += 1
                if (try? writer.read({ try migrator.hasCompletedMigrations($0) })) == true { return }
                guard attempt < 8 else { throw error }
                usleep(useconds_t(20_000 * attempt))
            }
        }
    }

    /// The database path from `--db`, else `$FWGATE_DB`, else `./fwgate.sqlite`.
    public static func defaultPath(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let option, !option.isEmpty { return option }
        if let variable = environment["FWGATE_DB"], !variable.isEmpty { return variable }
        return "fwgate.sqlite"
    }

    /// Opens (creating if needed) the inventory at `path`: one WAL-mode DatabasePool with a busy
    /// timeout, since cron sweeps and batches may overlap.
    ///
    /// - Throws: `FwgateError(.database)` naming the file.
    public static func open(path: String) throws(FwgateError) -> Inventory {
        try checkFile(path, mustExist: false)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        configuration.label = "fwgate.inventory"
        // WAL with synchronous=NORMAL: a killed process loses no committed entry and the file
        // never corrupts; only a power loss may roll back the last transactions.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        var pool: DatabasePool?
        var attempt = 0
        while pool == nil {
            do {
                pool = try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode.primaryResultCode) && attempt < 8 {
                // Switching a new file to WAL takes an exclusive lock that SQLite does not wait
                // for: processes creating one inventory together get "database is locked" here
                // (seen 1 in 320 opens); the winner finishes in milliseconds.
                attempt += 1
                usleep(useconds_t(20_000 * attempt))
            } catch {
                throw FwgateError(.database, openFailure(path: path, error))
            }
        }
        return try Inventory(writer: pool!, path: path)
    }

    /// Opens an existing inventory read-only, for the commands that only read (list, show,
    /// history, export, audit, head; devices list and show): SQLite's read-only flag, no
    /// migration, no PRAGMA that writes, no file created. It works on a file and folder the
    /// user may only read, so an auditor can audit a copy they cannot change.
    ///
    /// - Throws: `FwgateError(.fileNotFound)` when there is no file at `path`;
    ///   `FwgateError(.database)` naming the file when it is a folder, a FIFO, not an SQLite
    ///   database or not an fwgate inventory.
    public static func openReadOnly(path: String) throws(FwgateError) -> Inventory {
        try checkFile(path, mustExist: true)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        configuration.label = "fwgate.inventory.readonly"
        let queue: DatabaseQueue
        do {
            do {
                let first = try DatabaseQueue(path: path, configuration: configuration)
                _ = try first.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
                queue = first
            } catch let error as DatabaseError where [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode.primaryResultCode) {
                // A WAL-mode file whose folder the user may not write: SQLite cannot create the
                // shared-memory file (-shm) it reads through. With no pending write-ahead log,
                // the file alone is the whole database: open it immutable (no locks, no -shm).
                // A non-empty -wal holds committed entries the file lacks, so that is refused.
                var info = stat()
                if stat(path + "-wal", &info) == 0 && info.st_size > 0 {
                    throw FwgateError(
                        .database,
                        "\(path): cannot read the inventory read-only: its write-ahead log (\(path)-wal) holds changes not yet in the file, and its folder is not writable; copy the file, -wal and -shm to a writable folder, or let a writer (any recording command) checkpoint it first")
                }
                queue = try DatabaseQueue(path: "file:\(Self.uriEscaped(path))?immutable=1", configuration: configuration)
            }
        } catch let error as FwgateError {
            throw error
        } catch {
            throw FwgateError(.database, openFailure(path: path, error))
        }
        return try Inventory(writer: queue, path: path, access: .readOnly)
    }

    /// `path` with the characters a SQLite URI gives meaning to percent-escaped.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "="), ..<0x21, 0x7F...:
                out += String(format: "%%%02X", byte)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// A private in-memory inventory (tests).
    public static func inMemory() throws(FwgateError) -> Inventory {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        do {
            return try Inventory(writer: try DatabaseQueue(configuration: configuration), path: ":memory:")
        } catch let error as FwgateError {
            throw error
        } catch {
            throw FwgateError(.database, "in-memory inventory: \(error)")
        }
    }

    func writeTransaction<T>(_ what: String, _ body: (Database) throws -> T) throws(FwgateError) -> T {
        try write(what, body)
    }

    func readOnly<T>(_ what: String, _ body: (Database) throws -> T) throws(FwgateError) -> T {
        try read(what, body)
    }

    private func write<T>(_ what: String, _ body: (Database) throws -> T) throws(FwgateError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                // IMMEDIATE: take the write lock before reading the chain head, so concurrent
                // processes append one after the other and never fork the chain.
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as FwgateError {
            throw error
        } catch {
            throw FwgateError(.database, "\(path): \(what): \(error)")
        }
    }

    private func read<T>(_ what: String, _ body: (Database) throws -> T) throws(FwgateError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw FwgateError(.database, "\(path): \(what): \(error)")
        }
    }

    // MARK: - Devices

    /// Inserts or updates devices by id (every column replaced), in one transaction, through
    /// one prepared `INSERT ... ON CONFLICT(id) DO UPDATE` statement (building GRDB's upsert per
    /// row dominated a 100,000-device import).
    ///
    /// - Parameters:
    ///   - devices: the devices.
    ///   - progress: called with the number written so far, every 1,000 devices and at the end.
    public func upsert(_ devices: [DeviceRecord], progress: (@Sendable (Int) -> Void)?) throws(FwgateError) {
        let columns = DeviceRecord.fieldNames + ["updatedAt"]
        let sql =
            "INSERT INTO device (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", "))) "
            + "ON CONFLICT(id) DO UPDATE SET \(columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "))"
        try write("importing devices") { db in
            let statement = try db.cachedStatement(sql: sql)
            for (index, d) in devices.enumerated() {
                try statement.execute(arguments: [
                    d.id, d.assetTag, d.make, d.model, d.serialNumber, d.mac, d.ip, d.tlsPort, d.location, d.owner, d.networkSegment,
                    d.clinicalUse, d.storesEPHI, d.baaStatus, d.supportEndDate, d.installedVersion, d.installedSecurityCounter, d.updatedAt,
                ])
                if let progress, (index + 1) % 1000 == 0 { progress(index + 1) }
            }
            progress?(devices.count)
        }
    }

    public func device(_ id: String) throws(FwgateError) -> DeviceRecord? {
        try read("reading device \(id)") { try DeviceRecord.fetchOne($0, key: id) }
    }

    public func devices() throws(FwgateError) -> [DeviceRecord] {
        try read("listing devices") { try DeviceRecord.order(Column("id")).fetchAll($0) }
    }

    // MARK: - Posture entries

    /// One posture entry to record.
    public struct PendingEntry: Sendable {
        public var report: VerificationReport
        public var deviceID: String?
        public var size: Int64
        public init(report: VerificationReport, deviceID: String?, size: Int64) {
            self.report = report
            self.deviceID = deviceID
            self.size = size
        }
    }

    /// Records several entries in ONE transaction, chained in order (a batch records one
    /// artifact's devices together: a kill leaves all of them or none).
    ///
    /// - Throws: `FwgateError` (nothing is recorded when it throws).
    @discardableResult
    public func record(
        all items: [PendingEntry], policyDigest: String?, toolVersion: String, at: Date, site: String?
    ) throws(FwgateError) -> [PostureEntry] {
        guard !items.isEmpty else { return [] }
        return try write("recording \(items.count) entries") { db in
            var previous = try String.fetchOne(db, sql: "SELECT entryHash FROM postureEntry ORDER BY id DESC LIMIT 1") ?? PostureEntry.genesisHash
            // Hash version 2 hashes the id, so it is chosen here: one past both the table's
            // AUTOINCREMENT sequence and the largest id (the audit checks ids against both).
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'postureEntry'") ?? 0
            let largest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM postureEntry") ?? 0
            var nextID = max(sequence, largest) + 1
            var knownDevices: Set<String> = []
            var stored: [PostureEntry] = []
            stored.reserveCapacity(items.count)
            // Prepared once per transaction (statement preparation dominated large batches).
            let deviceExists = try db.cachedStatement(sql: "SELECT 1 FROM device WHERE id = ?")
            let insert = try PostureEntry.insertStatement(db)
            for item in items {
                if let deviceID = item.deviceID, !knownDevices.contains(deviceID) {
                    guard try Int.fetchOne(deviceExists, arguments: [deviceID]) != nil else {
                        throw FwgateError(.usage, "device '\(deviceID)' is not in the inventory \(path); import it first (fwgate devices import)")
                    }
                    knownDevices.insert(deviceID)
                }
                let entry = try Self.entry(
                    item.report, id: nextID, deviceID: item.deviceID, size: item.size, policyDigest: policyDigest, toolVersion: toolVersion,
                    at: at, site: site, previous: previous)
                try entry.insert(with: insert)
                nextID += 1
                previous = entry.entryHash
                stored.append(entry)
            }
            return stored
        }
    }

    package static func entry(
        _ report: VerificationReport, id: Int64, deviceID: String?, size: Int64, policyDigest: String?, toolVersion: String, at: Date,
        site: String?, previous: String
    ) throws(FwgateError) -> PostureEntry {
        let checksJSON = PostureEntry.checksJSON(report.checks)
        let chainStatus: String? = report.chain == nil ? nil : (report.failedCodes.contains { $0.family == "cert" } ? "invalid" : "valid")
        var entry = PostureEntry(
            id: id, deviceID: deviceID, artifactPath: report.file, artifactSHA256: report.sha256, artifactSize: size,
            format: report.format?.rawValue ?? "unknown", version: report.version, securityCounter: report.securityCounter.map { Int64(clamping: $0) },
            signerName: report.signer?.name, signerFingerprint: report.signer?.keyFingerprint, signerSubject: report.signer?.subject,
            chainStatus: chainStatus, earliestExpiry: report.earliestExpiry, verdict: report.verdict, checks: checksJSON,
            policyDigest: policyDigest, toolVersion: toolVersion, recordedAt: PostureEntry.storedTime(at), previousHash: previous, entryHash: "",
            hashVersion: PostureEntry.hashVersion(forSite: site), site: site)
        entry.entryHash = try entry.computedHash()
        return entry
    }

    /// Filters for listing entries.
    public struct EntryFilter: Sendable {
        public var verdict: Verdict?
        public var deviceID: String?
        public var format: String?
        public var since: Date?
        public var limit: Int?
        public init(verdict: Verdict? = nil, deviceID: String? = nil, format: String? = nil, since: Date? = nil, limit: Int? = nil) {
            self.verdict = verdict
            self.deviceID = deviceID
            self.format = format
            self.since = since
            self.limit = limit
        }
    }

    /// Entries in recording order, filtered.
    public func entries(_ filter: EntryFilter) throws(FwgateError) -> [PostureEntry] {
        try read("listing posture entries") { db in
            var request = PostureEntry.order(PostureEntry.Columns.id)
            if let verdict = filter.verdict { request = request.filter(PostureEntry.Columns.verdict == verdict.rawValue) }
            if let device = filter.deviceID { request = request.filter(PostureEntry.Columns.deviceID == device) }
            if let format = filter.format { request = request.filter(PostureEntry.Columns.format == format) }
            if let since = filter.since { request = request.filter(PostureEntry.Columns.recordedAt >= since) }
            if let limit = filter.limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    public func entry(_ id: Int64) throws(FwgateError) -> PostureEntry? {
        try read("reading entry \(id)") { try PostureEntry.fetchOne($0, key: id) }
    }

    /// The key of an (artifact path, device) pair, as ``recordedPairs()`` returns them.
    public static func pairKey(artifactPath: String, deviceID: String?) -> String { "\(artifactPath)\u{1F}\(deviceID ?? "")" }

    /// Every (artifact path, device) pair already recorded (for `batch --resume`).
    public func recordedPairs() throws(FwgateError) -> Set<String> {
        try read("listing recorded pairs") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT DISTINCT artifactPath, deviceID FROM postureEntry")
            return Set(rows.map { Self.pairKey(artifactPath: $0["artifactPath"], deviceID: $0["deviceID"]) })
        }
    }

    /// How many posture entries there are.
    public func entryCount() throws(FwgateError) -> Int {
        try read("counting entries") { try PostureEntry.fetchCount($0) }
    }

    // MARK: - Audit

    /// The outcome of re-walking the hash chain.
    public struct AuditResult: Sendable, Codable {
        public var entries: Int
        /// True when every entry's hash and link check out, ids follow the table's sequence, and
        /// the expectations given (head hash, count) are met.
        public var intact: Bool
        /// The first entry found altered, deleted, renumbered or reordered, with the reason.
        public var firstBrokenEntryID: Int64?
        public var problem: String?
        /// The hash of the last entry: record it elsewhere to detect a rewritten chain.
        public var headHash: String
    }

    /// The count and head hash of the chain as it stands (`fwgate inventory head`): keep them
    /// elsewhere (a ticket, a log), then `audit --expect-head` / `--expect-count` proves the chain
    /// was neither cut short nor rewritten since.
    public struct ChainHead: Sendable, Codable, Equatable {
        public var entries: Int
        public var headHash: String
        public var headEntryID: Int64?

        /// Every stored property (the memberwise initialiser, for the PostgreSQL backend).
        package init(
            entries: Int,
            headHash: String,
            headEntryID: Int64? = nil
        ) {
            self.entries = entries
            self.headHash = headHash
            self.headEntryID = headEntryID
        }

    }

    /// The chain's count and head, without walking it.
    public func head() throws(FwgateError) -> ChainHead {
        try read("reading the chain head") { db in
            let count = try PostureEntry.fetchCount(db)
            let row = try Row.fetchOne(db, sql: "SELECT id, entryHash FROM postureEntry ORDER BY id DESC LIMIT 1")
            return ChainHead(
                entries: count, headHash: row?["entryHash"] ?? PostureEntry.genesisHash, headEntryID: row?["id"])
        }
    }

    /// What an auditor kept from an earlier `inventory head`.
    public struct AuditExpectation: Sendable {
        /// The head hash then: that entry must still be in the chain (at position `count` when
        /// both are given).
        public var headHash: String?
        /// The count then: the chain must have at least this many entries.
        public var count: Int?
        public init(headHash: String? = nil, count: Int? = nil) {
            self.headHash = headHash
            self.count = count
        }
    }

    /// Re-walks every entry in id order and names the first problem:
    /// - each stored hash must equal the hash of its canonical form (hash version 2 includes
    ///   the id, so a renumbered entry fails; version 3 adds the site), and once a version-2
    ///   or -3 entry is seen no later one may be version 1 (no downgrade);
    /// - each `previousHash` must equal the preceding entry's hash;
    /// - ids must run 1, 2, 3, ... without gaps, and the last must equal the table's
    ///   AUTOINCREMENT sequence (`sqlite_sequence`), so deleting the newest entries is caught;
    /// - with `expectation`, the chain must hold at least the expected count and the expected
    ///   head hash (cut short or rewritten otherwise).
    ///
    /// - Throws: `FwgateError(.database)` when the database cannot be read.
    public func verifyAuditChain(expecting expectation: AuditExpectation) throws(FwgateError) -> AuditResult {
        try read("auditing the chain") { db in
            var walk = ChainWalk(expecting: expectation)
            let cursor = try PostureEntry.order(PostureEntry.Columns.id).fetchCursor(db)
            while let entry = try cursor.next() {
                if let broken = walk.next(entry) { return broken }
            }
            let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'postureEntry'") ?? 0
            return walk.finish(sequence: sequence)
        }
    }
}
