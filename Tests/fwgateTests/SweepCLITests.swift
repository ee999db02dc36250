import Foundation
import FwgateTestSupport
import Testing

/// `fwgate certs sweep` over testvectors/sweep/certs at the fixed reference time: exactly the
/// committed table and JSON (every bucket; PEM, DER, PEM bundle, PKCS#7 in DER and PEM; a stale
/// CRL; empty, corrupt and non-certificate files).
@Suite struct SweepCLITests {
    static let at = "2026-06-01T00:00:00Z"
    static let base = ["certs", "sweep", "testvectors/sweep/certs", "--at", at, "--no-record"]

    @Test func tableIsExactlyTheCommittedOne() throws {
        let result = try BinaryRunner.run(Self.base)
        #expect(result.status == 1)
        #expect(result.stdout == (try String(contentsOf: TestVectors.url("sweep/expected-table.txt"), encoding: .utf8)))
    }

    @Test func jsonIsExactlyTheCommittedOneAndFollowsTheContract() throws {
        let result = try BinaryRunner.run(Self.base + ["--format", "json"])
        #expect(result.status == 1)
        let actual = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary
        let expected = try JSONSerialization.jsonObject(with: TestVectors.data("sweep/expected.json")) as? NSDictionary
        #expect(actual == expected)
        let object = try #require(actual as? [String: Any])
        let certificates = try #require(object["certificates"] as? [[String: Any]])
        #expect(certificates.map { $0["bucket"] as? String } == ["expired", "critical", "critical", "warning", "ok", "ok", "ok"])
        #expect(certificates.map { $0["daysLeft"] as? Int } == [-31, 4, 7, 19, 365, 1310, 4962])
        for certificate in certificates {
            for key in ["subject", "issuer", "serial", "sha256", "notBefore", "notAfter", "daysLeft", "bucket", "locations"] {
                #expect(certificate[key] != nil, "missing \(key)")
            }
            #expect((certificate["serial"] as? String)?.allSatisfy { $0.isHexDigit && !$0.isUppercase } == true)
        }
        #expect((certificates[0]["locations"] as? [Any])?.count == 2, "the same certificate in two files is one certificate")
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.compactMap { ($0["path"] as? String)?.split(separator: "/").last.map(String.init) } == ["corrupt.pem", "empty.pem", "notes.txt"])
        let crls = try #require(object["crls"] as? [[String: Any]])
        #expect(crls.first?["bucket"] as? String == "expired")
    }

    /// testvectors/sweep/expected-openssl.json is written by expected_openssl.py from
    /// `openssl x509 -subject -serial -enddate -fingerprint -sha256` alone, with daysLeft and bucket
    /// computed by the script from the fixed --at: fwgate's sweep must agree certificate by
    /// certificate, location by location.
    @Test func jsonAgreesWithWhatOpenSSLSaysOfEachCertificate() throws {
        struct Expected: Decodable {
            struct Certificate: Decodable {
                var subject: String
                var serial: String
                var notAfter: String
                var sha256: String
                var daysLeft: Int
                var bucket: String
                var files: [String]
            }
            var at: String
            var certificates: [Certificate]
        }
        let expected = try TestVectors.decode(Expected.self, from: "sweep/expected-openssl.json")
        #expect(expected.at == Self.at)
        #expect(expected.certificates.count == 7)
        let result = try BinaryRunner.run(Self.base + ["--format", "json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let certificates = try #require(object["certificates"] as? [[String: Any]])
        #expect(certificates.count == expected.certificates.count)
        for want in expected.certificates {
            let got = try #require(certificates.first { $0["sha256"] as? String == want.sha256 }, "\(want.subject) missing")
            #expect(got["subject"] as? String == want.subject)
            #expect(got["serial"] as? String == want.serial)
            #expect(got["notAfter"] as? String == want.notAfter)
            #expect(got["daysLeft"] as? Int == want.daysLeft, "\(want.subject)")
            #expect(got["bucket"] as? String == want.bucket, "\(want.subject)")
            let paths = (got["locations"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            #expect(Set(paths) == Set(want.files.map { "testvectors/sweep/certs/\($0)" }), "\(want.subject)")
        }
    }

    @Test func csvAndPrometheusCarryTheSameCertificates() throws {
        let csv = try BinaryRunner.run(Self.base + ["--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "subject,issuer,serial,sha256,notBefore,notAfter,daysLeft,bucket,locations")
        #expect(lines.count == 8)
        #expect(lines[1].contains(",-31,expired,"))
        let prometheus = try BinaryRunner.run(Self.base + ["--format", "prometheus"])
        let samples = prometheus.stdout.split(separator: "\n").filter { $0.hasPrefix("fwgate_certificate_not_after_seconds{") }
        #expect(samples.count == 7)
        #expect(prometheus.stdout.contains("fwgate_sweep_certificates{bucket=\"critical\"} 2"))
        #expect(prometheus.stdout.contains("fwgate_sweep_unreadable 3"))
        #expect(prometheus.stdout.contains("# TYPE fwgate_certificate_not_after_seconds gauge"))
        // 2026-05-01T00:00:00Z
        #expect(samples.first?.hasSuffix(" 1777593600") == true)
    }

    @Test func exitCodeFollowsTheWindows() throws {
        // Only the root (ok for years): exit 0.
        let ok = try BinaryRunner.run(["certs", "sweep", "testvectors/sweep/certs/root.pem", "--at", Self.at, "--no-record"])
        #expect(ok.status == 0)
        // The warning certificate with a 10-day window is ok: exit 0; with 30 days: exit 1.
        let narrow = try BinaryRunner.run(
            ["certs", "sweep", "testvectors/sweep/certs/bundle.pem", "--at", Self.at, "--no-record", "--warn", "10d", "--critical", "2d"])
        #expect(narrow.status == 0)
        let wide = try BinaryRunner.run(["certs", "sweep", "testvectors/sweep/certs/bundle.pem", "--at", Self.at, "--no-record"])
        #expect(wide.status == 1)
        let usage = try BinaryRunner.run(["certs", "sweep", "--at", Self.at])
        #expect(usage.status == 2)
        let missing = try BinaryRunner.run(["certs", "sweep", "no/such/folder", "--no-record"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no/such/folder"))
    }

    @Test func sweepIsRecordedAndShownPerDevice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        try "id,make,model\ngw-1,acme,gw\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("d.csv").path, "--db", db]).status == 0)
        let sweep = try BinaryRunner.run(
            ["certs", "sweep", "testvectors/sweep/certs/bundle.pem", "--device", "gw-1", "--at", Self.at, "--db", db])
        #expect(sweep.status == 1)
        let shown = try BinaryRunner.run(["inventory", "show", "gw-1", "--at", Self.at, "--db", db])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("certificates: 2"))
        #expect(shown.stdout.contains("19 days (warning)  notAfter 2026-06-20T00:00:00Z  O=fwgate TEST,CN=pump-warning"))
    }
}

/// `certs sweep --tls` and `--from-inventory` against real `openssl s_server` instances on
/// 127.0.0.1 (only loopback is contacted).
@Suite struct SweepTLSCLITests {
    @Test func servedChainsAreSweptAndFailuresListed() throws {
        let valid = try TLSTestServer(certificate: "valid-leaf", chain: "intermediate")
        defer { valid.stop() }
        let expired = try TLSTestServer(certificate: "expired-leaf")
        defer { expired.stop() }
        let selfSigned = try TLSTestServer(certificate: "selfsigned")
        defer { selfSigned.stop() }
        let closed = try TLSTestServer.closedPort()
        let result = try BinaryRunner.run([
            "certs", "sweep", "--tls", "127.0.0.1:\(valid.port)", "--tls", "127.0.0.1:\(expired.port)", "--tls",
            "127.0.0.1:\(selfSigned.port)", "--tls", "127.0.0.1:\(closed)", "--at", "2026-06-01T00:00:00Z", "--no-record",
            "--timeout", "3", "--format", "json",
        ])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let certificates = try #require(object["certificates"] as? [[String: Any]])
        func endpoints(_ c: [String: Any]) -> [String] { (c["locations"] as? [[String: Any]] ?? []).compactMap { $0["endpoint"] as? String } }
        let expiredOne = try #require(certificates.first { ($0["subject"] as? String)?.contains("CN=expired.device") == true })
        #expect(expiredOne["bucket"] as? String == "expired")
        #expect(endpoints(expiredOne) == ["127.0.0.1:\(expired.port)"])
        #expect(certificates.filter { endpoints($0).contains("127.0.0.1:\(valid.port)") }.count == 2, "leaf and intermediate served")
        let selfSignedOne = try #require(certificates.first { endpoints($0) == ["127.0.0.1:\(selfSigned.port)"] })
        #expect(selfSignedOne["subject"] as? String == selfSignedOne["issuer"] as? String)
        // What OpenSSL said of the served chain is recorded with the location.
        let verification = (selfSignedOne["locations"] as? [[String: Any]])?.first?["tlsVerification"] as? String
        #expect(verification?.contains("self-signed") == true, "\(verification ?? "nil")")
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.map { $0["path"] as? String } == ["127.0.0.1:\(closed)"])
        #expect((unreadable.first?["reason"] as? String)?.contains("refused") == true)
    }

    @Test func fromInventoryNamesTheDeviceAndRecordsIt() throws {
        let server = try TLSTestServer(certificate: "valid-leaf")
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        try "id,make,model,ip,tlsPort\nmonitor-7,acme,m3,127.0.0.1,\(server.port)\n".write(
            to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("d.csv").path, "--db", db]).status == 0)
        let sweep = try BinaryRunner.run(["certs", "sweep", "--from-inventory", "--at", "2026-06-01T00:00:00Z", "--db", db, "--format", "csv"])
        #expect(sweep.status == 0, "\(sweep.stdout)\(sweep.stderr)")
        #expect(sweep.stdout.contains("127.0.0.1:\(server.port) (monitor-7)"))
        let shown = try BinaryRunner.run(["inventory", "show", "monitor-7", "--at", "2026-06-01T00:00:00Z", "--db", db])
        #expect(shown.stdout.contains("certificates: 1"))
        #expect(shown.stdout.contains("CN=device.fwgate.test"))
    }
}
