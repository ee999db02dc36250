@testable import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The fleet report's fast readers agree with the slow, general ones they replace.
@Suite struct CheckOutcomesTests {
    static func decoded(_ json: String) -> [CheckOutcomes.Outcome] {
        ((try? JSONDecoder().decode([Check].self, from: Data(json.utf8))) ?? []).map { .init(code: $0.code.rawValue, status: $0.status) }
    }

    @Test func scannerAgreesWithJSONDecoderOnWrittenChecks() throws {
        let tricky = "a \"quoted\" \\ back\nslash } ] { [ , : é ✓ \u{01}"
        let checks = [
            Check(.signatureInvalid, .failed, subject: tricky, "message with \"quotes\", braces } and \\"),
            Check(.keyKnownTestKey, .warning, subject: "s", tricky),
            Check(.rollbackVersion, .skipped, subject: "", ""),
            Check(.integrityDigestMismatch, .passed, subject: "x", "y", detail: ["expected": "{\"a\": [1, 2]}", "actual": tricky]),
        ]
        let json = PostureEntry.checksJSON(checks)
        let scanned = try #require(CheckOutcomes.scan(json))
        #expect(scanned == Self.decoded(json))
        #expect(scanned.map(\.code) == ["signature.invalid", "key.known-test-key", "rollback.version", "integrity.digest-mismatch"])
        #expect(CheckOutcomes.scan("[]") == [])
        // What Foundation's encoder writes (pretty, other key order) reads the same.
        let pretty = String(decoding: try FwgateJSON.encoder().encode(checks), as: UTF8.self)
        #expect(CheckOutcomes.read(pretty) == Self.decoded(json))
    }

    @Test func scannerDefersToTheDecoderWhenUnsure() {
        // An escaped code, a missing status, broken JSON: the scanner declines; read() decodes.
        let escapedCode = #"[{"code":"signature\u002einvalid","message":"m","status":"failed","subject":"s"}]"#
        #expect(CheckOutcomes.scan(escapedCode) == nil)
        #expect(CheckOutcomes.read(escapedCode) == [.init(code: "signature.invalid", status: .failed)])
        #expect(CheckOutcomes.scan(#"[{"code":"a.b","message":"m"}]"#) == nil)
        #expect(CheckOutcomes.scan(#"[{"code":"a.b","status":"failed""#) == nil)
        #expect(CheckOutcomes.read("not json") == [])
    }

    @Test func scannerAgreesOnEveryEntryOfARealInventory() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let entries = try Inventory.open(path: built.database).entries()
        #expect(entries.count == 10)
        for entry in entries {
            #expect(try #require(CheckOutcomes.scan(entry.checks)) == Self.decoded(entry.checks), "entry \(entry.id ?? 0)")
        }
    }

    @Test func datesAgreeWithRFC3339() {
        for text in ["2026-06-01", "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "1970-01-01", "1969-12-31", "2031-12-31",
            "2026-13-01", "2026-00-10", "2026-04-31", "2026-06-00", "2026-06-32", "2026-02-28", "0001-01-01", "2026-02-31", "2024-12-31", "2025-06-30", "2026-09-31",
            "1600-02-29", "2100-02-29", "2026-4-01", "20260601xx", "2026-06-01T12:00:00Z", "", "yesterday"]
        {
            #expect(FleetDates.parse(text) == RFC3339.parse(text), "\(text)")
        }
    }
}
