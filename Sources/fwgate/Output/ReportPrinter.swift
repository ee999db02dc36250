import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Renders verification reports for people (stdout) or scripts (JSON).
struct ReportPrinter {
    var color: Bool
    /// Also list passed and skipped checks.
    var verbose: Bool = true

    func human(_ report: VerificationReport, at: Date) -> String {
        var lines: [String] = []
        let verdict: String
        switch report.verdict {
        case .pass: verdict = Terminal.paint("PASS", .green, enabled: color)
        case .warn: verdict = Terminal.paint("WARN", .yellow, enabled: color)
        case .fail: verdict = Terminal.paint("FAIL", .red, enabled: color)
        }
        lines.append("\(verdict)  \(report.file)  (\(report.format), at \(RFC3339.string(at)))")
        let width = report.checks.map(\.code.rawValue.count).max() ?? 0
        let ordered = report.checks.sorted { $0.status > $1.status }
        for check in ordered where verbose || check.status == .failed || check.status == .warning {
            let status: String
            switch check.status {
            case .failed: status = Terminal.paint("failed ", .red, enabled: color)
            case .warning: status = Terminal.paint("warning", .yellow, enabled: color)
            case .passed: status = Terminal.paint("passed ", .green, enabled: color)
            case .skipped: status = Terminal.paint("skipped", .dim, enabled: color)
            }
            let code = check.code.rawValue + String(repeating: " ", count: max(0, width - check.code.rawValue.count))
            lines.append("  \(status)  \(code)  \(check.message)")
        }
        if let signer = report.signer {
            var parts: [String] = []
            if let name = signer.name { parts.append(name) }
            if let subject = signer.subject { parts.append(subject) }
            if let fingerprint = signer.keyFingerprint { parts.append("key sha256 \(fingerprint)") }
            lines.append("  signer: \(parts.joined(separator: ", "))")
        }
        if let chain = report.chain, !chain.isEmpty {
            lines.append("  chain:")
            for (depth, certificate) in chain.enumerated() {
                let key = certificate.curve.map { "ECDSA \($0)" } ?? "\(certificate.keyType.uppercased())-\(certificate.keyBits)"
                lines.append(
                    "    [\(depth)] \(certificate.subject)  (\(key), \(certificate.signatureAlgorithm), notAfter \(RFC3339.string(certificate.notAfter)))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One report as a JSON object, several as an array (DESIGN.md's `--json` contract).
    static func json(_ reports: [VerificationReport]) throws -> String {
        let encoder = FwgateJSON.encoder()
        let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
        return String(decoding: data, as: UTF8.self)
    }
}
