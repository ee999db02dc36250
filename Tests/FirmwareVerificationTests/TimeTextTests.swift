import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The strict time and duration grammar every time option uses (issue 9 item 3). Expected
/// seconds since 1970 come from GNU `date -u -d TEXT +%s`, not from fwgate.
struct TimeTextTests {
    static let accepted: [(String, Double)] = [
        ("2036-01-01T12:00:00Z", 2_082_801_600),
        ("2026-06-01T00:00:00Z", 1_780_272_000),
        ("2026-06-01", 1_780_272_000),
        ("2026-06-01T12:00:00+02:00", 1_780_308_000),
        ("2024-02-29T23:59:59-05:30", 1_709_270_999),
        ("1970-01-01T00:00:00Z", 0),
        ("2026-06-01T12:00:00.5Z", 1_780_315_200.5),
        ("2026-06-01t12:00:00z", 1_780_315_200),
        ("2000-02-29T00:00:00Z", 951_782_400),
    ]

    @Test(arguments: accepted)
    func acceptsRFC3339WithAZoneAndBareDates(text: String, seconds: Double) throws {
        #expect(try RFC3339.strictParse(text).timeIntervalSince1970 == seconds)
    }

    static let refused: [(String, String)] = [
        ("2036-01-01 12:00:00", "a space"),
        ("2036-01-01T12:00:00", "no zone"),
        ("2026-01-01T25:00:00Z", "hour 25"),
        ("2026-01-01T12:61:00Z", "minute 61"),
        ("2026-01-01T12:00:60Z", "second 60"),
        ("2026-01-01Tgarbage", "hour must be"),
        ("xyz", "year must be"),
        ("2026-02-30", "day 30 does not exist"),
        ("2025-02-29", "day 29 does not exist"),
        ("2026-13-01", "month 13"),
        ("2026-06-01T12:00:00+25:00", "zone offset"),
        ("2026-06-01T12:00:00Zjunk", "after the zone"),
        ("2026-06-01T12:00:00.Z", "needs digits"),
        ("2026-6-1", "month must be"),
        ("", "ends before the year"),
        ("2026-06-01T12:00Z", "':' after the minute"),
    ]

    @Test(arguments: refused)
    func refusesEverythingElseSayingWhy(text: String, reason: String) {
        #expect(throws: RFC3339.ParseError.self) { try RFC3339.strictParse(text) }
        do {
            _ = try RFC3339.strictParse(text)
        } catch {
            #expect(error.reason.contains(reason), "\(text): \(error.reason)")
        }
        #expect(RFC3339.parse(text) == nil)
    }

    static let durations: [(String, Int)] = [("30d", 2_592_000), ("2w", 1_209_600), ("12h", 43_200), ("45m", 2_700), ("0d", 0)]

    @Test(arguments: durations)
    func acceptsWholeNumbersWithAKnownUnit(text: String, seconds: Int) throws {
        #expect(try DurationText(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["1y", "3.5d", "30", "d", "-3d", "30 d", "+3d", "1mo", "", "99999999999d"])
    func refusesFractionsSignsAndUnknownUnitsListingTheAcceptedOnes(text: String) {
        do {
            _ = try DurationText(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.reason.contains("m (minutes), h (hours), d (days) or w (weeks)"), "\(text): \(error.reason)")
        }
    }
    /// `RFC3339.string` writes the date with integer arithmetic; Foundation's
    /// `Date.ISO8601FormatStyle` in GMT is the reference it must match from the Gregorian
    /// reform (1582-10-15) on: day, month and year boundaries, leap days, times before 1970,
    /// fractions (dropped, never rounded up), the X.509 maximum 9999-12-31T23:59:59Z, then
    /// 20,000 seeded random times up to 9999.
    @Test func formatsLikeFoundationsISO8601StyleInGMT() {
        let reference = Date.ISO8601FormatStyle(timeZone: .gmt)
        let reform = -12_219_292_800  // 1582-10-15T00:00:00Z
        var times: [Double] = [
            0, -1, -0.5, 0.999, 59.999, 86_399.9, 86_400, -86_400, -86_401, 951_782_400, 951_868_799,
            1_709_251_199, 1_709_251_200, 2_082_801_600, 253_402_300_799, 253_402_300_799.999,
            -2_208_988_800, -11_676_096_000, Double(reform), 1_780_315_200.5, 4_102_444_800,
        ]
        var generator = SeededGenerator(seed: 0x1f2e_3d4c)
        let span = UInt64(253_402_300_799 - reform)
        for _ in 0..<20_000 {
            times.append(Double(Int64(generator.next() % span) + Int64(reform)) + Double(generator.next() % 1000) / 1000)
        }
        for time in times {
            let date = Date(timeIntervalSince1970: time)
            #expect(RFC3339.string(date) == reference.format(date), "\(time)")
        }
    }

    /// Before the reform Foundation's calendar turns Julian (it prints 0001-01-03 for what
    /// RFC 3339's proleptic Gregorian calendar calls 0001-01-01), so there the reference is
    /// fwgate's own strict parser: what it reads, the formatter writes back unchanged, down
    /// to year 0001.
    @Test(arguments: ["0001-01-01T00:00:00Z", "0645-04-17T16:20:59Z", "1000-01-01T00:00:00Z", "1582-10-14T23:59:59Z", "1200-02-29T12:00:00Z"])
    func writesBackWhatItParsesBeforeTheGregorianReform(text: String) throws {
        #expect(RFC3339.string(try RFC3339.strictParse(text)) == text)
    }
}
