import Foundation
import FwgateTestSupport
import Testing

/// Every option that takes a time or a duration refuses what it cannot read exactly, with exit 2
/// and the accepted forms (issue 9 item 3). leaf-valid.pem's notAfter is 2030-01-01T00:00:00Z
/// (made by testvectors/crypto/generate.sh; `openssl x509 -noout -enddate`).
@Suite struct StrictTimeCLITests {
    static let chains = "testvectors/crypto/chains"

    func certsVerify(at: String, _ extra: [String] = []) throws -> BinaryRunner.Result {
        try BinaryRunner.run(
            ["certs", "verify", "\(Self.chains)/leaf-valid.pem", "--chain", "\(Self.chains)/intermediate.pem", "--ca", "\(Self.chains)/root.pem",
             "--purpose", "code-signing", "--at", at] + extra)
    }

    @Test func aTimeWithASpaceIsRefusedInsteadOfReadAsMidnight() throws {
        let exact = try certsVerify(at: "2030-01-01T12:00:00Z")
        #expect(exact.status == 1)
        #expect(exact.stdout.contains("cert.expired"))
        // Main read this as 2030-01-01T00:00:00Z: not yet expired, exit 0.
        let spaced = try certsVerify(at: "2030-01-01 12:00:00")
        #expect(spaced.status == 2)
        #expect(spaced.stdout.isEmpty)
        #expect(spaced.stderr.contains("--at '2030-01-01 12:00:00' is not an accepted time"))
        #expect(spaced.stderr.contains("RFC 3339 with a zone (2026-06-01T12:00:00Z or 2026-06-01T12:00:00+02:00) or a date (2026-06-01, meaning 00:00:00Z)"))
    }

    @Test(arguments: ["2030-01-01T25:00:00Z", "2030-01-01T12:61:00Z", "2030-01-01Tgarbage", "xyz", "2030-01-01T12:00:00", "2026-02-30"])
    func malformedTimesExitTwo(at: String) throws {
        let result = try certsVerify(at: at)
        #expect(result.status == 2, "\(at): \(result.stdout)")
        #expect(result.stderr.contains("is not an accepted time"))
    }

    @Test func aBareDateIsMidnightUTC() throws {
        // 2030-01-01 = 2030-01-01T00:00:00Z = notAfter: still valid (expired means notAfter < at).
        #expect(try certsVerify(at: "2030-01-01").status == 0)
        #expect(try certsVerify(at: "2030-01-02").status == 1)
    }

    @Test(arguments: [["certs", "sweep", "--no-record", "testvectors/sweep/certs", "--warn", "1y"],
                      ["certs", "sweep", "--no-record", "testvectors/sweep/certs", "--critical", "3.5d"],
                      ["certs", "verify", "testvectors/crypto/chains/leaf-valid.pem", "--ca", "testvectors/crypto/chains/root.pem", "--warn", "30"]])
    func durationsWithUnknownUnitsOrFractionsListTheAcceptedUnits(arguments: [String]) throws {
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("m (minutes), h (hours), d (days) or w (weeks)"), "\(result.stderr)")
    }

    @Test func inventorySinceIsStrictToo() throws {
        let result = try BinaryRunner.run(["inventory", "list", "--since", "2026-02-30", "--db", "/nonexistent/inv.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--since '2026-02-30' is not an accepted time: day 30 does not exist"))
    }
}
