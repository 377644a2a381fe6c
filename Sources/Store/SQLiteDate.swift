import FlowLearnCore
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
        let (year, month, day) = CivilDate.from(daysSince1970: days)
        var text = [UInt8]()
        text.reserveCapacity(23)
        CivilDate.appendDigits(year, 4, to: &text)
        text.append(UInt8(ascii: "-"))
        CivilDate.appendDigits(month, 2, to: &text)
        text.append(UInt8(ascii: "-"))
        CivilDate.appendDigits(day, 2, to: &text)
        text.append(UInt8(ascii: " "))
        CivilDate.appendDigits(inDay / 3_600_000, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        CivilDate.appendDigits(inDay / 60_000 % 60, 2, to: &text)
        text.append(UInt8(ascii: ":"))
        CivilDate.appendDigits(inDay / 1000 % 60, 2, to: &text)
        text.append(UInt8(ascii: "."))
        CivilDate.appendDigits(inDay % 1000, 3, to: &text)
        return String(decoding: text, as: UTF8.self).databaseValue
    }
}
