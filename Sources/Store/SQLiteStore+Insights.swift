import FlowLearnCore
import Foundation
import GRDB

/// The console's read-only aggregates: one query per figure, grouped in SQL so a large question log
/// or answer table is not loaded into memory.
extension SQLiteStore: InsightsStore {
    public func nuggetActivity(since date: Date) async throws -> [String: NuggetActivity] {
        try await writer.read { db in
            var activity: [String: NuggetActivity] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT nugget_id, SUM(outcome = 'answered') AS served, SUM(outcome = 'choice') AS offered
                    FROM question_log WHERE nugget_id IS NOT NULL AND asked_at >= ? GROUP BY nugget_id
                    """, arguments: [date])
            {
                guard let id: String = row["nugget_id"] else { continue }
                activity[id, default: NuggetActivity()].served = row["served"] ?? 0
                activity[id, default: NuggetActivity()].offered = row["offered"] ?? 0
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT q.nugget_id, SUM(f.helpful) AS helpful, SUM(NOT f.helpful) AS not_helpful
                    FROM answer_feedback f JOIN question_log q ON q.answer_id = f.answer_id
                    WHERE q.nugget_id IS NOT NULL AND f.at >= ? GROUP BY q.nugget_id
                    """, arguments: [date])
            {
                guard let id: String = row["nugget_id"] else { continue }
                activity[id, default: NuggetActivity()].helpful = row["helpful"] ?? 0
                activity[id, default: NuggetActivity()].notHelpful = row["not_helpful"] ?? 0
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT nugget_id, COUNT(*) AS nudged FROM nudge_outbox
                    WHERE nugget_id IS NOT NULL AND state = 'sent' AND sent_at >= ? GROUP BY nugget_id
                    """, arguments: [date])
            {
                guard let id: String = row["nugget_id"] else { continue }
                activity[id, default: NuggetActivity()].nudged = row["nudged"] ?? 0
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT o.nugget_id, SUM(f.useful) AS useful, SUM(NOT f.useful) AS not_useful
                    FROM nudge_feedback f JOIN nudge_outbox o ON o.key = f.nudge_key
                    WHERE o.nugget_id IS NOT NULL AND f.at >= ? GROUP BY o.nugget_id
                    """, arguments: [date])
            {
                guard let id: String = row["nugget_id"] else { continue }
                activity[id, default: NuggetActivity()].nudgeUseful = row["useful"] ?? 0
                activity[id, default: NuggetActivity()].nudgeNotUseful = row["not_useful"] ?? 0
            }
            return activity
        }
    }

    public func questionResults(since date: Date) async throws -> [String: QuestionResults] {
        try await writer.read { db in
            var results: [String: QuestionResults] = [:]
            // Each person's answers to a question, numbered from their first and from their latest.
            for row in try Row.fetchAll(
                db,
                sql: """
                    WITH numbered AS (
                      SELECT s.learner, a.question_id, a.correct,
                        ROW_NUMBER() OVER (PARTITION BY s.learner, a.question_id ORDER BY a.answered_at, a.rowid) AS from_first,
                        ROW_NUMBER() OVER (PARTITION BY s.learner, a.question_id ORDER BY a.answered_at DESC, a.rowid DESC) AS from_latest
                      FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                      WHERE a.answered_at >= ?)
                    SELECT question_id, COUNT(*) AS answers, SUM(correct) AS correct, SUM(from_first = 1) AS people,
                      SUM(from_first = 1 AND correct) AS first_correct, SUM(from_latest = 1 AND correct) AS latest_correct
                    FROM numbered GROUP BY question_id
                    """, arguments: [date])
            {
                guard let id: String = row["question_id"] else { continue }
                results[id] = QuestionResults(
                    answers: row["answers"] ?? 0, correct: row["correct"] ?? 0, people: row["people"] ?? 0,
                    firstCorrect: row["first_correct"] ?? 0, latestCorrect: row["latest_correct"] ?? 0)
            }
            return results
        }
    }

    public func peopleSummary(since date: Date) async throws -> [PlatformPeople] {
        try await writer.read { db in
            var askers: [String: Int] = [:]
            var takers: [String: Int] = [:]
            var subscribers: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT platform, COUNT(DISTINCT team || ':' || user_id) AS n FROM question_log WHERE asked_at >= ? GROUP BY platform",
                arguments: [date])
            {
                if let platform: String = row["platform"] { askers[platform] = row["n"] ?? 0 }
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.platform, COUNT(DISTINCT s.learner) AS n FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                    WHERE a.answered_at >= ? GROUP BY s.platform
                    """, arguments: [date])
            {
                if let platform: String = row["platform"] { takers[platform] = row["n"] ?? 0 }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT platform, COUNT(*) AS n FROM nudge_subscription WHERE enabled GROUP BY platform")
            {
                if let platform: String = row["platform"] { subscribers[platform] = row["n"] ?? 0 }
            }
            return Set(askers.keys).union(takers.keys).union(subscribers.keys).sorted().map { platform in
                PlatformPeople(
                    platform: platform, askers: askers[platform] ?? 0, quizTakers: takers[platform] ?? 0,
                    nudgeSubscribers: subscribers[platform] ?? 0)
            }
        }
    }

    public func activePeople(since date: Date, limit: Int) async throws -> [PersonActivity] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    WITH asked AS (
                      SELECT platform, user_id, COUNT(*) AS questions, MAX(asked_at) AS last_at FROM question_log
                      WHERE asked_at >= ? GROUP BY platform, team, user_id),
                    answered AS (
                      SELECT s.platform, s.user_id, COUNT(*) AS answers, MAX(a.answered_at) AS last_at
                      FROM quiz_answer a JOIN quiz_session s ON s.id = a.session_id
                      WHERE a.answered_at >= ? GROUP BY s.learner),
                    everyone AS (
                      SELECT platform, user_id, questions, 0 AS answers, last_at FROM asked
                      UNION ALL SELECT platform, user_id, 0, answers, last_at FROM answered)
                    SELECT platform, user_id, SUM(questions) AS questions, SUM(answers) AS answers, MAX(last_at) AS last_at
                    FROM everyone GROUP BY platform, user_id ORDER BY SUM(questions) + SUM(answers) DESC, MAX(last_at) DESC LIMIT ?
                    """, arguments: [date, date, max(0, limit)]
            ).compactMap { row in
                // A stored date that does not parse skips the row instead of trapping in the decoder.
                guard let platform: String = row["platform"], let user: String = row["user_id"],
                    let last = Date.fromDatabaseValue(row["last_at"] as DatabaseValue)
                else { return nil }
                return PersonActivity(platform: platform, user: user, questions: row["questions"] ?? 0, quizAnswers: row["answers"] ?? 0, lastSeen: last)
            }
        }
    }
}
