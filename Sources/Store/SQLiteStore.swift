import FlowLearnCore
import Foundation
import GRDB
import Synchronization

/// The `AssistantStore` on SQLite through GRDB: the one place in FlowLearn that knows SQL.
///
/// A file database runs in WAL mode through a `DatabasePool` (readers never wait for the writer);
/// `inMemory()` gives the same schema for tests. Migrations run when the store opens.
public final class SQLiteStore: AssistantStore {
    let writer: any DatabaseWriter
    /// Batches the writes a request waits for before it is acknowledged (see `GroupCommitter`).
    let committer: GroupCommitter
    /// Whether writes keep learning records for the xAPI outbox (`keepLearningRecords`).
    let recordsLearning = Atomic<Bool>(false)
    /// This process's leases on the nudges, kept replies and learning records it claims.
    public let lease: LeaseHolder

    /// Pages of write-ahead log (4 KiB each) after which a commit checkpoints, finishing what the
    /// background checkpoints copied, so that the next write starts the log again (it stays near
    /// 2 MiB unless a reader keeps an old snapshot open).
    static let checkpointPages = 512
    /// Copies the write-ahead log into the file in the background (nil in memory).
    let checkpointer: WALCheckpointer?

    /// Opens (creating folders and file as needed) and migrates the database at `path`.
    /// - Parameter lease: who this process is for the rows it claims (one process per file: at start
    ///   it takes back every claim an earlier process left, see `requeueInFlight(at:)`).
    public init(path: String, lease: LeaseHolder = .thisProcess()) throws {
        self.lease = lease
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // WAL with synchronous FULL: a commit is on disk (the WAL synced) before it returns, so what a
        // request was acknowledged for survives a power cut, not only a crash of the process.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        writer = try DatabasePool(path: path, configuration: configuration)
        // 8 MiB of pages for the writer (SQLite's default is 2; readers keep it): the indexes a busy
        // question log writes to stay in memory instead of being read back for every batch. The
        // write-ahead log is copied back into the file (a checkpoint, which syncs the file) by a
        // connection of its own every few milliseconds (`WALCheckpointer`); the writer checkpoints
        // only after 512 pages, and then has little left to copy. (Receiver benchmark, three 10 s runs
        // each on a busy machine: checkpointing on the writer after 256 pages, as before, 8,600
        // questions/s with p99 9.4 ms; in the background with the writer at 512 pages, 10,200/s and
        // 8.1 ms; at 1,024 pages 10,300/s and 10.0 ms; at 8,192 pages up to 12,500/s but p99 11-12 ms,
        // the writer's rarer checkpoints being the longer waits.)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = -8192")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
        }
        committer = GroupCommitter(writer: writer)
        try Self.migrator.migrate(writer)
        checkpointer = try WALCheckpointer(path: path, configuration: configuration)
    }

    private init(writer: any DatabaseWriter, lease: LeaseHolder) throws {
        self.lease = lease
        self.writer = writer
        self.committer = GroupCommitter(writer: writer)
        self.checkpointer = nil
        try Self.migrator.migrate(writer)
    }

    /// A private in-memory database with the full schema.
    public static func inMemory(lease: LeaseHolder = .thisProcess()) throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue(), lease: lease)
    }

    public func claimEvent(platform: String, eventID: String, at date: Date, logging entry: QuestionLogEntry?) async throws -> Bool {
        let keeping = keepsLearningRecords
        return try await committer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO processed_event (platform, event_id, received_at) VALUES (?, ?, ?)",
                arguments: [platform, eventID, date])
            guard db.changesCount == 1 else { return false }
            if let entry { try Self.insert(entry, into: db, keepingRecords: keeping) }
            try db.execute(sql: "DELETE FROM event_attempt WHERE platform = ? AND event_id = ?", arguments: [platform, eventID])
            return true
        }
    }

    public func beginEvent(platform: String, eventID: String, at date: Date) async throws -> EventAdmission {
        try await committer.write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM processed_event WHERE platform = ? AND event_id = ?", arguments: [platform, eventID]) != nil
            {
                return .done
            }
            let row = try Row.fetchOne(
                db, sql: "SELECT attempts, poisoned_at FROM event_attempt WHERE platform = ? AND event_id = ?", arguments: [platform, eventID])
            guard let row else {
                try db.execute(
                    sql: "INSERT INTO event_attempt (platform, event_id, attempts, first_at) VALUES (?, ?, 1, ?)",
                    arguments: [platform, eventID, date])
                return .handle(attempt: 1)
            }
            if (row["poisoned_at"] as Date?) != nil { return .poisoned }
            let attempts: Int = row["attempts"] ?? 0
            guard attempts < EventAdmission.maximumAttempts else {
                try db.execute(
                    sql: """
                        UPDATE event_attempt SET poisoned_at = ?,
                          last_error = COALESCE(last_error, 'the server crashed or stopped while handling it, ' || attempts || ' times')
                        WHERE platform = ? AND event_id = ?
                        """,
                    arguments: [date, platform, eventID])
                return .poisoned
            }
            try db.execute(
                sql: "UPDATE event_attempt SET attempts = attempts + 1 WHERE platform = ? AND event_id = ?", arguments: [platform, eventID])
            return .handle(attempt: attempts + 1)
        }
    }

    public func failEvent(platform: String, eventID: String, reason: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE event_attempt SET last_error = ? WHERE platform = ? AND event_id = ?",
                arguments: [String(reason.prefix(500)), platform, eventID])
        }
    }

    public func poisonedEvents(limit: Int) async throws -> [PoisonedEvent] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT platform, event_id, attempts, first_at, last_error, poisoned_at FROM event_attempt
                    WHERE poisoned_at IS NOT NULL ORDER BY poisoned_at DESC LIMIT ?
                    """,
                arguments: [max(0, limit)]
            ).compactMap { row in
                guard let platform: String = row["platform"], let eventID: String = row["event_id"], let first: Date = row["first_at"],
                    let poisoned: Date = row["poisoned_at"]
                else { return nil }
                return PoisonedEvent(
                    platform: platform, eventID: eventID, attempts: row["attempts"] ?? 0, reason: row["last_error"] ?? "", firstSeen: first,
                    poisonedAt: poisoned)
            }
        }
    }

    public func record(_ entry: QuestionLogEntry) async throws {
        let keeping = keepsLearningRecords
        try await committer.write { db in try Self.insert(entry, into: db, keepingRecords: keeping) }
    }

    static func insert(_ entry: QuestionLogEntry, into db: Database, keepingRecords: Bool) throws {
        let candidates = Match.json(entry.candidates)
        try db.cachedStatement(
            sql: """
                INSERT INTO question_log (asked_at, platform, team, user_id, channel, text, outcome, nugget_id, confidence, candidates, answer_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                SQLiteDate.value(entry.askedAt), entry.platform, entry.team, entry.user, entry.channel, entry.text, entry.outcome.rawValue,
                entry.nuggetID, entry.confidence, candidates, entry.answerID,
            ])
        if keepingRecords { try keepQuestionRecords(entry, id: db.lastInsertedRowID, in: db) }
        // Questions become reviews: the first time a person is given this nugget, one of its quiz
        // questions becomes a card due now (unless they have that card already).
        if let question = entry.reviewQuestionID, let nugget = entry.nuggetID {
            let learner = entry.learner.key
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO asked_review (learner, nugget_id, question_id, at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [learner, nugget, question, SQLiteDate.value(entry.askedAt)])
            if db.changesCount == 1 {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO card (learner, question_id, state, step, due) VALUES (?, ?, ?, 0, ?)")
                    .execute(arguments: [learner, question, FSRSCard.State.learning.rawValue, SQLiteDate.value(entry.askedAt)])
            }
        }
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
        var entry = QuestionLogEntry(
            askedAt: row["asked_at"], platform: row["platform"], user: row["user_id"], channel: row["channel"],
            text: row["text"], outcome: QuestionLogEntry.Outcome(rawValue: row["outcome"]) ?? .unknown,
            nuggetID: row["nugget_id"], confidence: row["confidence"], candidates: candidates, team: row["team"] ?? "")
        entry.answerID = row["answer_id"]
        return entry
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

    public func recordAnswerVote(answerID: String, learner: Learner, helpful: Bool, at date: Date) async throws -> AnswerVote {
        let keeping = keepsLearningRecords
        return try await committer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM question_log WHERE answer_id = ?", arguments: [answerID]) != nil else {
                return .unknownAnswer
            }
            let previous = try Bool.fetchOne(
                db, sql: "SELECT helpful FROM answer_feedback WHERE answer_id = ? AND learner = ?", arguments: [answerID, learner.key])
            if previous == helpful { return .unchanged }
            try db.execute(
                sql: "INSERT OR REPLACE INTO answer_feedback (answer_id, learner, helpful, at) VALUES (?, ?, ?, ?)",
                arguments: [answerID, learner.key, helpful, date])
            if keeping { try Self.keepVoteRecord(answerID: answerID, learner: learner, helpful: helpful, at: date, in: db) }
            return previous == nil ? .recorded : .changed
        }
    }

    public func latestAnswer(for learner: Learner, since date: Date) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT answer_id FROM question_log
                    WHERE platform = ? AND user_id = ? AND team = ? AND answer_id IS NOT NULL AND asked_at >= ?
                    ORDER BY asked_at DESC, id DESC LIMIT 1
                    """, arguments: [learner.platform, learner.user, learner.team, date])
        }
    }

    public func answerVoteCounts() async throws -> (helpful: Int, notHelpful: Int) {
        try await writer.read { db in
            let helpful = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM answer_feedback WHERE helpful") ?? 0
            let notHelpful = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM answer_feedback WHERE NOT helpful") ?? 0
            return (helpful, notHelpful)
        }
    }

    public func unansweredQuestions(since date: Date, limit: Int) async throws -> [QuestionLogEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM question_log WHERE outcome IN ('unknown', 'choice') AND asked_at >= ? ORDER BY asked_at, id LIMIT ?",
                arguments: [date, max(0, limit)]
            ).map(Self.entry)
        }
    }

    public func gapStatuses() async throws -> [String: GapStatus] {
        try await writer.read { db in
            var statuses: [String: GapStatus] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, status FROM gap_status") {
                if let status = GapStatus(rawValue: row["status"]) { statuses[row["key"]] = status }
            }
            return statuses
        }
    }

    public func setGapStatus(_ status: GapStatus, key: String, at date: Date) async throws {
        try await writer.write { db in
            if status == .open {
                try db.execute(sql: "DELETE FROM gap_status WHERE key = ?", arguments: [key])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO gap_status (key, status, at) VALUES (?, ?, ?)", arguments: [key, status.rawValue, date])
            }
        }
    }

    public func checkWritable(at date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO heartbeat (id, at) VALUES (1, ?)", arguments: [date])
        }
    }

    public func servedCounts() async throws -> [String: Int] {
        try await writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT nugget_id, COUNT(*) AS n FROM question_log WHERE outcome = 'answered' AND nugget_id IS NOT NULL GROUP BY nugget_id")
            {
                counts[row["nugget_id"]] = row["n"]
            }
            return counts
        }
    }
}

extension SQLiteStore: WriteCounting {
    public var writeCounters: WriteCounters {
        let (commits, writes) = committer.counts
        let checkpoints = checkpointer?.counts
        return WriteCounters(commits: commits, writes: writes, checkpointPasses: checkpoints?.passes, checkpointFailures: checkpoints?.failures)
    }
}
