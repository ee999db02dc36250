import ArgumentParser
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `--trust` and `--format`, shared by `verify` (and later `batch`, `gate`).
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("trust"),
        help: ArgumentHelp(
            "Trusted public keys, root certificates or CRLs: files or folders (repeatable). Required.", valueName: "path"))
    var trustPaths: [String] = []

    @Flag(name: .customLong("allow-weak-unsafe"), help: "Report weak algorithms as warnings instead of failures (unsafe).")
    var allowWeakUnsafe = false

    func load() throws -> TrustStore {
        try TrustStore.load(trustPaths)
    }
}

/// `--format F`: skip detection.
struct FormatOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Treat the file as this format instead of detecting it: \(FormatRegistry.formats.map(\.id.rawValue).joined(separator: ", ")).",
            valueName: "format"))
    var format: String?

    var formatID: FormatID? { format.map(FormatID.init(rawValue:)) }

    func validate() throws {
        if let format, FormatRegistry.format(FormatID(rawValue: format)) == nil {
            throw ValidationError(
                "unknown --format '\(format)'; use one of \(FormatRegistry.formats.map(\.id.rawValue).joined(separator: ", "))")
        }
    }
}
