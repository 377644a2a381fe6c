/// The proleptic Gregorian calendar date of a day counted from 1970-01-01 (negative before it), by
/// the civil-from-days method (eras of 400 years), without Foundation's calendars: for dates written
/// on hot paths and in fixed formats.
public enum CivilDate {
    public static func from(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let days = daysSince1970 + 719_468  // from 0000-03-01
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Appends `value` (not negative) as exactly `digits` ASCII digits, zero-padded (the higher digits
    /// of a longer number are left out): the fixed-width fields of date texts.
    public static func appendDigits(_ value: Int64, _ digits: Int, to text: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 0..<max(0, digits - 1) { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
