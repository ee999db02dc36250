import Foundation
import FwgateTestSupport
import Testing

/// `fwgate inventory export --format cyclonedx` over ``FleetFixture``'s inventory, validated
/// against the official CycloneDX 1.6 JSON schema committed in testvectors/cyclonedx/ (by
/// testvectors/cyclonedx/validate.py, with Debian's python3-jsonschema; .ci/run installs it).
@Suite struct FleetCycloneDXTests {
    /// A python3 that can import jsonschema: Debian's first, then the one on PATH.
    static let python: String? = {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3", "python3"] {
            if let status = try? run("/usr/bin/env", [candidate, "-c", "import jsonschema"]).status, status == 0 { return candidate }
        }
        return nil
    }()

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = ProjectPaths.root
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-py-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self))
    }

    static func validate(_ path: String) throws -> (status: Int32, output: String) {
        try run("/usr/bin/env", [try #require(python), "testvectors/cyclonedx/validate.py", path])
    }

    static func properties(_ component: [String: Any]) -> [(String, String)] {
        (component["properties"] as? [[String: String]] ?? []).compactMap { item in item["name"].map { ($0, item["value"] ?? "") } }
    }

    static func property(_ component: [String: Any], _ name: String) -> [String] {
        properties(component).filter { $0.0 == name }.map(\.1)
    }

    @Test(.enabled(if: python != nil, "python3 with jsonschema is not installed (apt-get install python3-jsonschema; .ci/run installs it)"))
    func exportOfTheDemoFleetPassesTheSchemaWithEveryDevice() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        // A device whose strings need JSON escaping.
        let csv = built.directory.appendingPathComponent("odd.csv")
        try Data("id,make,model,serialNumber\n\"odd \"\"one\"\" \\ <b>\",acme,m1,S-1\n".utf8).write(to: csv)
        #expect(try BinaryRunner.run(["devices", "import", csv.path, "--db", built.database]).status == 0)

        let result = try BinaryRunner.run(["inventory", "export", "--format", "cyclonedx", "--db", built.database])
        #expect(result.status == 0, "\(result.stderr)")
        let file = built.directory.appendingPathComponent("fleet.cdx.json")
        try Data(result.stdout.utf8).write(to: file)
        let validation = try Self.validate(file.path)
        #expect(validation.status == 0, "\(validation.output)")
        #expect(validation.output.contains("valid CycloneDX 1.6"))

        let bom = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(bom["bomFormat"] as? String == "CycloneDX")
        #expect(bom["specVersion"] as? String == "1.6")
        #expect((bom["serialNumber"] as? String)?.hasPrefix("urn:uuid:") == true)
        let components = try #require(bom["components"] as? [[String: Any]])
        #expect(components.allSatisfy { $0["type"] as? String == "device" })
        var byID: [String: [String: Any]] = [:]
        for component in components { byID[Self.property(component, "fwgate:device-id").first ?? ""] = component }
        let demo = try String(contentsOfFile: ProjectPaths.root.appendingPathComponent("keys-example/demo/devices.csv").path, encoding: .utf8)
        let demoRows = demo.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(demoRows.count == 7)
        // Every demo device: manufacturer, model, serial, asset tag from devices.csv (columns id,assetTag,make,model,serialNumber,...).
        for row in demoRows {
            let component = try #require(byID[row[0]], "\(row[0]) is not a component")
            #expect(component["bom-ref"] as? String == "device:\(row[0])")
            #expect((component["manufacturer"] as? [String: Any])?["name"] as? String == row[2])
            #expect(component["name"] as? String == row[3])
            #expect(Self.property(component, "fwgate:serial-number") == [row[4]])
            #expect(Self.property(component, "fwgate:asset-tag") == [row[1]])
            let firmware = try #require(component["components"] as? [[String: Any]])
            #expect(firmware.count == 1)
            #expect(firmware.first?["type"] as? String == "firmware")
        }
        #expect(byID.count == 12)
        #expect(byID["odd \"one\" \\ <b>"] != nil)

        // Firmware of pump-ward-03: the tampered file, its SHA-256 as sha256sum says, the verdict and check.
        let ward = try #require((byID["pump-ward-03"]?["components"] as? [[String: Any]])?.first)
        #expect(ward["name"] as? String == "pump-x-1.4.0-tampered.bin")
        #expect(ward["version"] as? String == "1.4.0+0")
        let hashes = try #require(ward["hashes"] as? [[String: String]])
        #expect(hashes == [["alg": "SHA-256", "content": try ReferenceTool.sha256sum("keys-example/demo/firmware/pump-x-1.4.0-tampered.bin")]])
        #expect((ward["supplier"] as? [String: Any])?["name"] as? String == "acme-medical")
        #expect(Self.property(ward, "fwgate:verdict") == ["fail"])
        #expect(Self.property(ward, "fwgate:failed-check") == ["integrity.digest-mismatch"])
        #expect(Self.property(ward, "fwgate:signer") == ["acme-medical/ecdsa-p256"])
        #expect(Self.property(ward, "fwgate:verified-at").count == 1)
        #expect(Self.property(byID["pump-legacy-09"] ?? [:], "fwgate:posture") == ["never-verified"])
        #expect(byID["pump-legacy-09"]?["components"] == nil)
        let dependencies = try #require(bom["dependencies"] as? [[String: Any]])
        #expect(dependencies.count == 12)
        #expect(dependencies.contains { $0["ref"] as? String == "device:pump-ward-03" && ($0["dependsOn"] as? [String])?.count == 1 })

        // The validator does reject what the schema forbids (so a pass above means something).
        let broken = built.directory.appendingPathComponent("broken.cdx.json")
        try Data(result.stdout.replacingOccurrences(of: "\"type\":\"device\"", with: "\"type\":\"gadget\"").utf8).write(to: broken)
        let rejected = try Self.validate(broken.path)
        #expect(rejected.status == 1)
        #expect(rejected.output.contains("INVALID at components/0/type"))
    }

    @Test func deviceFilterAndRefusedFilters() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let one = try BinaryRunner.run(["inventory", "export", "--format", "cyclonedx", "--device", "vent-icu-07", "--db", built.database])
        #expect(one.status == 0, "\(one.stderr)")
        let bom = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        let components = try #require(bom["components"] as? [[String: Any]])
        #expect(components.map { $0["bom-ref"] as? String } == ["device:vent-icu-07"])
        let firmware = try #require((components.first?["components"] as? [[String: Any]])?.first)
        #expect(Self.property(firmware, "fwgate:failed-check") == ["signature.invalid"])
        let unknown = try BinaryRunner.run(["inventory", "export", "--format", "cyclonedx", "--device", "nope", "--db", built.database])
        #expect(unknown.status == 2)
        let refused = try BinaryRunner.run(["inventory", "export", "--format", "cyclonedx", "--verdict", "fail", "--db", built.database])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--device only"))
    }
}
