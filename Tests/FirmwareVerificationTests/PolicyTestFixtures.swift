import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport

/// Builders shared by the policy and known-test-key tests: reports, contexts, keys from
/// keys-example/ and testvectors/, and policy files written to a scratch folder.
enum PolicyTestFixtures {
    /// A fixed verification time: no test depends on today's date.
    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    static func report(
        format: String = "mcuboot", signed: Bool = true, version: String? = "1.2.3", securityCounter: UInt64? = nil,
        earliestExpiry: Date? = nil, chain: [CertificateDescription]? = nil, signer: Signer? = nil, checks: [Check]? = nil
    ) -> VerificationReport {
        let defaultChecks: [Check] =
            signed
            ? [.passed(.signatureInvalid, subject: "fw.bin", "signature verifies")]
            : [.failed(.signatureMissing, subject: "fw.bin", "no signature TLV")]
        var report = VerificationReport(
            file: "fw.bin", sha256: nil, format: FormatID(rawValue: format), signed: signed, version: version, signer: signer, earliestExpiry: earliestExpiry,
            checks: checks ?? defaultChecks, chain: chain)
        report.securityCounter = securityCounter
        return report
    }

    static func context(
        installedVersion: String? = nil, installedSecurityCounter: UInt64? = nil, device: Bool = true, vendor: String? = nil,
        model: String? = nil, procurement: Bool = false, at: Date = at
    ) -> VerificationContext {
        let facts =
            device
            ? DeviceFacts(
                deviceID: "pump-0042", vendor: vendor, model: model, installedVersion: installedVersion,
                installedSecurityCounter: installedSecurityCounter) : nil
        return VerificationContext(at: at, device: facts, vendor: vendor, model: model, procurement: procurement)
    }

    /// A public key from `keys-example/<relative>` (a key or certificate file).
    static func exampleKey(_ relative: String) throws -> PublicKey {
        try PublicKey(contentsOf: ProjectPaths.keysExample.appendingPathComponent(relative).path)
    }

    /// The certificate descriptions of `keys-example/<pki>/` leaf, intermediate and root.
    static func exampleChain(_ pki: String = "pki-rsa", leaf: String = "leaf.pem") throws -> [CertificateDescription] {
        try [leaf, "intermediate.pem", "root.pem"].map { file in
            try Certificate.load(contentsOf: ProjectPaths.keysExample.appendingPathComponent("\(pki)/\(file)").path)[0].info
        }
    }

    /// A public key from `testvectors/<relative>`.
    static func vectorKey(_ relative: String) throws -> PublicKey {
        try PublicKey(contentsOf: TestVectors.path(relative))
    }

    /// A fresh scratch folder.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `yaml` to `policy.yaml` in a fresh scratch folder; returns its path.
    static func writePolicy(_ yaml: String, name: String = "policy.yaml") throws -> String {
        let url = try scratchFolder().appendingPathComponent(name)
        try Data(yaml.utf8).write(to: url)
        return url.path
    }

    /// Loads a policy from YAML text (written to a scratch file, removed afterwards).
    static func policy(_ yaml: String) throws -> Policy {
        let path = try writePolicy(yaml)
        defer { removeScratch(path) }
        return try Policy.load(path: path)
    }

    /// Removes the scratch folder holding `path`.
    static func removeScratch(_ path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// The absolute path of `keys-example/<relative>`, for policies written outside the project.
    static func examplePath(_ relative: String) -> String {
        ProjectPaths.keysExample.appendingPathComponent(relative).path
    }

    /// The checks with this code.
    static func checks(_ checks: [Check], _ code: CheckCode) -> [Check] {
        checks.filter { $0.code == code }
    }
}
