import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: QuizStore {
    public func startSession(_ session: QuizSession) async throws {
        let ids = String(decoding: try JSONEncoder().encode(session.questionIDs), as: UTF8.self)
        try await committer.write { db in
            try db.execute(
                sql: "UPDATE quiz_session SET state = 'stopped' WHERE learner = ? AND state = 'active'", arguments: [session.learner.key])
            try db.execute(
                sql: """
                    INSERT INTO quiz_session (id, learner, platform, user_id, channel, topic, question_ids, position, correct, state, started_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.learner.key, session.learner.platform, session.learner.user, session.channel, session.topic, ids,
                    session.position, session.correct, session.state.rawValue, session.startedAt,
                ])
        }
    }

    public func activeSession(for learner: Learner) async throws -> QuizSession? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM quiz_session WHERE learner = ? AND state = 'active' ORDER BY started_at DESC LIMIT 1",
                arguments: [learner.key]
            ).map(Self.session)
        }
    }

    public func session(id: String) async throws -> QuizSession? {
        try await writer.read { db in try Self.session(id: id, in: db) }
    }

    static func session(id: String, in db: Database) throws -> QuizSession? {
        try Row.fetchOne(db, sql: "SELECT * FROM quiz_session WHERE id = ?", arguments: [id]).map(session)
    }

    static func session(_ row: Row) -> QuizSession {
        let ids = (try? JSONDecoder().decode([String].self, from: Data((row["question_ids"] as String).utf8))) ?? []
        let key: String = row["learner"]
        let platform: String = row["platform"]
        let user: String = row["user_id"]
        var learner = Learner(platform: platform, user: user)
        learner.key = key
        return QuizSession(
            id: row["id"], learner: learner, channel: row["channel"], topic: row["topic"], questionIDs: ids, position: row["position"],
            correct: row["correct"], state: QuizSession.State(rawValue: row["state"]) ?? .stopped, startedAt: row["started_at"])
    }

    public func isRecorded(actionID: String) async throws -> Bool {
        try await writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM quiz_answer WHERE action_id = ?", arguments: [actionID]) == true
        }
    }

    public func recordAnswer(_ answer: QuizAnswer, schedule: @escaping @Sendable (FSRSCard?) -> FSRSCard) async throws -> AnswerClaim {
        let picks = String(decoding: try JSONEncoder().encode(answer.picks), as: UTF8.self)
        let keeping = keepsLearningRecords
        return try await committer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM quiz_answer WHERE action_id = ?", arguments: [answer.actionID]) == true {
                return .repeatedAction
            }
            guard let session = try Self.session(id: answer.sessionID, in: db) else { return .stale(nil) }
            guard session.state == .active, session.position == answer.position else { return .stale(session) }
            try db.execute(
                sql: """
                    INSERT INTO quiz_answer (session_id, position, question_id, action_id, picks, correct, rating, answered_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    answer.sessionID, answer.position, answer.questionID, answer.actionID, picks, answer.correct, answer.rating.rawValue,
                    answer.answeredAt,
                ])
            if keeping { try Self.keepAnswerRecord(answer, learner: session.learner, in: db) }
            let stored = try Row.fetchOne(
                db, sql: "SELECT * FROM card WHERE learner = ? AND question_id = ?", arguments: [session.learner.key, answer.questionID]
            ).map(Self.card)
            let card = schedule(stored)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO card (learner, question_id, state, step, stability, difficulty, due, last_review, lapses, leech_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.learner.key, answer.questionID, card.state.rawValue, card.step, card.stability, card.difficulty, card.due,
                    card.lastReview, card.lapses, card.isLeech ? (try Date.fetchOne(
                        db, sql: "SELECT leech_at FROM card WHERE learner = ? AND question_id = ?",
                        arguments: [session.learner.key, answer.questionID]) ?? answer.answeredAt) : nil,
                ])
            try db.execute(
                sql: """
                    INSERT INTO review_log (learner, question_id, session_id, rating, reviewed_at, state, stability, difficulty, due,
                        prev_state, prev_step, prev_stability, prev_difficulty, prev_due, prev_last_review)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.learner.key, answer.questionID, session.id, answer.rating.rawValue, answer.answeredAt, card.state.rawValue,
                    card.stability, card.difficulty, card.due, stored?.state.rawValue, stored?.step, stored?.stability, stored?.difficulty,
                    stored?.due, stored?.lastReview,
                ])
            var updated = session
            updated.position += 1
            if answer.correct { updated.correct += 1 }
            if updated.position >= updated.total { updated.state = .finished }
            try db.execute(
                sql: "UPDATE quiz_session SET position = ?, correct = ?, state = ? WHERE id = ?",
                arguments: [updated.position, updated.correct, updated.state.rawValue, updated.id])
            return .recorded(updated)
        }
    }

    public func refineReview(
        sessionID: String, position: Int, learner: Learner, rating: FSRSRating, schedule: @Sendable (FSRSCard?, Date) -> FSRSCard
    ) async throws -> FSRSCard? {
        try await writer.write { db in
            guard
                let answer = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT a.question_id, a.correct, a.answered_at FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                        WHERE a.session_id = ? AND a.position = ? AND s.learner = ?
                        """, arguments: [sessionID, position, learner.key]),
                answer["correct"] as Bool
            else { return nil }
            let question: String = answer["question_id"]
            guard
                let log = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM review_log WHERE learner = ? AND question_id = ? AND session_id = ? AND NOT refined
                        ORDER BY id DESC LIMIT 1
                        """, arguments: [learner.key, question, sessionID]),
                let card = try Row.fetchOne(
                    db, sql: "SELECT * FROM card WHERE learner = ? AND question_id = ?", arguments: [learner.key, question]
                ).map(Self.card)
            else { return nil }
            let reviewedAt: Date = log["reviewed_at"]
            // Only the card's latest review can be changed.
            guard card.lastReview == reviewedAt else { return nil }
            let previous: FSRSCard? = (log["prev_state"] as Int?).map { state in
                FSRSCard(
                    state: FSRSCard.State(rawValue: state) ?? .review, step: log["prev_step"], stability: log["prev_stability"],
                    difficulty: log["prev_difficulty"], due: log["prev_due"], lastReview: log["prev_last_review"])
            }
            let refined = schedule(previous, reviewedAt)
            try db.execute(
                sql: """
                    UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?
                    WHERE learner = ? AND question_id = ?
                    """,
                arguments: [
                    refined.state.rawValue, refined.step, refined.stability, refined.difficulty, refined.due, refined.lastReview, learner.key,
                    question,
                ])
            try db.execute(
                sql: "UPDATE review_log SET rating = ?, state = ?, stability = ?, difficulty = ?, due = ?, refined = 1 WHERE id = ?",
                arguments: [rating.rawValue, refined.state.rawValue, refined.stability, refined.difficulty, refined.due, log["id"] as Int64])
            try db.execute(
                sql: "UPDATE quiz_answer SET rating = ? WHERE session_id = ? AND position = ?", arguments: [rating.rawValue, sessionID, position])
            return refined
        }
    }

    public func stopSession(for learner: Learner) async throws -> QuizSession? {
        try await writer.write { db in
            guard
                var session = try Row.fetchOne(
                    db, sql: "SELECT * FROM quiz_session WHERE learner = ? AND state = 'active' ORDER BY started_at DESC LIMIT 1",
                    arguments: [learner.key]
                ).map(Self.session)
            else { return nil }
            try db.execute(sql: "UPDATE quiz_session SET state = 'stopped' WHERE learner = ? AND state = 'active'", arguments: [learner.key])
            session.state = .stopped
            return session
        }
    }

    public func leeches() async throws -> [LeechQuestion] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT question_id, COUNT(*) AS learners, MIN(leech_at) AS since FROM card WHERE leech_at IS NOT NULL
                    GROUP BY question_id ORDER BY learners DESC, since, question_id
                    """
            ).map { LeechQuestion(questionID: $0["question_id"], learners: $0["learners"], since: $0["since"]) }
        }
    }

    public func claimLeechAlerts(at now: Date, every interval: TimeInterval) async throws -> [LeechQuestion] {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.question_id, COUNT(*) AS learners, MIN(c.leech_at) AS since FROM card c
                    LEFT JOIN leech_alert a ON a.question_id = c.question_id
                    WHERE c.leech_at IS NOT NULL AND (a.alerted_at IS NULL OR a.alerted_at <= ?)
                    GROUP BY c.question_id ORDER BY learners DESC, since, c.question_id
                    """, arguments: [now.addingTimeInterval(-interval)])
            for row in rows {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO leech_alert (question_id, alerted_at) VALUES (?, ?)", arguments: [row["question_id"] as String, now])
            }
            return rows.map { LeechQuestion(questionID: $0["question_id"], learners: $0["learners"], since: $0["since"]) }
        }
    }

    public func releaseLeechAlert(questionID: String, claimedAt: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM leech_alert WHERE question_id = ? AND alerted_at = ?", arguments: [questionID, claimedAt])
        }
    }

    public func cards(for learner: Learner) async throws -> [String: FSRSCard] {
        try await writer.read { db in
            var cards: [String: FSRSCard] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM card WHERE learner = ?", arguments: [learner.key]) {
                cards[row["question_id"]] = Self.card(row)
            }
            return cards
        }
    }

    static func card(_ row: Row) -> FSRSCard {
        var card = FSRSCard(
            state: FSRSCard.State(rawValue: row["state"]) ?? .review, step: row["step"], stability: row["stability"],
            difficulty: row["difficulty"], due: row["due"], lastReview: row["last_review"])
        card.lapses = row["lapses"] ?? 0
        card.isLeech = (row["leech_at"] as Date?) != nil
        return card
    }

    public func stats(for learner: Learner, at now: Date) async throws -> QuizStats {
        try await writer.read { db in
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS answered, COALESCE(SUM(a.correct), 0) AS correct
                    FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id WHERE s.learner = ?
                    """, arguments: [learner.key])
            let days = try Date.fetchAll(
                db,
                sql: """
                    SELECT a.answered_at FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                    WHERE s.learner = ? ORDER BY a.answered_at DESC
                    """, arguments: [learner.key]
            ).map { Int(($0.timeIntervalSince1970 / 86_400).rounded(.down)) }
            let today = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
            var streak = 0
            var expected = days.first.map { $0 >= today - 1 ? $0 : Int.min } ?? Int.min
            for day in Set(days).sorted(by: >) where expected != Int.min {
                if day == expected {
                    streak += 1
                    expected -= 1
                } else if day < expected {
                    break
                }
            }
            let due = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card WHERE learner = ? AND due <= ? AND leech_at IS NULL", arguments: [learner.key, now]) ?? 0
            let cards = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card WHERE learner = ?", arguments: [learner.key]) ?? 0
            return QuizStats(
                answered: totals?["answered"] ?? 0, correct: totals?["correct"] ?? 0, streakDays: streak, dueNow: due, cards: cards)
        }
    }

    public func setLeaderboardMembership(_ learner: Learner, channel: String, joined: Bool) async throws {
        try await writer.write { db in
            if joined {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO leaderboard_member (platform, channel, learner, user_id, joined_at)
                        VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)
                        """, arguments: [learner.platform, channel, learner.key, learner.user])
            } else {
                try db.execute(
                    sql: "DELETE FROM leaderboard_member WHERE platform = ? AND channel = ? AND learner = ?",
                    arguments: [learner.platform, channel, learner.key])
            }
        }
    }

    public func leaderboard(platform: String, channel: String, limit: Int) async throws -> [LeaderboardEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.user_id AS user_id, COALESCE(SUM(a.correct), 0) AS correct, COUNT(a.session_id) AS answered
                    FROM leaderboard_member m
                    LEFT JOIN quiz_session s ON s.learner = m.learner AND s.channel = m.channel
                    LEFT JOIN quiz_answer a ON a.session_id = s.id
                    WHERE m.platform = ? AND m.channel = ?
                    GROUP BY m.learner ORDER BY correct DESC, answered ASC, m.joined_at ASC LIMIT ?
                    """, arguments: [platform, channel, limit]
            ).map { LeaderboardEntry(user: $0["user_id"], correct: $0["correct"], answered: $0["answered"]) }
        }
    }

    public func recentNuggets(platform: String, user: String, limit: Int) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT nugget_id FROM question_log WHERE platform = ? AND user_id = ? AND nugget_id IS NOT NULL
                    ORDER BY asked_at DESC, id DESC LIMIT ?
                    """, arguments: [platform, user, limit])
        }
    }
}

extension SQLiteStore {
    /// A person's quiz sessions, newest first (for operators and tests).
    public func sessionIDs(for learner: Learner) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM quiz_session WHERE learner = ? ORDER BY started_at DESC, rowid DESC", arguments: [learner.key])
        }
    }
}
