import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

extension GlobalOptions {
    /// What `--db`, `$FWGATE_DB` or `./fwgate.sqlite` names: a path (SQLite) or a
    /// `postgresql://` URL.
    var inventoryLocation: String { Inventory.defaultPath(option: db) }

    /// Opens the inventory named by `--db`, `$FWGATE_DB` or `./fwgate.sqlite`: SQLite for a path,
    /// PostgreSQL for a `postgresql://` URL (in fwgate-pg, the executable that links the driver;
    /// only then is a network event loop started).
    func openInventory() throws -> any InventoryStore {
        let location = inventoryLocation
        if PostgresLocation.isPostgres(location) { return try FwgateMain.openCentral(location, access: .readWrite) }
        return try Inventory.open(path: location)
    }

    /// Opens the inventory read-only (commands that only read: an auditor's copy may be a file
    /// they cannot write; on PostgreSQL every transaction is READ ONLY).
    func openInventoryReadOnly() throws -> any InventoryStore {
        let location = inventoryLocation
        if PostgresLocation.isPostgres(location) { return try FwgateMain.openCentral(location, access: .readOnly) }
        return try Inventory.openReadOnly(path: location)
    }
}

/// `fwgate devices import|list|show`
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Manage the device list of the inventory.",
        subcommands: [Import.self, List.self, Show.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Insert or update devices from a CSV (with a header row) or JSON array file.",
            discussion: """
                Columns / fields: \(DeviceRecord.fieldNames.joined(separator: ", ")). Only id is required. \
                Rows with problems are rejected with the reason and the others are imported; exit 1 when \
                any row was rejected.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON: {imported, rejected: [{row, reason}]}.")
        var json = false

        @Argument(help: ArgumentHelp("devices.csv or devices.json", valueName: "file"))
        var file: String

        /// Imports of at least this many devices show progress on a terminal.
        static let progressThreshold = 5_000

        struct Summary: Encodable {
            let file: String
            let imported: Int
            let rejected: [DeviceImport.Rejection]
        }

        func run() throws {
            let result = try DeviceImport.read(path: file, now: Date())
            let inventory = try global.openInventory()
            // Progress on a terminal only, for imports large enough to take a moment.
            let total = result.devices.count
            let showProgress = !global.quiet && Terminal.stderrIsTTY && total >= Self.progressThreshold
            var progress: (@Sendable (Int) -> Void)? = nil
            if showProgress {
                progress = { written in
                    FileHandle.standardError.write(Data("\rwriting devices: \(written)/\(total)".utf8))
                    if written == total { FileHandle.standardError.write(Data("\n".utf8)) }
                }
            }
            try inventory.upsert(result.devices, progress: progress)
            if json {
                let summary = Summary(file: file, imported: result.devices.count, rejected: result.rejected)
                print(String(decoding: try FwgateJSON.encoder().encode(summary), as: UTF8.self))
            } else {
                print("\(file): imported \(result.devices.count) device(s) into \(inventory.path), rejected \(result.rejected.count)")
                for rejection in result.rejected { print("  row \(rejection.row): \(rejection.reason)") }
            }
            if !result.rejected.isEmpty { throw VerdictExit.failed }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the devices.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let devices = try global.openInventoryReadOnly().devices()
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(devices), as: UTF8.self))
                return
            }
            let rows = devices.map { [$0.id, $0.make ?? "-", $0.model ?? "-", $0.installedVersion ?? "-", $0.location ?? "-", $0.ip ?? "-"] }
            print(Table.render(header: ["DEVICE", "MAKE", "MODEL", "VERSION", "LOCATION", "IP"], rows: rows))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one device and its latest posture.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: ArgumentHelp("Device id.", valueName: "device")) var id: String

        struct Output: Encodable {
            let device: DeviceRecord
            let entries: [PostureEntry]
        }

        func run() throws {
            let inventory = try global.openInventoryReadOnly()
            guard let device = try inventory.device(id) else {
                throw FwgateError(.usage, "device '\(id)' is not in the inventory \(inventory.path)")
            }
            let entries = try inventory.entries(.init(deviceID: id))
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(Output(device: device, entries: entries)), as: UTF8.self))
                return
            }
            let mirror = try JSONDecoder().decode(JSONValue.self, from: FwgateJSON.encoder().encode(device))
            print("device \(device.id)")
            print(TreePrinter.render(mirror, indent: 1))
            print("posture entries: \(entries.count)")
            for entry in entries.suffix(10) { print("  " + InventoryCommand.line(entry)) }
        }
    }
}

/// Fixed-width text tables for people.
enum Table {
    /// A cell with its control characters made visible (`\n`, `\r`, `\t`, `\u{1b}`, ...), so a
    /// line break or an escape sequence in a field cannot break the table or drive the
    /// terminal.
    static func escaped(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return cell }
        var out = ""
        for scalar in cell.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func render(header: [String], rows: [[String]]) -> String {
        let header = header.map(escaped)
        let rows = rows.map { $0.map(escaped) }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
