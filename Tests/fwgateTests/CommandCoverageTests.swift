import Foundation
import FwgateTestSupport
import Testing

/// Commands and options that had no test, run through the built binary. Expected values come
/// from how the vectors were made (testvectors/crypto/expected.json, written from openssl's
/// output), from a reference tool run here (`openssl`, `sha*sum`), or from the inputs the test
/// wrote itself. Human output is asserted line by line only for commands whose text is stable
/// (`certs`, `devices`, `inventory`); `verify`, `batch` and `gate` are asserted through JSON and
/// exit codes.
@Suite struct CommandCoverageTests {
    static let chains = "testvectors/crypto/chains"
    static let at = "2026-06-01T00:00:00Z"
    static let mcuboot = "testvectors/mcuboot"

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-cov-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func failedCodes(_ object: [String: Any]) -> [String] {
        (object["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
    }

    /// The SPKI SHA-256 of a key or certificate file, as openssl computes it.
    static func opensslFingerprint(_ path: String, certificate: Bool = false) throws -> String {
        if certificate {
            let pem = try ReferenceTool.run("openssl", ["x509", "-in", path, "-noout", "-pubkey"])
            let der = try ReferenceTool.runData("openssl", ["pkey", "-pubin", "-outform", "DER"], input: Data(pem.utf8))
            return try ReferenceTool.sha256sum(of: der)
        }
        let der = try ReferenceTool.runData("openssl", ["pkey", "-pubin", "-in", path, "-outform", "DER"])
        return try ReferenceTool.sha256sum(of: der)
    }

    // MARK: certs show

    /// expected.json certificates[] was written from `openssl x509` output when the PKI was made.
    @Test func certsShowPrintsWhatOpenSSLSaid() throws {
        let human = try BinaryRunner.run(["certs", "show", "\(Self.chains)/leaf-valid.pem"])
        #expect(human.status == 0)
        let lines = human.stdout.split(separator: "\n").map { String($0) }
        #expect(lines.first == "\(Self.chains)/leaf-valid.pem [0]")
        for line in [
            "  subject:    CN=fwgate Test Code Signing,O=fwgate Test PKI",
            "  issuer:     CN=fwgate Test Intermediate CA,O=fwgate Test PKI",
            "  serial:     2000",
            "  validity:   2024-01-01T00:00:00Z … 2030-01-01T00:00:00Z",
            "  signature:  sha256WithRSAEncryption",
            "  sha256:     3fa8b1d2c128365eadddb20f749c46671c79801895245d641d92d2c259751353",
        ] {
            #expect(lines.contains(line), "certs show lacks \(line)")
        }
        let json = try BinaryRunner.run(["certs", "show", "--json", "\(Self.chains)/leaf-valid.pem", "\(Self.chains)/root.pem"])
        #expect(json.status == 0)
        let files = try #require(try Self.json(json.stdout) as? [[String: Any]])
        #expect(files.map { $0["file"] as? String } == ["\(Self.chains)/leaf-valid.pem", "\(Self.chains)/root.pem"])
        let leaf = try #require((files[0]["certificates"] as? [[String: Any]])?.first)
        #expect(leaf["subject"] as? String == "CN=fwgate Test Code Signing,O=fwgate Test PKI")
        #expect(leaf["serial"] as? String == "2000")
        #expect(leaf["notBefore"] as? String == "2024-01-01T00:00:00Z")
        #expect(leaf["notAfter"] as? String == "2030-01-01T00:00:00Z")
        #expect(leaf["keyBits"] as? Int == 2048)
        #expect(leaf["isCA"] as? Bool == false)
        #expect(leaf["extendedKeyUsage"] as? [String] == ["codeSigning"])
        #expect(leaf["sha256"] as? String == "3fa8b1d2c128365eadddb20f749c46671c79801895245d641d92d2c259751353")
        #expect(leaf["keyFingerprint"] as? String == (try Self.opensslFingerprint("\(Self.chains)/leaf-valid.pem", certificate: true)))
        let root = try #require((files[1]["certificates"] as? [[String: Any]])?.first)
        #expect(root["notAfter"] as? String == "2050-01-01T00:00:00Z")
        #expect(root["selfSigned"] as? Bool == true && root["isCA"] as? Bool == true)
        let missing = try BinaryRunner.run(["certs", "show", "no-such.pem"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such.pem"))
    }

    // MARK: certs verify options

    func verifyLeaf(_ leaf: String, _ extra: [String]) throws -> (status: Int32, object: [String: Any]) {
        let result = try BinaryRunner.run(
            ["certs", "verify", "\(Self.chains)/\(leaf)", "--chain", "\(Self.chains)/intermediate.pem", "--ca", "\(Self.chains)/root.pem",
             "--at", Self.at, "--json"] + extra)
        return (result.status, try #require(try Self.json(result.stdout) as? [String: Any], "\(result.stdout)\(result.stderr)"))
    }

    /// leaf-valid expires 2030-01-01 (the chain's earliest notAfter; intermediate 2040, root
    /// 2050): 1310 whole days after 2026-06-01.
    @Test func warnWindowAroundTheLeafsExpiry() throws {
        let inside = try verifyLeaf("leaf-valid.pem", ["--warn", "1311d"])
        #expect(inside.status == 0)
        #expect(inside.object["verdict"] as? String == "warn")
        let warning = (inside.object["checks"] as? [[String: Any]] ?? []).first { $0["code"] as? String == "cert.expiring-soon" }
        #expect(warning?["status"] as? String == "warning")
        #expect((warning?["message"] as? String)?.contains("1310 day(s)") == true)
        let outside = try verifyLeaf("leaf-valid.pem", ["--warn", "1309d"])
        #expect(outside.status == 0)
        #expect(outside.object["verdict"] as? String == "pass")
    }

    /// leaf-sha1 is signed with sha1WithRSAEncryption (expected.json): weak fails by default,
    /// and only warns with --allow-weak-unsafe.
    @Test func allowWeakUnsafeTurnsTheSHA1FailureIntoAWarning() throws {
        let strict = try verifyLeaf("leaf-sha1.pem", [])
        #expect(strict.status == 1)
        #expect(Self.failedCodes(strict.object) == ["algorithm.weak"])
        let weak = try verifyLeaf("leaf-sha1.pem", ["--allow-weak-unsafe"])
        #expect(weak.status == 0)
        #expect(weak.object["verdict"] as? String == "warn")
        #expect(Self.failedCodes(weak.object).isEmpty)
        #expect((weak.object["checks"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == "algorithm.weak" && $0["status"] as? String == "warning" })
    }

    /// --crl-check chain needs a CRL from every CA: with both it checks revocation (passed),
    /// with only the intermediate's it fails cert.crl-unavailable; leaf-revoked is revoked.
    @Test func crlCheckChainNeedsEveryCRL() throws {
        let both = ["--crl-check", "chain", "--crl", "\(Self.chains)/intermediate.crl.pem", "--crl", "\(Self.chains)/root.crl.pem"]
        let good = try verifyLeaf("leaf-valid.pem", both)
        #expect(good.status == 0)
        let revocation = (good.object["checks"] as? [[String: Any]] ?? []).first { $0["code"] as? String == "cert.revoked" }
        #expect(revocation?["status"] as? String == "passed")
        let revoked = try verifyLeaf("leaf-revoked.pem", both)
        #expect(revoked.status == 1)
        #expect(Self.failedCodes(revoked.object) == ["cert.revoked"])
        let partial = try verifyLeaf("leaf-valid.pem", ["--crl-check", "chain", "--crl", "\(Self.chains)/intermediate.crl.pem"])
        #expect(partial.status == 1)
        #expect(Self.failedCodes(partial.object).contains("cert.crl-unavailable"))
    }

    // MARK: digest and keys

    @Test func digestJSONAndOtherAlgorithmsMatchOpenSSL() throws {
        let file = "testvectors/crypto/signatures/message.bin"
        let result = try BinaryRunner.run(["digest", "--json", "--alg", "sha512", "--alg", "sha1", "--alg", "sha384", file])
        #expect(result.status == 0)
        let entries = try #require(try Self.json(result.stdout) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries[0]["file"] as? String == file)
        #expect(entries[0]["size"] as? Int == (try Data(contentsOf: ProjectPaths.root.appendingPathComponent(file))).count)
        let digests = try #require(entries[0]["digests"] as? [String: String])
        for alg in ["sha512", "sha1", "sha384"] {
            // `openssl dgst -r` prints "HEX *FILE".
            let reference = try ReferenceTool.run("openssl", ["dgst", "-\(alg)", "-r", file]).split(separator: " ").first.map(String.init)
            #expect(digests[alg] == reference, "\(alg)")
        }
        #expect(digests.count == 3)
        let human = try BinaryRunner.run(["digest", "--alg", "sha1", file])
        #expect(human.stdout == (try ReferenceTool.run("sha1sum", [file])))
    }

    /// Raw keys need --key-format (and --curve for EC points); fingerprints from expected.json.
    @Test(arguments: [
        ("keys/ed25519.pub.bin", ["--key-format", "ed25519-raw"], "ead8e59b2af98b1f343d42e591d9043c359d5f3bc31b15a9bf07baa053c80cbd"),
        ("keys/p256.point.bin", ["--key-format", "ec-point-raw", "--curve", "P-256"], "4d0202becab13454322506705c3513d52ec38c41eb29cce1186bc797bbc8811c"),
        ("keys/p384.point.bin", ["--key-format", "ec-point-raw", "--curve", "P-384"], "ef90ab8a6c70a58cea4e5ca73b3dc6335e699a31988c44a730920d24f833b109"),
        ("keys/rsa2048.pkcs1.der", ["--key-format", "pkcs1-der"], "28f066e2c1ed717b62aaf40bff81a0881d33be075311ed186c81aa01a11e2e11"),
    ])
    func keysFingerprintOfRawAndExplicitFormats(file: String, options: [String], fingerprint: String) throws {
        let result = try BinaryRunner.run(["keys", "fingerprint", "--json"] + options + ["testvectors/crypto/\(file)"])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try #require(try Self.json(result.stdout) as? [[String: Any]])
        #expect(entries.first?["fingerprint"] as? String == fingerprint)
    }

    @Test func rawECPointWithoutACurveIsAUsageError() throws {
        let result = try BinaryRunner.run(["keys", "fingerprint", "--key-format", "ec-point-raw", "testvectors/crypto/keys/p256.point.bin"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
    }

    // MARK: devices and inventory

    /// Writes devices.json (one good device, one without an id), imports it, records one
    /// rollback through `verify --device --record`, and returns the database.
    static func inventoryWithARollback(_ dir: URL) throws -> String {
        let db = dir.appendingPathComponent("inv.sqlite").path
        let devices = #"""
            [{"id": "pump-7", "make": "acme-medical", "model": "pump-x1", "installedVersion": "1.3.0", "location": "ICU"},
             {"make": "acme-medical"}]
            """#
        try devices.write(to: dir.appendingPathComponent("devices.json"), atomically: true, encoding: .utf8)
        let imported = try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("devices.json").path, "--db", db, "--json"])
        #expect(imported.status == 1)  // a rejected row
        let summary = try #require(try Self.json(imported.stdout) as? [String: Any])
        #expect(summary["imported"] as? Int == 1)
        let rejected = try #require(summary["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1 && rejected.first?["row"] as? Int == 2)
        return db
    }

    /// A Mender artifact for device type acme-pump-v2, verified for a pump whose model the
    /// policy maps to that type (passes) and for a monitor whose model it maps elsewhere (fails
    /// compatibility.device-type); the report carries the declared types.
    @Test func deviceTypeCompatibilityThroughVerify() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        let devices = #"""
            [{"id": "pump-7", "make": "acme-medical", "model": "Pump-X1"},
             {"id": "mon-3", "make": "acme-medical", "model": "monitor-m3"},
             {"id": "vent-1", "make": "acme-medical", "model": "vent-v9"}]
            """#
        try devices.write(to: dir.appendingPathComponent("devices.json"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("devices.json").path, "--db", db]).status == 0)
        let policy = dir.appendingPathComponent("policy.yaml").path
        try "version: 1\ncompatible:\n  pump-x1: [acme-pump-v2]\n  monitor-m3: [acme-monitor-m3]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        func verify(_ device: String) throws -> [String: Any] {
            let result = try BinaryRunner.run(
                ["verify", "testvectors/mender/rsa-signed.mender", "--trust", "testvectors/mender/keys/rsa3072.pub.pem", "--policy", policy, "--device", device,
                 "--db", db, "--at", Self.at, "--json"])
            #expect(result.status == (device == "pump-7" ? 0 : 1), "\(result.stderr)")
            return try #require(try Self.json(result.stdout) as? [String: Any])
        }
        func check(_ report: [String: Any]) -> [String: Any]? {
            (report["checks"] as? [[String: Any]])?.first { $0["code"] as? String == "compatibility.device-type" }
        }
        let pump = try verify("pump-7")
        #expect(pump["compatibleDevices"] as? [String] == ["acme-pump-v2"])
        #expect(check(pump)?["status"] as? String == "passed")
        let monitor = try verify("mon-3")
        #expect(Self.failedCodes(monitor) == ["compatibility.device-type"])
        #expect((check(monitor)?["message"] as? String)?.contains("accepts acme-monitor-m3") == true)
        let unmapped = try verify("vent-1")
        #expect(Self.failedCodes(unmapped) == ["compatibility.device-type"])
        #expect((check(unmapped)?["message"] as? String)?.contains("no entry for model vent-v9") == true)
    }

    @Test func devicesImportListShowAndRollbackThroughVerify() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Self.inventoryWithARollback(dir)
        let list = try BinaryRunner.run(["devices", "list", "--db", db])
        #expect(list.status == 0)
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.count == 2)
        #expect(rows.last == ["pump-7", "acme-medical", "pump-x1", "1.3.0", "ICU", "-"])
        let show = try BinaryRunner.run(["devices", "show", "pump-7", "--db", db, "--json"])
        #expect(show.status == 0)
        let device = try #require((try Self.json(show.stdout) as? [String: Any])?["device"] as? [String: Any])
        #expect(device["installedVersion"] as? String == "1.3.0" && device["location"] as? String == "ICU")
        #expect(try BinaryRunner.run(["devices", "show", "pump-99", "--db", db]).status == 2)

        // ecdsa-p256.bin is version 1.0.0+0 (imgtool --version 1.0.0): a rollback from 1.3.0.
        let image = "\(Self.mcuboot)/ecdsa-p256.bin"
        let verify = try BinaryRunner.run(
            ["verify", image, "--trust", "\(Self.mcuboot)/keys/test-ecdsa-p256.pub.pem", "--device", "pump-7", "--record", "--db", db, "--at", Self.at,
             "--json"])
        #expect(verify.status == 1)
        let report = try #require(try Self.json(verify.stdout) as? [String: Any])
        #expect(Self.failedCodes(report) == ["rollback.version"])
        #expect(report["sha256"] as? String == (try ReferenceTool.sha256sum(image)))

        let entries = try #require(try Self.json(try BinaryRunner.run(["inventory", "export", "--format", "json", "--db", db]).stdout) as? [[String: Any]])
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry["deviceID"] as? String == "pump-7")
        #expect(entry["verdict"] as? String == "fail")
        #expect(entry["artifactSHA256"] as? String == (try ReferenceTool.sha256sum(image)))
        #expect(entry["signerFingerprint"] as? String == (try Self.opensslFingerprint("\(Self.mcuboot)/keys/test-ecdsa-p256.pub.pem")))
        #expect(entry["version"] as? String == "1.0.0+0")

        let listed = try BinaryRunner.run(["inventory", "list", "--db", db])
        #expect(listed.status == 0)
        #expect(listed.stdout.hasPrefix("#1  \(Self.at)  FAIL  pump-7  mcuboot 1.0.0+0  \(image)"))
        #expect(listed.stdout.contains("[rollback.version]"))
        let history = try BinaryRunner.run(["inventory", "history", "pump-7", "--db", db])
        #expect(history.status == 0)
        #expect(history.stdout.split(separator: "\n").count == 1)
        #expect(history.stdout.hasPrefix("#1  \(Self.at)  FAIL  pump-7"))
        let show1 = try BinaryRunner.run(["inventory", "show", "1", "--db", db])
        #expect(show1.status == 0)
        #expect(show1.stdout.contains("  artifact sha256 \(try ReferenceTool.sha256sum(image)), 4280 bytes"))
        #expect(show1.stdout.contains("  failed  rollback.version  candidate version 1.0.0+0 is lower than 1.3.0 installed on device pump-7"))
    }

    /// An entry edited with the sqlite3 shell (triggers dropped first) makes `inventory audit`
    /// exit 1 and name the entry.
    @Test func auditExitsOneAfterAShellEdit() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        for image in ["ecdsa-p256.bin", "ed25519.bin", "unsigned.bin"] {
            _ = try BinaryRunner.run(
                ["verify", "\(Self.mcuboot)/\(image)", "--trust", "\(Self.mcuboot)/keys/test-ecdsa-p256.pub.pem", "--record", "--db", db, "--at", Self.at])
        }
        #expect(try BinaryRunner.run(["inventory", "audit", "--db", db]).status == 0)
        _ = try ReferenceTool.run(
            "sqlite3",
            [db, "DROP TRIGGER postureEntry_no_update; UPDATE postureEntry SET verdict = 'pass' WHERE id = 3;"])
        let audit = try BinaryRunner.run(["inventory", "audit", "--db", db])
        #expect(audit.status == 1)
        #expect((audit.stdout + audit.stderr).contains("entry 3"))
    }

    // MARK: batch from manifest.json, gate --device-model

    @Test func batchFromAJSONManifestChecksEachPair() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = ProjectPaths.root.path
        let manifest = """
            [{"file": "\(root)/\(Self.mcuboot)/ecdsa-p256.bin", "device": null},
             {"file": "\(root)/\(Self.mcuboot)/ecdsa-p256-payload-flip.bin", "device": null}]
            """
        try manifest.write(to: dir.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(
            ["batch", dir.appendingPathComponent("manifest.json").path, "--trust", "\(Self.mcuboot)/keys/test-ecdsa-p256.pub.pem", "--no-record", "--json"])
        #expect(result.status == 1, "\(result.stderr)")
        var verdicts: [String: String] = [:]
        var failed: [String: [String]] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try Self.json(String(line)) as? [String: Any])
            let name = URL(fileURLWithPath: object["file"] as? String ?? "").lastPathComponent
            verdicts[name] = object["verdict"] as? String
            failed[name] = Self.failedCodes(object)
        }
        #expect(verdicts == ["ecdsa-p256.bin": "pass", "ecdsa-p256-payload-flip.bin": "fail"])
        #expect(failed["ecdsa-p256-payload-flip.bin"] == ["integrity.digest-mismatch"])
    }

    // MARK: colour

    /// On a terminal, with NO_COLOR unset, the verdict is painted (ANSI SGR 32 = green).
    @Test func colourOnATerminalAndNoColorRemovesIt() throws {
        let args = ["certs", "verify", "\(Self.chains)/leaf-valid.pem", "--chain", "\(Self.chains)/intermediate.pem", "--ca", "\(Self.chains)/root.pem", "--at", Self.at]
        let coloured = try BinaryRunner.runOnTerminal(args, unsetting: ["NO_COLOR"])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[32mPASS\u{1B}[0m"), "\(coloured.stdout.debugDescription)")
        let plain = try BinaryRunner.runOnTerminal(args, environment: ["NO_COLOR": "1"])
        #expect(plain.status == 0)
        #expect(!plain.stdout.contains("\u{1B}["))
        #expect(plain.stdout.hasPrefix("PASS  \(Self.chains)/leaf-valid.pem"))
        let flag = try BinaryRunner.runOnTerminal(args + ["--no-color"], unsetting: ["NO_COLOR"])
        #expect(!flag.stdout.contains("\u{1B}["))
    }
}
