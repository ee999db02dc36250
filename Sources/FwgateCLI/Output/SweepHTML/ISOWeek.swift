import FirmwareFormats
import Foundation

/// ISO 8601 weeks (Monday to Sunday, UTC) as integers: week 0 starts on Monday 1969-12-29.
enum ISOWeek {
    static let secondsPerDay = 86_400.0

    /// Days since 1970-01-01 of `date` (UTC), clamped far outside any certificate's range.
    static func days(of date: Date) -> Int {
        Int((max(-1e13, min(1e13, date.timeIntervalSince1970)) / secondsPerDay).rounded(.down))
    }

    /// The week `date` falls in.
    static func index(of date: Date) -> Int {
        floorDivide(days(of: date) + 3, 7)
    }

    /// Days since 1970-01-01 of the Monday that starts `week`.
    static func mondayDays(_ week: Int) -> Int { week * 7 - 3 }

    /// The Monday that starts `week`.
    static func monday(_ week: Int) -> (year: Int, month: Int, day: Int) { RFC3339.civilFromDays(mondayDays(week)) }

    /// How far through `week` the instant `date` is, 0 ..< 1.
    static func fraction(of week: Int, at date: Date) -> Double {
        let start = Double(mondayDays(week)) * secondsPerDay
        return min(1, max(0, (date.timeIntervalSince1970 - start) / (7 * secondsPerDay)))
    }

    /// `2026-W23`: the ISO week-numbering year and week number (the year of the week's Thursday).
    static func name(_ week: Int) -> String {
        let thursday = mondayDays(week) + 3
        let year = RFC3339.civilFromDays(thursday).year
        let number = (thursday - RFC3339.daysFromCivil(year: year, month: 1, day: 1)) / 7 + 1
        return "\(year)-W\(number < 10 ? "0" : "")\(number)"
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
