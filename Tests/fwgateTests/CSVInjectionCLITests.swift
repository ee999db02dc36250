import Foundation
import FwgateTestSupport
import Testing

/// CSV written by fwgate never starts a cell with a formula trigger (OWASP "CSV Injection"):
/// `=`, `+`, `-`, `@`, tab and carriage return get a leading single quote and the field is
/// quoted (issue 9 item 4). One case per leading character, through both CSV writers' commands.
@Suite struct CSVInjectionCLITests {
    /// (leading character, file name made with it, the field as it must appear in the CSV).
    static let cases: [(String, String, String)] = [
        ("=", "=cmd|calc.bin", "\"'=cmd|calc.bin\""),
        ("+", "+cmd.bin", "\"'+cmd.bin\""),
        ("-", "-cmd.bin", "\"'-cmd.bin\""),
        ("@", "@SUM(1+1).bin", "\"'@SUM(1+1).bin\""),
        ("tab", "\tcmd.bin", "\"'\tcmd.bin\""),
        ("CR", "\rcmd.bin", "\"'\rcmd.bin\""),
    ]

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: cases)
    func inventoryExportNeutralisesArtifactPaths(lead: String, name: String, expected: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("not firmware".utf8).write(to: dir.appendingPathComponent(name))
        let db = dir.appendingPathComponent("inv.sqlite").path
        // `--` so that `-cmd.bin` is a file, not an option; run inside `dir` so the recorded
        // artifact path is the bare name.
        let verify = try BinaryRunner.run(["verify", "--record", "--quiet", "--db", db, "--", name], directory: dir)
        #expect(verify.status == 1, "\(verify.stderr)")
        let export = try BinaryRunner.run(["inventory", "export", "--format", "csv", "--db", db])
        #expect(export.status == 0)
        #expect(export.stdout.contains("," + expected + ","), "\(lead): \(export.stdout)")
        #expect(!export.stdout.contains("," + name))
    }

    @Test func inventoryExportNeutralisesADeviceIdFormula() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let devices = dir.appendingPathComponent("devices.csv")
        try Data("id,make\n\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",Acme\n@pump,Acme\n".utf8).write(to: devices)
        let db = dir.appendingPathComponent("inv.sqlite").path
        #expect(try BinaryRunner.run(["devices", "import", devices.path, "--db", db]).status == 0)
        let image = dir.appendingPathComponent("image.bin")
        try Data("not firmware".utf8).write(to: image)
        _ = try BinaryRunner.run(["verify", "--record", "--quiet", "--db", db, "--device", "=HYPERLINK(\"http://evil\",\"x\")", image.path])
        _ = try BinaryRunner.run(["verify", "--record", "--quiet", "--db", db, "--device", "@pump", image.path])
        let export = try BinaryRunner.run(["inventory", "export", "--format", "csv", "--db", db])
        #expect(export.stdout.contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","), "\(export.stdout)")
        #expect(export.stdout.contains(",\"'@pump\","))
    }

    @Test(arguments: cases)
    func sweepCSVNeutralisesLocations(lead: String, name: String, expected: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(
            at: ProjectPaths.root.appendingPathComponent("testvectors/crypto/chains/leaf-valid.pem"), to: dir.appendingPathComponent(name))
        let result = try BinaryRunner.run(
            ["certs", "sweep", "--no-record", "--format", "csv", "--at", "2026-06-01T00:00:00Z", "--", name], directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("," + expected + "\n"), "\(lead): \(result.stdout)")
    }

    @Test func plainNegativeNumbersStayNumbers() throws {
        // leaf-expired.pem ended before 2026-06-01: daysLeft is negative and must stay a number.
        let result = try BinaryRunner.run(
            ["certs", "sweep", "--no-record", "--format", "csv", "--at", "2026-06-01T00:00:00Z", "testvectors/crypto/chains/leaf-expired.pem"])
        let row = try #require(result.stdout.split(separator: "\n").dropFirst().first)
        #expect(row.contains(",expired,"))
        #expect(row.range(of: #",-\d+,expired,"#, options: .regularExpression) != nil, "\(row)")
    }
}
