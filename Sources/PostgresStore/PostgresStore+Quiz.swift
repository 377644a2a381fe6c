import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: QuizStore {
    public func startSession(_ session: QuizSession) async throws {
        let ids = String(decoding: try JSONEncoder().encode(session.questionIDs), as: UTF8.self)
        try await write { connection in
            // One learner's quiz writes, one at a time across replicas: two starts at once must not
            // leave two active sessions (READ COMMITTED would let both UPDATEs miss the other's INSERT).
            try await connection.lockLearner(session.learner.key, logger)
            try await connection.run(
                "UPDATE quiz_session SET state = 'stopped' WHERE learner = \(session.learner.key) AND state = 'active'", logger)
            try await connection.run(
                """
                INSERT INTO quiz_session (id, learner, platform, user_id, channel, topic, question_ids, position, correct, state, started_at)
                VALUES (\(session.id), \(session.learner.key), \(session.learner.platform), \(session.learner.user), \(session.channel),
                        \(session.topic), \(ids), \(session.position), \(session.correct), \(session.state.rawValue), \(session.startedAt))
                """, logger)
        }
    }

    public func activeSession(for learner: Learner) async throws -> QuizSession? {
        try await read { connection in
            try await connection.row(
                "SELECT * FROM quiz_session WHERE learner = \(learner.key) AND state = 'active' ORDER BY started_at DESC, seq DESC LIMIT 1",
                logger
            ).flatMap(Self.session)
        }
    }

    public func session(id: String) async throws -> QuizSession? {
        try await read { connection in try await connection.row("SELECT * FROM quiz_session WHERE id = \(id)", logger).flatMap(Self.session) }
    }

    static func session(_ row: PostgresRandomAccessRow) -> QuizSession? {
        guard let id = row.get("id", as: String.self), let key = row.get("learner", as: String.self),
            let platform = row.get("platform", as: String.self), let user = row.get("user_id", as: String.self),
            let channel = row.get("channel", as: String.self), let startedAt = row.get("started_at", as: Date.self)
        else { return nil }
        let ids = (try? JSONDecoder().decode([String].self, from: Data((row.get("question_ids", as: String.self) ?? "[]").utf8))) ?? []
        var learner = Learner(platform: platform, user: user)
        learner.key = key
        return QuizSession(
            id: id, learner: learner, channel: channel, topic: row.get("topic"), questionIDs: ids, position: row.get("position") ?? 0,
            correct: row.get("correct") ?? 0, state: QuizSession.State(rawValue: row.get("state") ?? "") ?? .stopped, startedAt: startedAt)
    }

    public func isRecorded(actionID: String) async throws -> Bool {
        try await read { connection in
            try await connection.row("SELECT 1 AS recorded FROM quiz_answer WHERE action_id = \(actionID)", logger) != nil
        }
    }

    public func recordAnswer(_ answer: QuizAnswer, schedule: @escaping @Sendable (FSRSCard?) -> FSRSCard) async throws -> AnswerClaim {
        let picks = String(decoding: try JSONEncoder().encode(answer.picks), as: UTF8.self)
        let keeping = keepsLearningRecords
        return try await write { connection in
            let recorded: PostgresQuery = "SELECT 1 AS recorded FROM quiz_answer WHERE action_id = \(answer.actionID)"
            if try await connection.row(recorded, logger) != nil { return .repeatedAction }
            // The learner first (as `startSession` does, so the two never wait on each other in a
            // cycle): a first review of one card from two sessions at once must not lose one.
            if let learner = try await connection.row("SELECT learner FROM quiz_session WHERE id = \(answer.sessionID)", logger)?
                .get("learner", as: String.self)
            {
                try await connection.lockLearner(learner, logger)
            }
            // The session's row is locked: an answer to the same quiz through another replica waits,
            // then sees the position moved on (or the same action recorded).
            guard let session = try await connection.row("SELECT * FROM quiz_session WHERE id = \(answer.sessionID) FOR UPDATE", logger)
                .flatMap(Self.session)
            else { return .stale(nil) }
            if try await connection.row(recorded, logger) != nil { return .repeatedAction }
            guard session.state == .active, session.position == answer.position else { return .stale(session) }
            try await connection.run(
                """
                INSERT INTO quiz_answer (session_id, position, question_id, action_id, picks, correct, rating, answered_at)
                VALUES (\(answer.sessionID), \(answer.position), \(answer.questionID), \(answer.actionID), \(picks), \(answer.correct),
                        \(answer.rating.rawValue), \(answer.answeredAt))
                """, logger)
            if keeping { try await keepAnswerRecord(answer, learner: session.learner, on: connection) }
            let key = session.learner.key
            let storedRow = try await connection.row(
                "SELECT * FROM card WHERE learner = \(key) AND question_id = \(answer.questionID) FOR UPDATE", logger)
            let stored = storedRow.flatMap(Self.card)
            let card = schedule(stored)
            let leechAt: Date? = card.isLeech ? (storedRow?.get("leech_at", as: Date.self) ?? answer.answeredAt) : nil
            try await connection.run(
                """
                INSERT INTO card (learner, question_id, state, step, stability, difficulty, due, last_review, lapses, leech_at)
                VALUES (\(key), \(answer.questionID), \(card.state.rawValue), \(card.step), \(card.stability), \(card.difficulty), \(card.due),
                        \(card.lastReview), \(card.lapses), \(leechAt))
                ON CONFLICT (learner, question_id) DO UPDATE SET state = excluded.state, step = excluded.step, stability = excluded.stability,
                  difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review, lapses = excluded.lapses,
                  leech_at = excluded.leech_at
                """, logger)
            try await connection.run(
                """
                INSERT INTO review_log (learner, question_id, session_id, rating, reviewed_at, state, stability, difficulty, due,
                    prev_state, prev_step, prev_stability, prev_difficulty, prev_due, prev_last_review)
                VALUES (\(key), \(answer.questionID), \(session.id), \(answer.rating.rawValue), \(answer.answeredAt), \(card.state.rawValue),
                        \(card.stability), \(card.difficulty), \(card.due), \(stored?.state.rawValue), \(stored?.step), \(stored?.stability),
                        \(stored?.difficulty), \(stored?.due), \(stored?.lastReview))
                """, logger)
            var updated = session
            updated.position += 1
            if answer.correct { updated.correct += 1 }
            if updated.position >= updated.total { updated.state = .finished }
            try await connection.run(
                """
                UPDATE quiz_session SET position = \(updated.position), correct = \(updated.correct), state = \(updated.state.rawValue)
                WHERE id = \(updated.id)
                """, logger)
            return .recorded(updated)
        }
    }

    public func refineReview(
        sessionID: String, position: Int, learner: Learner, rating: FSRSRating, schedule: @Sendable (FSRSCard?, Date) -> FSRSCard
    ) async throws -> FSRSCard? {
        try await write { connection in
            guard
                let answer = try await connection.row(
                    """
                    SELECT a.question_id, a.correct FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                    WHERE a.session_id = \(sessionID) AND a.position = \(position) AND s.learner = \(learner.key)
                    """, logger),
                answer.get("correct", as: Bool.self) == true, let question = answer.get("question_id", as: String.self)
            else { return nil }
            guard
                let card = try await connection.row(
                    "SELECT * FROM card WHERE learner = \(learner.key) AND question_id = \(question) FOR UPDATE", logger
                ).flatMap(Self.card),
                let log = try await connection.row(
                    """
                    SELECT * FROM review_log WHERE learner = \(learner.key) AND question_id = \(question) AND session_id = \(sessionID)
                      AND NOT refined
                    ORDER BY id DESC LIMIT 1
                    """, logger),
                let logID = log.get("id", as: Int64.self), let reviewedAt = log.get("reviewed_at", as: Date.self)
            else { return nil }
            // Only the card's latest review can be changed.
            guard card.lastReview == reviewedAt else { return nil }
            let previous: FSRSCard? = log.get("prev_state", as: Int.self).map { state in
                FSRSCard(
                    state: FSRSCard.State(rawValue: state) ?? .review, step: log.get("prev_step"), stability: log.get("prev_stability"),
                    difficulty: log.get("prev_difficulty"), due: log.get("prev_due") ?? reviewedAt, lastReview: log.get("prev_last_review"))
            }
            let refined = schedule(previous, reviewedAt)
            try await connection.run(
                """
                UPDATE card SET state = \(refined.state.rawValue), step = \(refined.step), stability = \(refined.stability),
                  difficulty = \(refined.difficulty), due = \(refined.due), last_review = \(refined.lastReview)
                WHERE learner = \(learner.key) AND question_id = \(question)
                """, logger)
            try await connection.run(
                """
                UPDATE review_log SET rating = \(rating.rawValue), state = \(refined.state.rawValue), stability = \(refined.stability),
                  difficulty = \(refined.difficulty), due = \(refined.due), refined = true
                WHERE id = \(logID)
                """, logger)
            try await connection.run(
                "UPDATE quiz_answer SET rating = \(rating.rawValue) WHERE session_id = \(sessionID) AND position = \(position)", logger)
            return refined
        }
    }

    public func stopSession(for learner: Learner) async throws -> QuizSession? {
        try await write { connection in
            guard
                var session = try await connection.row(
                    """
                    SELECT * FROM quiz_session WHERE learner = \(learner.key) AND state = 'active' ORDER BY started_at DESC, seq DESC LIMIT 1
                    FOR UPDATE
                    """, logger
                ).flatMap(Self.session)
            else { return nil }
            try await connection.run("UPDATE quiz_session SET state = 'stopped' WHERE learner = \(learner.key) AND state = 'active'", logger)
            session.state = .stopped
            return session
        }
    }

    static func card(_ row: PostgresRandomAccessRow) -> FSRSCard? {
        guard let due = row.get("due", as: Date.self) else { return nil }
        var card = FSRSCard(
            state: FSRSCard.State(rawValue: row.get("state") ?? 0) ?? .review, step: row.get("step"), stability: row.get("stability"),
            difficulty: row.get("difficulty"), due: due, lastReview: row.get("last_review"))
        card.lapses = row.get("lapses") ?? 0
        card.isLeech = row.get("leech_at", as: Date.self) != nil
        return card
    }
}
