import FirmwareFormats
import FirmwareVerification
import Foundation

/// What a batch verifies: artifacts, each for zero or more devices. Read from a folder (every
/// regular file, recursively, for no device), a CSV manifest (`file,device` columns; one row
/// per pair) or a JSON manifest (`[{"file": …, "device": …}]` or `{"file": …, "devices": […]}`).
/// Manifest paths are relative to the manifest's folder.
public struct BatchManifest: Sendable {
    public struct Item: Sendable, Hashable {
        public var artifact: String
        /// The devices this artifact is for; `[nil]` when it is for no device.
        public var devices: [String?]

        public init(artifact: String, devices: [String?]) {
            self.artifact = artifact
            self.devices = devices
        }
    }

    public var items: [Item]
    /// Total (artifact, device) pairs.
    public var pairCount: Int { items.reduce(0) { $0 + $1.devices.count } }
    /// Every device id named.
    public var deviceIDs: Set<String> { Set(items.flatMap { $0.devices.compactMap { $0 } }) }

    /// Reads a folder or manifest file.
    ///
    /// - Throws: `FwgateError` for a missing path or a manifest that cannot be parsed (naming
    ///   the line or entry).
    public static func load(_ path: String) throws(FwgateError) -> BatchManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FwgateError(.fileNotFound, "\(path): no such file or folder")
        }
        if isDirectory.boolValue { return try folder(path) }
        let base = (path as NSString).deletingLastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FwgateError(.unreadableInput, "\(path): cannot read: \(error.localizedDescription)")
        }
        var pairs: [(String, String?)] = []
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
                for device in devices { pairs.append((resolve(file, base: base), device)) }
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
            for (offset, row) in table.dropFirst().enumerated() {
                guard fileColumn < row.count, !row[fileColumn].trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw FwgateError(.unreadableInput, "\(path): line \(offset + 2) has no file")
                }
                let device = deviceColumn.flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil }
                pairs.append((resolve(row[fileColumn].trimmingCharacters(in: .whitespaces), base: base), device?.isEmpty == false ? device : nil))
            }
        }
        // Group by artifact, keeping first-seen order; duplicate pairs collapse.
        var order: [String] = []
        var devices: [String: [String?]] = [:]
        for (file, device) in pairs {
            if devices[file] == nil {
                order.append(file)
                devices[file] = []
            }
            if !devices[file]!.contains(device) { devices[file]!.append(device) }
        }
        return BatchManifest(items: order.map { Item(artifact: $0, devices: devices[$0]!) })
    }

    static func resolve(_ file: String, base: String) -> String {
        file.hasPrefix("/") || base.isEmpty ? file : (base as NSString).appendingPathComponent(file)
    }

    static func folder(_ path: String) throws(FwgateError) -> BatchManifest {
        BatchManifest(items: try TrustFiles.expand([path], extensions: nil).map { Item(artifact: $0, devices: [nil]) })
    }
}
