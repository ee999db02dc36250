import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Reads a devices file (CSV with a header row, or a JSON array of objects) into records.
/// Every row is judged on its own: good rows are returned, bad rows are rejected with the
/// reason, and nothing is written here.
public enum DeviceImport {
    public struct Rejection: Sendable, Codable, Hashable {
        /// 1-based row number (CSV: the header is row 1) or array index + 1 (JSON).
        public var row: Int
        public var reason: String
    }

    public struct Result: Sendable {
        public var devices: [DeviceRecord]
        public var rejected: [Rejection]
    }

    /// Parses `path` by its extension (`.csv`, `.json`).
    ///
    /// - Throws: `FwgateError` when the file cannot be read or is not CSV/JSON at all.
    public static func read(path: String, now: Date) throws(FwgateError) -> Result {
        let data = try InputFile.readInput(path, limit: 1 << 30)
        let rows: [[String: String]]
        let firstRow: Int
        if path.lowercased().hasSuffix(".json") {
            rows = try jsonRows(data, path: path)
            firstRow = 1
        } else {
            guard let text = String(data: data, encoding: .utf8) else { throw FwgateError(.unreadableInput, "\(path): not UTF-8 text") }
            let table: [[String]]
            do {
                table = try CSV.parse(text)
            } catch {
                throw FwgateError(.unreadableInput, "\(path): \(error)")
            }
            guard let header = table.first else { throw FwgateError(.unreadableInput, "\(path): empty file (a header row is required)") }
            let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
            let unknown = names.filter { !DeviceRecord.fieldNames.contains($0) }
            guard unknown.isEmpty else {
                throw FwgateError(
                    .unreadableInput,
                    "\(path): unknown column(s) \(unknown.joined(separator: ", ")); known: \(DeviceRecord.fieldNames.joined(separator: ", "))")
            }
            rows = table.dropFirst().map { cells in
                var row: [String: String] = [:]
                for (index, name) in names.enumerated() where index < cells.count { row[name] = cells[index] }
                if cells.count != names.count { row["__cellCount"] = String(cells.count) }
                return row
            }
            firstRow = 2
        }
        var devices: [DeviceRecord] = []
        var rejected: [Rejection] = []
        var seen: Set<String> = []
        for (offset, row) in rows.enumerated() {
            let number = offset + firstRow
            switch record(from: row, now: now) {
            case .success(let device):
                if seen.contains(device.id) {
                    rejected.append(Rejection(row: number, reason: "device id '\(device.id)' appears twice in the file"))
                } else {
                    seen.insert(device.id)
                    devices.append(device)
                }
            case .failure(let reason):
                rejected.append(Rejection(row: number, reason: reason.message))
            }
        }
        return Result(devices: devices, rejected: rejected)
    }

    struct RowError: Error {
        let message: String
    }

    static func jsonRows(_ data: Data, path: String) throws(FwgateError) -> [[String: String]] {
        guard case .array(let array)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw FwgateError(.unreadableInput, "\(path): not a JSON array of device objects")
        }
        return array.map { element in
            guard case .object(let object) = element else { return ["__invalid": "not an object"] }
            var row: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case .string(let text): row[key] = text
                case .number(let number): row[key] = number == number.rounded() ? String(Int64(number)) : String(number)
                case .bool(let flag): row[key] = flag ? "true" : "false"
                case .null: continue
                case .array, .object: row["__invalid"] = "field \(key) is not a plain value"
                }
            }
            return row
        }
    }

    static func record(from row: [String: String], now: Date) -> Swift.Result<DeviceRecord, RowError> {
        if let invalid = row["__invalid"] { return .failure(RowError(message: invalid)) }
        if let cells = row["__cellCount"] { return .failure(RowError(message: "has \(cells) cells, the header has a different number")) }
        let unknown = row.keys.filter { !DeviceRecord.fieldNames.contains($0) }.sorted()
        guard unknown.isEmpty else { return .failure(RowError(message: "unknown field(s) \(unknown.joined(separator: ", "))")) }
        func value(_ key: String) -> String? {
            guard let text = row[key].map(trimmed), !text.isEmpty else { return nil }
            return text
        }
        guard let id = value("id") else { return .failure(RowError(message: "no device id")) }
        guard id.count <= 200, !id.contains(where: { $0.isNewline }) else { return .failure(RowError(message: "device id is too long or has a line break")) }
        var device = DeviceRecord(id: id, updatedAt: now)
        device.assetTag = value("assetTag")
        device.make = value("make")
        device.model = value("model")
        device.serialNumber = value("serialNumber")
        device.mac = value("mac")
        if let ip = value("ip") {
            guard isIPAddress(ip) else {
                return .failure(RowError(message: "ip '\(ip)' is not an IPv4 or IPv6 address"))
            }
            device.ip = ip
        }
        device.location = value("location")
        device.owner = value("owner")
        device.networkSegment = value("networkSegment")
        device.clinicalUse = value("clinicalUse")
        device.baaStatus = value("baaStatus")
        device.installedVersion = value("installedVersion")
        if let port = value("tlsPort") {
            guard let number = Int(port), (1...65535).contains(number) else {
                return .failure(RowError(message: "tlsPort '\(port)' is not a port number (1-65535)"))
            }
            device.tlsPort = number
        }
        if let ephi = value("storesEPHI") {
            switch ephi.lowercased() {
            case "true", "yes", "y", "1": device.storesEPHI = true
            case "false", "no", "n", "0": device.storesEPHI = false
            default: return .failure(RowError(message: "storesEPHI '\(ephi)' is not yes/no"))
            }
        }
        if let date = value("supportEndDate") {
            guard RFC3339.parse(date) != nil else {
                return .failure(RowError(message: "supportEndDate '\(date)' is not a date (YYYY-MM-DD)"))
            }
            device.supportEndDate = date
        }
        if let counter = value("installedSecurityCounter") {
            guard let number = Int64(counter), number >= 0 else {
                return .failure(RowError(message: "installedSecurityCounter '\(counter)' is not a whole number ≥ 0"))
            }
            device.installedSecurityCounter = number
        }
        return .success(device)
    }

    /// True for a literal IPv4 (dotted quad, each part 0-255) or IPv6 address, as `inet_pton(3)`
    /// reads them: `999.1.1.1`, `10.0.0`, host names and `1.2.3.4/24` are refused.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// `text` without leading and trailing white space and line breaks (Foundation's
    /// `trimmingCharacters` dominated a 100,000-row import; most fields need no trimming).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
