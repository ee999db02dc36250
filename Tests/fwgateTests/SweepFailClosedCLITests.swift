import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `certs sweep` fails closed (issue 9 item 2): every PEM block that parses is read, each
/// damaged block is named by number and line, and anything not checked (a damaged block, an
/// unreadable file, an endpoint that refuses) makes the exit code 1 unless --allow-unreadable.
/// The damaged files are made by testvectors/sweep/generate.sh from openssl output (`cat` of
/// pump-expired.pem, 12 lines, and a truncated or bad-base64 block), so block 2 starts on line 13.
@Suite struct SweepFailClosedCLITests {
    static let at = "2026-06-01T00:00:00Z"
    static let sweep = ["certs", "sweep", "--no-record", "--at", at]

    @Test func anExpiredCertificateBeforeATruncatedBlockIsStillReported() throws {
        // Main: "0 certificate(s)", exit 0.
        let result = try BinaryRunner.run(Self.sweep + ["testvectors/sweep/damaged/expired-then-truncated.pem"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("-31   expired  2026-05-01T00:00:00Z  O=fwgate TEST,CN=pump-expired"))
        #expect(result.stdout.contains("1 certificate(s) at 2026-06-01T00:00:00Z: 1 expired"))
        #expect(result.stdout.contains("unreadable testvectors/sweep/damaged/expired-then-truncated.pem: PEM block 2 (line 13): damaged CERTIFICATE block: no END line"))
    }

    @Test func aDamagedBlockBetweenGoodOnesIsNamedAndTheOthersRead() throws {
        let result = try BinaryRunner.run(Self.sweep + ["--format", "json", "--allow-unreadable", "testvectors/sweep/damaged/good-bad-good.pem"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let subjects = (object["certificates"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
        #expect(Set(subjects) == ["O=fwgate TEST,CN=pump-expired", "O=fwgate TEST,CN=Sweep Test Root"])
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.count == 1)
        #expect((unreadable.first?["reason"] as? String)?.hasPrefix("PEM block 2 (line 13): damaged CERTIFICATE block") == true)
        #expect(result.status == 1)  // the expired certificate still counts
    }

    @Test func unreadableFilesMakeTheExitCodeNonZeroUnlessAllowed() throws {
        // root.pem is ok for years; empty.pem cannot be checked.
        let files = ["testvectors/sweep/certs/root.pem", "testvectors/sweep/certs/empty.pem"]
        let strict = try BinaryRunner.run(Self.sweep + files)
        #expect(strict.status == 1)  // main: 0
        #expect(strict.stderr.contains("1 item(s) could not be checked"))
        let allowed = try BinaryRunner.run(Self.sweep + ["--allow-unreadable"] + files)
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("unreadable testvectors/sweep/certs/empty.pem: empty file"))
        #expect(try BinaryRunner.run(Self.sweep + ["testvectors/sweep/certs/root.pem"]).status == 0)
    }

    @Test func aFIFOInASweptFolderIsListedNotWaitedFor() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(
            at: ProjectPaths.root.appendingPathComponent("testvectors/sweep/certs/root.pem"), to: dir.appendingPathComponent("root.pem"))
        #expect(mkfifo(dir.appendingPathComponent("stray.pem").path, 0o600) == 0)
        let result = try BinaryRunner.run(Self.sweep + [dir.path], timeout: 30)
        #expect(!result.timedOut, "the sweep hung on the FIFO")
        #expect(result.status == 1)
        #expect(result.stdout.contains("stray.pem: cannot read: is a FIFO, not a regular file"), "\(result.stdout)")
        #expect(result.stdout.contains("CN=Sweep Test Root"))
    }

    @Test func aRefusedEndpointFailsTheSweepAndNamesItsDevice() throws {
        let closed = try TLSTestServer.closedPort()
        let alone = try BinaryRunner.run(Self.sweep + ["--tls", "127.0.0.1:\(closed)", "--timeout", "3"])
        #expect(alone.status == 1)  // main: 0
        #expect(try BinaryRunner.run(Self.sweep + ["--tls", "127.0.0.1:\(closed)", "--timeout", "3", "--allow-unreadable"]).status == 0)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-tlsdev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("inv.sqlite").path
        try "id,ip,tlsPort\ninfusion-9,127.0.0.1,\(closed)\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        #expect(try BinaryRunner.run(["devices", "import", dir.appendingPathComponent("d.csv").path, "--db", db]).status == 0)
        let table = try BinaryRunner.run(["certs", "sweep", "--from-inventory", "--no-record", "--at", Self.at, "--timeout", "3", "--db", db])
        #expect(table.status == 1)
        #expect(table.stdout.contains("unreadable 127.0.0.1:\(closed) (device infusion-9): "), "\(table.stdout)")
        let json = try BinaryRunner.run(
            ["certs", "sweep", "--from-inventory", "--no-record", "--at", Self.at, "--timeout", "3", "--db", db, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.first?["device"] as? String == "infusion-9")
    }

    /// A TCP port that accepts connections (the kernel completes them from the backlog) but
    /// never speaks TLS: the fetch times out.
    @Test func anEndpointThatDoesNotSpeakTLSFailsTheSweep() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let result = try BinaryRunner.run(Self.sweep + ["--tls", "127.0.0.1:\(port)", "--timeout", "1", "--format", "json"], timeout: 30)
        #expect(result.status == 1)  // main: 0
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let unreadable = try #require(object["unreadable"] as? [[String: Any]])
        #expect(unreadable.map { $0["path"] as? String } == ["127.0.0.1:\(port)"])
    }

    @Test func helpDocumentsAllowUnreadable() throws {
        let help = try BinaryRunner.run(["certs", "sweep", "--help"])
        #expect(help.stdout.contains("--allow-unreadable"))
        #expect(help.stdout.contains("could not be checked"))
    }
}
