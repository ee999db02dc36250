import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// What a batch verifies: artifacts, each for zero or more devices. Read from a folder (every
/// regular file, recursively, for no device), a CSV manifest (`file,device` columns, optional
/// `signature` and `payload` columns for companions; one row per pair) or a JSON manifest
/// (`[{"file": …, "device": …, "signature": …, "payload": …}]`, or `"devices": […]`).
/// Manifest paths are relative to the manifest's folder. Input parsing belongs to the CLI.
struct BatchManifest: Sendable {
    struct Item: Sendable, Hashable {
        var artifact: Artifact
        /// The devices this artifact is for; `[nil]` when it is for no device.
        var devices: [String?]
    }

    var items: [Item]
    /// Rows that repeated an earlier (artifact, device) pair and were verified once, as
    /// plain-English notes for stderr.
    var duplicates: [String] = []
    /// Total (artifact, device) pairs.
    var pairCount: Int { items.reduce(0) { $0 + $1.devices.count } }
    /// Every device id named.
    var deviceIDs: Set<String> { Set(items.flatMap { $0.devices.compactMap { $0 } }) }

    /// One row of a manifest, before grouping.
    struct Row {
        var artifact: Artifact
        var device: String?
        /// "row 7" (CSV) or "entry 3" (JSON), for messages.
        var place: String
    }

    /// Reads a folder or manifest file.
    ///
    /// - Throws: `FwgateError` for a missing path or a manifest that cannot be parsed (naming
    ///   the line or entry).
    static func load(_ path: String) throws(FwgateError) -> BatchManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FwgateError(.fileNotFound, "\(path): no such file or folder")
        }
        if isDirectory.boolValue { return try folder(path) }
        let base = (path as NSString).deletingLastPathComponent
        let data = try InputFile.readInput(path, limit: 256 << 20)
        var rows: [Row] = []
        if path.lowercased().hasSuffix(".json") {
            guard case .array(let entries)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                throw FwgateError(.unreadableInput, "\(path): not a JSON array of {file, device|devices} objects")
            }
            for (index, entry) in entries.enumerated() {
                guard case .string(let file)? = entry["file"] else {
                    throw FwgateError(.unreadableInput, "\(path): entry \(index + 1) has no \"file\" string")
                }
                var devices: [String?] = []
                if case .string(let device)? = entry["device"] { devices.append(device.isEmpty ? nil : device) }
                if case .array(let list)? = entry["devices"] {
                    for case .string(let device) in list { devices.append(device) }
                }
                if devices.isEmpty { devices = [nil] }
                var companions: [Artifact.Role: String] = [:]
                for role in Artifact.Role.allCases {
                    if case .string(let value)? = entry[role.rawValue], !value.isEmpty { companions[role] = resolve(value, base: base) }
                }
                let artifact = Artifact(path: resolve(file, base: base), signature: companions[.signature], payload: companions[.payload])
                for device in devices { rows.append(Row(artifact: artifact, device: device, place: "entry \(index + 1)")) }
            }
        } else {
            guard let text = String(data: data, encoding: .utf8) else { throw FwgateError(.unreadableInput, "\(path): not UTF-8 text") }
            let table: [[String]]
            do {
                table = try CSV.parse(text)
            } catch {
                throw FwgateError(.unreadableInput, "\(path): \(error)")
            }
            guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
                let fileColumn = header.firstIndex(of: "file")
            else { throw FwgateError(.unreadableInput, "\(path): the header row needs a 'file' column (and usually 'device')") }
            let deviceColumn = header.firstIndex(of: "device")
            func cell(_ row: [String], _ column: Int?) -> String? {
                guard let column, column < row.count else { return nil }
                let value = row[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            for (offset, row) in table.dropFirst().enumerated() {
                guard let file = cell(row, fileColumn) else {
                    throw FwgateError(.unreadableInput, "\(path): line \(offset + 2) has no file")
                }
                let signature = cell(row, header.firstIndex(of: "signature")).map { resolve($0, base: base) }
                let payload = cell(row, header.firstIndex(of: "payload")).map { resolve($0, base: base) }
                rows.append(
                    Row(
                        artifact: Artifact(path: resolve(file, base: base), signature: signature, payload: payload),
                        device: cell(row, deviceColumn), place: "line \(offset + 2)"))
            }
        }
        return group(rows, manifest: path)
    }

    /// Groups rows by artifact, keeping first-seen order; a repeated (artifact, device) pair is
    /// verified once, and said so.
    static func group(_ rows: [Row], manifest: String) -> BatchManifest {
        var order: [Artifact] = []
        var devices: [Artifact: [String?]] = [:]
        var firstSeen: [Artifact: [String: String]] = [:]
        var duplicates: [String] = []
        for row in rows {
            if devices[row.artifact] == nil {
                order.append(row.artifact)
                devices[row.artifact] = []
            }
            let key = row.device ?? ""
            if let earlier = firstSeen[row.artifact]?[key] {
                duplicates.append(
                    "\(manifest): \(row.place) repeats \(row.artifact.path) for \(row.device.map { "device \($0)" } ?? "no device") (\(earlier)); verified once")
                continue
            }
            firstSeen[row.artifact, default: [:]][key] = row.place
            devices[row.artifact]!.append(row.device)
        }
        return BatchManifest(items: order.map { Item(artifact: $0, devices: devices[$0]!) }, duplicates: duplicates)
    }

    static func resolve(_ file: String, base: String) -> String {
        file.hasPrefix("/") || base.isEmpty ? file : (base as NSString).appendingPathComponent(file)
    }

    static func folder(_ path: String) throws(FwgateError) -> BatchManifest {
        let files = try TrustFiles.expand([path], extensions: nil)
        guard !files.isEmpty else { throw FwgateError(.unreadableInput, "\(path): the folder holds no file to verify") }
        return BatchManifest(items: files.map { Item(artifact: Artifact(path: $0), devices: [nil]) })
    }
}
