import FlowLearnCore
import Foundation
import PostgresNIO

/// The console's read-only aggregates: one query per figure, grouped in SQL so a large question log
/// or answer table is not loaded into memory.
extension PostgresStore: InsightsStore {
    public func nuggetActivity(since date: Date) async throws -> [String: NuggetActivity] {
        try await read { connection in
            var activity: [String: NuggetActivity] = [:]
            for row in try await connection.rows(
                """
                SELECT nugget_id, COUNT(*) FILTER (WHERE outcome = 'answered') AS served, COUNT(*) FILTER (WHERE outcome = 'choice') AS offered
                FROM question_log WHERE nugget_id IS NOT NULL AND asked_at >= \(date) GROUP BY nugget_id
                """, logger)
            {
                guard let id = row.get("nugget_id", as: String.self) else { continue }
                activity[id, default: NuggetActivity()].served = row.get("served") ?? 0
                activity[id, default: NuggetActivity()].offered = row.get("offered") ?? 0
            }
            for row in try await connection.rows(
                """
                SELECT q.nugget_id, COUNT(*) FILTER (WHERE f.helpful) AS helpful, COUNT(*) FILTER (WHERE NOT f.helpful) AS not_helpful
                FROM answer_feedback f JOIN question_log q ON q.answer_id = f.answer_id
                WHERE q.nugget_id IS NOT NULL AND f.at >= \(date) GROUP BY q.nugget_id
                """, logger)
            {
                guard let id = row.get("nugget_id", as: String.self) else { continue }
                activity[id, default: NuggetActivity()].helpful = row.get("helpful") ?? 0
                activity[id, default: NuggetActivity()].notHelpful = row.get("not_helpful") ?? 0
            }
            for row in try await connection.rows(
                """
                SELECT nugget_id, COUNT(*) AS nudged FROM nudge_outbox
                WHERE nugget_id IS NOT NULL AND state = 'sent' AND sent_at >= \(date) GROUP BY nugget_id
                """, logger)
            {
                guard let id = row.get("nugget_id", as: String.self) else { continue }
                activity[id, default: NuggetActivity()].nudged = row.get("nudged") ?? 0
            }
            for row in try await connection.rows(
                """
                SELECT o.nugget_id, COUNT(*) FILTER (WHERE f.useful) AS useful, COUNT(*) FILTER (WHERE NOT f.useful) AS not_useful
                FROM nudge_feedback f JOIN nudge_outbox o ON o.key = f.nudge_key
                WHERE o.nugget_id IS NOT NULL AND f.at >= \(date) GROUP BY o.nugget_id
                """, logger)
            {
                guard let id = row.get("nugget_id", as: String.self) else { continue }
                activity[id, default: NuggetActivity()].nudgeUseful = row.get("useful") ?? 0
                activity[id, default: NuggetActivity()].nudgeNotUseful = row.get("not_useful") ?? 0
            }
            return activity
        }
    }

    public func questionResults(since date: Date) async throws -> [String: QuestionResults] {
        try await read { connection in
            var results: [String: QuestionResults] = [:]
            // Each person's answers to a question, numbered from their first and from their latest.
            for row in try await connection.rows(
                """
                WITH numbered AS (
                  SELECT s.learner, a.question_id, a.correct,
                    ROW_NUMBER() OVER (PARTITION BY s.learner, a.question_id ORDER BY a.answered_at, a.seq) AS from_first,
                    ROW_NUMBER() OVER (PARTITION BY s.learner, a.question_id ORDER BY a.answered_at DESC, a.seq DESC) AS from_latest
                  FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                  WHERE a.answered_at >= \(date))
                SELECT question_id, COUNT(*) AS answers, COUNT(*) FILTER (WHERE correct) AS correct,
                  COUNT(*) FILTER (WHERE from_first = 1) AS people, COUNT(*) FILTER (WHERE from_first = 1 AND correct) AS first_correct,
                  COUNT(*) FILTER (WHERE from_latest = 1 AND correct) AS latest_correct
                FROM numbered GROUP BY question_id
                """, logger)
            {
                guard let id = row.get("question_id", as: String.self) else { continue }
                results[id] = QuestionResults(
                    answers: row.get("answers") ?? 0, correct: row.get("correct") ?? 0, people: row.get("people") ?? 0,
                    firstCorrect: row.get("first_correct") ?? 0, latestCorrect: row.get("latest_correct") ?? 0)
            }
            return results
        }
    }

    public func peopleSummary(since date: Date) async throws -> [PlatformPeople] {
        try await read { connection in
            func counts(_ query: PostgresQuery) async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for row in try await connection.rows(query, logger) {
                    if let platform = row.get("platform", as: String.self) { counts[platform] = row.get("n") ?? 0 }
                }
                return counts
            }
            let askers = try await counts(
                "SELECT platform, COUNT(DISTINCT team || ':' || user_id) AS n FROM question_log WHERE asked_at >= \(date) GROUP BY platform")
            let takers = try await counts(
                """
                SELECT s.platform, COUNT(DISTINCT s.learner) AS n FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                WHERE a.answered_at >= \(date) GROUP BY s.platform
                """)
            let subscribers = try await counts("SELECT platform, COUNT(*) AS n FROM nudge_subscription WHERE enabled GROUP BY platform")
            return Set(askers.keys).union(takers.keys).union(subscribers.keys).sorted().map { platform in
                PlatformPeople(
                    platform: platform, askers: askers[platform] ?? 0, quizTakers: takers[platform] ?? 0, nudgeSubscribers: subscribers[platform] ?? 0)
            }
        }
    }

    public func activePeople(since date: Date, limit: Int) async throws -> [PersonActivity] {
        try await read { connection in
            try await connection.rows(
                """
                WITH asked AS (
                  SELECT platform, user_id, COUNT(*) AS questions, MAX(asked_at) AS last_at FROM question_log
                  WHERE asked_at >= \(date) GROUP BY platform, team, user_id),
                answered AS (
                  SELECT MIN(s.platform) AS platform, MIN(s.user_id) AS user_id, COUNT(*) AS answers, MAX(a.answered_at) AS last_at
                  FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                  WHERE a.answered_at >= \(date) GROUP BY s.learner),
                everyone AS (
                  SELECT platform, user_id, questions, 0::bigint AS answers, last_at FROM asked
                  UNION ALL SELECT platform, user_id, 0::bigint, answers, last_at FROM answered)
                SELECT platform, user_id, SUM(questions)::bigint AS questions, SUM(answers)::bigint AS answers, MAX(last_at) AS last_at
                FROM everyone GROUP BY platform, user_id ORDER BY SUM(questions) + SUM(answers) DESC, MAX(last_at) DESC
                LIMIT \(max(0, limit))
                """, logger
            ).compactMap { row in
                guard let platform = row.get("platform", as: String.self), let user = row.get("user_id", as: String.self),
                    let last = row.get("last_at", as: Date.self)
                else { return nil }
                return PersonActivity(
                    platform: platform, user: user, questions: row.get("questions") ?? 0, quizAnswers: row.get("answers") ?? 0, lastSeen: last)
            }
        }
    }
}
