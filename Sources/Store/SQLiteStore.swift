import FlowLearnCore
import Foundation
import GRDB

/// The `AssistantStore` on SQLite through GRDB: the one place in FlowLearn that knows SQL.
///
/// A file database runs in WAL mode through a `DatabasePool` (readers never wait for the writer);
/// `inMemory()` gives the same schema for tests. Migrations run when the store opens.
public final class SQLiteStore: AssistantStore {
    let writer: any DatabaseWriter

    /// Opens (creating folders and file as needed) and migrates the database at `path`.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        writer = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// A private in-memory database with the full schema.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue())
    }

    public func claimEvent(platform: String, eventID: String, at date: Date, logging entry: QuestionLogEntry?) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO processed_event (platform, event_id, received_at) VALUES (?, ?, ?)",
                arguments: [platform, eventID, date])
            guard db.changesCount == 1 else { return false }
            if let entry { try Self.insert(entry, into: db) }
            return true
        }
    }

    public func record(_ entry: QuestionLogEntry) async throws {
        try await writer.write { db in try Self.insert(entry, into: db) }
    }

    static func insert(_ entry: QuestionLogEntry, into db: Database) throws {
        let candidates = String(decoding: try JSONEncoder().encode(entry.candidates), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO question_log (asked_at, platform, user_id, channel, text, outcome, nugget_id, confidence, candidates)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.askedAt, entry.platform, entry.user, entry.channel, entry.text, entry.outcome.rawValue,
                entry.nuggetID, entry.confidence, candidates,
            ])
    }

    public func recentQuestions(unansweredOnly: Bool, limit: Int) async throws -> [QuestionLogEntry] {
        try await writer.read { db in
            let filter = unansweredOnly ? "WHERE outcome = 'unknown'" : ""
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM question_log \(filter) ORDER BY asked_at DESC, id DESC LIMIT ?", arguments: [limit])
            return rows.map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> QuestionLogEntry {
        let candidatesJSON: String = row["candidates"] ?? "[]"
        let candidates = (try? JSONDecoder().decode([Match].self, from: Data(candidatesJSON.utf8))) ?? []
        return QuestionLogEntry(
            askedAt: row["asked_at"], platform: row["platform"], user: row["user_id"], channel: row["channel"],
            text: row["text"], outcome: QuestionLogEntry.Outcome(rawValue: row["outcome"]) ?? .unknown,
            nuggetID: row["nugget_id"], confidence: row["confidence"], candidates: candidates)
    }

    /// Counts for `/metrics`-style summaries and the `questions` command.
    public func questionCounts() async throws -> [QuestionLogEntry.Outcome: Int] {
        try await writer.read { db in
            var counts: [QuestionLogEntry.Outcome: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM question_log GROUP BY outcome") {
                if let outcome = QuestionLogEntry.Outcome(rawValue: row["outcome"]) { counts[outcome] = row["n"] }
            }
            return counts
        }
    }
}
