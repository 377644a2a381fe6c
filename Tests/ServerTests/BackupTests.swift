import FlowLearnCore
@testable import FlowLearnStore
import GRDB
import Foundation
import Synchronization
import Testing

@Suite("Backup and restore")
struct BackupTests {
    func entry(_ number: Int) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: Date(timeIntervalSince1970: 1_764_500_000 + Double(number)), platform: "slack", user: "U1", channel: "C1", text: "q\(number)",
            outcome: .unknown, nuggetID: nil, confidence: 0, candidates: [])
    }

    @Test func aBackupTakenDuringAStreamOfWritesHoldsEveryRowCommittedBeforeItAndRestores() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("live.sqlite").path)
        let committed = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let writes = Task {
            var number = 0
            while !stop.load(ordering: .relaxed) {
                try await store.record(entry(number))
                number += 1
                committed.store(number, ordering: .releasing)
            }
            return number
        }
        while committed.load(ordering: .acquiring) < 300 { try await Task.sleep(for: .milliseconds(2)) }
        let before = committed.load(ordering: .acquiring)
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try store.backup(to: copy)
        stop.store(true, ordering: .relaxed)
        let total = try await writes.value
        #expect(total > before, "writes went on around the backup")

        let backup = try SQLiteStore(path: copy)
        let texts = Set(try await backup.recentQuestions(unansweredOnly: false, limit: 1_000_000).map(\.text))
        let missing = (0..<before).filter { !texts.contains("q\($0)") }
        #expect(missing.isEmpty, "rows committed before the backup began and missing from it: \(missing.prefix(5))")
        #expect(throws: BackupError.self, "an existing file is not overwritten") { try store.backup(to: copy) }

        // Restore: refused while the live database is open, done into a stopped one.
        #expect(throws: BackupError.self) { try SQLiteStore.restore(from: copy, to: folder.appendingPathComponent("live.sqlite").path) }
        let restored = folder.appendingPathComponent("restored/flowlearn.sqlite").path
        try SQLiteStore.restore(from: copy, to: restored)
        let reopened = try SQLiteStore(path: restored)
        #expect(try await reopened.recentQuestions(unansweredOnly: false, limit: 1_000_000).count == texts.count)
        let garbage = folder.appendingPathComponent("garbage.sqlite")
        try Data("not a database".utf8).write(to: garbage)
        #expect(throws: (any Error).self) { try SQLiteStore.restore(from: garbage.path, to: folder.appendingPathComponent("other.sqlite").path) }
    }

    @Test func backingUpAnOlderStoreNeitherMigratesNorChangesIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-backup-old-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        do {
            let old = try DatabasePool(path: path)
            try SQLiteStore.migrator.migrate(old, upTo: "v7: event attempts and poisoned events")
            try await old.write { db in
                try db.execute(
                    sql: "INSERT INTO question_log (asked_at, platform, user_id, channel, text, outcome, confidence) VALUES (?, 'slack', 'U', 'C', 'old question', 'unknown', 0)",
                    arguments: [Date()])
            }
            try old.close()
        }
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try SQLiteStore.backup(databaseAt: path, to: copy)
        let applied = try await DatabaseQueue(path: path).read { try SQLiteStore.migrator.appliedMigrations($0) }
        #expect(applied.last == "v7: event attempts and poisoned events", "the backup did not migrate the live store")
        let restored = try SQLiteStore(path: copy)  // opening migrates the copy, as a start after restore would
        #expect(try await restored.recentQuestions(unansweredOnly: false, limit: 5).map(\.text) == ["old question"])
    }
}
