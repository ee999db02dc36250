import Foundation
import FwgateTestSupport
import Testing

/// Batch manifests carry companions: a `signature` column gives each row its detached
/// signature, and rows without one are verified on their own.
@Suite struct BatchCompanionTests {
    @Test func manifestSignatureColumnReachesEachRow() throws {
        let vectors = ProjectPaths.testVectors.path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-batch-companions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("manifest.csv")
        try """
            file,signature
            \(vectors)/minisign/firmware.bin,\(vectors)/minisign/firmware.bin.minisig
            \(vectors)/minisign/firmware-tampered.bin,\(vectors)/minisign/firmware.bin.minisig
            \(vectors)/signify/firmware.bin,\(vectors)/signify/firmware.bin.sig
            \(vectors)/fit/rsa2048.itb,

            """.write(to: manifest, atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run([
            "batch", manifest.path, "--no-record", "--json", "--trust", "\(vectors)/minisign/keys/test.pub",
            "--trust", "\(vectors)/signify/keys/test.pub", "--trust", "\(vectors)/fit/keys/dev.pub.pem", "--at", "2026-06-01T00:00:00Z",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let reports = result.stdout.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }.filter { $0["verdict"] != nil }
        let byFile = Dictionary(reports.map { (($0["file"] as? String) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byFile["\(vectors)/minisign/firmware.bin"]?["verdict"] as? String == "pass")
        #expect(byFile["\(vectors)/minisign/firmware.bin"]?["format"] as? String == "minisign")
        #expect(byFile["\(vectors)/minisign/firmware-tampered.bin"]?["verdict"] as? String == "fail")
        #expect(byFile["\(vectors)/signify/firmware.bin"]?["format"] as? String == "signify")
        #expect(byFile["\(vectors)/signify/firmware.bin"]?["verdict"] as? String == "pass")
        #expect(byFile["\(vectors)/fit/rsa2048.itb"]?["verdict"] as? String == "pass")
        #expect(reports.count == 4, "\(result.stdout.prefix(400))")
    }
}
