import ArgumentParser
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate verify FILE... --trust PATH... [--format F] [--at T] [--json]`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify firmware images against trusted keys: digests, signatures, key trust, structure.",
        discussion: """
            Detects the format (MCUboot, ESP-IDF; --format forces one), checks every rule and \
            prints each check. Fail-closed: an unknown key, a signature that cannot be checked, \
            a missing signature or a malformed length fails the image. Exit 0 when every file \
            passes (warnings allowed), 1 when one fails, 2 on usage or input errors.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var time: TimeOptions

    @Flag(help: "Print the fwgate.verify/1 JSON report (an array for several files).")
    var json = false

    @Argument(help: ArgumentHelp("Firmware files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if trust.trustPaths.isEmpty {
            throw ValidationError("--trust is required: give the vendor's public keys (files or a folder)")
        }
    }

    func run() async throws {
        let at = try time.resolve()
        let verifier = FirmwareVerifier(trust: try trust.load(), weakAlgorithms: trust.allowWeakUnsafe ? .warnUnsafe : .fail)
        var reports: [VerificationReport] = []
        for file in files {
            reports.append(try verifier.report(path: file, format: format.formatID, context: VerificationContext(at: at)))
        }
        if json {
            print(try ReportPrinter.json(reports))
        } else {
            let printer = ReportPrinter(color: global.useColor, verbose: !global.quiet)
            print(reports.map { printer.human($0, at: at) }.joined(separator: "\n\n"))
        }
        if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
    }
}
