import FirmwareVerification
import Foundation

/// A `--db postgresql://user[:password]@host[:port]/dbname?sslmode=...` URL, read as libpq reads
/// it (the parts fwgate uses): the password from the URL, else `$PGPASSWORD`, else the first
/// matching line of `~/.pgpass` (or `$PGPASSFILE`); the user from the URL, else `$PGUSER`, else
/// the login name; the database from the URL, else the user. `host=/folder` in the query (or a
/// percent-escaped folder as the host) means a Unix socket in that folder.
///
/// The password is kept apart from everything printable: ``display`` and every error name the
/// user, host, port and database only.
public struct PostgresLocation: Sendable, Equatable {
    /// TLS as libpq's `sslmode` asks for it.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, unverified (libpq's `allow` and `prefer`; `prefer` is
        /// the default, as in libpq).
        case allow, prefer
        /// TLS or nothing, the certificate not verified.
        case require
        /// TLS, the chain verified against `sslrootcert` (or the system's roots), not the name.
        case verifyCA = "verify-ca"
        /// TLS, the chain and the host name verified.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    /// The socket folder, when connecting over a Unix socket.
    public var socketFolder: String?
    public var database: String
    public var sslMode: SSLMode
    /// `sslrootcert=FILE`: the roots a verify-ca / verify-full server certificate must chain to.
    public var sslRootCertificate: String?

    /// Whether `text` names a PostgreSQL inventory rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// The URL without the password: what messages show.
    public var display: String {
        let where_ = socketFolder.map { "[\($0)]" } ?? (host.contains(":") ? "[\(host)]" : host)
        return "postgresql://\(user)@\(where_):\(port)/\(database)"
    }

    /// Where the server is, for "cannot reach" messages: `host:port`, or the socket file.
    public var endpoint: String {
        if let socketFolder { return "\(socketFolder)/.s.PGSQL.\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Reads a URL.
    ///
    /// - Throws: `FwgateError(.usage)` naming what is wrong (never echoing a password).
    public static func parse(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment, home: String? = nil
    ) throws(FwgateError) -> PostgresLocation {
        guard isPostgres(text) else { throw FwgateError(.usage, "not a postgresql:// URL") }
        let rest = String(text[text.index(after: text.range(of: "://")!.lowerBound)...].dropFirst(2))
        // authority / path ? query  (a '#' fragment is not part of a libpq URL)
        var authorityAndPath = rest
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            authorityAndPath = String(rest[..<mark])
            query = String(rest[rest.index(after: mark)...])
        }
        var authority = authorityAndPath
        var path = ""
        if let slash = authorityAndPath.firstIndex(of: "/") {
            authority = String(authorityAndPath[..<slash])
            path = String(authorityAndPath[authorityAndPath.index(after: slash)...])
        }
        var userInfo: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            hostPort = String(authority[authority.index(after: at)...])
        }
        var user: String?
        var password: String?
        if let userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                user = try decode(String(userInfo[..<colon]), what: "user name")
                password = try decode(String(userInfo[userInfo.index(after: colon)...]), what: "password")
            } else {
                user = try decode(userInfo, what: "user name")
            }
        }
        var host = ""
        var portText: String?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw FwgateError(.usage, "the PostgreSQL URL's host has '[' without ']'") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty {
                throw FwgateError(.usage, "the PostgreSQL URL has something after its host's ']' that is not a :port")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = try decode(String(hostPort[..<colon]), what: "host")
            portText = String(hostPort[hostPort.index(after: colon)...])
        } else {
            host = try decode(hostPort, what: "host")
        }
        var database = path.isEmpty ? nil : try decode(path, what: "database name")
        var sslMode: SSLMode?
        var rootCertificate: String?
        var socketFolder: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(String(parts[0]), what: "parameter name")
            let value = parts.count > 1 ? try decode(String(parts[1]), what: "parameter \(key)") : ""
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw FwgateError(
                        .usage, "sslmode '\(value)' is not known; use one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": rootCertificate = value
            case "host":
                if value.hasPrefix("/") { socketFolder = value } else { host = value }
            case "port": portText = value
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "application_name", "connect_timeout": break
            default:
                throw FwgateError(.usage, "the PostgreSQL URL parameter '\(key)' is not supported (fwgate reads sslmode, sslrootcert, host, port, user, password, dbname)")
            }
        }
        if host.hasPrefix("/") {
            socketFolder = host
            host = ""
        }
        if host.isEmpty && socketFolder == nil {
            if let variable = environment["PGHOST"], !variable.isEmpty {
                if variable.hasPrefix("/") { socketFolder = variable } else { host = variable }
            } else {
                host = "localhost"
            }
        }
        var port = 5432
        if let portText = portText ?? environment["PGPORT"], !portText.isEmpty {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw FwgateError(.usage, "the PostgreSQL URL's port '\(portText)' is not a port number (1-65535)")
            }
            port = number
        }
        let resolvedUser = (user?.isEmpty == false ? user : nil) ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? loginName()
        let resolvedDatabase = (database?.isEmpty == false ? database : nil) ?? environment["PGDATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? resolvedUser
        var location = PostgresLocation(
            user: resolvedUser, password: password, host: host, port: port, socketFolder: socketFolder, database: resolvedDatabase,
            sslMode: sslMode ?? (socketFolder != nil ? .disable : .prefer), sslRootCertificate: rootCertificate)
        if location.password == nil {
            if let variable = environment["PGPASSWORD"], !variable.isEmpty {
                location.password = variable
            } else {
                let file = environment["PGPASSFILE"] ?? ((home ?? environment["HOME"]).map { "\($0)/.pgpass" })
                if let file { location.password = PgPass.password(in: file, for: location) }
            }
        }
        return location
    }

    static func decode(_ text: String, what: String) throws(FwgateError) -> String {
        guard let decoded = text.removingPercentEncoding else {
            throw FwgateError(.usage, "the PostgreSQL URL's \(what) has a broken %-escape")
        }
        return decoded
    }

    static func loginName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }
}

/// `~/.pgpass`: lines `host:port:database:user:password`, `*` matching anything, `\:` and `\\`
/// escaped, `#` comments; the first matching line wins. As libpq does, a file that others may
/// read is ignored (it holds passwords).
enum PgPass {
    static func password(in file: String, for location: PostgresLocation) -> String? {
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        if info.st_mode & (S_IRWXG | S_IRWXO) != 0 { return nil }
        guard info.st_size < 1 << 20, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let host = location.socketFolder != nil ? "localhost" : location.host
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ value: String) -> Bool { field == "*" || field == value }
            if matches(fields[0], host) && matches(fields[1], String(location.port)) && matches(fields[2], location.database)
                && matches(fields[3], location.user)
            {
                return fields[4]
            }
        }
        return nil
    }

    /// Splits a .pgpass line on unescaped colons, unescaping `\:` and `\\`.
    static func split(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
