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
            "Verify as of this time (RFC 3339, e.g. 2026-06-01T00:00:00Z, or a date). Default: now.",
            valueName: "time"))
    var at: String?

    /// The verification time, read once per run.
    func resolve() throws -> Date {
        guard let at else { return Date() }
        guard let date = RFC3339.parse(at) else {
            throw ValidationError("--at '\(at)' is not an RFC 3339 time (e.g. 2026-06-01T00:00:00Z) or a date (2026-06-01)")
        }
        return date
    }

    func validate() throws { _ = try resolve() }
}

/// A duration written `30d`, `12h`, `2w` or `45m`.
struct Duration: ExpressibleByArgument, Sendable {
    let seconds: TimeInterval
    let text: String

    init?(argument: String) {
        let units: [Character: TimeInterval] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = argument.last, let scale = units[unit], let value = Int(argument.dropLast()), value >= 0 else {
            return nil
        }
        self.seconds = TimeInterval(value) * scale
        self.text = argument
    }

    var defaultValueDescription: String { text }
}
