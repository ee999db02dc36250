import DeviceInventory
import FirmwareFormats
import FirmwareVerification
@testable import FwgateCLI
import Foundation
import FwgateTestSupport
import Testing

/// `fwgate inventory report` and `inventory export --format cyclonedx`, run through the built
/// binary over ``FleetFixture``'s inventory (README's main job plus four verified devices).
@Suite struct FleetReportCLITests {
    static let demoDevices = [
        "pump-icu-01", "pump-icu-02", "pump-ward-03", "pump-ward-04", "pump-ward-05", "monitor-or-01", "monitor-or-02",
    ]

    static func report(_ built: FleetFixture.Built, _ arguments: [String]) throws -> BinaryRunner.Result {
        try BinaryRunner.run(
            ["inventory", "report", "--db", built.database, "--at", ISO8601DateFormatter().string(from: built.at)] + arguments)
    }

    @Test func jsonCarriesEveryDeviceAndTheRegister() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let result = try Self.report(built, ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "fwgate.fleet/1")
        #expect(object["staleAfterDays"] as? Int == 90)
        let devices = try #require(object["devices"] as? [[String: Any]])
        let status = Dictionary(uniqueKeysWithValues: devices.compactMap { device -> (String, String)? in
            guard let id = (device["device"] as? [String: Any])?["id"] as? String, let status = device["status"] as? String else { return nil }
            return (id, status)
        })
        #expect(status["pump-ward-03"] == "fail")
        #expect(status["monitor-or-01"] == "warn")
        #expect(status["xray-02"] == "stale")
        #expect(status["pump-legacy-09"] == "never-verified")
        #expect(status.count == 11)
        let risks = try #require(object["risks"] as? [[String: Any]])
        // Findings appear once, in the register; each device carries their number.
        #expect(devices.allSatisfy { $0["findings"] == nil })
        for device in devices {
            let id = (device["device"] as? [String: Any])?["id"] as? String
            #expect(device["findingCount"] as? Int == risks.filter { $0["deviceID"] as? String == id }.count, "\(id ?? "?")")
        }
        #expect(risks.first?["severity"] as? String == "critical")
        #expect(risks.allSatisfy { ($0["nextStep"] as? String)?.isEmpty == false })
        let counts = try #require((object["summary"] as? [String: Any])?["counts"] as? [String: Int])
        #expect(counts == ["pass": 0, "warn": 4, "fail": 5, "stale": 1, "neverVerified": 1])
    }

    @Test func markdownNamesEveryDeviceWithPostureAndFindings() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let output = built.directory.appendingPathComponent("fleet.md").path
        let result = try Self.report(built, ["--format", "markdown", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        for (device, posture, finding) in [
            ("pump-ward-03", "fail", "integrity.digest-mismatch"), ("pump-ward-04", "fail", "rollback.version"),
            ("pump-ward-05", "fail", "key.untrusted"), ("monitor-or-02", "fail", "signature.missing"),
            ("pump-icu-01", "warn", "key.known-test-key"), ("pump-icu-02", "warn", "key.known-test-key"),
            ("monitor-or-01", "warn", "key.known-test-key"),
        ] {
            let row = lines.first { $0.hasPrefix("| \(device) | ") }
            #expect(row?.contains("| \(posture) |") == true, "\(device): \(row ?? "no row")")
            #expect(row?.contains(finding) == true, "\(device)")
            #expect(lines.contains { $0.contains("| \(device) | `\(finding)`") }, "\(device) has no \(finding) in the register")
        }
        #expect(lines.contains("| never verified | 1 |"))
        #expect(lines.contains { $0.hasPrefix("| pump-legacy-09 | ") && $0.contains("| never verified |") })
    }

    /// A device id with Markdown and HTML in it stays one cell of text.
    @Test func markdownEscapesEveryString() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let csv = built.directory.appendingPathComponent("hostile.csv")
        try Data("id,make,model,storesEPHI\n\"<script>x</script> | *b* `c`\",acme,\"m|1\",yes\n".utf8).write(to: csv)
        #expect(try BinaryRunner.run(["devices", "import", csv.path, "--db", built.database]).status == 0)
        let result = try Self.report(built, ["--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("<script>"))
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("| &lt;script&gt;") }
        #expect(row == #"| &lt;script&gt;x&lt;/script&gt; \| \*b\* \`c\` | acme m\|1 | never verified | - | never | - | - | - | - |"#)
    }

    @Test func badArgumentsExitTwo() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let format = try Self.report(built, ["--format", "pdf"])
        #expect(format.status == 2)
        #expect(format.stderr.contains("--format must be"))
        let stale = try BinaryRunner.run(["inventory", "report", "--db", built.database, "--stale", "soon"])
        #expect(stale.status == 2)
        let at = try BinaryRunner.run(["inventory", "report", "--db", built.database, "--at", "yesterday"])
        #expect(at.status == 2)
    }

    /// The textfile node_exporter reads: HELP and TYPE for each metric, a state set per device,
    /// timestamps from the inventory, label values escaped.
    @Test func prometheusTextfile() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let csv = built.directory.appendingPathComponent("quote.csv")
        try Data("id,make,model,supportEndDate\n\"ward \"\"7\"\" \\ bed\",acme,m1,2030-01-01\n".utf8).write(to: csv)
        #expect(try BinaryRunner.run(["devices", "import", csv.path, "--db", built.database]).status == 0)
        let output = built.directory.appendingPathComponent("fwgate_fleet.prom").path
        let result = try Self.report(built, ["--format", "prometheus", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        for metric in [
            "fwgate_device_posture", "fwgate_device_last_verified_timestamp_seconds", "fwgate_device_update_signer_expiry_timestamp_seconds",
            "fwgate_device_support_end_timestamp_seconds", "fwgate_fleet_devices", "fwgate_fleet_report_timestamp_seconds",
        ] {
            #expect(lines.contains { $0.hasPrefix("# HELP \(metric) ") }, "\(metric) HELP")
            #expect(lines.contains("# TYPE \(metric) gauge"), "\(metric) TYPE")
        }
        // Every sample line is `name{labels} value` or `name value`.
        for line in lines where !line.hasPrefix("#") {
            #expect(line.range(of: #"^[a-z_]+(\{.*\})? -?[0-9]+$"#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(lines.contains(#"fwgate_device_posture{device="pump-ward-03",model="acme-medical pump-x2",verdict="fail"} 1"#))
        #expect(lines.contains(#"fwgate_device_posture{device="pump-ward-03",model="acme-medical pump-x2",verdict="pass"} 0"#))
        #expect(lines.contains(#"fwgate_device_posture{device="pump-legacy-09",model="acme-medical pump-x0",verdict="never-verified"} 1"#))
        #expect(lines.filter { $0.hasPrefix("fwgate_device_posture{") && $0.hasSuffix(" 1") }.count == 12)
        #expect(!lines.contains { $0.hasPrefix("fwgate_device_last_verified_timestamp_seconds{device=\"pump-legacy-09\"") })
        // vent-icu-07 was verified 10 days before `at`, by `fwgate verify --at`.
        let vent = Int64(built.at.addingTimeInterval(-10 * 86_400).timeIntervalSince1970)
        #expect(lines.contains("fwgate_device_last_verified_timestamp_seconds{device=\"vent-icu-07\",model=\"breathe vent-v5\"} \(vent)"))
        // 2024-12-31T00:00:00Z
        #expect(lines.contains("fwgate_device_support_end_timestamp_seconds{device=\"vent-icu-07\",model=\"breathe vent-v5\"} 1735603200"))
        #expect(lines.contains(#"fwgate_device_support_end_timestamp_seconds{device="ward \"7\" \\ bed",model="acme m1"} 1893456000"#))
        #expect(lines.contains("fwgate_fleet_devices{posture=\"fail\"} 5"))
        #expect(lines.contains("fwgate_fleet_report_timestamp_seconds \(Int64(built.at.timeIntervalSince1970))"))
    }

    /// The report's JSON writer writes the document JSONEncoder makes of the posture.
    @Test func jsonWriterMatchesJSONEncoder() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let csv = built.directory.appendingPathComponent("odd.csv")
        try Data("id,make,model,location,storesEPHI\n\"odd \"\"q\"\" \\ / é\u{01}\",acme,m1,\"a\tb\",no\n".utf8).write(to: csv)
        #expect(try BinaryRunner.run(["devices", "import", csv.path, "--db", built.database]).status == 0)
        let posture = try Inventory.open(path: built.database).fleetPosture(at: built.at, staleAfter: 90 * 86_400)
        let written = FleetJSON.render(posture)
        let encoded = try FleetText.jsonEncoder().encode(posture)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? NSDictionary)
        let b = try #require(try JSONSerialization.jsonObject(with: encoded) as? NSDictionary)
        #expect(a == b)
        #expect(written.hasSuffix("}\n"))
        #expect(written.contains(#""id":"odd \"q\" \\ / é\u0001""#))
    }
}
