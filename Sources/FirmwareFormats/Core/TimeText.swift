import Foundation

/// RFC 3339 timestamps: the only time format fwgate prints, and the strict grammar it reads.
///
/// Accepted (RFC 3339 §5.6 `date-time`, with a zone): `2026-06-01T12:00:00Z`,
/// `2026-06-01T12:00:00.5Z`, `2026-06-01T12:00:00+02:00` (`T` and `Z` in either case); and a bare
/// date `2026-06-01`, which means `2026-06-01T00:00:00Z`. Everything else is refused, naming
/// what is wrong: a space for `T`, no zone, hour 25, minute 61, second 60 (leap seconds are
/// not supported), 30 February, text after the time. A lenient parser that read
/// `2036-01-01 12:00:00` as midnight flipped verdicts (issue 9), so nothing is guessed.
public enum RFC3339 {
    /// The accepted forms, for error messages.
    public static let acceptedForms =
        "RFC 3339 with a zone (2026-06-01T12:00:00Z or 2026-06-01T12:00:00+02:00) or a date (2026-06-01, meaning 00:00:00Z)"

    /// Why a text is not an accepted time.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// `2026-01-01T00:00:00Z`: UTC, whole seconds (the fraction is dropped, as
    /// `Date.ISO8601FormatStyle` does).
    ///
    /// Written out with integer arithmetic for years 1 to 9999, rather than with
    /// `Date.ISO8601FormatStyle`: that builds a Gregorian calendar, looks up the current time
    /// zone and loads ICU data on first use, a millisecond of every `fwgate verify` that prints a
    /// time (issue 10), and a format style per call was too slow for fleet reports that write
    /// tens of thousands of times. The calendar is the proleptic Gregorian one that
    /// ``strictParse(_:)`` reads, so every time it reads is written back unchanged; from the
    /// Gregorian reform (1582) on this is exactly `Date.ISO8601FormatStyle(timeZone: .gmt)`
    /// (TimeTextTests checks both), before it Foundation's calendar turns Julian. Times outside
    /// years 1–9999 (only a hostile certificate has them) are left to Foundation.
    public static func string(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, (-62_135_596_800...253_402_300_799).contains(interval.rounded(.down)) else {
            return Date.ISO8601FormatStyle(timeZone: .gmt).format(date)
        }
        let seconds = Int(interval.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let second = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
            out += digits
        }
        put(year, 4)
        out.append(0x2D)
        put(month, 2)
        out.append(0x2D)
        put(day, 2)
        out.append(0x54)
        put(second / 3_600, 2)
        out.append(0x3A)
        put(second % 3_600 / 60, 2)
        out.append(0x3A)
        put(second % 60, 2)
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses an accepted form (see the type's discussion); nil otherwise.
    public static func parse(_ text: String) -> Date? {
        try? strictParse(text)
    }

    /// Parses an accepted form.
    ///
    /// - Throws: ``ParseError`` saying what is wrong with `text`.
    public static func strictParse(_ text: String) throws(ParseError) -> Date {
        let bytes = Array(text.utf8)
        var index = 0
        func fail(_ reason: String) -> ParseError { ParseError(reason: reason) }
        func digits(_ count: Int, _ what: String) throws(ParseError) -> Int {
            var value = 0
            for offset in 0..<count {
                guard index + offset < bytes.count else {
                    throw fail(offset == 0 ? "it ends before the \(what)" : "the \(what) must be \(count) digits")
                }
                let byte = bytes[index + offset]
                guard byte >= 0x30, byte <= 0x39 else { throw fail("the \(what) must be \(count) digits") }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ characters: String, _ what: String) throws(ParseError) {
            guard index < bytes.count else { throw fail("it ends where \(what) should be") }
            guard characters.utf8.contains(bytes[index]) else {
                let found = String(decoding: [bytes[index]], as: UTF8.self)
                throw fail("'\(found == " " ? "a space" : found)' where \(what) should be")
            }
            index += 1
        }

        let year = try digits(4, "year")
        try expect("-", "'-' after the year")
        let month = try digits(2, "month")
        try expect("-", "'-' after the month")
        let day = try digits(2, "day")
        guard (1...12).contains(month) else { throw fail("month \(month) does not exist") }
        guard day >= 1, day <= daysIn(month: month, year: year) else {
            throw fail("day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month)")
        }
        let midnight = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if index == bytes.count { return Date(timeIntervalSince1970: midnight) }

        try expect("Tt", "'T' between date and time")
        let hour = try digits(2, "hour")
        try expect(":", "':' after the hour")
        let minute = try digits(2, "minute")
        try expect(":", "':' after the minute")
        let second = try digits(2, "second")
        guard hour <= 23 else { throw fail("hour \(hour) is out of range (00-23)") }
        guard minute <= 59 else { throw fail("minute \(minute) is out of range (00-59)") }
        guard second <= 59 else { throw fail("second \(second) is out of range (00-59; leap seconds are not supported)") }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { throw fail("the fraction of a second needs digits after '.'") }
        }
        guard index < bytes.count else { throw fail("the time has no zone (add Z for UTC, or an offset such as +02:00)") }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let offsetHours = try digits(2, "zone hours")
            try expect(":", "':' in the zone offset")
            let offsetMinutes = try digits(2, "zone minutes")
            guard offsetHours <= 23, offsetMinutes <= 59 else { throw fail("zone offset \(offsetHours):\(offsetMinutes) is out of range") }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            throw fail("the time has no zone (add Z for UTC, or an offset such as +02:00)")
        }
        guard index == bytes.count else { throw fail("unexpected text after the zone") }
        let seconds = midnight + Double(hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`),
    /// the inverse of ``daysFromCivil(year:month:day:)``.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A duration written as a whole number and a unit: `45m`, `12h`, `30d`, `2w`.
///
/// Fractions (`3.5d`), signs, missing or unknown units (`1y`, `30`, `30 d`) are refused with the
/// accepted units: a year or a month has no fixed length, and a misread window would move
/// certificates between buckets silently.
public struct DurationText: Sendable, Equatable, CustomStringConvertible {
    /// The accepted units and their length in seconds.
    public static let units: [(suffix: Character, name: String, seconds: Int)] = [
        ("m", "minutes", 60), ("h", "hours", 3600), ("d", "days", 86_400), ("w", "weeks", 604_800),
    ]

    /// The accepted forms, for error messages.
    public static let acceptedForms = "a whole number followed by m (minutes), h (hours), d (days) or w (weeks), e.g. 30d"

    /// Length in seconds.
    public let seconds: Int
    /// The text as given.
    public let text: String

    public var description: String { text }

    /// Parses `text`.
    ///
    /// - Throws: ``RFC3339/ParseError`` saying what is wrong and listing the accepted units.
    public init(parsing text: String) throws(RFC3339.ParseError) {
        guard let last = text.last else { throw RFC3339.ParseError(reason: "empty; expected \(Self.acceptedForms)") }
        guard let unit = Self.units.first(where: { $0.suffix == last }) else {
            throw RFC3339.ParseError(reason: "unknown or missing unit '\(last)'; expected \(Self.acceptedForms)")
        }
        let number = text.dropLast()
        guard !number.isEmpty, number.count <= 9, number.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(number) else {
            throw RFC3339.ParseError(reason: "'\(number)' is not a whole number; expected \(Self.acceptedForms)")
        }
        self.seconds = value * unit.seconds
        self.text = text
    }
}
