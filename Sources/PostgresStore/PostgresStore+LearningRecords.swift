import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: LearningRecordStore {
    public func keepLearningRecords(_ on: Bool) {
        recordsLearning.store(on, ordering: .relaxed)
    }

    /// Whether the write paths keep learning records now.
    var keepsLearningRecords: Bool { recordsLearning.load(ordering: .relaxed) }

    /// Adds a record to the outbox inside the caller's transaction, so it commits (or not) with the row it describes.
    func keep(_ record: LearningRecord, on connection: PostgresConnection) async throws {
        try await connection.run(
            """
            INSERT INTO xapi_outbox (learner, kind, record, created_at)
            VALUES (\(record.learner.key), \(record.kind.rawValue), \(try record.encoded()), \(record.at))
            """, logger)
    }

    /// The records a question log row gives: `asked`, and `experienced` when a nugget answered it.
    func keepQuestionRecords(_ entry: QuestionLogEntry, id: Int64, on connection: PostgresConnection) async throws {
        let source = LearningRecord.questionSource(id: id, askedAt: entry.askedAt)
        var asked = LearningRecord(kind: .asked, at: entry.askedAt, learner: entry.learner, source: source)
        asked.question = entry.text
        asked.outcome = entry.outcome.rawValue
        asked.confidence = entry.confidence.isFinite ? entry.confidence : nil
        asked.nuggetID = entry.nuggetID
        try await keep(asked, on: connection)
        if entry.outcome == .answered, let nugget = entry.nuggetID {
            var experienced = LearningRecord(kind: .experienced, at: entry.askedAt, learner: entry.learner, source: source)
            experienced.nuggetID = nugget
            experienced.via = "answer"
            experienced.askedSource = source
            try await keep(experienced, on: connection)
        }
    }

    /// The `answered` record of a quiz answer.
    func keepAnswerRecord(_ answer: QuizAnswer, learner: Learner, on connection: PostgresConnection) async throws {
        var record = LearningRecord(
            kind: .answered, at: answer.answeredAt, learner: learner, source: "quiz_answer/\(answer.sessionID)/\(answer.position)")
        record.quizQuestionID = answer.questionID
        record.sessionID = answer.sessionID
        record.picks = answer.picks
        record.correct = answer.correct
        try await keep(record, on: connection)
    }

    /// The `voted` record of a vote (a changed vote is a new record: its source names the vote and its time).
    func keepVoteRecord(answerID: String, learner: Learner, helpful: Bool, at date: Date, on connection: PostgresConnection) async throws {
        let row = try await connection.row("SELECT id, asked_at, nugget_id FROM question_log WHERE answer_id = \(answerID)", logger)
        var record = LearningRecord(
            kind: .voted, at: date, learner: learner,
            source: "answer_feedback/\(answerID)/\(learner.key)/\(helpful ? 1 : 0)/\(LearningRecord.milliseconds(date))")
        record.helpful = helpful
        if let row, let id = row.get("id", as: Int64.self), let askedAt = row.get("asked_at", as: Date.self) {
            record.askedSource = LearningRecord.questionSource(id: id, askedAt: askedAt)
            record.nuggetID = row.get("nugget_id")
        }
        try await keep(record, on: connection)
    }

    /// The `experienced` record of a nudge with a nugget sent to a person (not to a channel).
    func keepNudgeRecord(outboxID: Int64, sentAt date: Date, on connection: PostgresConnection) async throws {
        guard let row = try await connection.row("SELECT key, recipient, nugget_id, state FROM nudge_outbox WHERE id = \(outboxID) FOR UPDATE", logger),
            let key = row.get("key", as: String.self), let recipient = row.get("recipient", as: String.self),
            let nugget = row.get("nugget_id", as: String.self), row.get("state", as: String.self) != "sent",
            let learner = Learner(key: recipient), learner.team != "channel"
        else { return }
        var record = LearningRecord(kind: .experienced, at: date, learner: learner, source: "nudge_outbox/\(key)")
        record.nuggetID = nugget
        record.via = "nudge"
        try await keep(record, on: connection)
    }

    public func pendingLearningRecords(limit: Int, at now: Date) async throws -> [PendingLearningRecord] {
        let until = lease.expiry(from: now)
        return try await write { connection in
            try await connection.rows(
                """
                UPDATE xapi_outbox SET lease_owner = \(lease.id), lease_until = \(until)
                WHERE id IN (
                  SELECT id FROM xapi_outbox
                  WHERE state = 'pending' AND (lease_owner IS NULL OR lease_owner = \(lease.id) OR lease_until IS NULL OR lease_until <= \(now))
                  ORDER BY id LIMIT \(max(0, limit))
                  FOR UPDATE SKIP LOCKED)
                RETURNING id, record, attempts
                """, logger
            ).compactMap { row -> PendingLearningRecord? in
                guard let id = row.get("id", as: Int64.self) else { return nil }
                return PendingLearningRecord(
                    id: id, record: LearningRecord.decode(row.get("record", as: Data.self) ?? Data()), attempts: row.get("attempts") ?? 0)
            }.sorted { $0.id < $1.id }
        }
    }

    public func deliveredLearningRecords(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await write { connection in try await connection.run("DELETE FROM xapi_outbox WHERE id = ANY(\(ids))", logger) }
    }

    public func rejectLearningRecord(_ id: Int64, reason: String) async throws {
        let reason = String(reason.prefix(500))
        try await write { connection in
            try await connection.run(
                """
                UPDATE xapi_outbox SET state = 'rejected', attempts = attempts + 1, last_error = \(reason), lease_owner = NULL, lease_until = NULL
                WHERE id = \(id)
                """, logger)
        }
    }

    public func isLearningRecordPending(_ id: Int64) async throws -> Bool {
        try await read { connection in
            try await connection.row(
                "SELECT 1 AS one FROM xapi_outbox WHERE id = \(id) AND state = 'pending' AND (lease_owner IS NULL OR lease_owner = \(lease.id))",
                logger) != nil
        }
    }

    public func retryLearningRecord(_ id: Int64, reason: String, maximumAttempts: Int) async throws -> Bool {
        let reason = String(reason.prefix(500))
        let limit = max(1, maximumAttempts)
        return try await write { connection in
            try await connection.run(
                "UPDATE xapi_outbox SET attempts = attempts + 1, last_error = \(reason) WHERE id = \(id) AND state = 'pending'", logger)
            let setAside = try await connection.rows(
                """
                UPDATE xapi_outbox SET state = 'rejected', lease_owner = NULL, lease_until = NULL
                WHERE id = \(id) AND state = 'pending' AND attempts >= \(limit) RETURNING id
                """, logger)
            return !setAside.isEmpty
        }
    }

    public func requeueLearningRecordsInFlight() async throws -> Int { 0 }

    public func requeueRejectedLearningRecords() async throws -> Int {
        try await write { connection in
            try await connection.rows(
                "UPDATE xapi_outbox SET state = 'pending', attempts = 0, lease_owner = NULL, lease_until = NULL WHERE state = 'rejected' RETURNING id",
                logger
            ).count
        }
    }

    public func learningRecordCounts() async throws -> (pending: Int, rejected: Int) {
        let (pending, rejected) = try await read { connection -> (Int, Int) in
            let row = try await connection.row(
                """
                SELECT COUNT(*) FILTER (WHERE state = 'pending') AS pending, COUNT(*) FILTER (WHERE state = 'rejected') AS rejected
                FROM xapi_outbox
                """, logger)
            return (row?.get("pending", as: Int.self) ?? 0, row?.get("rejected", as: Int.self) ?? 0)
        }
        return (pending, rejected)
    }
}
