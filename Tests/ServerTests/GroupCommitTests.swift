import FlowLearnCore
@testable import FlowLearnStore
import Foundation
import GRDB
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    func entry(_ number: Int) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: Date(timeIntervalSince1970: 1_764_500_000 + Double(number)), platform: "slack", user: "U\(number)", channel: "C1",
            text: "q\(number)", outcome: .unknown, nuggetID: nil, confidence: 0, candidates: [])
    }

    @Test func concurrentWritesShareTransactionsAndEachReturnsAfterItsCommit() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try SQLiteStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<400 {
                group.addTask {
                    try await store.record(entry(number))
                    // Acknowledged: it must be committed, so another connection sees it.
                    let seen = try await DatabaseQueue(path: path).read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM question_log WHERE text = ?", arguments: ["q\(number)"])
                    }
                    #expect(seen == 1, "q\(number) returned before it was committed")
                }
            }
            try await group.waitForAll()
        }
        let (transactions, writes) = store.committer.counts
        #expect(writes == 400)
        #expect(transactions < 400, "concurrent writes were committed together (\(transactions) transactions for 400 writes)")
    }

    @Test(arguments: [false, true]) func aWriteThatFailsRollsBackAloneAndTheOthersCommit(onFile: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = onFile ? try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path) : try SQLiteStore.inMemory()
        struct Refused: Error {}
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<50 {
                group.addTask {
                    if number == 25 {
                        do {
                            _ = try await store.committer.write { db -> Int in
                                try db.execute(sql: "INSERT INTO question_log (asked_at, platform, user_id, channel, text, outcome, confidence) VALUES (?, 'slack', 'U', 'C', 'poison', 'unknown', 0)", arguments: [Date()])
                                throw Refused()
                            }
                            return false
                        } catch is Refused {
                            return true
                        }
                    }
                    try await store.record(entry(number))
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
        let texts = try await store.recentQuestions(unansweredOnly: false, limit: 100).map(\.text)
        #expect(texts.count == 49 && !texts.contains("poison"), "the failed write's own insert is rolled back, the 49 others stored")
    }
}
