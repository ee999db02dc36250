import Foundation
import FwgateTestSupport
import Testing

/// README's main job, run exactly as documented (into a scratch inventory), with the outcome
/// keys-example/demo/README.md promises.
@Suite struct DemoTests {
    @Test func mainJobGivesTheDocumentedVerdicts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = ["--db", dir.appendingPathComponent("fwgate.sqlite").path]
        let imported = try BinaryRunner.run(["devices", "import", "keys-example/demo/devices.csv"] + db)
        #expect(imported.status == 0, "\(imported.stderr)")
        let batch = try BinaryRunner.run(["batch", "keys-example/demo/manifest.csv", "--policy", "keys-example/policy.yaml", "--json"] + db)
        #expect(batch.status == 1, "\(batch.stderr)")
        var outcome: [String: (String, Set<String>)] = [:]
        for line in batch.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let failed = (object["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
            outcome[try #require(object["device"] as? String)] = (try #require(object["verdict"] as? String), Set(failed))
        }
        let expected: [String: (String, Set<String>)] = [
            "pump-icu-01": ("warn", []), "pump-icu-02": ("warn", []),
            "pump-ward-03": ("fail", ["integrity.digest-mismatch"]), "pump-ward-04": ("fail", ["rollback.version"]),
            "pump-ward-05": ("fail", ["key.untrusted"]), "monitor-or-01": ("warn", []),
            "monitor-or-02": ("fail", ["signature.missing"]),
        ]
        #expect(outcome.count == expected.count)
        for (device, (verdict, failed)) in expected {
            #expect(outcome[device]?.0 == verdict, "\(device)")
            #expect(outcome[device]?.1 == failed, "\(device)")
        }
        let audit = try BinaryRunner.run(["inventory", "audit"] + db)
        #expect(audit.status == 0)
        #expect(audit.stdout.hasPrefix("audit: 7 entries, chain intact"))
    }
}
