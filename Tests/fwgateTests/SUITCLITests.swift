import Foundation
import FwgateTestSupport
import Testing

/// SUIT through the built binary: the sequence number is the security counter the policy's
/// rollback rule compares with the device's (expected.json has no device field, so these run
/// here), and `inspect` shows the manifest.
@Suite struct SUITCLITests {
    static let at = "2026-06-01T00:00:00Z"
    static let suit = "testvectors/suit"

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-suit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func codes(_ report: [String: Any], _ status: String) -> [String] {
        (report["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == status }.compactMap { $0["code"] as? String }
    }

    /// es256.suit has sequence number 7 (generate.py): below a device at 9 it is a rollback;
    /// at a device on 7 it passes (equal is not lower).
    @Test func sequenceNumberBelowTheDeviceCounterIsARollback() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        let devices = #"""
            [{"id": "pump-9", "make": "acme-medical", "model": "pump-x1", "installedSecurityCounter": "9"},
             {"id": "pump-7", "make": "acme-medical", "model": "pump-x1", "installedSecurityCounter": "7"}]
            """#
        try devices.write(to: dir.appendingPathComponent("devices.json"), atomically: true, encoding: .utf8)
        let imported = try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("devices.json").path, "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        func verify(_ device: String) throws -> (Int32, [String: Any]) {
            let result = try BinaryRunner.run([
                "verify", "\(Self.suit)/es256.suit", "--payload", "\(Self.suit)/firmware.bin", "--trust", "\(Self.suit)/keys/test-es256.pub.pem",
                "--device", device, "--db", db, "--at", Self.at, "--json",
            ])
            return (result.status, try Self.object(result.stdout))
        }
        let (rollbackStatus, rollback) = try verify("pump-9")
        #expect(rollbackStatus == 1)
        #expect(Self.codes(rollback, "failed") == ["rollback.security-counter"])
        #expect(rollback["securityCounter"] as? Int == 7)
        let message = (rollback["checks"] as? [[String: Any]])?.first { $0["code"] as? String == "rollback.security-counter" }?["message"] as? String
        #expect(message?.contains("7 is lower than 9") == true)

        let (equalStatus, equal) = try verify("pump-7")
        #expect(equalStatus == 0)
        #expect(Self.codes(equal, "failed").isEmpty)
        #expect(Self.codes(equal, "passed").contains("rollback.security-counter"))
    }

    @Test func inspectShowsTheManifest() throws {
        let result = try BinaryRunner.run(["inspect", "\(Self.suit)/eddsa-integrated.suit", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let inspection = try Self.object(result.stdout)
        #expect(inspection["format"] as? String == "suit")
        let description = try #require(inspection["description"] as? [String: Any])
        #expect(description["sequenceNumber"] as? Int == 7 && description["securityCounter"] as? Int == 7)
        let components = try #require(description["components"] as? [[String: Any]])
        #expect(components.count == 1)
        #expect(components.first?["vendorID"] as? String == "fa6b4a53-d5ad-5fdf-be9d-e663e4d41ffe")
        #expect(components.first?["imageSize"] as? Int == 30000)
        #expect(components.first?["integratedPayload"] as? String == "#firmware")
        let digest = try #require(components.first?["imageDigest"] as? [String: Any])
        #expect(digest["algorithm"] as? String == "SHA-256")
        #expect(digest["value"] as? String == (try ReferenceTool.sha256sum("\(Self.suit)/firmware.bin")))
    }
}
