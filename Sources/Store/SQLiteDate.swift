import Foundation
import GRDB

/// Dates as GRDB stores them (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), written without a `DateFormatter`:
/// every question logged binds one, and ICU's formatter was a tenth of the commit's time.
/// Dates outside 1970–9999 go through GRDB's own conversion.
enum SQLiteDate {
    static func value(_ date: Date) -> DatabaseValue {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 0, seconds < 253_402_300_799 else { return date.databaseValue }  // 9999-12-31 23:59:59
        let milliseconds = Int64((seconds * 1000).rounded())  // ICU rounds to the nearest millisecond
        let days = milliseconds / 86_400_000
        let inDay = milliseconds % 86_400_000
        let (year, month, day) = civil(daysSince1970: days)
        var text = [UInt8]()
        text.reserveCapacity(23)
        append(year, digits: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        append(month, digits: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        append(day, digits: 2, to: &text)
        text.append(UInt8(ascii: " "))
        append(inDay / 3_600_000, digits: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(inDay / 60_000 % 60, digits: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(inDay / 1000 % 60, digits: 2, to: &text)
        text.append(UInt8(ascii: "."))
        append(inDay % 1000, digits: 3, to: &text)
        return String(decoding: text, as: UTF8.self).databaseValue
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (days ≥ 0), by the civil-from-
    /// days method (eras of 400 years).
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // from 0000-03-01
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func append(_ value: Int64, digits: Int, to text: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
