import FlowLearnCore
import Foundation
import PostgresNIO

/// Cards, stats, leaderboards and leeches: the rest of `QuizStore`.
extension PostgresStore {
    public func leeches() async throws -> [LeechQuestion] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT question_id, COUNT(*) AS learners, MIN(leech_at) AS since FROM card WHERE leech_at IS NOT NULL
                GROUP BY question_id ORDER BY learners DESC, since, question_id
                """, logger
            ).compactMap(Self.leech)
        }
    }

    static func leech(_ row: PostgresRandomAccessRow) -> LeechQuestion? {
        guard let id = row.get("question_id", as: String.self), let since = row.get("since", as: Date.self) else { return nil }
        return LeechQuestion(questionID: id, learners: row.get("learners") ?? 0, since: since)
    }

    public func claimLeechAlerts(at now: Date, every interval: TimeInterval) async throws -> [LeechQuestion] {
        let cutoff = now.addingTimeInterval(-interval)
        return try await write { connection in
            // One replica alerts: the lock makes a second one wait, then find the alerts just claimed.
            try await connection.run("LOCK TABLE leech_alert IN SHARE ROW EXCLUSIVE MODE", logger)
            let leeches = try await connection.rows(
                """
                SELECT c.question_id, COUNT(*) AS learners, MIN(c.leech_at) AS since FROM card c
                LEFT JOIN leech_alert a ON a.question_id = c.question_id
                WHERE c.leech_at IS NOT NULL AND (a.alerted_at IS NULL OR a.alerted_at <= \(cutoff))
                GROUP BY c.question_id ORDER BY learners DESC, since, c.question_id
                """, logger
            ).compactMap(Self.leech)
            for leech in leeches {
                try await connection.run(
                    """
                    INSERT INTO leech_alert (question_id, alerted_at) VALUES (\(leech.questionID), \(now))
                    ON CONFLICT (question_id) DO UPDATE SET alerted_at = excluded.alerted_at
                    """, logger)
            }
            return leeches
        }
    }

    public func releaseLeechAlert(questionID: String, claimedAt: Date) async throws {
        try await write { connection in
            try await connection.run("DELETE FROM leech_alert WHERE question_id = \(questionID) AND alerted_at = \(claimedAt)", logger)
        }
    }

    public func cards(for learner: Learner) async throws -> [String: FSRSCard] {
        try await read { connection in
            var cards: [String: FSRSCard] = [:]
            for row in try await connection.rows("SELECT * FROM card WHERE learner = \(learner.key)", logger) {
                if let id = row.get("question_id", as: String.self), let card = Self.card(row) { cards[id] = card }
            }
            return cards
        }
    }

    public func stats(for learner: Learner, at now: Date) async throws -> QuizStats {
        try await read { connection in
            let totals = try await connection.row(
                """
                SELECT COUNT(*) AS answered, COUNT(*) FILTER (WHERE a.correct) AS correct
                FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id WHERE s.learner = \(learner.key)
                """, logger)
            let days = try await connection.rows(
                """
                SELECT a.answered_at FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                WHERE s.learner = \(learner.key) ORDER BY a.answered_at DESC
                """, logger
            ).compactMap { $0.get("answered_at", as: Date.self) }.map { Int(($0.timeIntervalSince1970 / 86_400).rounded(.down)) }
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
            let cards = try await connection.row(
                """
                SELECT COUNT(*) AS cards, COUNT(*) FILTER (WHERE due <= \(now) AND leech_at IS NULL) AS due
                FROM card WHERE learner = \(learner.key)
                """, logger)
            return QuizStats(
                answered: totals?.get("answered") ?? 0, correct: totals?.get("correct") ?? 0, streakDays: streak, dueNow: cards?.get("due") ?? 0,
                cards: cards?.get("cards") ?? 0)
        }
    }

    public func setLeaderboardMembership(_ learner: Learner, channel: String, joined: Bool) async throws {
        try await write { connection in
            if joined {
                try await connection.run(
                    """
                    INSERT INTO leaderboard_member (platform, channel, learner, user_id, joined_at)
                    VALUES (\(learner.platform), \(channel), \(learner.key), \(learner.user), now())
                    ON CONFLICT DO NOTHING
                    """, logger)
            } else {
                try await connection.run(
                    "DELETE FROM leaderboard_member WHERE platform = \(learner.platform) AND channel = \(channel) AND learner = \(learner.key)",
                    logger)
            }
        }
    }

    public func leaderboard(platform: String, channel: String, limit: Int) async throws -> [LeaderboardEntry] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT m.user_id, COUNT(a.session_id) FILTER (WHERE a.correct) AS correct, COUNT(a.session_id) AS answered
                FROM leaderboard_member m
                LEFT JOIN quiz_session s ON s.learner = m.learner AND s.channel = m.channel
                LEFT JOIN quiz_answer a ON a.session_id = s.id
                WHERE m.platform = \(platform) AND m.channel = \(channel)
                GROUP BY m.platform, m.channel, m.learner ORDER BY correct DESC, answered ASC, m.joined_at ASC LIMIT \(max(0, limit))
                """, logger
            ).compactMap { row in
                guard let user = row.get("user_id", as: String.self) else { return nil }
                return LeaderboardEntry(user: user, correct: row.get("correct") ?? 0, answered: row.get("answered") ?? 0)
            }
        }
    }

    public func recentNuggets(platform: String, user: String, limit: Int) async throws -> [String] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT nugget_id FROM question_log WHERE platform = \(platform) AND user_id = \(user) AND nugget_id IS NOT NULL
                ORDER BY asked_at DESC, id DESC LIMIT \(max(0, limit))
                """, logger
            ).compactMap { $0.get("nugget_id", as: String.self) }
        }
    }

    /// A person's quiz sessions, newest first (for operators and tests).
    public func sessionIDs(for learner: Learner) async throws -> [String] {
        try await read { connection in
            try await connection.rows(
                "SELECT id FROM quiz_session WHERE learner = \(learner.key) ORDER BY started_at DESC, seq DESC", logger
            ).compactMap { $0.get("id", as: String.self) }
        }
    }
}
