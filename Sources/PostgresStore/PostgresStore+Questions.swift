import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: AssistantStore {
    public func claimEvent(platform: String, eventID: String, at date: Date, logging entry: QuestionLogEntry?) async throws -> Bool {
        let keeping = keepsLearningRecords
        return try await write { connection in
            // A replica taking the same event at the same moment waits on the key, then inserts nothing.
            let claimed = try await connection.run(
                """
                INSERT INTO processed_event (platform, event_id, received_at) VALUES (\(platform), \(eventID), \(date))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            guard claimed == 1 else { return false }
            if let entry { try await insert(entry, on: connection, keepingRecords: keeping) }
            try await connection.run("DELETE FROM event_attempt WHERE platform = \(platform) AND event_id = \(eventID)", logger)
            return true
        }
    }

    public func beginEvent(platform: String, eventID: String, at date: Date) async throws -> EventAdmission {
        try await write { connection in
            if try await connection.row("SELECT 1 AS done FROM processed_event WHERE platform = \(platform) AND event_id = \(eventID)", logger) != nil {
                return .done
            }
            let first = try await connection.run(
                """
                INSERT INTO event_attempt (platform, event_id, attempts, first_at) VALUES (\(platform), \(eventID), 1, \(date))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            if first == 1 { return .handle(attempt: 1) }
            guard
                let row = try await connection.row(
                    "SELECT attempts, poisoned_at FROM event_attempt WHERE platform = \(platform) AND event_id = \(eventID) FOR UPDATE", logger)
            else { return .handle(attempt: 1) }
            if row.get("poisoned_at", as: Date.self) != nil { return .poisoned }
            let attempts = row.get("attempts", as: Int.self) ?? 0
            guard attempts < EventAdmission.maximumAttempts else {
                try await connection.run(
                    """
                    UPDATE event_attempt SET poisoned_at = \(date),
                      last_error = COALESCE(last_error, 'the server crashed or stopped while handling it, ' || attempts || ' times')
                    WHERE platform = \(platform) AND event_id = \(eventID)
                    """, logger)
                return .poisoned
            }
            try await connection.run(
                "UPDATE event_attempt SET attempts = attempts + 1 WHERE platform = \(platform) AND event_id = \(eventID)", logger)
            return .handle(attempt: attempts + 1)
        }
    }

    public func failEvent(platform: String, eventID: String, reason: String) async throws {
        let reason = String(reason.prefix(500))
        try await write { connection in
            try await connection.run(
                "UPDATE event_attempt SET last_error = \(reason) WHERE platform = \(platform) AND event_id = \(eventID)", logger)
        }
    }

    public func poisonedEvents(limit: Int) async throws -> [PoisonedEvent] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT platform, event_id, attempts, first_at, last_error, poisoned_at FROM event_attempt
                WHERE poisoned_at IS NOT NULL ORDER BY poisoned_at DESC LIMIT \(max(0, limit))
                """, logger
            ).compactMap { row in
                guard let platform = row.get("platform", as: String.self), let eventID = row.get("event_id", as: String.self),
                    let first = row.get("first_at", as: Date.self), let poisoned = row.get("poisoned_at", as: Date.self)
                else { return nil }
                return PoisonedEvent(
                    platform: platform, eventID: eventID, attempts: row.get("attempts") ?? 0, reason: row.get("last_error") ?? "",
                    firstSeen: first, poisonedAt: poisoned)
            }
        }
    }

    public func record(_ entry: QuestionLogEntry) async throws {
        let keeping = keepsLearningRecords
        try await write { connection in try await insert(entry, on: connection, keepingRecords: keeping) }
    }

    /// Logs a question inside the caller's transaction; the first time a person is given a nugget, one
    /// of its quiz questions becomes a card due now ("questions become reviews").
    func insert(_ entry: QuestionLogEntry, on connection: PostgresConnection, keepingRecords: Bool) async throws {
        let candidates = Match.json(entry.candidates)
        let confidence = entry.confidence.isFinite ? entry.confidence : 0
        let id = try await connection.row(
            """
            INSERT INTO question_log (asked_at, platform, team, user_id, channel, text, outcome, nugget_id, confidence, candidates, answer_id)
            VALUES (\(entry.askedAt), \(entry.platform), \(entry.team), \(entry.user), \(entry.channel), \(entry.text),
                    \(entry.outcome.rawValue), \(entry.nuggetID), \(confidence), \(candidates), \(entry.answerID))
            RETURNING id
            """, logger)?.get("id", as: Int64.self) ?? 0
        if keepingRecords { try await keepQuestionRecords(entry, id: id, on: connection) }
        if let question = entry.reviewQuestionID, let nugget = entry.nuggetID {
            let learner = entry.learner.key
            let new = try await connection.run(
                """
                INSERT INTO asked_review (learner, nugget_id, question_id, at) VALUES (\(learner), \(nugget), \(question), \(entry.askedAt))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
            if new == 1 {
                try await connection.run(
                    """
                    INSERT INTO card (learner, question_id, state, step, due) VALUES (\(learner), \(question), \(FSRSCard.State.learning.rawValue), 0,
                      \(entry.askedAt))
                    ON CONFLICT DO NOTHING
                    """, logger)
            }
        }
    }

    public func recentQuestions(unansweredOnly: Bool, limit: Int) async throws -> [QuestionLogEntry] {
        try await read { connection in
            let filter = unansweredOnly ? "WHERE outcome = 'unknown'" : ""
            return try await connection.rows(
                "SELECT * FROM question_log \(unescaped: filter) ORDER BY asked_at DESC, id DESC LIMIT \(max(0, limit))", logger
            ).compactMap(Self.entry)
        }
    }

    static func entry(_ row: PostgresRandomAccessRow) -> QuestionLogEntry? {
        guard let askedAt = row.get("asked_at", as: Date.self), let platform = row.get("platform", as: String.self),
            let user = row.get("user_id", as: String.self), let channel = row.get("channel", as: String.self),
            let text = row.get("text", as: String.self)
        else { return nil }
        let candidates = (try? JSONDecoder().decode([Match].self, from: Data((row.get("candidates", as: String.self) ?? "[]").utf8))) ?? []
        var entry = QuestionLogEntry(
            askedAt: askedAt, platform: platform, user: user, channel: channel, text: text,
            outcome: QuestionLogEntry.Outcome(rawValue: row.get("outcome") ?? "") ?? .unknown, nuggetID: row.get("nugget_id"),
            confidence: row.get("confidence") ?? 0, candidates: candidates, team: row.get("team") ?? "")
        entry.answerID = row.get("answer_id")
        return entry
    }

    public func questionCounts() async throws -> [QuestionLogEntry.Outcome: Int] {
        try await read { connection in
            var counts: [QuestionLogEntry.Outcome: Int] = [:]
            for row in try await connection.rows("SELECT outcome, COUNT(*) AS n FROM question_log GROUP BY outcome", logger) {
                if let outcome = QuestionLogEntry.Outcome(rawValue: row.get("outcome") ?? "") { counts[outcome] = row.get("n") ?? 0 }
            }
            return counts
        }
    }

    public func servedCounts() async throws -> [String: Int] {
        try await read { connection in
            var counts: [String: Int] = [:]
            for row in try await connection.rows(
                "SELECT nugget_id, COUNT(*) AS n FROM question_log WHERE outcome = 'answered' AND nugget_id IS NOT NULL GROUP BY nugget_id", logger)
            {
                if let id = row.get("nugget_id", as: String.self) { counts[id] = row.get("n") ?? 0 }
            }
            return counts
        }
    }

    public func checkWritable(at date: Date) async throws {
        try await write { connection in
            try await connection.run(
                "INSERT INTO heartbeat (id, at) VALUES (1, \(date)) ON CONFLICT (id) DO UPDATE SET at = excluded.at", logger)
        }
    }

    public func recordAnswerVote(answerID: String, learner: Learner, helpful: Bool, at date: Date) async throws -> AnswerVote {
        let keeping = keepsLearningRecords
        return try await write { connection in
            // Two first votes at once by one person on one answer: one is recorded, the other changes it.
            try await connection.lockLearner("vote:\(answerID):\(learner.key)", logger)
            guard try await connection.row("SELECT 1 AS known FROM question_log WHERE answer_id = \(answerID)", logger) != nil else {
                return .unknownAnswer
            }
            let previous = try await connection.row(
                "SELECT helpful FROM answer_feedback WHERE answer_id = \(answerID) AND learner = \(learner.key) FOR UPDATE", logger
            )?.get("helpful", as: Bool.self)
            if previous == helpful { return .unchanged }
            try await connection.run(
                """
                INSERT INTO answer_feedback (answer_id, learner, helpful, at) VALUES (\(answerID), \(learner.key), \(helpful), \(date))
                ON CONFLICT (answer_id, learner) DO UPDATE SET helpful = excluded.helpful, at = excluded.at
                """, logger)
            if keeping { try await keepVoteRecord(answerID: answerID, learner: learner, helpful: helpful, at: date, on: connection) }
            return previous == nil ? .recorded : .changed
        }
    }

    public func latestAnswer(for learner: Learner, since date: Date) async throws -> String? {
        try await read { connection in
            try await connection.row(
                """
                SELECT answer_id FROM question_log
                WHERE platform = \(learner.platform) AND user_id = \(learner.user) AND team = \(learner.team) AND answer_id IS NOT NULL
                  AND asked_at >= \(date)
                ORDER BY asked_at DESC, id DESC LIMIT 1
                """, logger)?.get("answer_id", as: String.self)
        }
    }

    public func answerVoteCounts() async throws -> (helpful: Int, notHelpful: Int) {
        let (helpful, notHelpful) = try await read { connection -> (Int, Int) in
            let row = try await connection.row(
                "SELECT COUNT(*) FILTER (WHERE helpful) AS yes, COUNT(*) FILTER (WHERE NOT helpful) AS no FROM answer_feedback", logger)
            return (row?.get("yes", as: Int.self) ?? 0, row?.get("no", as: Int.self) ?? 0)
        }
        return (helpful, notHelpful)
    }

    public func unansweredQuestions(since date: Date, limit: Int) async throws -> [QuestionLogEntry] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT * FROM question_log WHERE outcome IN ('unknown', 'choice') AND asked_at >= \(date) ORDER BY asked_at, id
                LIMIT \(max(0, limit))
                """, logger
            ).compactMap(Self.entry)
        }
    }

    public func gapStatuses() async throws -> [String: GapStatus] {
        try await read { connection in
            var statuses: [String: GapStatus] = [:]
            for row in try await connection.rows("SELECT key, status FROM gap_status", logger) {
                if let key = row.get("key", as: String.self), let status = GapStatus(rawValue: row.get("status") ?? "") { statuses[key] = status }
            }
            return statuses
        }
    }

    public func setGapStatus(_ status: GapStatus, key: String, at date: Date) async throws {
        try await write { connection in
            if status == .open {
                try await connection.run("DELETE FROM gap_status WHERE key = \(key)", logger)
            } else {
                try await connection.run(
                    """
                    INSERT INTO gap_status (key, status, at) VALUES (\(key), \(status.rawValue), \(date))
                    ON CONFLICT (key) DO UPDATE SET status = excluded.status, at = excluded.at
                    """, logger)
            }
        }
    }
}
