import ArgumentParser
import FirmwareVerification
import FirmwareFormats
import Foundation

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Inventory: an SQLite file, or postgresql://user@host:port/dbname?sslmode=... (default: $FWGATE_DB, or ./fwgate.sqlite).",
            valueName: "path-or-url"))
    var db: String?

    @Option(help: ArgumentHelp("The site recording entries (default: $FWGATE_SITE, or the host name).", valueName: "name"))
    var site: String?

    @Flag(help: "Print only results and errors: no progress, no hints.")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    var useColor: Bool { !noColor && Terminal.colorAllowed }

    func validate() throws {
        if let site { try Self.checkSite(site, source: "--site") }
    }

    /// The site new posture entries name (hashed into them): `--site`, else `$FWGATE_SITE`, else
    /// the host name.
    ///
    /// - Throws: `ValidationError` for an empty name, one with control characters, or longer
    ///   than 255 bytes.
    func resolvedSite(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let site { return site }
        if let variable = environment["FWGATE_SITE"] {
            try Self.checkSite(variable, source: "$FWGATE_SITE")
            return variable
        }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "localhost" : host
    }

    static func checkSite(_ site: String, source: String) throws {
        if site.isEmpty || site.utf8.count > 255 || site.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("\(source) must be a site name of 1 to 255 bytes without control characters")
        }
    }
}

/// `--at` and friends: when verification happens.
struct TimeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Verify as of this time: RFC 3339 with a zone (2026-06-01T12:00:00Z, 2026-06-01T12:00:00+02:00) or a date (2026-06-01 = 00:00:00Z). Default: now.",
            valueName: "time"))
    var at: String?

    /// The verification time, read once per run.
    func resolve() throws -> Date {
        guard let at else { return Date() }
        return try TimeOption.parse(at, option: "--at")
    }

    func validate() throws { _ = try resolve() }
}

/// Strict parsing of every option that takes a time.
enum TimeOption {
    /// Parses `text` as RFC 3339 with a zone, or a bare date (midnight UTC).
    ///
    /// - Throws: `ValidationError` (exit 2) naming the option, what is wrong and the accepted forms.
    static func parse(_ text: String, option: String) throws -> Date {
        do {
            return try RFC3339.strictParse(text)
        } catch {
            throw ValidationError("\(option) '\(text)' is not an accepted time: \(error.reason). Use \(RFC3339.acceptedForms).")
        }
    }
}

/// A duration written `30d`, `12h`, `2w` or `45m` (``DurationText``): options declare it with
/// `transform: Duration.parse` so a refused value names the accepted units.
struct Duration: Sendable, CustomStringConvertible {
    let seconds: TimeInterval
    let text: String

    init(_ parsed: DurationText) {
        self.seconds = TimeInterval(parsed.seconds)
        self.text = parsed.text
    }

    /// A duration fwgate itself writes (defaults); traps on a typo in the source.
    init(literal: String) {
        self.init(try! DurationText(parsing: literal))
    }

    /// For `@Option(transform:)`.
    ///
    /// - Throws: `ValidationError` listing the accepted units.
    static func parse(_ text: String) throws -> Duration {
        do {
            return Duration(try DurationText(parsing: text))
        } catch {
            throw ValidationError("'\(text)' is not an accepted duration: \(error.reason)")
        }
    }

    var description: String { text }
}
