import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Renders verification reports for people (stdout) or scripts (JSON).
struct ReportPrinter {
    var color: Bool
    /// Also list passed and skipped checks.
    var verbose: Bool = true

    /// `PASS`, `WARN` or `FAIL`, coloured on a terminal.
    func verdictLabel(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: Terminal.paint("PASS", .green, enabled: color)
        case .warn: Terminal.paint("WARN", .yellow, enabled: color)
        case .fail: Terminal.paint("FAIL", .red, enabled: color)
        }
    }

    /// The first line of a report: verdict, file, format and time.
    func headline(_ report: VerificationReport, at: Date) -> String {
        let companions = (report.companions ?? []).map { " + \($0.role.rawValue) \($0.path)" }.joined()
        return "\(verdictLabel(report.verdict))  \(report.file)\(companions)  (\(report.format?.rawValue ?? "unknown format"), at \(RFC3339.string(at)))"
    }

    /// One line per check: failed checks by their code, passed ones by what they establish.
    func checkLines(_ checks: [Check], statuses: Set<Check.Status>) -> [String] {
        let shown = checks.sorted { $0.status > $1.status }.filter { statuses.contains($0.status) }
        let labels = shown.map { $0.status == .passed ? $0.code.passPhrase : $0.code.rawValue }
        let width = labels.map(\.count).max() ?? 0
        return zip(shown, labels).map { check, label in
            let status: String
            switch check.status {
            case .failed: status = Terminal.paint("failed ", .red, enabled: color)
            case .warning: status = Terminal.paint("warning", .yellow, enabled: color)
            case .passed: status = Terminal.paint("passed ", .green, enabled: color)
            case .skipped: status = Terminal.paint("skipped", .dim, enabled: color)
            }
            let padded = label + String(repeating: " ", count: max(0, width - label.count))
            return "  \(status)  \(padded)  \(check.message)"
        }
    }

    func human(_ report: VerificationReport, at: Date) -> String {
        var lines = [headline(report, at: at)]
        lines += checkLines(report.checks, statuses: verbose ? [.failed, .warning, .passed, .skipped] : [.failed, .warning])
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

/// `batch` output: one line per (artifact, device) with the reasons of a FAIL or WARN, or JSON
/// Lines.
struct BatchReporter {
    let json: Bool
    let quiet: Bool
    let color: Bool
    let at: Date

    func print(_ report: VerificationReport, device: String?) throws {
        if json {
            let encoder = FwgateJSON.encoder(pretty: false)
            var line = try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any] ?? [:]
            line["device"] = device ?? NSNull()
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            Swift.print(String(decoding: data, as: UTF8.self))
            return
        }
        guard !quiet || report.verdict == .fail else { return }
        let printer = ReportPrinter(color: color, verbose: false)
        let reasons = report.checks.filter { $0.status == .failed || $0.status == .warning }
            .sorted { $0.status > $1.status }
            .map { "    \($0.status == .failed ? "✗" : "!") \($0.code): \($0.message)" }
        Swift.print(([printer.headline(report, at: at) + "  device \(device ?? "-")"] + reasons).joined(separator: "\n"))
    }
}

/// The procurement gate's output: one PASS/FAIL line per artifact, then every failed, warning
/// and skipped check with its reason (a skipped revocation check is never silent).
struct GateReporter {
    let color: Bool

    func render(_ report: VerificationReport) -> String {
        let verdict: String
        switch report.verdict {
        case .fail: verdict = Terminal.paint("FAIL", .red, enabled: color)
        case .warn: verdict = Terminal.paint("PASS (with warnings)", .yellow, enabled: color)
        case .pass: verdict = Terminal.paint("PASS", .green, enabled: color)
        }
        let signer = report.signer.map { " signer \($0.name ?? $0.subject ?? "-")" } ?? ""
        var lines = ["\(verdict)  \(report.file)  \(report.format?.rawValue ?? "unknown format") \(report.version ?? "")\(signer)"]
        for check in report.checks.sorted(by: { $0.status > $1.status }) {
            switch check.status {
            case .failed: lines.append("    ✗ \(check.code): \(check.message)")
            case .warning: lines.append("    ! \(check.code): \(check.message)")
            case .skipped: lines.append("    - not checked: \(check.code): \(check.message)")
            case .passed: break
            }
        }
        return lines.joined(separator: "\n")
    }
}
