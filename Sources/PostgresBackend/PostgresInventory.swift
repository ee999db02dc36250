import FirmwareFormats
import FirmwareVerification
import DeviceInventory
import Foundation
import PostgresNIO

/// The device posture inventory in PostgreSQL (through postgres-nio), for many sites and one
/// fleet: the same records, chain and audit as ``Inventory`` (SQLite), with
/// - the schema from ``PostgresSchema``'s named migrations, applied under an advisory lock (any
///   number of processes may open a new database at once); a database from a newer fwgate is
///   refused;
/// - posture entries append-only (triggers refuse UPDATE, DELETE and TRUNCATE);
/// - appends serialised on the locked `chain_head` row, so concurrent writers keep one chain.
///
/// One connection per inventory, used by one transaction at a time. Calls are synchronous (the
/// CLI's commands are): each waits on postgres-nio's event-loop futures, which run on NIO's own
/// event loop thread (created only when a PostgreSQL inventory is opened), never on the Swift
/// concurrency pool.
public final class PostgresInventory: CentralInventory, @unchecked Sendable {
    // @unchecked Sendable: `connection` is Sendable; every use of it goes through `lock`.
    public let location: PostgresLocation
    public var path: String { location.display }
    private let connection: PostgresConnection
    private let lock = NSLock()
    private let logger: Logger

    public enum Access: Sendable {
        /// Migrates at open; records entries, devices and certificates.
        case readWrite
        /// Every transaction READ ONLY; no migration. The schema must be there.
        case readOnly
    }

    private init(location: PostgresLocation, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.connection = connection
        self.logger = logger
    }

    /// Closes the connection and waits for it (postgres-nio requires a connection closed
    /// before it is freed). Inventories are released on the caller's thread, never on an event
    /// loop's.
    deinit {
        try? connection.close().wait()
    }

    /// Connects to the inventory at `url` and checks (read-write: brings up to date) its schema.
    ///
    /// - Throws: `FwgateError(.usage)` for a URL that does not parse; `FwgateError(.database)`
    ///   naming host and port when the server cannot be reached, refuses the login, or holds a
    ///   schema from a newer fwgate. No message ever holds the password.
    public static func open(
        url: String, access: Access = .readWrite, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(FwgateError) -> PostgresInventory {
        let location = try PostgresLocation.parse(url, environment: environment)
        var logger = Logger(label: "fwgate.postgres")
        logger.logLevel = .critical
        var configuration: PostgresConnection.Configuration
        if let folder = location.socketFolder {
            configuration = .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(location.port)", username: location.user, password: location.password,
                database: location.database)
        } else {
            configuration = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: try tls(for: location, environment: environment))
        }
        configuration.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw describe(error, location: location, what: "connecting")
        }
        let inventory = PostgresInventory(location: location, connection: connection, logger: logger)
        try inventory.prepareSchema(access: access)
        if access == .readOnly {
            _ = try inventory.autocommit("opening read-only", "SET default_transaction_read_only = on")
        }
        return inventory
    }

    /// TLS as `sslmode` asks: none; offered but unverified (`allow`, `prefer`, `require`); or
    /// verified against `sslrootcert` (else `~/.postgresql/root.crt` as libpq, else the
    /// system's roots), with the host name too for `verify-full`.
    static func tls(for location: PostgresLocation, environment: [String: String]) throws(FwgateError) -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable:
            return .disable
        case .allow, .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA, .verifyFull:
            configuration.certificateVerification = location.sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            let libpqDefault = environment["HOME"].map { "\($0)/.postgresql/root.crt" }
            if let root = location.sslRootCertificate {
                guard FileManager.default.isReadableFile(atPath: root) else {
                    throw FwgateError(.fileNotFound, "sslrootcert \(root): no readable file there")
                }
                configuration.trustRoots = .file(root)
            } else if let libpqDefault, FileManager.default.isReadableFile(atPath: libpqDefault) {
                configuration.trustRoots = .file(libpqDefault)
            }
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return location.sslMode == .require || location.sslMode == .verifyCA || location.sslMode == .verifyFull
                ? .require(context) : .prefer(context)
        } catch {
            throw FwgateError(.database, "\(location.display): cannot set up TLS (sslmode=\(location.sslMode.rawValue)): \(error)")
        }
    }

    // MARK: - Errors

    /// fwgate's words for a postgres-nio error: the server's own message for a refused
    /// statement, host and port for a connection that failed or was lost. Built from the
    /// location's display form, never from the URL, so a password cannot appear.
    static func describe(_ error: any Error, location: PostgresLocation, what: String) -> FwgateError {
        if let error = error as? FwgateError { return error }
        let prefix = "\(location.display): \(what)"
        if error is ConnectionClosed {
            return FwgateError(
                .database, "\(prefix): the connection to PostgreSQL at \(location.endpoint) was lost (the server stopped or ended the session, or the network failed)")
        }
        guard let error = error as? PSQLError else {
            if String(describing: type(of: error)).contains("NIOSSL") || String(describing: error).contains("handshake") {
                return FwgateError(
                    .database, "\(prefix): the TLS handshake with PostgreSQL at \(location.endpoint) failed (sslmode=\(location.sslMode.rawValue)): \(error)")
            }
            return FwgateError(.database, "\(prefix): \(error)")
        }
        switch error.code {
        case .server:
            let message = error.serverInfo?[.message] ?? "the server refused it"
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = error.serverInfo?[.detail].map { "; \($0)" } ?? ""
            if let code = error.serverInfo?[.sqlState], code.hasPrefix("57P") || code.hasPrefix("08") {
                // Shut down, restarted, or the session ended by an administrator.
                return FwgateError(
                    .database, "\(prefix): the connection to PostgreSQL at \(location.endpoint) was lost: \(message)\(state)")
            }
            if what == "connecting" {
                return FwgateError(.database, "\(prefix) to PostgreSQL at \(location.endpoint) as \(location.user): \(message)\(state)\(detail)")
            }
            return FwgateError(.database, "\(prefix): \(message)\(state)\(detail)")
        case .connectionError:
            if let underlying = error.underlying, String(reflecting: type(of: underlying)).contains("NIOSSL") {
                return FwgateError(
                    .database,
                    "\(prefix): TLS with PostgreSQL at \(location.endpoint) failed (sslmode=\(location.sslMode.rawValue)): \(underlying)")
            }
            let cause = error.underlying.map { ": \(Self.plain($0))" } ?? ""
            return FwgateError(.database, "cannot reach PostgreSQL at \(location.endpoint) (\(location.display))\(cause)")
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return FwgateError(
                .database, "\(prefix): the connection to PostgreSQL at \(location.endpoint) was lost (the server stopped or the network failed)")
        case .sslUnsupported:
            return FwgateError(
                .database, "\(prefix): PostgreSQL at \(location.endpoint) does not offer TLS, and sslmode=\(location.sslMode.rawValue) requires it")
        case .authMechanismRequiresPassword:
            return FwgateError(
                .database,
                "\(prefix): PostgreSQL at \(location.endpoint) asks a password of \(location.user): give it in the URL, PGPASSWORD or ~/.pgpass")
        default:
            let cause = error.underlying.map { ": \(Self.plain($0))" } ?? ""
            return FwgateError(.database, "\(prefix): PostgreSQL at \(location.endpoint): \(error.code)\(cause)")
        }
    }

    /// A NIO error in plain words (errno text rather than the type's dump).
    static func plain(_ error: any Error) -> String {
        let text = String(describing: error)
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let failures = error as? NIOConnectionError {
            if let first = failures.connectionErrors.first { return plain(first.error) }
            if failures.dnsAError != nil || failures.dnsAAAAError != nil { return "the host name does not resolve" }
        }
        if text.contains("connectTimeout") { return "no answer within 10 s" }
        return text
    }

    private func describe(_ error: any Error, _ what: String) -> FwgateError {
        Self.describe(error, location: location, what: what)
    }

    // MARK: - Running statements

    /// One statement outside any explicit transaction.
    private func autocommit(_ what: String, _ query: PostgresQuery) throws(FwgateError) -> [PostgresRow] {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try Self.run(query, on: connection, logger: logger)
        } catch {
            throw describe(error, what)
        }
    }

    /// Runs `body` in one transaction (`BEGIN` ... `COMMIT`; `ROLLBACK` when it throws).
    /// Read-only transactions are REPEATABLE READ, so what they read is one snapshot.
    func transaction<T>(_ what: String, readOnly: Bool = false, _ body: (Statements) throws -> T) throws(FwgateError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let statements = Statements(connection: connection, logger: logger)
        do {
            try statements.run(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
            let result: T
            do {
                result = try body(statements)
            } catch {
                _ = try? statements.run("ROLLBACK")
                throw error
            }
            try statements.run("COMMIT")
            return result
        } catch {
            throw describe(error, what)
        }
    }

    /// The statements of one transaction.
    struct Statements {
        let connection: PostgresConnection
        let logger: Logger

        @discardableResult
        func run(_ query: PostgresQuery) throws -> [PostgresRow] {
            try PostgresInventory.run(query, on: connection, logger: logger)
        }
    }

    /// The connection was closed (by the server or the network) while a statement waited.
    struct ConnectionClosed: Error {}

    /// Runs one statement and waits for its rows, or for the connection to close. postgres-nio
    /// writes a statement to the channel without a promise: one written just after the server
    /// ended the session (`pg_terminate_backend`, a restart) is never answered nor failed, and a
    /// bare `wait()` would wait forever (seen: a batch hung after its session was ended). Both
    /// futures complete on the connection's event loop; the first outcome wins.
    static func run(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) throws -> [PostgresRow] {
        let outcome = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        connection.query(query, logger: logger).cascade(to: outcome)
        connection.closeFuture.whenComplete { _ in outcome.fail(ConnectionClosed()) }
        return try outcome.futureResult.wait().rows
    }

    // MARK: - Schema

    private func prepareSchema(access: Access) throws(FwgateError) {
        let known = Set(PostgresSchema.migrations.map(\.identifier))
        func check(_ applied: [String]) throws(FwgateError) {
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw FwgateError(
                    .database,
                    "\(path): this inventory was written by a newer fwgate (it has schema changes this version does not know: \(unknown.sorted().joined(separator: ", "))); use the newer fwgate")
            }
        }
        func applied(_ statements: Statements) throws -> [String]? {
            let exists = try statements.run("SELECT to_regclass('fwgate_migration') IS NOT NULL").first?.decode(Bool.self) ?? false
            guard exists else { return nil }
            return try statements.run("SELECT identifier FROM fwgate_migration ORDER BY identifier").map { try $0.decode(String.self) }
        }
        let current = try transaction("reading the schema version", readOnly: true) { try applied($0) }
        if let current { try check(current) }
        let complete = current.map { Set($0) == known } ?? false
        switch access {
        case .readOnly:
            guard let current else {
                throw FwgateError(
                    .database, "\(path): not an fwgate inventory (no fwgate schema in this database); create it with 'fwgate inventory init --db URL'")
            }
            if !complete {
                throw FwgateError(
                    .database,
                    "\(path): this inventory's schema is older than this fwgate (\(current.count) of \(known.count) migrations); bring it up to date with 'fwgate inventory init --db URL'")
            }
            return
        case .readWrite:
            if complete { return }
        }
        // Serialised on an advisory lock: processes opening a new database together wait for
        // the first one, then find its work done.
        var refused: FwgateError?
        try transaction("creating the inventory schema") { statements in
            try statements.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))")
            try statements.run(
                "CREATE TABLE IF NOT EXISTS fwgate_migration (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let done = Set(try applied(statements) ?? [])
            do { try check(Array(done)) } catch let error as FwgateError { refused = error; return }
            for migration in PostgresSchema.migrations where !done.contains(migration.identifier) {
                for statement in Self.split(migration.sql) {
                    try statements.run(PostgresQuery(unsafeSQL: statement))
                }
                try statements.run("INSERT INTO fwgate_migration (identifier) VALUES (\(migration.identifier))")
            }
        }
        if let refused { throw refused }
    }

    /// Splits a migration's SQL into statements at `;` outside quotes and `$$` bodies, without
    /// `--` comment lines (the extended protocol takes one statement at a time).
    static func split(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inDollar = false
        var inQuote = false
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--")
        }
        let text = lines.joined(separator: "\n")
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if !inQuote, text[index...].hasPrefix("$$") {
                inDollar.toggle()
                current += "$$"
                index = text.index(index, offsetBy: 2)
                continue
            }
            if !inDollar, character == "'" { inQuote.toggle() }
            if !inDollar, !inQuote, character == ";" {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            } else {
                current.append(character)
            }
            index = text.index(after: index)
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { statements.append(last) }
        return statements
    }

    /// Creates (or updates) a role for the sites: it may log in, read every table, INSERT
    /// posture entries (never UPDATE or DELETE them: no privilege, and the triggers refuse it
    /// anyway), move the chain head forward, and keep devices and certificates current. The
    /// role gets no password here: set one with `ALTER ROLE name PASSWORD '...'` (or use
    /// certificate / peer authentication), so no password passes through fwgate.
    ///
    /// - Throws: `FwgateError(.usage)` for a name that is not a plain identifier.
    public func createWriterRole(_ name: String) throws(FwgateError) {
        guard Self.isPlainIdentifier(name) else {
            throw FwgateError(
                .usage, "--writer-role '\(name)' is not a plain role name: use lowercase letters, digits and '_' (at most 63, not starting with a digit)")
        }
        try transaction("creating the writer role \(name)") { statements in
            let exists = try statements.run("SELECT 1 FROM pg_roles WHERE rolname = \(name)").first != nil
            if !exists { try statements.run(PostgresQuery(unsafeSQL: "CREATE ROLE \(name) LOGIN")) }
            let database = try statements.run("SELECT current_database()").first?.decode(String.self) ?? location.database
            for grant in [
                "GRANT CONNECT ON DATABASE \(Self.quoted(database)) TO \(name)",
                "GRANT USAGE ON SCHEMA public TO \(name)",
                "REVOKE ALL ON posture_entry, chain_head, device, certificate, certificate_location, fwgate_migration FROM \(name)",
                "GRANT SELECT, INSERT ON posture_entry TO \(name)",
                "GRANT SELECT, UPDATE ON chain_head TO \(name)",
                "GRANT SELECT ON fwgate_migration TO \(name)",
                "GRANT SELECT, INSERT, UPDATE ON device, certificate, certificate_location TO \(name)",
                "GRANT USAGE ON SEQUENCE certificate_location_id_seq TO \(name)",
            ] {
                try statements.run(PostgresQuery(unsafeSQL: grant))
            }
        }
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        guard ("a"..."z").contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    // MARK: - Devices

    static let deviceColumns =
        "id, asset_tag, make, model, serial_number, mac, ip, tls_port, location, owner, network_segment, clinical_use, stores_ephi, baa_status, support_end_date, installed_version, installed_security_counter, updated_at"

    public func upsert(_ devices: [DeviceRecord], progress: (@Sendable (Int) -> Void)?) throws(FwgateError) {
        let names = Self.deviceColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let update = names.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try transaction("importing devices") { statements in
            var written = 0
            // Many rows per statement (a bind limit of 65,535 values: 18 columns × 1,000 rows).
            for chunk in stride(from: 0, to: devices.count, by: 1000).map({ Array(devices[$0..<min($0 + 1000, devices.count)]) }) {
                var binds = PostgresBindings(capacity: chunk.count * names.count)
                var rows: [String] = []
                for d in chunk {
                    let base = binds.count
                    rows.append("(" + (1...names.count).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                    binds.append(d.id)
                    binds.append(d.assetTag)
                    binds.append(d.make)
                    binds.append(d.model)
                    binds.append(d.serialNumber)
                    binds.append(d.mac)
                    binds.append(d.ip)
                    binds.append(d.tlsPort)
                    binds.append(d.location)
                    binds.append(d.owner)
                    binds.append(d.networkSegment)
                    binds.append(d.clinicalUse)
                    binds.append(d.storesEPHI)
                    binds.append(d.baaStatus)
                    binds.append(d.supportEndDate)
                    binds.append(d.installedVersion)
                    binds.append(d.installedSecurityCounter)
                    binds.append(d.updatedAt)
                }
                try statements.run(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO device (\(Self.deviceColumns)) VALUES \(rows.joined(separator: ", ")) ON CONFLICT (id) DO UPDATE SET \(update)",
                        binds: binds))
                written += chunk.count
                if written % 1000 == 0 { progress?(written) }
            }
            progress?(devices.count)
        }
    }

    static func device(_ row: PostgresRow) throws -> DeviceRecord {
        let (id, assetTag, make, model, serial, mac, ip, tlsPort, location, owner, segment, clinicalUse, ephi, baa, supportEnd, installed, counter, updatedAt) =
            try row.decode(
                (String, String?, String?, String?, String?, String?, String?, Int?, String?, String?, String?, String?, Bool?, String?, String?, String?, Int64?, Date).self)
        var device = DeviceRecord(id: id, updatedAt: updatedAt)
        device.assetTag = assetTag
        device.make = make
        device.model = model
        device.serialNumber = serial
        device.mac = mac
        device.ip = ip
        device.tlsPort = tlsPort
        device.location = location
        device.owner = owner
        device.networkSegment = segment
        device.clinicalUse = clinicalUse
        device.storesEPHI = ephi
        device.baaStatus = baa
        device.supportEndDate = supportEnd
        device.installedVersion = installed
        device.installedSecurityCounter = counter
        return device
    }

    public func device(_ id: String) throws(FwgateError) -> DeviceRecord? {
        try transaction("reading device \(id)", readOnly: true) { statements in
            try statements.run(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device WHERE id = $1", binds: Self.binds(id)))
                .first.map(Self.device)
        }
    }

    public func devices() throws(FwgateError) -> [DeviceRecord] {
        try transaction("listing devices", readOnly: true) { statements in
            try statements.run(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device ORDER BY id")).map(Self.device)
        }
    }

    /// Only the devices asked for (a batch names some of a large fleet's devices).
    public func devices(ids: Set<String>) throws(FwgateError) -> [DeviceRecord] {
        let list = Array(ids)
        return try transaction("reading \(list.count) devices", readOnly: true) { statements in
            var binds = PostgresBindings()
            binds.append(list)
            return try statements.run(
                PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device WHERE id = ANY($1) ORDER BY id", binds: binds)
            ).map(Self.device)
        }
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    // MARK: - Posture entries

    static let entryColumns =
        "id, device_id, artifact_path, artifact_sha256, artifact_size, format, version, security_counter, signer_name, signer_fingerprint, signer_subject, chain_status, earliest_expiry, verdict, checks, policy_digest, tool_version, recorded_at, previous_hash, entry_hash, hash_version, site"

    static func entry(_ row: PostgresRow) throws -> PostureEntry {
        let (
            id, deviceID, path, sha256, size, format, version, counter, signerName, signerFingerprint, signerSubject, chainStatus, expiry,
            verdict, checks, policyDigest, toolVersion, recordedAt, previousHash, entryHash, hashVersion, site
        ) = try row.decode(
            (
                Int64, String?, String, String?, Int64, String, String?, Int64?, String?, String?, String?, String?, Date?, String, String,
                String?, String, Date, String, String, Int, String?
            ).self)
        guard let verdict = Verdict(rawValue: verdict) else {
            throw FwgateError(.database, "posture entry \(id) has the verdict '\(verdict)', which is not pass, warn or fail")
        }
        return PostureEntry(
            id: id, deviceID: deviceID, artifactPath: path, artifactSHA256: sha256, artifactSize: size, format: format, version: version,
            securityCounter: counter, signerName: signerName, signerFingerprint: signerFingerprint, signerSubject: signerSubject,
            chainStatus: chainStatus, earliestExpiry: expiry, verdict: verdict, checks: checks, policyDigest: policyDigest,
            toolVersion: toolVersion, recordedAt: recordedAt, previousHash: previousHash, entryHash: entryHash, hashVersion: hashVersion,
            site: site)
    }

    /// Appends entries in ONE transaction on the locked head row: concurrent writers wait for
    /// each other here, so each one chains to the entry the previous one wrote.
    public func record(
        all items: [Inventory.PendingEntry], policyDigest: String?, toolVersion: String, at: Date, site: String?
    ) throws(FwgateError) -> [PostureEntry] {
        guard !items.isEmpty else { return [] }
        var entries: [PostureEntry] = []
        entries.reserveCapacity(items.count)
        var unknownDevice: String?
        try transaction("recording \(items.count) entries") { statements in
            guard let head = try statements.run("SELECT last_id, head_hash FROM chain_head WHERE id = 1 FOR UPDATE").first else {
                throw FwgateError(.database, "\(path): the chain head row is missing: the inventory was damaged")
            }
            var (lastID, previous) = try head.decode((Int64, String).self)
            let devices = Array(Set(items.compactMap(\.deviceID)))
            if !devices.isEmpty {
                let known = Set(
                    try statements.run("SELECT id FROM device WHERE id = ANY(\(devices))").map { try $0.decode(String.self) })
                if let missing = devices.sorted().first(where: { !known.contains($0) }) {
                    unknownDevice = missing
                    return
                }
            }
            for item in items {
                let entry = try Inventory.entry(
                    item.report, id: lastID + 1, deviceID: item.deviceID, size: item.size, policyDigest: policyDigest,
                    toolVersion: toolVersion, at: at, site: site, previous: previous)
                lastID += 1
                previous = entry.entryHash
                entries.append(entry)
            }
            try insert(entries, origins: nil, statements: statements)
            try statements.run("UPDATE chain_head SET last_id = \(lastID), head_hash = \(previous) WHERE id = 1")
        }
        if let unknownDevice {
            throw FwgateError(.usage, "device '\(unknownDevice)' is not in the inventory \(path); import it first (fwgate devices import)")
        }
        return entries
    }

    /// Inserts entries, many rows per statement (22 values a row, 65,535 at most a statement).
    func insert(_ entries: [PostureEntry], origins: [(id: Int64, hash: String)]?, statements: Statements) throws {
        let columns = Self.entryColumns + ", origin_entry_id, origin_entry_hash"
        let count = 24
        for start in stride(from: 0, to: entries.count, by: 1000) {
            let end = min(start + 1000, entries.count)
            var binds = PostgresBindings(capacity: (end - start) * count)
            var rows: [String] = []
            for index in start..<end {
                let e = entries[index]
                let base = binds.count
                rows.append("(" + (1...count).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                binds.append(e.id)
                binds.append(e.deviceID)
                binds.append(e.artifactPath)
                binds.append(e.artifactSHA256)
                binds.append(e.artifactSize)
                binds.append(e.format)
                binds.append(e.version)
                binds.append(e.securityCounter)
                binds.append(e.signerName)
                binds.append(e.signerFingerprint)
                binds.append(e.signerSubject)
                binds.append(e.chainStatus)
                binds.append(e.earliestExpiry)
                binds.append(e.verdict.rawValue)
                binds.append(e.checks)
                binds.append(e.policyDigest)
                binds.append(e.toolVersion)
                binds.append(e.recordedAt)
                binds.append(e.previousHash)
                binds.append(e.entryHash)
                binds.append(e.hashVersion ?? 1)
                binds.append(e.site)
                binds.append(origins?[index].id)
                binds.append(origins?[index].hash)
            }
            try statements.run(
                PostgresQuery(unsafeSQL: "INSERT INTO posture_entry (\(columns)) VALUES \(rows.joined(separator: ", "))", binds: binds))
        }
    }

    public func entries(_ filter: Inventory.EntryFilter) throws(FwgateError) -> [PostureEntry] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let verdict = filter.verdict {
            binds.append(verdict.rawValue)
            conditions.append("verdict = $\(binds.count)")
        }
        if let device = filter.deviceID {
            binds.append(device)
            conditions.append("device_id = $\(binds.count)")
        }
        if let format = filter.format {
            binds.append(format)
            conditions.append("format = $\(binds.count)")
        }
        if let since = filter.since {
            binds.append(since)
            conditions.append("recorded_at >= $\(binds.count)")
        }
        var sql = "SELECT \(Self.entryColumns) FROM posture_entry"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try transaction("listing posture entries", readOnly: true) { try $0.run(query).map(Self.entry) }
    }

    public func entry(_ id: Int64) throws(FwgateError) -> PostureEntry? {
        try transaction("reading entry \(id)", readOnly: true) { statements in
            try statements.run(PostgresQuery(unsafeSQL: "SELECT \(Self.entryColumns) FROM posture_entry WHERE id = \(id)")).first.map(Self.entry)
        }
    }

    public func recordedPairs() throws(FwgateError) -> Set<String> {
        try transaction("listing recorded pairs", readOnly: true) { statements in
            Set(
                try statements.run("SELECT DISTINCT artifact_path, device_id FROM posture_entry").map { row in
                    let (path, device) = try row.decode((String, String?).self)
                    return Inventory.pairKey(artifactPath: path, deviceID: device)
                })
        }
    }

    public func entryCount() throws(FwgateError) -> Int {
        try transaction("counting entries", readOnly: true) { try $0.run("SELECT count(*) FROM posture_entry").first?.decode(Int.self) ?? 0 }
    }

    public func head() throws(FwgateError) -> Inventory.ChainHead {
        try transaction("reading the chain head", readOnly: true) { statements in
            let count = try statements.run("SELECT count(*) FROM posture_entry").first?.decode(Int.self) ?? 0
            let row = try statements.run("SELECT id, entry_hash FROM posture_entry ORDER BY id DESC LIMIT 1").first
            let last = try row?.decode((Int64, String).self)
            return Inventory.ChainHead(entries: count, headHash: last?.1 ?? PostureEntry.genesisHash, headEntryID: last?.0)
        }
    }

    /// Re-walks the chain in one snapshot (``ChainWalk``); the last entry must be the one the
    /// head row names.
    public func verifyAuditChain(expecting expectation: Inventory.AuditExpectation) throws(FwgateError) -> Inventory.AuditResult {
        try transaction("auditing the chain", readOnly: true) { statements in
            var walk = ChainWalk(expecting: expectation)
            // Read in pages by id, so memory stays bounded on a large inventory.
            var after: Int64 = -1
            while true {
                let rows = try statements.run(
                    PostgresQuery(unsafeSQL: "SELECT \(Self.entryColumns) FROM posture_entry WHERE id > \(after) ORDER BY id LIMIT 5000"))
                if rows.isEmpty { break }
                for row in rows {
                    let entry = try Self.entry(row)
                    if let broken = walk.next(entry) { return broken }
                    after = entry.id ?? after
                }
            }
            let sequence = try statements.run("SELECT last_id FROM chain_head WHERE id = 1").first?.decode(Int64.self) ?? 0
            return walk.finish(sequence: sequence)
        }
    }

    // MARK: - Certificates

    @discardableResult
    public func record(sweep: SweepResult) throws(FwgateError) -> (certificates: Int, locations: Int) {
        try transaction("recording the sweep") { statements in
            let knownDevices = Set(try statements.run("SELECT id FROM device").map { try $0.decode(String.self) })
            var locations = 0
            for swept in sweep.certificates {
                try statements.run(
                    """
                    INSERT INTO certificate (sha256, subject, issuer, serial, not_before, not_after, first_seen, last_seen)
                    VALUES (\(swept.sha256), \(swept.subject), \(swept.issuer), \(swept.serial), \(swept.notBefore), \(swept.notAfter), \(sweep.at), \(sweep.at))
                    ON CONFLICT (sha256) DO UPDATE SET last_seen = greatest(certificate.last_seen, excluded.last_seen)
                    """)
                for location in swept.locations {
                    let device = location.device.flatMap { knownDevices.contains($0) ? $0 : nil }
                    try statements.run(
                        """
                        INSERT INTO certificate_location (certificate_sha256, path, endpoint, device_id, kind, last_swept)
                        VALUES (\(swept.sha256), \(location.path), \(location.endpoint), \(device), \(location.kind), \(sweep.at))
                        ON CONFLICT (certificate_sha256, coalesce(path, ''), coalesce(endpoint, ''), coalesce(device_id, ''))
                        DO UPDATE SET last_swept = excluded.last_swept
                        """)
                    locations += 1
                }
            }
            return (sweep.certificates.count, locations)
        }
    }

    public func certificates(forDevice id: String) throws(FwgateError) -> [Inventory.DeviceCertificate] {
        try transaction("reading certificates of \(id)", readOnly: true) { statements in
            try statements.run(
                """
                SELECT c.sha256, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.first_seen, c.last_seen,
                       l.id, l.path, l.endpoint, l.device_id, l.kind, l.last_swept
                FROM certificate_location l JOIN certificate c ON c.sha256 = l.certificate_sha256
                WHERE l.device_id = \(id) ORDER BY c.not_after, l.id
                """
            ).map { row in
                let (sha, subject, issuer, serial, notBefore, notAfter, firstSeen, lastSeen, locationID, path, endpoint, device, kind, lastSwept) =
                    try row.decode((String, String, String, String, Date, Date, Date, Date, Int64, String?, String?, String?, String, Date).self)
                return Inventory.DeviceCertificate(
                    certificate: CertificateRecord(
                        sha256: sha, subject: subject, issuer: issuer, serial: serial, notBefore: notBefore, notAfter: notAfter,
                        firstSeen: firstSeen, lastSeen: lastSeen),
                    location: CertificateLocationRecord(
                        id: locationID, certificateSHA256: sha, path: path, endpoint: endpoint, deviceID: device, kind: kind,
                        lastSwept: lastSwept))
            }
        }
    }

    // MARK: - Fleet

    public func fleetPosture(at: Date, staleAfter: TimeInterval, signerWarning: TimeInterval) throws(FwgateError) -> FleetPosture {
        try transaction("computing the fleet posture", readOnly: true) { statements in
            let devices = try statements.run(PostgresQuery(unsafeSQL: "SELECT \(Self.deviceColumns) FROM device ORDER BY id")).map(Self.device)
            let latest = try statements.run(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(Self.entryColumns) FROM posture_entry WHERE id IN (
                          SELECT id FROM (
                            SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id, artifact_path ORDER BY recorded_at DESC, id DESC) AS rank
                            FROM posture_entry WHERE device_id IS NOT NULL AND recorded_at <= $1
                          ) ranked WHERE rank = 1
                        ) ORDER BY id
                        """, binds: { var b = PostgresBindings(); b.append(at); return b }())
            ).map(Self.entry)
            var timeline: [FleetPosture.TimelineEntry] = []
            for row in try statements.run(
                "SELECT device_id, artifact_path, recorded_at, verdict FROM posture_entry WHERE device_id IS NOT NULL AND recorded_at <= \(at)")
            {
                let (device, path, recordedAt, verdict) = try row.decode((String, String, Date, String).self)
                guard let verdict = Verdict(rawValue: verdict) else { continue }
                timeline.append(.init(deviceID: device, artifactPath: path, recordedAt: recordedAt, verdict: verdict))
            }
            let withoutDevice =
                try statements.run("SELECT count(*) FROM posture_entry WHERE device_id IS NULL AND recorded_at <= \(at)").first?.decode(Int.self) ?? 0
            var signerCertificates: [String: [Date]] = [:]
            for row in try statements.run(
                """
                SELECT l.device_id, c.not_after FROM certificate_location l JOIN certificate c ON c.sha256 = l.certificate_sha256
                WHERE l.device_id IS NOT NULL AND l.kind = 'artifact'
                """)
            {
                let (device, notAfter) = try row.decode((String, Date).self)
                signerCertificates[device, default: []].append(notAfter)
            }
            return FleetPosture(
                devices: devices, latest: latest, timeline: timeline, signerCertificates: signerCertificates,
                entries: timeline.count + withoutDevice, entriesWithoutDevice: withoutDevice, at: at, staleAfter: staleAfter,
                signerWarning: signerWarning)
        }
    }
}

// MARK: - Push from a site

extension PostgresInventory {
    /// What a push did.
    public typealias PushResult = InventoryPushResult

    /// Copies a site's entries (already audited by the caller) that this inventory does not
    /// have yet, in id order, `chunk` entries per transaction: a push cut short leaves whole
    /// chunks, and running it again copies only the rest. Each copy is chained here (its own
    /// id, previous hash and hash, hash version 3 with its site) and keeps the site's entry id
    /// and hash (`origin_entry_id`, `origin_entry_hash`), so either side can be audited
    /// against the other; an entry whose site hash is already here is never copied twice.
    ///
    /// - Parameters:
    ///   - entries: the site's entries, in id order.
    ///   - devices: the site's devices; those the entries name and this inventory lacks are
    ///     added (existing ones are left as they are).
    ///   - site: the site name for entries recorded without one.
    ///   - progress: called with the number copied so far after each chunk.
    public func push(
        _ entries: [PostureEntry], devices: [DeviceRecord], site: String, chunk: Int = 1000, progress: ((Int) -> Void)? = nil
    ) throws(FwgateError) -> PushResult {
        let present = try transaction("reading what was pushed before", readOnly: true) { statements in
            Set(
                try statements.run("SELECT origin_entry_hash FROM posture_entry WHERE origin_entry_hash IS NOT NULL").map {
                    try $0.decode(String.self)
                })
        }
        let missing = entries.filter { !present.contains($0.entryHash) }
        let named = Set(missing.compactMap(\.deviceID))
        let known = Set(try self.devices().map(\.id))
        let newDevices = devices.filter { named.contains($0.id) && !known.contains($0.id) }
        if !newDevices.isEmpty { try insertDevicesIfMissing(newDevices) }
        var copied = 0
        for start in stride(from: 0, to: missing.count, by: max(1, chunk)) {
            let slice = Array(missing[start..<min(start + max(1, chunk), missing.count)])
            try transaction("pushing entries \(slice.first?.id ?? 0)-\(slice.last?.id ?? 0) of \(site)") { statements in
                guard let head = try statements.run("SELECT last_id, head_hash FROM chain_head WHERE id = 1 FOR UPDATE").first else {
                    throw FwgateError(.database, "\(path): the chain head row is missing: the inventory was damaged")
                }
                var (lastID, previous) = try head.decode((Int64, String).self)
                // Another push of the same site may have run meanwhile: skip what it copied.
                let hashes = slice.map(\.entryHash)
                let already = Set(
                    try statements.run("SELECT origin_entry_hash FROM posture_entry WHERE origin_entry_hash = ANY(\(hashes))").map {
                        try $0.decode(String.self)
                    })
                var copies: [PostureEntry] = []
                var origins: [(id: Int64, hash: String)] = []
                for original in slice where !already.contains(original.entryHash) {
                    var copy = original
                    lastID += 1
                    copy.id = lastID
                    copy.previousHash = previous
                    copy.site = original.site ?? site
                    copy.hashVersion = PostureEntry.siteHashVersion
                    copy.entryHash = try copy.computedHash()
                    previous = copy.entryHash
                    copies.append(copy)
                    origins.append((original.id ?? 0, original.entryHash))
                }
                if copies.isEmpty { return }
                try insert(copies, origins: origins, statements: statements)
                try statements.run("UPDATE chain_head SET last_id = \(lastID), head_hash = \(previous) WHERE id = 1")
                copied += copies.count
            }
            progress?(copied)
        }
        return PushResult(copied: copied, alreadyThere: entries.count - copied, devicesAdded: newDevices.count)
    }

    /// Adds devices this inventory lacks; devices it has are left as they are.
    private func insertDevicesIfMissing(_ devices: [DeviceRecord]) throws(FwgateError) {
        try transaction("adding the site's devices") { statements in
            for d in devices {
                try statements.run(
                    """
                    INSERT INTO device (id, asset_tag, make, model, serial_number, mac, ip, tls_port, location, owner, network_segment,
                      clinical_use, stores_ephi, baa_status, support_end_date, installed_version, installed_security_counter, updated_at)
                    VALUES (\(d.id), \(d.assetTag), \(d.make), \(d.model), \(d.serialNumber), \(d.mac), \(d.ip), \(d.tlsPort), \(d.location),
                      \(d.owner), \(d.networkSegment), \(d.clinicalUse), \(d.storesEPHI), \(d.baaStatus), \(d.supportEndDate),
                      \(d.installedVersion), \(d.installedSecurityCounter), \(d.updatedAt))
                    ON CONFLICT (id) DO NOTHING
                    """)
            }
        }
    }
}

// MARK: - Registration

extension PostgresInventory {
    /// What `fwgate-pg` registers with the commands: `postgresql://` URLs open here.
    public static let opener = CentralInventoryOpener { url, access throws(FwgateError) in
        switch access {
        case .readWrite: try PostgresInventory.open(url: url, access: .readWrite)
        case .readOnly: try PostgresInventory.open(url: url, access: .readOnly)
        }
    }
}
