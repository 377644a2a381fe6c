import Foundation
import GRDB
import Testing

@testable import FlowLearnStore

@Suite("SQLite dates")
struct SQLiteDateTests {
    @Test("the same text as GRDB's formatter, for dates across the range")
    func sameTextAsGRDB() {
        var generator = SystemRandomNumberGenerator()
        var dates = [0, 951_782_400, 951_868_799.999, 4_107_542_400, 1_764_500_000.123_456, 253_402_300_799.5, 68_169_600, 1e-7].map { Date(timeIntervalSince1970: $0) }
        for _ in 0..<20_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<253_402_300_800, using: &generator))) }
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double(Int.random(in: 0..<4_000_000_000, using: &generator)) + 0.001 * Double(Int.random(in: 0..<1000)))) }
        dates.append(Date())
        var differences = 0
        for date in dates where SQLiteDate.value(date) != date.databaseValue {
            differences += 1
            if differences < 5 { Issue.record("\(date.timeIntervalSince1970): \(SQLiteDate.value(date)) vs \(date.databaseValue)") }
        }
        #expect(differences == 0)
        #expect(SQLiteDate.value(Date(timeIntervalSince1970: -1)) == Date(timeIntervalSince1970: -1).databaseValue, "before 1970: GRDB's own")
    }
}
