import Foundation
import FwgateTestSupport
import Testing

/// Runs the built binary and pins stdout, stderr and the exit status.
@Suite struct CLITests {
    static let chains = "testvectors/crypto/chains"
    static let at = "2026-06-01T00:00:00Z"

    func verify(_ leaf: String, _ extra: [String] = []) throws -> BinaryRunner.Result {
        try BinaryRunner.run(
            ["certs", "verify", "\(Self.chains)/\(leaf)", "--chain", "\(Self.chains)/intermediate.pem", "--ca", "\(Self.chains)/root.pem",
             "--purpose", "code-signing", "--at", Self.at] + extra)
    }

    @Test func versionAndHelp() throws {
        let version = try BinaryRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        let help = try BinaryRunner.run(["--help"])
        #expect(help.status == 0)
        for line in ["USAGE: fwgate <subcommand>", "digest", "keys", "certs", "Exit codes: 0 everything passed"] {
            #expect(help.stdout.contains(line), "help lacks \(line)")
        }
        #expect(help.stderr.isEmpty)
    }

    @Test func usageErrorsExitTwoWithTheMessageOnStderr() throws {
        let missing = try BinaryRunner.run(["certs", "verify", "leaf.pem"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--ca is required"))
        #expect(missing.stdout.isEmpty)
        let unknown = try BinaryRunner.run(["frobnicate"])
        #expect(unknown.status == 2)
        let badTime = try verify("leaf-valid.pem", ["--at", "yesterday"])
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("--at 'yesterday' is not an accepted time"))
    }

    @Test func digestPrintsSha256sumStyleAndNamesAMissingFile() throws {
        let ok = try BinaryRunner.run(["digest", "testvectors/crypto/signatures/message.bin", "--alg", "sha256"])
        #expect(ok.status == 0)
        // message.sha256 holds the raw 32-byte digest, made by openssl.
        let expected = try TestVectors.data("crypto/signatures/message.sha256").map { String(format: "%02x", $0) }.joined()
        #expect(ok.stdout.hasPrefix(expected + "  "))
        #expect(ok.stdout.hasSuffix("  testvectors/crypto/signatures/message.bin\n"))
        let missing = try BinaryRunner.run(["digest", "no-such-file.bin"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-file.bin"))
        let badAlg = try BinaryRunner.run(["digest", "--alg", "sha3", "x"])
        #expect(badAlg.status == 2)
    }

    @Test func keysFingerprintMatchesOpenSSLAndRefusesGarbage() throws {
        let ok = try BinaryRunner.run(["keys", "fingerprint", "--json", "testvectors/crypto/keys/rsa2048.spki.pem"])
        #expect(ok.status == 0)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [[String: Any]])
        #expect(entries.first?["bits"] as? Int == 2048)
        // testvectors/crypto/expected.json keys[]: SHA-256 of the DER SPKI, made with openssl.
        #expect(entries.first?["fingerprint"] as? String == "28f066e2c1ed717b62aaf40bff81a0881d33be075311ed186c81aa01a11e2e11")
        let garbage = try BinaryRunner.run(["keys", "fingerprint", "testvectors/crypto/keys/garbage.bin"])
        #expect(garbage.status == 2)
        #expect(garbage.stderr.contains("testvectors/crypto/keys/garbage.bin: not a public key"))
    }

    @Test func validChainPassesWithExitZero() throws {
        let result = try verify("leaf-valid.pem")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("PASS  \(Self.chains)/leaf-valid.pem"))
        #expect(result.stdout.contains("chain:"))
    }

    @Test func expiredLeafFailsWithExitOneAndTheCodeInJSON() throws {
        let result = try verify("leaf-expired.pem", ["--json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "fwgate.verify/1")
        #expect(object["verdict"] as? String == "fail")
        #expect(object["format"] as? String == "x509-certificate")
        #expect((object["chain"] as? [Any])?.isEmpty == false)
        let failed = (object["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
        #expect(Set(failed) == ["cert.expired"])
    }

    @Test func severalLeavesMakeAJSONArrayAndOneFailureFailsTheRun() throws {
        let result = try BinaryRunner.run(
            ["certs", "verify", "\(Self.chains)/leaf-valid.pem", "\(Self.chains)/leaf-sha1.pem", "--chain", "\(Self.chains)/intermediate.pem",
             "--ca", "\(Self.chains)/root.pem", "--at", Self.at, "--json"])
        #expect(result.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["verdict"] as? String } == ["pass", "fail"])
    }

    @Test func garbageLeafIsAFailedCheckNotACrash() throws {
        let result = try BinaryRunner.run(
            ["certs", "verify", "testvectors/crypto/keys/garbage.bin", "--ca", "\(Self.chains)/root.pem", "--at", Self.at, "--json"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("malformed.encoding"))
        let unreadableTrust = try BinaryRunner.run(
            ["certs", "verify", "\(Self.chains)/leaf-valid.pem", "--ca", "testvectors/crypto/keys/garbage.bin", "--at", Self.at])
        #expect(unreadableTrust.status == 2)
        #expect(unreadableTrust.stderr.contains("testvectors/crypto/keys/garbage.bin"))
    }

    @Test func revokedLeafFailsWithTheCRL() throws {
        let result = try verify("leaf-revoked.pem", ["--crl", "\(Self.chains)/intermediate.crl.pem", "--json"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\"cert.revoked\""))
    }
}

/// `fwgate verify` and `fwgate inspect` on the committed MCUboot vectors.
@Suite struct FirmwareCLITests {
    static let dir = "testvectors/mcuboot"
    static let trust = ["--trust", "\(dir)/keys/test-ecdsa-p256.pub.pem", "--trust", "\(dir)/keys/test-ed25519.pub.pem"]

    @Test func goodImagePassesBadTwinFailsWithItsCode() throws {
        let good = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256.bin"] + Self.trust)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.hasPrefix("PASS  \(Self.dir)/ecdsa-p256.bin  (mcuboot"))
        #expect(good.stdout.contains("signer: test-ecdsa-p256"))
        let bad = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256-payload-flip.bin", "--json"] + Self.trust)
        #expect(bad.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(report["verdict"] as? String == "fail")
        #expect(report["signed"] as? Bool == true)
        #expect(report["version"] as? String == "1.0.0+0")
        #expect(report["sha256"] as? String == (try ReferenceTool.sha256sum("\(Self.dir)/ecdsa-p256-payload-flip.bin")))
        let failed = (report["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
        #expect(failed == ["integrity.digest-mismatch"])
    }

    /// The JSON report carries the image's description (built on demand since issue 10); its
    /// fields agree with testvectors/mcuboot/expected.json, which imgtool's output was checked
    /// against when the vectors were made.
    @Test func jsonReportCarriesTheDescription() throws {
        let result = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256.bin", "--json"] + Self.trust)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let description = try #require(report["description"] as? [String: Any])
        let expectedFile = try #require(
            try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: "\(Self.dir)/expected.json", relativeTo: ProjectPaths.root)))
                as? [String: Any])
        let vector = try #require((expectedFile["vectors"] as? [[String: Any]])?.first { $0["file"] as? String == "ecdsa-p256.bin" })
        let expected = try #require(vector["description"] as? [String: Any])
        for key in ["fileSize", "flags", "flagNames", "hashedRange", "headerSize", "imageSize", "loadAddress", "version"] {
            let actual = try JSONSerialization.data(withJSONObject: [key: description[key] ?? NSNull()], options: .sortedKeys)
            let wanted = try JSONSerialization.data(withJSONObject: [key: expected[key] ?? NSNull()], options: .sortedKeys)
            #expect(actual == wanted, "\(key): \(String(decoding: actual, as: UTF8.self)) vs \(String(decoding: wanted, as: UTF8.self))")
        }
    }

    @Test func severalFilesGiveAnArrayAndTheWorstExitCode() throws {
        let result = try BinaryRunner.run(
            ["verify", "\(Self.dir)/ed25519.bin", "\(Self.dir)/unsigned.bin", "--json"] + Self.trust)
        #expect(result.status == 1)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["verdict"] as? String } == ["pass", "fail"])
        #expect(array.map { $0["schema"] as? String } == ["fwgate.verify/1", "fwgate.verify/1"])
    }

    @Test func unknownFilesFailAndBadOptionsAreUsageErrors() throws {
        let unknown = try BinaryRunner.run(["verify", "testvectors/crypto/keys/garbage.bin"] + Self.trust + ["--json"])
        #expect(unknown.status == 1)
        #expect(unknown.stdout.contains("malformed.unknown-format"))
        // Without trust material every integrity check runs; the signature fails as untrusted
        // (exit 1), and the message says how to give keys.
        let noTrust = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256.bin", "--json"])
        #expect(noTrust.status == 1)
        let noTrustReport = try #require(try JSONSerialization.jsonObject(with: Data(noTrust.stdout.utf8)) as? [String: Any])
        let noTrustChecks = try #require(noTrustReport["checks"] as? [[String: Any]])
        let failedCodes = noTrustChecks.filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
        #expect(failedCodes == ["key.untrusted"])
        #expect(noTrustChecks.contains { $0["code"] as? String == "integrity.digest-mismatch" && $0["status"] as? String == "passed" })
        #expect(noTrust.stdout.contains("--trust FILE|FOLDER"))
        // A tampered image still fails its integrity check without trust material.
        let tamperedNoTrust = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256-payload-flip.bin", "--json"])
        #expect(tamperedNoTrust.status == 1)
        let tamperedReport = try #require(try JSONSerialization.jsonObject(with: Data(tamperedNoTrust.stdout.utf8)) as? [String: Any])
        let tamperedFailed = (tamperedReport["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }
        #expect(Set(tamperedFailed.compactMap { $0["code"] as? String }) == ["integrity.digest-mismatch", "key.untrusted"])
        let badFormat = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256.bin", "--format", "zip"] + Self.trust)
        #expect(badFormat.status == 2)
        let privateKey = try BinaryRunner.run(["verify", "\(Self.dir)/ecdsa-p256.bin", "--trust", "\(Self.dir)/keys/test-ecdsa-p256.priv.pem"])
        #expect(privateKey.status == 2)
        #expect(privateKey.stderr.contains("test-ecdsa-p256.priv.pem"))
        #expect(privateKey.stderr.contains("private key"))
        let missing = try BinaryRunner.run(["verify", "no-such-image.bin"] + Self.trust)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no-such-image.bin"))
    }

    @Test func inspectShowsHeaderAndTLVs() throws {
        let human = try BinaryRunner.run(["inspect", "\(Self.dir)/ecdsa-p256-seccnt7.bin"])
        #expect(human.status == 0)
        for text in ["securityCounter: 7", "name=SEC_CNT", "name=ECDSA_SIG", "version: 1.0.0+0"] {
            #expect(human.stdout.contains(text), "inspect lacks \(text)")
        }
        let json = try BinaryRunner.run(["inspect", "--json", "\(Self.dir)/ecdsa-p256-tlv-len-overrun.bin"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["malformed"] as? [String: Any])?["code"] as? String == "malformed.length")
    }
}

/// `fwgate gate`: the procurement gate against keys-example/policy.yaml.
@Suite struct GateCLITests {
    @Test func gatePassesTheGoodLeafFailsTheRevokedOneAndRecordsBoth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        let result = try BinaryRunner.run([
            "gate", "keys-example/pki-rsa/leaf.pem", "keys-example/pki-rsa/revoked-leaf.pem", "--trust", "keys-example/pki-rsa/chain.pem",
            "--trust", "keys-example/pki-rsa/crl.pem", "--policy", "keys-example/policy.yaml", "--vendor", "example-imaging",
            "--at", "2027-01-01T00:00:00Z", "--db", db,
        ])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("PASS (with warnings)  keys-example/pki-rsa/leaf.pem") == true)
        #expect(lines.contains { $0.hasPrefix("FAIL  keys-example/pki-rsa/revoked-leaf.pem") })
        #expect(lines.contains { $0.contains("✗ cert.revoked") })
        #expect(lines.last == "gate: 1 of 2 artifact(s) pass policy keys-example/policy.yaml")
        let entries = try BinaryRunner.run(["inventory", "export", "--format", "jsonl", "--db", db])
        #expect(entries.stdout.split(separator: "\n").count == 2)
        let policyDigest = try ReferenceTool.sha256sum("keys-example/policy.yaml")
        for line in entries.stdout.split(separator: "\n") {
            let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(entry["policyDigest"] as? String == policyDigest)
        }
    }

    @Test func gateNeedsAPolicy() throws {
        let result = try BinaryRunner.run(["gate", "keys-example/pki-rsa/leaf.pem"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--policy is required"))
        let bad = try BinaryRunner.run(["gate", "keys-example/pki-rsa/leaf.pem", "--policy", "keys-example/README.md"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("keys-example/README.md"))
    }
}

/// Known test keys fail even when the user trusts them (issue 4), for both formats.
@Suite struct KnownTestKeyCLITests {
    @Test(arguments: [
        ("keys-example/demo/firmware/pump-x-1.4.0.bin", "keys-example/vendor-keys/ecdsa-p256.pub.pem"),
        ("keys-example/demo/firmware/monitor-m3-1.0.0.bin", "keys-example/vendor-keys/rsa3072.pub.pem"),
    ])
    func imageSignedByAKnownTestKeyFailsThoughTrusted(image: String, key: String) throws {
        let result = try BinaryRunner.run(["verify", image, "--trust", key, "--json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let failed = (object["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String }
        #expect(failed == ["key.known-test-key"], "the signature itself is valid; only the deny-list fails it")
        // The lab policy that lists the key turns it into a warning, and says so.
        let lab = try BinaryRunner.run(["verify", image, "--policy", "keys-example/policy.yaml", "--json"])
        #expect(lab.status == 0)
        #expect(lab.stdout.contains("\"verdict\" : \"warn\""))
    }
}

@Suite struct BatchFolderCLITests {
    /// A folder is walked recursively; every regular file is one artifact for no device, and a
    /// file that is not firmware is a failed result, not a skipped one.
    @Test func folderIsWalkedRecursively() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let vectors = ProjectPaths.testVectors.appendingPathComponent("mcuboot")
        try FileManager.default.copyItem(at: vectors.appendingPathComponent("ecdsa-p256.bin"), to: dir.appendingPathComponent("a.bin"))
        try FileManager.default.copyItem(
            at: vectors.appendingPathComponent("ecdsa-p256-sig-flip.bin"), to: dir.appendingPathComponent("nested/b.bin"))
        try "notes".write(to: dir.appendingPathComponent("nested/readme.txt"), atomically: true, encoding: .utf8)
        let result = try BinaryRunner.run(
            ["batch", dir.path, "--trust", vectors.appendingPathComponent("keys/test-ecdsa-p256.pub.pem").path, "--no-record", "--json"])
        #expect(result.status == 1)
        var verdicts: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["device"] is NSNull)
            verdicts[((object["file"] as? String) ?? "").replacingOccurrences(of: dir.path + "/", with: "")] = object["verdict"] as? String
        }
        #expect(verdicts == ["a.bin": "pass", "nested/b.bin": "fail", "nested/readme.txt": "fail"])
    }
}
