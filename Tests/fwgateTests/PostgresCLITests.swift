import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The CLI on a PostgreSQL inventory (issue 14), against the real server that
/// `scripts/with-postgres.sh` starts (CI runs every test through it and requires it). Each test
/// uses a database of its own.
@Suite(.enabled(if: PostgresTestServer.shouldRun, Comment(rawValue: PostgresTestServer.skipReason)))
struct PostgresCLITests {
    static let mcuboot = ProjectPaths.testVectors.appendingPathComponent("mcuboot").path
    static let trust = ["--trust", "\(mcuboot)/keys/test-ecdsa-p256.pub.pem", "--trust", "\(mcuboot)/keys/test-ed25519.pub.pem"]
    static let demo = ProjectPaths.root.appendingPathComponent("keys-example/demo").path
    static let policy = ProjectPaths.root.appendingPathComponent("keys-example/policy.yaml").path

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A new database: its URL (password in it) and a cleanup.
    static func database() throws -> (url: String, name: String) {
        let url = try PostgresTestServer.newDatabaseURL()
        return (url, PostgresTestServer.databaseName(in: url))
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws -> BinaryRunner.Result {
        try BinaryRunner.run(
            arguments, environment: environment, unsetting: Set(["FWGATE_DB", "FWGATE_SITE", "PGPASSWORD"]).subtracting(environment.keys),
            timeout: timeout)
    }

    static func psql(_ database: String, _ sql: String) throws -> BinaryRunner.Result {
        try PostgresTestServer.psql(database: database, sql)
    }

    /// The same demo (devices, batch against the policy at a fixed time and site, a gate, a
    /// sweep) on SQLite and on PostgreSQL: every read command prints the same, byte for byte
    /// (the entries' hashes included: the hashed form does not depend on the engine).
    @Test func everyCommandGivesTheSameOnBothBackends() throws {
        let dir = try Self.scratch()
        let (url, name) = try Self.database()
        defer {
            try? FileManager.default.removeItem(at: dir)
            PostgresTestServer.dropDatabase(name)
        }
        let sqlite = dir.appendingPathComponent("inv.sqlite").path
        let at = ["--at", "2026-06-01T00:00:00Z", "--site", "ward-7"]
        var outputs: [String: [String]] = [:]
        for db in [sqlite, url] {
            var seen: [String] = []
            func step(_ arguments: [String], status: Int32) throws {
                let result = try Self.run(arguments + ["--db", db])
                #expect(result.status == status, "\(arguments) on \(db.hasPrefix("postgresql") ? "postgresql" : "sqlite"): \(result.stderr)")
                #expect(!result.stderr.contains(try PostgresTestServer.parts().password))
                // Devices carry the time they were imported: the one thing allowed to differ.
                let stable = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.contains("updatedAt") ? "updatedAt: (import time)" : String($0)
                }
                seen.append(stable.joined(separator: "\n"))
            }
            try step(["inventory", "init"], status: 0)
            try step(["devices", "import", "\(Self.demo)/devices.csv"], status: 0)
            // One job: entries in manifest order on both (with more, completion order varies).
            try step(["batch", "\(Self.demo)/manifest.csv", "--policy", Self.policy, "--json", "--jobs", "1"] + at, status: 1)
            // pump-icu-01 runs 1.4.0: this older image fails the rollback check, and is recorded.
            try step(["verify", "--record", "--device", "pump-icu-01", "\(Self.mcuboot)/ecdsa-p256.bin"] + Self.trust + at, status: 1)
            try step(["gate", "--policy", Self.policy, "\(Self.mcuboot)/ed25519.bin", "--vendor", "example-imaging"] + at, status: 1)
            try step(
                ["certs", "sweep", ProjectPaths.root.appendingPathComponent("keys-example/pki-rsa").path, "--at", "2026-06-01T00:00:00Z", "--format", "json"],
                status: 1)
            for command in [
                ["inventory", "list"], ["inventory", "list", "--json"], ["inventory", "list", "--verdict", "fail", "--device", "pump-ward-03"],
                ["inventory", "show", "2"], ["inventory", "show", "pump-icu-01", "--at", "2026-06-02T00:00:00Z"],
                ["inventory", "history", "pump-icu-01"], ["inventory", "export", "--format", "csv"], ["inventory", "export", "--format", "jsonl"],
                ["inventory", "audit"], ["inventory", "head", "--json"], ["devices", "list"], ["devices", "show", "pump-ward-04"],
                ["inventory", "report", "--format", "json", "--at", "2026-06-02T00:00:00Z"],
            ] {
                try step(command, status: 0)
            }
            outputs[db.hasPrefix("postgresql") ? "postgresql" : "sqlite"] = seen
        }
        let sqliteOutputs = try #require(outputs["sqlite"])
        let postgresOutputs = try #require(outputs["postgresql"])
        #expect(sqliteOutputs.count == postgresOutputs.count)
        // init and import name the database; everything after is the same text.
        for (index, (a, b)) in zip(sqliteOutputs, postgresOutputs).enumerated() where index >= 2 {
            #expect(a == b, "output \(index) differs:\n--- sqlite\n\(a)\n--- postgresql\n\(b)")
        }
        #expect(postgresOutputs[7].contains("\"site\" : \"ward-7\"") || postgresOutputs[7].contains("\"site\":\"ward-7\""))
        #expect(postgresOutputs.contains { $0.hasPrefix("audit: 9 entries, chain intact") })
    }

    /// A server nobody listens on: exit 2, the host and port named, the password nowhere.
    @Test func anUnreachableServerIsExitTwoNamingHostAndPort() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(listener)  // nothing listens there now
        let secret = "Pw-\(UUID().uuidString)"
        for command in [["inventory", "list"], ["verify", "--record", "\(Self.mcuboot)/ed25519.bin"] + Self.trust, ["inventory", "init"]] {
            let result = try Self.run(command + ["--db", "postgresql://fleet:\(secret)@127.0.0.1:\(port)/inventory?sslmode=disable"], timeout: 60)
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:\(port)"), "\(result.stderr)")
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
            #expect(!result.stderr.contains("Backtrac"))
        }
    }

    /// Credentials from the URL, PGPASSWORD or ~/.pgpass; a wrong one is refused in plain words,
    /// and no output ever holds a password (given right or wrong, in any of the three places).
    @Test func credentialsComeFromTheURLPGPASSWORDOrPgpassAndNeverShow() throws {
        let (url, name) = try Self.database()
        defer { PostgresTestServer.dropDatabase(name) }
        let parts = try PostgresTestServer.parts()
        let bare = try PostgresTestServer.url(database: name)
        #expect(try Self.run(["inventory", "init", "--db", url]).status == 0)

        let viaEnvironment = try Self.run(["inventory", "head", "--db", bare], environment: ["PGPASSWORD": parts.password])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")

        let home = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: home) }
        let pgpass = home.appendingPathComponent(".pgpass")
        try Data("# fleet\notherhost:*:*:*:nope\n\(parts.host):\(parts.port):*:\(parts.user):\(parts.password)\n".utf8).write(to: pgpass)
        chmod(pgpass.path, 0o600)
        let viaPgpass = try Self.run(["inventory", "head", "--db", bare], environment: ["HOME": home.path])
        #expect(viaPgpass.status == 0, "\(viaPgpass.stderr)")
        chmod(pgpass.path, 0o644)  // readable by others: ignored, as libpq does
        let ignored = try Self.run(["inventory", "head", "--db", bare], environment: ["HOME": home.path])
        #expect(ignored.status == 2)
        #expect(ignored.stderr.contains("asks a password"), "\(ignored.stderr)")

        let wrong = "Wrong-\(UUID().uuidString)"
        for (arguments, environment) in [
            (["inventory", "list", "--db", try PostgresTestServer.url(database: name, password: wrong)], [String: String]()),
            (["inventory", "list", "--db", bare], ["PGPASSWORD": wrong]),
            (["verify", "--record", "\(Self.mcuboot)/ed25519.bin", "--db", try PostgresTestServer.url(database: name, password: wrong)] + Self.trust, [:]),
        ] {
            let result = try Self.run(arguments, environment: environment)
            #expect(result.status == 2)
            #expect(result.stderr.contains("password authentication failed"), "\(result.stderr)")
            #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
        }
        // A right password in the URL, an error after login: not shown either.
        let missingDevice = try Self.run(["verify", "--record", "--device", "ghost", "\(Self.mcuboot)/ed25519.bin", "--db", url] + Self.trust)
        #expect(missingDevice.status == 2)
        #expect(missingDevice.stderr.contains("ghost"))
        #expect(!missingDevice.stderr.contains(parts.password) && !missingDevice.stdout.contains(parts.password))
        let listed = try Self.run(["inventory", "init", "--db", url])
        #expect(listed.stdout.contains("postgresql://\(parts.user)@\(parts.host):\(parts.port)/\(name)"))
        #expect(!listed.stdout.contains(parts.password))
    }

    /// TLS through sslmode: `require` encrypts, `verify-full` checks the certificate against
    /// `sslrootcert` and the host name (the test certificate names "localhost", not 127.0.0.1).
    @Test func sslmodeRequireAndVerifyFull() throws {
        let (url, name) = try Self.database()
        defer { PostgresTestServer.dropDatabase(name) }
        let parts = try PostgresTestServer.parts()
        let ca = try #require(PostgresTestServer.certificateAuthority)
        #expect(try Self.run(["inventory", "init", "--db", url]).status == 0)
        let base = "postgresql://\(parts.user):\(parts.password)@"
        let require = try Self.run(["inventory", "head", "--db", "\(base)\(parts.host):\(parts.port)/\(name)?sslmode=require"])
        #expect(require.status == 0, "\(require.stderr)")
        let verified = try Self.run(["inventory", "head", "--db", "\(base)localhost:\(parts.port)/\(name)?sslmode=verify-full&sslrootcert=\(ca)"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let wrongName = try Self.run(["inventory", "head", "--db", "\(base)127.0.0.1:\(parts.port)/\(name)?sslmode=verify-full&sslrootcert=\(ca)"])
        #expect(wrongName.status == 2)
        #expect(wrongName.stderr.contains("TLS"), "\(wrongName.stderr)")
        let unknownMode = try Self.run(["inventory", "head", "--db", "\(base)localhost:\(parts.port)/\(name)?sslmode=sometimes"])
        #expect(unknownMode.status == 2)
        #expect(unknownMode.stderr.contains("sslmode 'sometimes'"))
        for result in [require, verified, wrongName, unknownMode] { #expect(!result.stderr.contains(parts.password)) }
    }

    /// A database whose schema a newer fwgate wrote is refused, by readers and writers alike.
    @Test func aNewerSchemaIsRefused() throws {
        let (url, name) = try Self.database()
        defer { PostgresTestServer.dropDatabase(name) }
        #expect(try Self.run(["inventory", "init", "--db", url]).status == 0)
        #expect(try Self.psql(name, "INSERT INTO fwgate_migration (identifier) VALUES ('v99-from-the-future')").status == 0)
        for command in [["inventory", "list"], ["inventory", "init"], ["verify", "--record", "\(Self.mcuboot)/ed25519.bin"] + Self.trust] {
            let result = try Self.run(command + ["--db", url])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("written by a newer fwgate") && result.stderr.contains("v99-from-the-future"), "\(result.stderr)")
        }
        // An empty database is no inventory for a reader; a writer creates it.
        let (other, otherName) = try Self.database()
        defer { PostgresTestServer.dropDatabase(otherName) }
        let reader = try Self.run(["inventory", "audit", "--db", other])
        #expect(reader.status == 2)
        #expect(reader.stderr.contains("inventory init"))
    }

    /// Triggers refuse UPDATE, DELETE and TRUNCATE even to the superuser, and the head row only
    /// moves forward; the writer role records through fwgate but may not UPDATE or DELETE
    /// (no privilege); an edit made with the triggers disabled is named by the audit.
    @Test func appendOnlyForEveryoneAndTheWriterRoleMayOnlyInsert() throws {
        let (url, name) = try Self.database()
        defer { PostgresTestServer.dropDatabase(name) }
        let role = "fwgate_writer_\(UUID().uuidString.prefix(8).lowercased())"
        let password = "W-\(UUID().uuidString)"
        defer { _ = try? PostgresTestServer.psql(database: try PostgresTestServer.parts().database, "DROP ROLE IF EXISTS \(role)") }
        let initialised = try Self.run(["inventory", "init", "--db", url, "--writer-role", role])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        #expect(initialised.stdout.contains("role \(role)"))
        #expect(try Self.psql(name, "ALTER ROLE \(role) PASSWORD '\(password)'").status == 0)
        let writer = try PostgresTestServer.url(database: name, user: role, password: password)
        for index in 0..<3 {
            let recorded = try Self.run(["verify", "--record", "--quiet", "--site", "site-\(index)", "--db", writer, "\(Self.mcuboot)/ed25519.bin"] + Self.trust)
            #expect(recorded.status == 0, "\(recorded.stderr)")
        }
        #expect(try Self.run(["inventory", "audit", "--db", writer]).stdout.hasPrefix("audit: 3 entries, chain intact"))

        for statement in ["UPDATE posture_entry SET verdict = 'pass' WHERE id = 2", "DELETE FROM posture_entry WHERE id = 3", "TRUNCATE posture_entry"] {
            let superuser = try Self.psql(name, statement)
            #expect(superuser.status != 0, "\(statement)")
            #expect(superuser.stderr.contains("posture entries are append-only"), "\(superuser.stderr)")
            let asWriter = try PostgresTestServer.psql(database: name, user: role, password: password, statement)
            #expect(asWriter.status != 0)
            #expect(asWriter.stderr.contains("permission denied"), "\(asWriter.stderr)")
        }
        let rewind = try PostgresTestServer.psql(database: name, user: role, password: password, "UPDATE chain_head SET last_id = 1 WHERE id = 1")
        #expect(rewind.stderr.contains("only moves forward"), "\(rewind.stderr)")
        let dropHead = try PostgresTestServer.psql(database: name, user: role, password: password, "DROP TABLE posture_entry")
        #expect(dropHead.status != 0)
        #expect(try Self.run(["inventory", "audit", "--db", url]).status == 0)

        // A superuser who disables the triggers can edit a row; the audit names it.
        let edit = try Self.psql(
            name,
            "ALTER TABLE posture_entry DISABLE TRIGGER USER; UPDATE posture_entry SET verdict = 'fail' WHERE id = 2; ALTER TABLE posture_entry ENABLE TRIGGER USER")
        #expect(edit.status == 0, "\(edit.stderr)")
        let audit = try Self.run(["inventory", "audit", "--db", url])
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("chain BROKEN at entry #2"), "\(audit.stdout)")
        // ... and deleting the newest entry, too (the head row remembers it).
        let cut = try Self.psql(
            name, "ALTER TABLE posture_entry DISABLE TRIGGER USER; DELETE FROM posture_entry WHERE id >= 2; ALTER TABLE posture_entry ENABLE TRIGGER USER")
        #expect(cut.status == 0)
        let cutAudit = try Self.run(["inventory", "audit", "--db", url])
        #expect(cutAudit.status == 1)
        #expect(cutAudit.stdout.contains("entries 2-3 were deleted"), "\(cutAudit.stdout)")
        #expect(try Self.run(["inventory", "init", "--db", url, "--writer-role", "Robert'); DROP TABLE device; --"]).status == 2)
    }
}
