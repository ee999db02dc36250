import FirmwareFormats
import FirmwareVerification
import Foundation

/// Text renderings of a sweep: table (people), CSV (spreadsheets), Prometheus textfile
/// (node_exporter's textfile collector). JSON is ``SweepResult``'s Codable form; HTML is
/// ``SweepHTMLRenderer``.
enum SweepOutput {
    /// CSV columns: the JSON contract's fields; locations as `path|endpoint (device)` joined by `; `.
    static let csvColumns = ["subject", "issuer", "serial", "sha256", "notBefore", "notAfter", "daysLeft", "bucket", "locations"]

    static func csv(_ result: SweepResult) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        for c in result.certificates {
            let cells = [
                c.subject, c.issuer, c.serial, c.sha256, RFC3339.string(c.notBefore), RFC3339.string(c.notAfter), String(c.daysLeft),
                c.bucket.rawValue, c.locations.map(\.label).joined(separator: "; "),
            ]
            lines.append(cells.map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prometheus text exposition format 0.0.4: a gauge of each certificate's notAfter (Unix
    /// seconds) labelled by subject, issuer, serial, sha256, bucket and where it was found, plus
    /// sweep counters.
    static func prometheus(_ result: SweepResult) -> String {
        func label(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        var out: [String] = []
        out.append("# HELP fwgate_certificate_not_after_seconds Expiry time (notAfter) of a certificate found by the sweep, in Unix seconds.")
        out.append("# TYPE fwgate_certificate_not_after_seconds gauge")
        for c in result.certificates {
            let location = c.locations.first.map(\.label) ?? ""
            let device = c.locations.compactMap(\.device).first ?? ""
            out.append(
                "fwgate_certificate_not_after_seconds{subject=\"\(label(c.subject))\",issuer=\"\(label(c.issuer))\",serial=\"\(c.serial)\",sha256=\"\(c.sha256)\",bucket=\"\(c.bucket.rawValue)\",location=\"\(label(location))\",device=\"\(label(device))\"} \(Int64(c.notAfter.timeIntervalSince1970))")
        }
        out.append("# HELP fwgate_sweep_certificates Certificates found by the sweep, by bucket.")
        out.append("# TYPE fwgate_sweep_certificates gauge")
        let counts = result.bucketCounts
        for bucket in ExpiryBucket.allCases {
            out.append("fwgate_sweep_certificates{bucket=\"\(bucket.rawValue)\"} \(counts[bucket] ?? 0)")
        }
        out.append("# HELP fwgate_sweep_unreadable Files or endpoints the sweep could not read.")
        out.append("# TYPE fwgate_sweep_unreadable gauge")
        out.append("fwgate_sweep_unreadable \(result.unreadable.count)")
        out.append("# HELP fwgate_sweep_timestamp_seconds When the sweep judged expiry, in Unix seconds.")
        out.append("# TYPE fwgate_sweep_timestamp_seconds gauge")
        out.append("fwgate_sweep_timestamp_seconds \(Int64(result.at.timeIntervalSince1970))")
        return out.joined(separator: "\n") + "\n"
    }

    /// A table sorted by days left, for people.
    static func table(_ result: SweepResult, paint: (String, ExpiryBucket) -> String = { text, _ in text }) -> String {
        var rows: [[String]] = []
        for c in result.certificates {
            let extra = c.locations.count > 1 ? " (+\(c.locations.count - 1) more)" : ""
            rows.append([String(c.daysLeft), c.bucket.rawValue, RFC3339.string(c.notAfter), c.subject, (c.locations.first?.label ?? "") + extra])
        }
        let header = ["DAYS", "BUCKET", "NOT AFTER", "SUBJECT", "WHERE"]
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String], bucket: ExpiryBucket?) -> String {
            let text = cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
            return bucket.map { paint(text, $0) } ?? text
        }
        var lines = [line(header, bucket: nil)]
        for (row, c) in zip(rows, result.certificates) { lines.append(line(row, bucket: c.bucket)) }
        let counts = result.bucketCounts
        lines.append("")
        lines.append(
            "\(result.certificates.count) certificate(s) at \(RFC3339.string(result.at)): \(counts[.expired] ?? 0) expired, \(counts[.critical] ?? 0) critical, \(counts[.warning] ?? 0) warning, \(counts[.ok] ?? 0) ok; \(result.unreadable.count) unreadable")
        for crl in result.crls where crl.bucket != .ok {
            lines.append("CRL \(crl.path) (\(crl.issuer)): nextUpdate \(crl.nextUpdate.map(RFC3339.string) ?? "-") is \(crl.bucket.rawValue)")
        }
        for device in result.devices {
            lines.append("device \(device.device): \(device.note)")
        }
        for item in result.unreadable {
            lines.append("unreadable \(item.path)\(item.device.map { " (device \($0))" } ?? ""): \(item.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
