import FirmwareFormats
import FirmwareVerification
import Foundation

/// The code and status of each check in a posture entry's `checks` JSON, read by a small
/// scanner instead of `JSONDecoder` (a fleet report reads tens of thousands of entries, and
/// decoding every message and detail dominated). Anything the scanner does not understand falls
/// back to ``PostureEntry/decodedChecks``, so the answer is the same either way.
enum CheckOutcomes {
    struct Outcome: Equatable {
        var code: String
        var status: Check.Status
    }

    /// The outcomes of `json` (an array of check objects), in order.
    static func read(_ json: String) -> [Outcome] {
        if let fast = scan(json) { return fast }
        return ((try? JSONDecoder().decode([Check].self, from: Data(json.utf8))) ?? []).map { Outcome(code: $0.code.rawValue, status: $0.status) }
    }

    /// Scans `[{"code": "...", "status": "...", ...}, ...]`; nil when the text is not that shape
    /// (or uses something the scanner does not handle), so the caller decodes it properly.
    static func scan(_ json: String) -> [Outcome]? {
        var json = json
        return json.withUTF8 { bytes -> [Outcome]? in
            var index = 0
            let end = bytes.count
            func skipSpace() {
                while index < end, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
            }
            func expect(_ byte: UInt8) -> Bool {
                skipSpace()
                guard index < end, bytes[index] == byte else { return false }
                index += 1
                return true
            }
            /// A string's content, when it has no escapes (codes and statuses never do); else nil
            /// after skipping it (escaped strings are skipped correctly).
            func string() -> (ok: Bool, value: String?) {
                skipSpace()
                guard index < end, bytes[index] == 0x22 else { return (false, nil) }
                index += 1
                let start = index
                var escaped = false
                while index < end {
                    let byte = bytes[index]
                    if byte == 0x5C {
                        escaped = true
                        index += 2
                        continue
                    }
                    if byte == 0x22 {
                        let value = escaped ? nil : String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                        index += 1
                        return (true, value)
                    }
                    index += 1
                }
                return (false, nil)
            }
            /// Skips one value of any kind.
            func skipValue() -> Bool {
                skipSpace()
                guard index < end else { return false }
                switch bytes[index] {
                case 0x22: return string().ok
                case 0x7B, 0x5B:
                    var depth = 0
                    while index < end {
                        switch bytes[index] {
                        case 0x22:
                            if !string().ok { return false }
                            continue
                        case 0x7B, 0x5B: depth += 1
                        case 0x7D, 0x5D:
                            depth -= 1
                            if depth == 0 {
                                index += 1
                                return true
                            }
                        default: break
                        }
                        index += 1
                    }
                    return false
                default:
                    while index < end, ![0x2C, 0x7D, 0x5D].contains(bytes[index]) { index += 1 }
                    return true
                }
            }
            var outcomes: [Outcome] = []
            guard expect(0x5B) else { return nil }
            skipSpace()
            if index < end, bytes[index] == 0x5D { return [] }
            while true {
                guard expect(0x7B) else { return nil }
                var code: String?
                var status: Check.Status?
                skipSpace()
                if index < end, bytes[index] == 0x7D {
                    index += 1
                } else {
                    while true {
                        let key = string()
                        guard key.ok, let name = key.value, expect(0x3A) else { return nil }
                        if name == "code" || name == "status" {
                            let value = string()
                            guard value.ok, let text = value.value else { return nil }
                            if name == "code" { code = text } else { status = Check.Status(rawValue: text) }
                        } else if !skipValue() {
                            return nil
                        }
                        if expect(0x2C) { continue }
                        guard expect(0x7D) else { return nil }
                        break
                    }
                }
                guard let code, let status else { return nil }
                outcomes.append(Outcome(code: code, status: status))
                if expect(0x2C) { continue }
                guard expect(0x5D) else { return nil }
                skipSpace()
                return index == end ? outcomes : nil
            }
        }
    }
}

/// Dates the fleet model reads from device records.
enum FleetDates {
    /// What ``RFC3339/parse(_:)`` answers, without a date formatter for the common `YYYY-MM-DD`
    /// (midnight UTC; a fleet has thousands of support end dates).
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        if bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D {
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    guard (0x30...0x39).contains(bytes[index]) else { return nil }
                    value = value * 10 + Int(bytes[index] - 0x30)
                }
                return value
            }
            // Strict like RFC3339.parse: a day past the month's end (2023-02-29) is no date, and
            // goes the slow way to be refused there, as do years before 1600.
            if let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1600, (1...12).contains(month),
                day >= 1, day <= daysInMonth(month, year: year)
            {
                return Date(timeIntervalSince1970: TimeInterval(RFC3339.daysFromCivil(year: year, month: month, day: day)) * 86_400)
            }
        }
        return RFC3339.parse(text)
    }

    /// The Gregorian month length.
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
