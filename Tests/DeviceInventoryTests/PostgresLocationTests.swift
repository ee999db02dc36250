@testable import DeviceInventory
@testable import PostgresBackend
import FirmwareVerification
import Foundation
import Testing

/// `--db postgresql://...` read as libpq reads it; no server needed.
@Suite struct PostgresLocationTests {
    static let secret = "s3cr:et@/?"

    @Test func partsDefaultsAndDisplayWithoutThePassword() throws {
        let location = try PostgresLocation.parse(
            "postgresql://fleet:s3cr%3Aet%40%2F%3F@db.example.org:6543/inventory?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            environment: [:])
        #expect(location.user == "fleet" && location.password == Self.secret)
        #expect(location.host == "db.example.org" && location.port == 6543 && location.database == "inventory")
        #expect(location.sslMode == .verifyFull && location.sslRootCertificate == "/etc/ca.pem")
        #expect(location.display == "postgresql://fleet@db.example.org:6543/inventory")
        #expect(location.endpoint == "db.example.org:6543")
        #expect(!location.display.contains("s3cr") && !location.endpoint.contains("s3cr"))

        let defaults = try PostgresLocation.parse("postgres://", environment: ["PGUSER": "audit"])
        #expect(defaults.user == "audit" && defaults.database == "audit" && defaults.host == "localhost" && defaults.port == 5432)
        #expect(defaults.sslMode == .prefer)
        let ipv6 = try PostgresLocation.parse("postgresql://u@[::1]:5433/d", environment: [:])
        #expect(ipv6.host == "::1" && ipv6.port == 5433 && ipv6.endpoint == "[::1]:5433")
        let socket = try PostgresLocation.parse("postgresql://u@/d?host=/run/postgresql", environment: [:])
        #expect(socket.socketFolder == "/run/postgresql" && socket.endpoint == "/run/postgresql/.s.PGSQL.5432" && socket.sslMode == .disable)
        let escapedSocket = try PostgresLocation.parse("postgresql://u@%2Frun%2Fpg:5444/d", environment: [:])
        #expect(escapedSocket.socketFolder == "/run/pg" && escapedSocket.port == 5444)
    }

    @Test func passwordFromURLThenPGPASSWORDThenPgpass() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent(".pgpass").path
        try "# comment\nother:5432:*:fleet:nope\ndb.example.org:5432:inventory:fleet:from\\:pgpass\\\\\n*:*:*:*:fallback\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let url = "postgresql://fleet@db.example.org/inventory"
        #expect(try PostgresLocation.parse("postgresql://fleet:inurl@db.example.org/inventory", environment: ["PGPASSWORD": "env", "HOME": home.path]).password == "inurl")
        #expect(try PostgresLocation.parse(url, environment: ["PGPASSWORD": "env", "HOME": home.path]).password == "env")
        #expect(try PostgresLocation.parse(url, environment: ["HOME": home.path]).password == "from:pgpass\\")
        #expect(try PostgresLocation.parse("postgresql://x@elsewhere/y", environment: ["HOME": home.path]).password == "fallback")
        #expect(try PostgresLocation.parse(url, environment: ["PGPASSFILE": file]).password == "from:pgpass\\")
        chmod(file, 0o640)  // group-readable: ignored, as libpq ignores it
        #expect(try PostgresLocation.parse(url, environment: ["HOME": home.path]).password == nil)
    }

    @Test(arguments: [
        ("postgresql://u@h:0/d", "port"), ("postgresql://u@h:99999/d", "port"), ("postgresql://u@h:x/d", "port"),
        ("postgresql://u@h/d?sslmode=maybe", "sslmode 'maybe'"), ("postgresql://u@h/d?options=-c%20x", "not supported"),
        ("postgresql://u@[::1/d", "'['"), ("postgresql://u@h/%zz", "%-escape"),
    ])
    func badURLsAreRefusedNamingThePart(url: String, word: String) {
        let error = #expect(throws: FwgateError.self) { try PostgresLocation.parse(url, environment: [:]) }
        #expect(error?.code == .usage)
        #expect(error?.reason.contains(word) == true, "\(error?.reason ?? "")")
    }

    @Test func aBadURLNeverEchoesItsPassword() {
        for url in ["postgresql://u:\(Self.secret)@h:99999/d", "postgresql://u:\(Self.secret)@h/d?sslmode=maybe", "postgresql://u:\(Self.secret)@h/d?x=1"] {
            let error = #expect(throws: FwgateError.self) { try PostgresLocation.parse(url, environment: [:]) }
            #expect(error?.reason.contains("s3cr") == false)
        }
    }

    @Test func migrationSQLSplitsOnStatementsNotInsideFunctionBodies() {
        let statements = PostgresInventory.split(PostgresSchema.migrations[0].sql)
        #expect(statements.contains { $0.hasPrefix("CREATE FUNCTION fwgate_posture_entry_append_only()") && $0.hasSuffix("END $$") })
        #expect(statements.allSatisfy { !$0.hasPrefix("--") && !$0.isEmpty })
        #expect(PostgresInventory.split("SELECT 'a;b'; SELECT 2") == ["SELECT 'a;b'", "SELECT 2"])
    }

    @Test func writerRoleNamesArePlainIdentifiers() {
        #expect(PostgresInventory.isPlainIdentifier("fwgate_site_2"))
        for bad in ["", "Site", "2site", "a-b", "a;drop", String(repeating: "a", count: 64), "é"] {
            #expect(!PostgresInventory.isPlainIdentifier(bad), "\(bad)")
        }
    }
}
