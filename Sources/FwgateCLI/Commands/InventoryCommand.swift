import ArgumentParser
import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate inventory list|show|history|export|audit|head|init|push|report`
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Read the posture inventory and audit its hash chain.",
        subcommands: [List.self, Show.self, History.self, Export.self, Audit.self, Head.self, Init.self, Push.self, Report.self])

    static func line(_ entry: PostureEntry) -> String {
        let signer = entry.signerName ?? entry.signerSubject ?? "-"
        let failed = entry.decodedChecks.filter { $0.status == .failed }.map(\.code.rawValue)
        let why = failed.isEmpty ? "" : "  [\(Set(failed).sorted().joined(separator: ", "))]"
        return "#\(entry.id ?? 0)  \(RFC3339.string(entry.recordedAt))  \(entry.verdict.rawValue.uppercased())  \(entry.deviceID ?? "(no device)")  \(entry.format) \(entry.version ?? "-")  \(entry.artifactPath)  signer \(signer)\(why)"
    }

    struct Filters: ParsableArguments {
        @Option(help: ArgumentHelp("Only this verdict: pass, warn, fail.", valueName: "verdict")) var verdict: String?
        @Option(help: ArgumentHelp("Only this device.", valueName: "id")) var device: String?
        @Option(name: .customLong("artifact-format"), help: ArgumentHelp("Only this artifact format (\(FormatRegistry.idList), ...).", valueName: "format"))
        var artifactFormat: String?
        @Option(help: ArgumentHelp("Only entries recorded at or after this time (RFC 3339 with a zone, or a date).", valueName: "time")) var since: String?

        func validate() throws {
            if let verdict, Verdict(rawValue: verdict) == nil { throw ValidationError("--verdict must be pass, warn or fail") }
            if let since { _ = try TimeOption.parse(since, option: "--since") }
        }

        var filter: Inventory.EntryFilter {
            Inventory.EntryFilter(
                verdict: verdict.flatMap(Verdict.init(rawValue:)), deviceID: device, format: artifactFormat, since: since.flatMap(RFC3339.parse))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List posture entries, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let entries = try global.openInventoryReadOnly().entries(filters.filter)
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self))
            } else if entries.isEmpty {
                print("no posture entries")
            } else {
                for entry in entries { print(InventoryCommand.line(entry)) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one posture entry (by number) or one device: its posture history and its certificates' expiry.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var time: TimeOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: ArgumentHelp("Entry number (from list) or device id.", valueName: "entry-or-device")) var target: String

        struct DeviceView: Encodable {
            let device: DeviceRecord
            let entries: [PostureEntry]
            let certificates: [Inventory.DeviceCertificate]
        }

        func run() throws {
            let inventory = try global.openInventoryReadOnly()
            if let device = try inventory.device(target) {
                try showDevice(device, inventory: inventory)
                return
            }
            guard let id = Int64(target), let entry = try inventory.entry(id) else {
                throw FwgateError(.usage, "'\(target)' is neither a posture entry number nor a device in \(inventory.path)")
            }
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(entry), as: UTF8.self))
                return
            }
            print(InventoryCommand.line(entry))
            print("  artifact sha256 \(entry.artifactSHA256 ?? "-"), \(entry.artifactSize) bytes")
            if let fingerprint = entry.signerFingerprint { print("  signer key sha256 \(fingerprint)") }
            if let expiry = entry.earliestExpiry { print("  earliest certificate expiry \(RFC3339.string(expiry))") }
            print("  policy \(entry.policyDigest ?? "-"), fwgate \(entry.toolVersion), entry hash \(entry.entryHash)")
            for check in entry.decodedChecks { print("  \(check.status.rawValue)  \(check.code)  \(check.message)") }
        }

        func showDevice(_ device: DeviceRecord, inventory: any InventoryStore) throws {
            let entries = try inventory.entries(.init(deviceID: device.id))
            let certificates = try inventory.certificates(forDevice: device.id)
            if json {
                let view = DeviceView(device: device, entries: entries, certificates: certificates)
                print(String(decoding: try FwgateJSON.encoder().encode(view), as: UTF8.self))
                return
            }
            let at = try time.resolve()
            print("device \(device.id)  \(device.make ?? "-") \(device.model ?? "-")  installed \(device.installedVersion ?? "-")  \(device.location ?? "")")
            print("posture entries: \(entries.count)")
            for entry in entries.suffix(10) { print("  " + InventoryCommand.line(entry)) }
            print("certificates: \(certificates.count)")
            for item in certificates {
                let days = ExpiryWindows.daysLeft(until: item.certificate.notAfter, at: at)
                let bucket = ExpiryWindows().bucket(end: item.certificate.notAfter, at: at)
                let place = item.location.endpoint ?? item.location.path ?? "-"
                print("  \(days) days (\(bucket.rawValue))  notAfter \(RFC3339.string(item.certificate.notAfter))  \(item.certificate.subject)  at \(place)  last swept \(RFC3339.string(item.location.lastSwept))")
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "Every posture entry of one device, oldest first.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: ArgumentHelp("Device id.", valueName: "device")) var device: String

        func run() throws {
            let inventory = try global.openInventoryReadOnly()
            guard try inventory.device(device) != nil else { throw FwgateError(.usage, "device '\(device)' is not in \(inventory.path)") }
            let entries = try inventory.entries(.init(deviceID: device))
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self))
            } else {
                for entry in entries { print(InventoryCommand.line(entry)) }
                if entries.isEmpty { print("no posture entries for \(device)") }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export posture entries as CSV, JSON or JSON Lines, or the fleet as a CycloneDX 1.6 BOM (stdout).",
            discussion: """
                cyclonedx: one device component per device (manufacturer, model, serial, asset tag) holding a firmware \
                component per artifact verified for it (version, SHA-256, supplier), with fwgate's verdict, checks, signer \
                and time as fwgate: properties; the posture as of now (stale after 90 days). Of the filters it takes \
                --device only.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Option(help: ArgumentHelp("csv, json, jsonl or cyclonedx.", valueName: "format")) var format: String = "csv"

        func validate() throws {
            guard ["csv", "json", "jsonl", "cyclonedx"].contains(format) else {
                throw ValidationError("--format must be csv, json, jsonl or cyclonedx")
            }
            if format == "cyclonedx", filters.verdict != nil || filters.artifactFormat != nil || filters.since != nil {
                throw ValidationError("--format cyclonedx exports the fleet's current posture; of the filters it takes --device only")
            }
        }

        static let columns = [
            "id", "recordedAt", "deviceID", "verdict", "format", "version", "securityCounter", "artifactPath", "artifactSHA256",
            "artifactSize", "signerName", "signerFingerprint", "signerSubject", "chainStatus", "earliestExpiry", "failedChecks",
            "policyDigest", "toolVersion", "previousHash", "entryHash",
        ]

        func run() throws {
            if format == "cyclonedx" {
                let inventory = try global.openInventoryReadOnly()
                var posture = try inventory.fleetPosture(at: Date(), staleAfter: 90 * 86_400)
                if let device = filters.device {
                    guard try inventory.device(device) != nil else { throw FwgateError(.usage, "device '\(device)' is not in \(inventory.path)") }
                    posture.devices = posture.devices.filter { $0.device.id == device }
                }
                FileHandle.standardOutput.write(Data(FleetCycloneDX.render(posture, toolVersion: FwgateVersion.string).utf8))
                return
            }
            let entries = try global.openInventoryReadOnly().entries(filters.filter)
            switch format {
            case "json":
                print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self))
            case "jsonl":
                let encoder = FwgateJSON.encoder(pretty: false)
                for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
            default:
                print(Self.columns.joined(separator: ","))
                for e in entries {
                    let failed = Set(e.decodedChecks.filter { $0.status == .failed }.map(\.code.rawValue)).sorted().joined(separator: " ")
                    let cells: [String] = [
                        String(e.id ?? 0), RFC3339.string(e.recordedAt), e.deviceID ?? "", e.verdict.rawValue, e.format, e.version ?? "",
                        e.securityCounter.map(String.init) ?? "", e.artifactPath, e.artifactSHA256 ?? "", String(e.artifactSize),
                        e.signerName ?? "", e.signerFingerprint ?? "", e.signerSubject ?? "", e.chainStatus ?? "",
                        e.earliestExpiry.map(RFC3339.string) ?? "", failed, e.policyDigest ?? "", e.toolVersion, e.previousHash, e.entryHash,
                    ]
                    print(cells.map(CSV.field).joined(separator: ","))
                }
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Re-walk the posture entries' hash chain; name the first entry altered, deleted, renumbered or reordered.",
            discussion: """
                Exit 0 when the chain is intact, 1 when it is broken. Ids are checked against the table's \
                sequence, so deleting the newest entries is caught. Keep the output of 'fwgate inventory head' \
                elsewhere (a ticket, a log) and pass it back with --expect-head / --expect-count to detect a chain \
                cut short or rewritten after that point.
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false
        @Option(
            name: .customLong("expect-head"),
            help: ArgumentHelp("A head hash printed earlier by 'inventory head': that entry must still be in the chain.", valueName: "hash"))
        var expectHead: String?
        @Option(
            name: .customLong("expect-count"),
            help: ArgumentHelp("An entry count printed earlier by 'inventory head': the chain must hold at least that many.", valueName: "n"))
        var expectCount: Int?

        func validate() throws {
            if let expectHead, expectHead.count != 64 || !expectHead.allSatisfy(\.isHexDigit) {
                throw ValidationError("--expect-head must be a 64-digit hex SHA-256 (as 'fwgate inventory head' prints it)")
            }
            if let expectCount, expectCount < 0 { throw ValidationError("--expect-count must be 0 or more") }
        }

        func run() throws {
            let inventory = try global.openInventoryReadOnly()
            let result = try inventory.verifyAuditChain(expecting: .init(headHash: expectHead, count: expectCount))
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(result), as: UTF8.self))
            } else if result.intact {
                print("audit: \(result.entries) entries, chain intact; head hash \(result.headHash)")
            } else if let id = result.firstBrokenEntryID {
                print("audit: chain BROKEN at entry #\(id): \(result.problem ?? "")")
            } else {
                print("audit: chain BROKEN: \(result.problem ?? "")")
            }
            if !result.intact { throw VerdictExit.failed }
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the inventory (or bring an existing one to this fwgate's schema); the read commands never create one.")
        @OptionGroup var global: GlobalOptions
        @Option(
            name: .customLong("writer-role"),
            help: ArgumentHelp(
                "PostgreSQL only: create (or update) this role for the sites: it may log in, read, and INSERT posture entries, never UPDATE or DELETE them. Set its password yourself (ALTER ROLE ... PASSWORD).",
                valueName: "name"))
        var writerRole: String?

        func validate() throws {
            if writerRole != nil && !PostgresLocation.isPostgres(global.inventoryLocation) {
                throw ValidationError("--writer-role needs a PostgreSQL inventory (--db postgresql://...); an SQLite file has no roles")
            }
        }

        func run() throws {
            let inventory = try global.openInventory()
            print("inventory \(inventory.path): ready, \(try inventory.entryCount()) posture entries")
            if let writerRole, let postgres = inventory as? any CentralInventory {
                try postgres.createWriterRole(writerRole)
                print("role \(writerRole): may read and INSERT posture entries, never UPDATE or DELETE them; set its password with ALTER ROLE \(writerRole) PASSWORD '...'")
            }
        }
    }

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Copy a site's SQLite entries that a central PostgreSQL inventory lacks (audited first; idempotent, resumable).",
            discussion: """
                The site's chain (--db) is audited first: a broken chain is refused (exit 2). Entries the central \
                inventory (--to) already has from an earlier push are skipped, so running it again is safe and \
                completes a push that was cut short. Each copy is chained in the central inventory and keeps the \
                site's entry id and hash (columns origin_entry_id, origin_entry_hash), so either side can be audited against \
                the other. Entries recorded without a site take --site (default $FWGATE_SITE, or the host name).
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The central inventory: postgresql://user@host:port/dbname?sslmode=...", valueName: "url"))
        var to: String
        @Flag(help: "Print JSON: {copied, alreadyThere, devicesAdded, siteEntries, centralHead}.") var json = false

        func validate() throws {
            guard PostgresLocation.isPostgres(to) else { throw ValidationError("--to must be a postgresql:// URL (the central inventory)") }
            if PostgresLocation.isPostgres(global.inventoryLocation) {
                throw ValidationError("--db must be the site's SQLite inventory (a path), not a PostgreSQL URL")
            }
        }

        struct Outcome: Encodable {
            let copied: Int
            let alreadyThere: Int
            let devicesAdded: Int
            let siteEntries: Int
            let centralHead: Inventory.ChainHead
        }

        func run() throws {
            let siteInventory = try Inventory.openReadOnly(path: global.inventoryLocation)
            let audit = try siteInventory.verifyAuditChain()
            guard audit.intact else {
                throw FwgateError(
                    .database,
                    "\(siteInventory.path): the site's chain is broken\(audit.firstBrokenEntryID.map { " at entry #\($0)" } ?? ""): \(audit.problem ?? ""); nothing was pushed")
            }
            let entries = try siteInventory.entries()
            let devices = try siteInventory.devices()
            let central = try FwgateMain.openCentral(to, access: .readWrite)
            let result = try central.push(entries, devices: devices, site: try global.resolvedSite())
            let outcome = Outcome(
                copied: result.copied, alreadyThere: result.alreadyThere, devicesAdded: result.devicesAdded, siteEntries: entries.count,
                centralHead: try central.head())
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(outcome), as: UTF8.self))
            } else {
                print(
                    "push: \(entries.count) site entries (chain intact): \(result.copied) copied, \(result.alreadyThere) already in \(central.path); \(result.devicesAdded) device(s) added; central head \(outcome.centralHead.headHash) (\(outcome.centralHead.entries) entries)"
                )
            }
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "head",
            abstract: "Print the entry count and head hash of the chain, to keep elsewhere for 'audit --expect-head'.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON: {entries, headHash, headEntryID}.") var json = false

        func run() throws {
            let head = try global.openInventoryReadOnly().head()
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(head), as: UTF8.self))
            } else {
                print("entries \(head.entries)")
                print("head \(head.headHash)")
            }
        }
    }
}
