import DeviceInventory
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
    struct Property: Encodable, Hashable {
        let name: String
        let value: String
    }

    struct Entity: Encodable, Hashable {
        let name: String
    }

    struct Hash: Encodable, Hashable {
        let alg: String
        let content: String
    }

    struct Component: Encodable {
        let type: String
        let bomRef: String
        let name: String
        var version: String?
        var description: String?
        var manufacturer: Entity?
        var supplier: Entity?
        var hashes: [Hash]?
        var properties: [Property]?
        var components: [Component]?

        enum CodingKeys: String, CodingKey {
            case type, bomRef = "bom-ref", name, version, description, manufacturer, supplier, hashes, properties, components
        }
    }

    struct Tools: Encodable {
        let components: [Component]
    }

    struct Metadata: Encodable {
        let timestamp: String
        let tools: Tools
        let properties: [Property]
    }

    struct Dependency: Encodable {
        let ref: String
        let dependsOn: [String]
    }

    struct BOM: Encodable {
        let schema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
        let bomFormat = "CycloneDX"
        let specVersion = "1.6"
        let serialNumber: String
        let version = 1
        let metadata: Metadata
        let components: [Component]
        let dependencies: [Dependency]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", bomFormat, specVersion, serialNumber, version, metadata, components, dependencies
        }
    }

    /// The BOM of `posture`, as pretty-printed JSON ending in a newline.
    static func render(_ posture: FleetPosture, toolVersion: String, serialNumber: UUID = UUID()) throws -> String {
        var components: [Component] = []
        var dependencies: [Dependency] = []
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
            add("last-verified", device.lastVerified.map(FleetText.rfc3339))
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
                add("signer-expiry", artifact.signerExpiry.map(FleetText.rfc3339))
                add("known-test-key", artifact.knownTestKey ? "true" : nil)
                add("verified-at", FleetText.rfc3339(artifact.recordedAt))
                add("format", artifact.format)
                add("artifact-path", artifact.artifactPath)
                add("entry-id", String(artifact.entryID))
                add("entry-hash", artifact.entryHash)
                add("tool-version", artifact.toolVersion)
                let name = artifact.artifactPath.split(separator: "/").last.map(String.init) ?? artifact.artifactPath
                return Component(
                    type: "firmware", bomRef: "firmware:\(d.id):entry-\(artifact.entryID)", name: name.isEmpty ? artifact.artifactPath : name,
                    version: artifact.version, supplier: d.make.map(Entity.init),
                    hashes: artifact.artifactSHA256.flatMap { Self.isHex256($0) ? [Hash(alg: "SHA-256", content: $0)] : nil },
                    properties: properties)
            }
            let description = [d.clinicalUse, d.location].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            components.append(
                Component(
                    type: "device", bomRef: deviceRef, name: (d.model?.isEmpty == false ? d.model : nil) ?? d.id,
                    description: "\(d.id)\(description.isEmpty ? "" : " (\(description))")", manufacturer: d.make.map(Entity.init),
                    properties: properties, components: firmware.isEmpty ? nil : firmware))
            dependencies.append(Dependency(ref: deviceRef, dependsOn: firmware.map(\.bomRef)))
        }
        let tool = Component(type: "application", bomRef: "tool:fwgate", name: "fwgate", version: toolVersion)
        let metadata = Metadata(
            timestamp: FleetText.rfc3339(posture.at), tools: Tools(components: [tool]),
            properties: [
                Property(name: "fwgate:schema", value: FleetPosture.schemaID),
                Property(name: "fwgate:stale-after-days", value: String(posture.staleAfterDays)),
                Property(name: "fwgate:devices", value: String(posture.summary.devices)),
                Property(name: "fwgate:entries", value: String(posture.summary.entries)),
            ])
        let bom = BOM(
            serialNumber: "urn:uuid:\(serialNumber.uuidString.lowercased())", metadata: metadata, components: components,
            dependencies: dependencies)
        return String(decoding: try FwgateJSON.encoder().encode(bom), as: UTF8.self) + "\n"
    }

    static func isHex256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
