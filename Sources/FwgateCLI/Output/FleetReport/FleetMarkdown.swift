import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// Renders a ``FleetPosture`` as GitHub-flavoured Markdown (`fwgate inventory report --format
/// markdown`): summary, risk register, devices, and the summary's lists, as tables. Cells are
/// escaped so a device id or path can neither break a table nor inject HTML.
enum FleetMarkdown {
    static func render(_ posture: FleetPosture, title: String = "Fleet posture") -> String {
        var md = ""
        md.reserveCapacity(8_192 + posture.devices.count * 400 + posture.risks.count * 300)
        let summary = posture.summary
        md += "# \(cell(title)) — \(RFC3339.string(posture.at))\n\n"
        md += "\(FleetText.plural(summary.devices, "device")), \(FleetText.plural(summary.entries, "posture entry", "posture entries")) up to this time"
        if summary.entriesWithoutDevice > 0 { md += " (\(summary.entriesWithoutDevice) without a device)" }
        md += "; stale after \(posture.staleAfterDays) days.\n\n"
        md += "| posture | devices |\n|---|---:|\n"
        for status in FleetText.statusOrder { md += "| \(status.label) | \(summary.counts[status]) |\n" }
        md += "\n\(FleetText.verdictSentence(posture))\n\n"

        md += "## Risk register\n\n"
        if posture.risks.isEmpty {
            md += "No findings.\n\n"
        } else {
            md += "| # | severity | device | finding | evidence | next step |\n|---:|---|---|---|---|---|\n"
            for (index, risk) in posture.risks.enumerated() {
                md += "| \(index + 1) | \(risk.severity.rawValue) (\(risk.score)) | \(cell(risk.deviceID)) | \(code(risk.code)) \(cell(risk.title)) | \(cell(FleetText.evidence(risk))) | \(cell(risk.nextStep)) |\n"
            }
            md += "\n"
        }

        md += "## Devices\n\n"
        md += "| device | model | posture | firmware | last verified | signer | signer expiry | failing checks | warnings |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for device in posture.devices {
            let failing = Set(device.artifacts.flatMap(\.failedChecks)).sorted().joined(separator: ", ")
            let warnings = Set(device.artifacts.flatMap(\.warningChecks)).sorted().joined(separator: ", ")
            md += "| \(cell(device.device.id)) | \(cell(FleetText.model(device.device))) | \(device.status.label) | \(cell(device.firmwareVersion ?? "-"))"
            md += " | \(device.lastVerified.map(RFC3339.string) ?? "never") | \(cell(device.signer ?? "-")) | \(device.signerExpiry.map(FleetText.day) ?? "-")"
            md += " | \(cell(failing.isEmpty ? "-" : failing)) | \(cell(warnings.isEmpty ? "-" : warnings)) |\n"
        }
        md += "\n## Failing checks\n\n"
        if summary.failingChecks.isEmpty {
            md += "None.\n"
        } else {
            md += "| check | devices |\n|---|---:|\n"
            for item in summary.failingChecks { md += "| \(code(item.code)) | \(item.devices) |\n" }
        }
        md += "\n## Firmware versions per model\n\n"
        if summary.firmwareByModel.isEmpty {
            md += "None verified.\n"
        } else {
            md += "| model | version | pass | warn | fail | devices |\n|---|---|---:|---:|---:|---|\n"
            for model in summary.firmwareByModel {
                let name = cell([model.make, model.model].compactMap { $0 }.joined(separator: " "))
                for version in model.versions {
                    md += "| \(name.isEmpty ? "-" : name) | \(cell(version.version ?? "-")) | \(version.pass) | \(version.warn) | \(version.fail) | \(cell(version.devices.joined(separator: ", "))) |\n"
                }
            }
        }
        md += "\n## Unsigned firmware\n\n"
        md += list(summary.unsignedFirmware.map { "\(cell($0.deviceID)): \(cell($0.artifactPath)) (entry #\($0.entryID))" })
        md += "\n## Known test keys in use\n\n"
        md += list(summary.knownTestKeys.map { "\(cell($0.deviceID)): \(cell($0.artifactPath)) signed by \(cell($0.signer ?? "?")) (entry #\($0.entryID))" })
        md += "\n## Update signers expiring (within \(posture.signerWarningDays) days)\n\n"
        md += list(summary.signersExpiring.map { "\(cell($0.deviceID)): \(cell($0.signer ?? "signer")) \($0.daysLeft < 0 ? "expired" : "expires") \(FleetText.day($0.notAfter)) (\($0.daysLeft) days)" })
        md += "\n## Past vendor support end\n\n"
        md += list(summary.supportEnded.map { "\(cell($0.deviceID)): support ended \(cell($0.supportEndDate)) (\($0.daysPast) days ago)" })
        md += "\n## ePHI without a BAA on record\n\n"
        md += list(summary.ephiWithoutBAA.map { "\(cell($0.deviceID)): baaStatus \(cell($0.baaStatus ?? "empty"))" })
        md += "\n## Posture over time (weekly)\n\n"
        md += "| week ending | " + FleetText.statusOrder.map(\.label).joined(separator: " | ") + " |\n"
        md += "|---|" + String(repeating: "---:|", count: FleetText.statusOrder.count) + "\n"
        for point in posture.history {
            md += "| \(FleetText.day(point.at)) | " + FleetText.statusOrder.map { String(point.counts[$0]) }.joined(separator: " | ") + " |\n"
        }
        md += "\nGenerated by `fwgate inventory report --format markdown`.\n"
        return md
    }

    /// A check code as a code span when it is a plain code (`a-z 0-9 . -`), else escaped text
    /// (a code span cannot escape a backtick).
    static func code(_ text: String) -> String {
        let plain = !text.isEmpty && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 45 }
        return plain ? "`\(text)`" : cell(text)
    }

    static func list(_ items: [String]) -> String {
        items.isEmpty ? "None.\n" : items.map { "- \($0)\n" }.joined()
    }

    /// Escapes text for a Markdown table cell or list item: no `|` or line break can end the
    /// cell, no HTML or Markdown markup is interpreted, hidden characters become visible.
    static func cell(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "|", "\\", "`", "*", "_", "[", "]", "~":
                out += "\\"
                out.unicodeScalars.append(scalar)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t": out += " "
            default:
                if SweepHTMLRenderer.isHidden(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// Wording shared by the fleet renderers.
enum FleetText {
    /// The order summaries list postures in.
    static let statusOrder: [DevicePostureStatus] = [.fail, .stale, .warn, .neverVerified, .pass]

    static func plural(_ count: Int, _ one: String, _ many: String? = nil) -> String {
        "\(count) \(count == 1 ? one : (many ?? one + "s"))"
    }

    static func day(_ date: Date) -> String { String(RFC3339.string(date).prefix(10)) }

    /// The JSON encoder of the fleet report: ``FwgateJSON``'s settings, with the fast date writer.
    static func jsonEncoder() -> JSONEncoder {
        let encoder = FwgateJSON.encoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(date))
        }
        return encoder
    }

    static func model(_ device: FleetDevice) -> String {
        let text = [device.make, device.model].compactMap { $0 }.joined(separator: " ")
        return text.isEmpty ? "-" : text
    }

    /// `entry #12, 2026-06-01` (or the date alone).
    static func evidence(_ risk: RiskFinding) -> String {
        var parts: [String] = []
        if let id = risk.entryID { parts.append("entry #\(id)") }
        if let date = risk.date { parts.append(day(date)) }
        return parts.isEmpty ? "device record" : parts.joined(separator: ", ")
    }

    /// One sentence: what needs attention.
    static func verdictSentence(_ posture: FleetPosture) -> String {
        let counts = posture.summary.counts
        var parts: [String] = []
        if counts.fail > 0 { parts.append("\(plural(counts.fail, "device")) failing verification") }
        if counts.stale > 0 { parts.append("\(plural(counts.stale, "device")) with stale results") }
        if counts.neverVerified > 0 { parts.append("\(plural(counts.neverVerified, "device")) never verified") }
        let critical = posture.risks.filter { $0.severity == .critical }.count
        if critical > 0 { parts.append("\(plural(critical, "critical finding"))") }
        if parts.isEmpty {
            return counts.warn > 0 ? "No device fails; \(plural(counts.warn, "device")) with warnings to review." : "Every device passed its latest verification."
        }
        return "Action needed: " + parts.joined(separator: ", ") + "."
    }
}
