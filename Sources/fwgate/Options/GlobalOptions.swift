import ArgumentParser
import FirmwareVerification
import FirmwareFormats
import Foundation

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Inventory database (default: $FWGATE_DB, or ./fwgate.sqlite).", valueName: "path"))
    var db: String?

    @Flag(help: "Print only results and errors: no progress, no hints.")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    var useColor: Bool { !noColor && Terminal.colorAllowed }
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
