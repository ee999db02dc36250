import ArgumentParser
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate formats [--json]`: every registered format, what it is detected by, what it
/// verifies and its check codes (like `openssl list`).
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: "List the formats fwgate detects and verifies, with their check codes.",
        discussion: "JSON: {\"formats\": [{\"id\", \"name\", \"detects\", \"verifies\", \"checkCodes\"}]}. Exit 0.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    struct Listing: Encodable {
        var formats: [FormatSummary]
    }

    func run() throws {
        let summaries = FormatRegistry.formats.map(\.summary)
        if json {
            print(String(decoding: try FwgateJSON.encoder().encode(Listing(formats: summaries)), as: UTF8.self))
            return
        }
        var blocks: [String] = []
        for summary in summaries {
            var lines = ["\(summary.id)  \(summary.name)", "  detects:  \(summary.detects)", "  verifies:"]
            lines += summary.verifies.map { "    - \($0)" }
            lines.append("  check codes: \(summary.checkCodes.map(\.rawValue).joined(separator: ", "))")
            blocks.append(lines.joined(separator: "\n"))
        }
        print(blocks.joined(separator: "\n\n"))
    }
}
