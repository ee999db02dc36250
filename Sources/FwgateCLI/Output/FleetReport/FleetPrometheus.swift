import DeviceInventory
import FirmwareVerification
import Foundation

/// Renders a ``FleetPosture`` in the Prometheus text exposition format 0.0.4, for
/// node_exporter's textfile collector (`fwgate inventory report --format prometheus --output
/// /var/lib/node_exporter/textfile_collector/fwgate_fleet.prom`).
///
/// - `fwgate_device_posture{device,model,verdict}`: 1 for the device's posture, 0 for the other
///   four (a state set, so `== 1` and `absent()` both work); `verdict` is pass, warn, fail, stale
///   or never-verified.
/// - `fwgate_device_last_verified_timestamp_seconds{device,model}`: devices verified at least once.
/// - `fwgate_device_update_signer_expiry_timestamp_seconds{device,model}`: devices whose update
///   signer expires (certificates; raw keys do not).
/// - `fwgate_device_support_end_timestamp_seconds{device,model}`: devices with a support end date.
/// - `fwgate_fleet_devices{posture}` and `fwgate_fleet_report_timestamp_seconds`.
///
/// Label values are escaped as the format requires (`\\`, `\"`, `\n`).
enum FleetPrometheus {
    static func render(_ posture: FleetPosture) -> String {
        var out = ""
        out.reserveCapacity(1_024 + posture.devices.count * 700)
        var labels: [String] = []
        labels.reserveCapacity(posture.devices.count)
        for device in posture.devices {
            labels.append("device=\"\(label(device.device.id))\",model=\"\(label(FleetText.model(device.device)))\"")
        }
        out += "# HELP fwgate_device_posture The device's posture (1) among pass, warn, fail, stale and never-verified (0).\n"
        out += "# TYPE fwgate_device_posture gauge\n"
        for (device, labels) in zip(posture.devices, labels) {
            for status in DevicePostureStatus.allCases {
                out += "fwgate_device_posture{\(labels),verdict=\"\(status.rawValue)\"} \(device.status == status ? 1 : 0)\n"
            }
        }
        out += "# HELP fwgate_device_last_verified_timestamp_seconds When the device's firmware was last verified, in Unix seconds.\n"
        out += "# TYPE fwgate_device_last_verified_timestamp_seconds gauge\n"
        for (device, labels) in zip(posture.devices, labels) {
            if let date = device.lastVerified { out += "fwgate_device_last_verified_timestamp_seconds{\(labels)} \(seconds(date))\n" }
        }
        out += "# HELP fwgate_device_update_signer_expiry_timestamp_seconds When the device's update signer expires, in Unix seconds.\n"
        out += "# TYPE fwgate_device_update_signer_expiry_timestamp_seconds gauge\n"
        for (device, labels) in zip(posture.devices, labels) {
            if let date = device.signerExpiry { out += "fwgate_device_update_signer_expiry_timestamp_seconds{\(labels)} \(seconds(date))\n" }
        }
        out += "# HELP fwgate_device_support_end_timestamp_seconds When the vendor's support for the device ends, in Unix seconds.\n"
        out += "# TYPE fwgate_device_support_end_timestamp_seconds gauge\n"
        for (device, labels) in zip(posture.devices, labels) {
            if let date = device.supportEnd { out += "fwgate_device_support_end_timestamp_seconds{\(labels)} \(seconds(date))\n" }
        }
        out += "# HELP fwgate_fleet_devices Devices by posture.\n# TYPE fwgate_fleet_devices gauge\n"
        for status in DevicePostureStatus.allCases {
            out += "fwgate_fleet_devices{posture=\"\(status.rawValue)\"} \(posture.summary.counts[status])\n"
        }
        out += "# HELP fwgate_fleet_report_timestamp_seconds The time the posture was judged at, in Unix seconds.\n"
        out += "# TYPE fwgate_fleet_report_timestamp_seconds gauge\n"
        out += "fwgate_fleet_report_timestamp_seconds \(seconds(posture.at))\n"
        return out
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// A label value: backslash, double quote and line feed escaped.
    static func label(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
