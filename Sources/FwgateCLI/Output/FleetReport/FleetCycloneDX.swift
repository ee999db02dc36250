import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation

/// The fleet as a CycloneDX 1.6 bill of materials (JSON), `fwgate inventory export --format
/// cyclonedx`. [CycloneDX 1.6 JSON schema, bom-1.6.schema.json]
///
/// - One `device` component per device: `name` is the model (the id when there is none),
///   `manufacturer` the make; id, serial number, asset tag, location, clinical use, ePHI, BAA,
///   support end, installed version and fwgate's posture as `fwgate:` properties.
/// - Nested in it, one `firmware` component per artifact verified for the device (its latest
///   entry): `name` the file name, `version`, the artifact's SHA-256 in `hashes`, `supplier` the
///   make; fwgate's verdict, failed and warning checks, signer (name, key SHA-256, expiry),
///   verification time, format, path and the posture entry (id and hash) as `fwgate:` properties.
/// - `dependencies`: each device depends on its firmware.
///
/// The serial number is a random UUID (the specification asks for a new one per BOM).
enum FleetCycloneDX {
    struct Property {
        let name: String
        let value: String

        func write(_ w: FleetJSON.Writer) {
            w.object {
                w.field("name") { w.string(name) }
                w.field("value") { w.string(value) }
            }
        }
    }

    struct Component {
        let type: String
        let bomRef: String
        let name: String
        var version: String?
        var description: String?
        var manufacturer: String?
        var supplier: String?
        /// SHA-256, lowercase hex.
        var sha256: String?
        var properties: [Property] = []
        var components: [Component] = []

        /// Keys in sorted order, as before with JSONEncoder's `.sortedKeys`.
        func write(_ w: FleetJSON.Writer) {
            w.object {
                w.field("bom-ref") { w.string(bomRef) }
                if !components.isEmpty { w.field("components") { w.array(components) { $0.write(w) } } }
                w.optional("description", description) { w.string($0) }
                w.optional("hashes", sha256) { hash in
                    w.array([hash]) { content in
                        w.object {
                            w.field("alg") { w.string("SHA-256") }
                            w.field("content") { w.string(content) }
                        }
                    }
                }
                w.optional("manufacturer", manufacturer) { entity($0, w) }
                w.field("name") { w.string(name) }
                if !properties.isEmpty { w.field("properties") { w.array(properties) { $0.write(w) } } }
                w.optional("supplier", supplier) { entity($0, w) }
                w.field("type") { w.string(type) }
                w.optional("version", version) { w.string($0) }
            }
        }

        func entity(_ name: String, _ w: FleetJSON.Writer) {
            w.object { w.field("name") { w.string(name) } }
        }
    }

    /// The BOM of `posture`: one line of JSON (keys sorted) and a newline, written directly
    /// (Foundation's encoder took most of the time on 100,000 entries).
    static func render(_ posture: FleetPosture, toolVersion: String, serialNumber: UUID = UUID()) -> String {
        var components: [Component] = []
        var dependencies: [(ref: String, dependsOn: [String])] = []
        components.reserveCapacity(posture.devices.count)
        for device in posture.devices {
            let d = device.device
            let deviceRef = "device:\(d.id)"
            var properties: [Property] = []
            func add(_ name: String, _ value: String?) {
                if let value, !value.isEmpty { properties.append(Property(name: "fwgate:\(name)", value: value)) }
            }
            add("device-id", d.id)
            add("serial-number", d.serialNumber)
            add("asset-tag", d.assetTag)
            add("model", d.model)
            add("location", d.location)
            add("network-segment", d.networkSegment)
            add("clinical-use", d.clinicalUse)
            add("stores-ephi", d.storesEPHI.map { $0 ? "true" : "false" })
            add("baa-status", d.baaStatus)
            add("support-end-date", d.supportEndDate)
            add("installed-version", d.installedVersion)
            add("posture", device.status.rawValue)
            add("last-verified", device.lastVerified.map(RFC3339.string))
            add("risk-score", String(device.riskScore))
            let firmware = device.artifacts.map { artifact -> Component in
                var properties: [Property] = []
                func add(_ name: String, _ value: String?) {
                    if let value, !value.isEmpty { properties.append(Property(name: "fwgate:\(name)", value: value)) }
                }
                add("verdict", artifact.verdict.rawValue)
                for code in artifact.failedChecks { add("failed-check", code) }
                for code in artifact.warningChecks { add("warning-check", code) }
                add("signed", artifact.signed ? "true" : "false")
                add("signer", artifact.signer)
                add("signer-key-sha256", artifact.signerFingerprint)
                add("signer-expiry", artifact.signerExpiry.map(RFC3339.string))
                add("known-test-key", artifact.knownTestKey ? "true" : nil)
                add("verified-at", RFC3339.string(artifact.recordedAt))
                add("format", artifact.format)
                add("artifact-path", artifact.artifactPath)
                add("entry-id", String(artifact.entryID))
                add("entry-hash", artifact.entryHash)
                add("tool-version", artifact.toolVersion)
                let name = artifact.artifactPath.split(separator: "/").last.map(String.init) ?? artifact.artifactPath
                return Component(
                    type: "firmware", bomRef: "firmware:\(d.id):entry-\(artifact.entryID)", name: name.isEmpty ? artifact.artifactPath : name,
                    version: artifact.version, supplier: d.make,
                    sha256: artifact.artifactSHA256.flatMap { Self.isHex256($0) ? $0.lowercased() : nil }, properties: properties)
            }
            let description = [d.clinicalUse, d.location].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            components.append(
                Component(
                    type: "device", bomRef: deviceRef, name: (d.model?.isEmpty == false ? d.model : nil) ?? d.id,
                    description: "\(d.id)\(description.isEmpty ? "" : " (\(description))")", manufacturer: d.make,
                    properties: properties, components: firmware))
            dependencies.append((deviceRef, firmware.map(\.bomRef)))
        }
        let tool = Component(type: "application", bomRef: "tool:fwgate", name: "fwgate", version: toolVersion)
        let metadata = [
            Property(name: "fwgate:schema", value: FleetPosture.schemaID),
            Property(name: "fwgate:stale-after-days", value: String(posture.staleAfterDays)),
            Property(name: "fwgate:devices", value: String(posture.summary.devices)),
            Property(name: "fwgate:entries", value: String(posture.summary.entries)),
        ]
        let w = FleetJSON.Writer()
        w.out.reserveCapacity(4_096 + posture.devices.count * 1_200 + posture.devices.reduce(0) { $0 + $1.artifacts.count } * 1_600)
        w.object {
            w.field("$schema") { w.string("http://cyclonedx.org/schema/bom-1.6.schema.json") }
            w.field("bomFormat") { w.string("CycloneDX") }
            w.field("components") { w.array(components) { $0.write(w) } }
            w.field("dependencies") {
                w.array(dependencies) { dependency in
                    w.object {
                        w.field("dependsOn") { w.array(dependency.dependsOn) { w.string($0) } }
                        w.field("ref") { w.string(dependency.ref) }
                    }
                }
            }
            w.field("metadata") {
                w.object {
                    w.field("properties") { w.array(metadata) { $0.write(w) } }
                    w.field("timestamp") { w.string(RFC3339.string(posture.at)) }
                    w.field("tools") { w.object { w.field("components") { w.array([tool]) { $0.write(w) } } } }
                }
            }
            w.field("serialNumber") { w.string("urn:uuid:\(serialNumber.uuidString.lowercased())") }
            w.field("specVersion") { w.string("1.6") }
            w.field("version") { w.int(1) }
        }
        w.out.append(0x0A)
        return String(decoding: w.out, as: UTF8.self)
    }

    static func isHex256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
