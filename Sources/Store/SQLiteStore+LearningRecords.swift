import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: LearningRecordStore {
    public func keepLearningRecords(_ on: Bool) {
        recordsLearning.store(on, ordering: .relaxed)
    }

    /// Whether the write paths keep learning records now.
    var keepsLearningRecords: Bool { recordsLearning.load(ordering: .relaxed) }

    /// Adds a record to the outbox inside the caller's transaction, so it commits (or not) with the row it describes.
    static func keep(_ record: LearningRecord, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO xapi_outbox (learner, kind, record, created_at) VALUES (?, ?, ?, ?)",
            arguments: [record.learner.key, record.kind.rawValue, try record.encoded(), record.at])
    }

    /// The records a question log row gives: `asked`, and `experienced` when a nugget answered it.
    static func keepQuestionRecords(_ entry: QuestionLogEntry, id: Int64, in db: Database) throws {
        let source = LearningRecord.questionSource(id: id, askedAt: entry.askedAt)
        var asked = LearningRecord(kind: .asked, at: entry.askedAt, learner: entry.learner, source: source)
        asked.question = entry.text
        asked.outcome = entry.outcome.rawValue
        asked.confidence = entry.confidence.isFinite ? entry.confidence : nil
        asked.nuggetID = entry.nuggetID
        try keep(asked, in: db)
        if entry.outcome == .answered, let nugget = entry.nuggetID {
            var experienced = LearningRecord(kind: .experienced, at: entry.askedAt, learner: entry.learner, source: source)
            experienced.nuggetID = nugget
            experienced.via = "answer"
            experienced.askedSource = source
            try keep(experienced, in: db)
        }
    }

    /// The `answered` record of a quiz answer.
    static func keepAnswerRecord(_ answer: QuizAnswer, learner: Learner, in db: Database) throws {
        var record = LearningRecord(
            kind: .answered, at: answer.answeredAt, learner: learner, source: "quiz_answer/\(answer.sessionID)/\(answer.position)")
        record.quizQuestionID = answer.questionID
        record.sessionID = answer.sessionID
        record.picks = answer.picks
        record.correct = answer.correct
        try keep(record, in: db)
    }

    /// The `voted` record of a vote (a changed vote is a new record: its source names the vote and its time).
    static func keepVoteRecord(answerID: String, learner: Learner, helpful: Bool, at date: Date, in db: Database) throws {
        let row = try Row.fetchOne(db, sql: "SELECT id, asked_at, nugget_id FROM question_log WHERE answer_id = ?", arguments: [answerID])
        var record = LearningRecord(
            kind: .voted, at: date, learner: learner,
            source: "answer_feedback/\(answerID)/\(learner.key)/\(helpful ? 1 : 0)/\(LearningRecord.milliseconds(date))")
        record.helpful = helpful
        if let row, let id: Int64 = row["id"], let askedAt: Date = row["asked_at"] {
            record.askedSource = LearningRecord.questionSource(id: id, askedAt: askedAt)
            record.nuggetID = row["nugget_id"]
        }
        try keep(record, in: db)
    }

    /// The `experienced` record of a nudge with a nugget sent to a person (not to a channel).
    static func keepNudgeRecord(outboxID: Int64, sentAt date: Date, in db: Database) throws {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT key, recipient, nugget_id, state FROM nudge_outbox WHERE id = ?", arguments: [outboxID]),
            let key: String = row["key"], let recipient: String = row["recipient"], let nugget: String = row["nugget_id"],
            (row["state"] as String?) != "sent", let learner = Learner(key: recipient), learner.team != "channel"
        else { return }
        var record = LearningRecord(kind: .experienced, at: date, learner: learner, source: "nudge_outbox/\(key)")
        record.nuggetID = nugget
        record.via = "nudge"
        try keep(record, in: db)
    }

    public func pendingLearningRecords(limit: Int, at now: Date) async throws -> [PendingLearningRecord] {
        let lease = self.lease
        return try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, record, attempts FROM xapi_outbox
                    WHERE state = 'pending' AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until <= ?)
                    ORDER BY id LIMIT ?
                    """,
                arguments: [lease.id, now, max(0, limit)])
            let ids = rows.compactMap { $0["id"] as Int64? }
            if !ids.isEmpty {
                try db.execute(
                    sql: "UPDATE xapi_outbox SET lease_owner = ?, lease_until = ? WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                    arguments: [lease.id, lease.expiry(from: now)] + StatementArguments(ids))
            }
            return rows.map { row in
                let data: Data = (row["record"] as Data?) ?? Data()
                return PendingLearningRecord(id: row["id"] ?? 0, record: LearningRecord.decode(data), attempts: row["attempts"] ?? 0)
            }
        }
    }

    public func deliveredLearningRecords(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM xapi_outbox WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))", arguments: StatementArguments(ids))
        }
    }

    public func rejectLearningRecord(_ id: Int64, reason: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE xapi_outbox SET state = 'rejected', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL
                    WHERE id = ?
                    """,
                arguments: [String(reason.prefix(500)), id])
        }
    }

    public func isLearningRecordPending(_ id: Int64) async throws -> Bool {
        let owner = lease.id
        return try await writer.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM xapi_outbox WHERE id = ? AND state = 'pending' AND (lease_owner IS NULL OR lease_owner = ?)",
                arguments: [id, owner]) != nil
        }
    }

    public func retryLearningRecord(_ id: Int64, reason: String, maximumAttempts: Int) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE xapi_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'",
                arguments: [String(reason.prefix(500)), id])
            let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM xapi_outbox WHERE id = ?", arguments: [id]) ?? 0
            guard attempts >= max(1, maximumAttempts) else { return false }
            try db.execute(sql: "UPDATE xapi_outbox SET state = 'rejected', lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'pending'", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func requeueLearningRecordsInFlight() async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE xapi_outbox SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND lease_owner IS NOT NULL")
            return db.changesCount
        }
    }

    public func requeueRejectedLearningRecords() async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE xapi_outbox SET state = 'pending', attempts = 0, lease_owner = NULL, lease_until = NULL WHERE state = 'rejected'")
            return db.changesCount
        }
    }

    public func learningRecordCounts() async throws -> (pending: Int, rejected: Int) {
        try await writer.read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM xapi_outbox WHERE state = 'pending'") ?? 0
            let rejected = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM xapi_outbox WHERE state = 'rejected'") ?? 0
            return (pending, rejected)
        }
    }
}
