import Foundation

/// The throwaway PostgreSQL cluster `scripts/with-postgres.sh` starts for a test run (CI runs
/// the whole suite through it). Tests that need PostgreSQL are enabled by ``shouldRun``: when
/// the cluster's URL is there, or when `FWGATE_REQUIRE_POSTGRES=1` says it must be (CI), in
/// which case a missing URL fails those tests instead of skipping them. Without either they
/// are skipped, with the reason shown.
///
/// Each test gets a database of its own (``newDatabase()``), so tests run in parallel and
/// never see each other's entries. Superuser work (disabling triggers, creating roles'
/// passwords, editing rows) goes through the real `psql`.
public enum PostgresTestServer {
    /// The cluster's URL (with the superuser's password), from `FWGATE_TEST_POSTGRES_URL`.
    public static var baseURL: String? {
        let value = ProcessInfo.processInfo.environment["FWGATE_TEST_POSTGRES_URL"] ?? ""
        return value.isEmpty ? nil : value
    }

    /// True when the run must test PostgreSQL (`FWGATE_REQUIRE_POSTGRES=1`, set by `.ci/run`).
    public static var required: Bool { ProcessInfo.processInfo.environment["FWGATE_REQUIRE_POSTGRES"] == "1" }

    /// Whether PostgreSQL tests run: a cluster is there, or CI requires one (and they fail
    /// without it).
    public static var shouldRun: Bool { baseURL != nil || required }

    /// The skip reason shown when they do not run.
    public static let skipReason =
        "no PostgreSQL: run through scripts/with-postgres.sh (e.g. scripts/with-postgres.sh swift test) to test the PostgreSQL inventory"

    /// The CA file for `sslmode=verify-full` against the test cluster (its self-signed
    /// certificate for "localhost").
    public static var certificateAuthority: String? { ProcessInfo.processInfo.environment["FWGATE_TEST_POSTGRES_CA"] }

    public struct Parts: Sendable {
        public var user: String
        public var password: String
        public var host: String
        public var port: Int
        public var database: String
    }

    /// The base URL's parts.
    public static func parts() throws -> Parts {
        guard let baseURL else {
            throw TestSupportError(
                "FWGATE_REQUIRE_POSTGRES=1 but FWGATE_TEST_POSTGRES_URL is not set: run the tests through scripts/with-postgres.sh")
        }
        guard let components = URLComponents(string: baseURL), let host = components.host, let port = components.port,
            let user = components.user
        else { throw TestSupportError("FWGATE_TEST_POSTGRES_URL is not a postgresql://user:password@host:port/db URL") }
        return Parts(
            user: user, password: components.password ?? "", host: host, port: port,
            database: String(components.path.dropFirst()))
    }

    /// A URL for `database` on the test cluster, as `user` (with `password` in the URL when
    /// given), with `sslmode`.
    public static func url(database: String, user: String? = nil, password: String? = nil, sslmode: String = "disable") throws -> String {
        let parts = try parts()
        let credentials = password.map { "\(user ?? parts.user):\($0)" } ?? (user ?? parts.user)
        return "postgresql://\(credentials)@\(parts.host):\(parts.port)/\(database)?sslmode=\(sslmode)"
    }

    /// Creates a new, empty database and returns its name.
    public static func newDatabase() throws -> String {
        let name = "fwgate_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let result = try psql(database: try parts().database, "CREATE DATABASE \(name)")
        guard result.status == 0 else { throw TestSupportError("cannot create a test database: \(result.stderr)") }
        return String(name)
    }

    /// A URL (superuser, password in it) to a new, empty database.
    public static func newDatabaseURL() throws -> String {
        try url(database: try newDatabase(), password: try parts().password)
    }

    /// Drops a test database (its connections are ended first).
    public static func dropDatabase(_ name: String) {
        _ = try? psql(database: (try? parts().database) ?? "postgres", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The database name in a URL `newDatabaseURL()` made.
    public static func databaseName(in url: String) -> String {
        URLComponents(string: url).map { String($0.path.dropFirst()) } ?? ""
    }

    /// Runs SQL through `psql` as the superuser (or `user` with `password`) on `database`;
    /// stops at the first error (`ON_ERROR_STOP`).
    public static func psql(database: String, user: String? = nil, password: String? = nil, _ sql: String) throws -> BinaryRunner.Result {
        let parts = try parts()
        let bindir = ProcessInfo.processInfo.environment["FWGATE_TEST_POSTGRES_BINDIR"]
        let program = [bindir.map { "\($0)/psql" }, "/usr/bin/psql"].compactMap { $0 }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let program else { throw TestSupportError("psql not found (apt-get install postgresql-client)") }
        return try BinaryRunner.runProgram(
            URL(fileURLWithPath: program),
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", parts.host, "-p", String(parts.port), "-U", user ?? parts.user, "-d",
                database, "-c", sql,
            ],
            environment: ["PGPASSWORD": password ?? parts.password, "PGSSLMODE": "disable"], unsetting: [], timeout: 120)
    }
}
