import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

extension InventoryCommand {
    /// `fwgate inventory report`: the fleet's posture as one view (HTML, Markdown, JSON, Prometheus).
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Report the fleet's posture: per device, a summary and a risk register.",
            discussion: """
                Per device: the latest entry of each artifact verified for it, its verdict and failing checks, firmware \
                version, signer and its expiry, when it was last verified. Posture: fail (a latest entry failed), stale \
                (last verified longer ago than --stale), warn, pass, or never verified. The risk register ranks every \
                finding (a failing signature on an ePHI device first), with its evidence and what to do next. \
                Formats: markdown (default), html (one self-contained page), json (schema fwgate.fleet/1), prometheus \
                (node_exporter textfile). --output writes the file atomically.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("markdown, html, json or prometheus.", valueName: "format")) var format: String = "markdown"
        @Option(help: ArgumentHelp("Write to this file (atomically) instead of stdout.", valueName: "file")) var output: String?
        @Option(
            help: ArgumentHelp(
                "Report as of this time (RFC 3339 or a date): later entries are ignored. Default: now.", valueName: "time"))
        var at: String?
        @Option(
            help: ArgumentHelp("A device last verified longer ago than this is stale: a whole number and m, h, d or w (default: 90d).", valueName: "duration"),
            transform: Duration.parse)
        var stale: Duration = Duration(literal: "90d")

        static let formats = ["markdown", "html", "json", "prometheus"]

        func validate() throws {
            guard Self.formats.contains(format) else { throw ValidationError("--format must be markdown, html, json or prometheus") }
            if let at, RFC3339.parse(at) == nil {
                throw ValidationError("--at '\(at)' is not an RFC 3339 time (e.g. 2026-06-01T00:00:00Z) or a date (2026-06-01)")
            }
        }

        func run() throws {
            let time = at.flatMap(RFC3339.parse) ?? Date()
            let posture = try global.openInventoryReadOnly().fleetPosture(at: time, staleAfter: stale.seconds)
            let text: String
            switch format {
            case "json": text = FleetJSON.render(posture)
            case "prometheus": text = FleetPrometheus.render(posture)
            case "html": text = FleetHTMLRenderer.render(posture)
            default: text = FleetMarkdown.render(posture)
            }
            try OutputFile.emit(text, to: output)
        }
    }
}

/// Writes a command's output to stdout or, atomically, to a file.
enum OutputFile {
    /// Writes `text` to `path` through a temporary file and a rename (so a textfile collector or a
    /// web server never reads half a file), or to stdout when `path` is nil.
    static func emit(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw FwgateError(.io, "\(path): cannot write: \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw FwgateError(.io, "\(path): cannot write: \(reason)")
        }
    }
}
