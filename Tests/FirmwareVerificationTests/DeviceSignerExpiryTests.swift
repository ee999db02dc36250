import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// Per-device update-signer expiry (the sweep's `devices` list): the last day a device can take
/// an update signed under the certificates its policy scope trusts. Expected dates come from
/// `openssl x509 -enddate`, not from fwgate.
@Suite struct DeviceSignerExpiryTests {
    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    /// notAfter of a certificate file as openssl prints it ("notAfter=Jun  1 00:00:00 2036 GMT").
    static func opensslNotAfter(_ path: String) throws -> Date {
        let line = try ReferenceTool.run("openssl", ["x509", "-in", path, "-noout", "-enddate"])
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "notAfter=", with: "")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return try #require(formatter.date(from: collapsed), "openssl said \(line)")
    }

    /// A policy in a temporary folder trusting only the two example roots for `imaging`.
    static func rootsOnlyPolicy() throws -> (Policy, [String], URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-signer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var roots: [String] = []
        for (index, source) in ["pki-rsa/root.pem", "pki-ecdsa/root.pem"].enumerated() {
            let target = folder.appendingPathComponent("root\(index).pem")
            try FileManager.default.copyItem(at: ProjectPaths.keysExample.appendingPathComponent(source), to: target)
            roots.append(target.path)
        }
        let text = """
            version: 1
            vendors:
              - name: imaging
                roots: [root0.pem, root1.pem]
              - name: pumps
                keys: [key.pem]
            """
        try FileManager.default.copyItem(
            at: ProjectPaths.keysExample.appendingPathComponent("vendor-keys/ecdsa-p256.pub.pem"), to: folder.appendingPathComponent("key.pem"))
        let file = folder.appendingPathComponent("policy.yaml")
        try Data(text.utf8).write(to: file)
        return (try Policy.load(path: file.path), roots, folder)
    }

    @Test func certificateScopeEndsWithItsLastRoot() throws {
        let (policy, roots, folder) = try Self.rootsOnlyPolicy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let last = try roots.map(Self.opensslNotAfter).max()!
        let expiry = DeviceSignerExpiry.evaluate(
            device: "ct-01", vendor: "imaging", model: "ct", policy: policy, at: Self.at, windows: ExpiryWindows())
        #expect(expiry.updatesPossibleUntil == last)
        #expect(expiry.daysLeft == Int(((last.timeIntervalSince1970 - Self.at.timeIntervalSince1970) / 86_400).rounded(.down)))
        #expect(expiry.bucket == .ok)
        #expect(expiry.note.contains("can take updates until"))
        // Judged a day before the last root ends, the same device is critical.
        let late = DeviceSignerExpiry.evaluate(
            device: "ct-01", vendor: "imaging", model: nil, policy: policy, at: last.addingTimeInterval(-86_400), windows: ExpiryWindows())
        #expect(late.bucket == .critical)
        #expect(late.daysLeft == 1)
    }

    @Test func rawKeysDoNotExpireAndUncoveredDevicesHaveNoSigner() throws {
        let (policy, _, folder) = try Self.rootsOnlyPolicy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pump = DeviceSignerExpiry.evaluate(device: "p1", vendor: "pumps", model: nil, policy: policy, at: Self.at, windows: ExpiryWindows())
        #expect(pump.updatesPossibleUntil == nil)
        #expect(pump.bucket == nil)
        #expect(pump.note == "trusted by raw keys (1), which do not expire")
        let stranger = DeviceSignerExpiry.evaluate(device: "x", vendor: "other", model: nil, policy: policy, at: Self.at, windows: ExpiryWindows())
        #expect(stranger.updatesPossibleUntil == nil)
        #expect(stranger.note.contains("does not cover"))
        let unknownVendor = DeviceSignerExpiry.evaluate(device: "y", vendor: nil, model: nil, policy: policy, at: Self.at, windows: ExpiryWindows())
        #expect(unknownVendor.note.contains("does not cover"))
    }
}
