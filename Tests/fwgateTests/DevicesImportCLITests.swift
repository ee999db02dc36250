import Foundation
import FwgateTestSupport
import Testing

/// `devices import` and `devices list` with hostile or large input (issue 9 "also seen").
@Suite struct DevicesImportCLITests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-devices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func ipAddressesAreValidatedWithTheirRowNumber() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("d.csv")
        try Data("id,ip\nok-4,10.0.0.1\nok-6,fe80::1\nbad-1,999.1.1.1\nbad-2,10.0.0\nbad-3,pump.local\nbad-4,10.0.0.1/24\n".utf8).write(to: csv)
        let result = try BinaryRunner.run(["devices", "import", csv.path, "--db", dir.appendingPathComponent("inv.sqlite").path, "--json"])
        #expect(result.status == 1)  // rows were rejected
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["imported"] as? Int == 2)
        let rejected = try #require(object["rejected"] as? [[String: Any]])
        #expect(rejected.map { $0["row"] as? Int } == [4, 5, 6, 7])
        #expect((rejected.first?["reason"] as? String) == "ip '999.1.1.1' is not an IPv4 or IPv6 address")
    }

    @Test func controlCharactersInFieldsAreEscapedInTheList() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("d.csv")
        try Data("id,location\npump-1,\"Ward 3\nFAKE-ROW  evil\"\npump-2,\"tab\there \u{1b}[31mred\"\n".utf8).write(to: csv)
        let db = dir.appendingPathComponent("inv.sqlite").path
        #expect(try BinaryRunner.run(["devices", "import", csv.path, "--db", db]).status == 0)
        let list = try BinaryRunner.run(["devices", "list", "--db", db])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(list.stdout)")  // header and one line per device
        #expect(list.stdout.contains("Ward 3\\nFAKE-ROW  evil"))
        #expect(list.stdout.contains("tab\\there \\u{1b}[31mred"))
        #expect(!list.stdout.contains("\u{1b}"))
    }

    @Test func largeImportsShowProgressOnATerminalAndAFinalCount() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "id,ip\n"
        for index in 0..<6_000 { text += "dev-\(index),10.1.\(index / 256).\(index % 256)\n" }
        let csv = dir.appendingPathComponent("d.csv")
        try Data(text.utf8).write(to: csv)
        let db = dir.appendingPathComponent("inv.sqlite").path
        let onTerminal = try BinaryRunner.runOnTerminal(["devices", "import", csv.path, "--db", db])
        #expect(onTerminal.status == 0)
        #expect(onTerminal.stdout.contains("writing devices: 1000/6000"))
        #expect(onTerminal.stdout.contains("writing devices: 6000/6000\n"))
        #expect(onTerminal.stdout.contains("imported 6000 device(s)"))
        // Not a terminal: no progress, only the result.
        let piped = try BinaryRunner.run(["devices", "import", csv.path, "--db", db])
        #expect(piped.stderr.isEmpty)
        #expect(piped.stdout.contains("imported 6000 device(s)"))
    }
}
