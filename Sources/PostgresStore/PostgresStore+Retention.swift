import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: RetentionStore {
    public func prune(_ policy: RetentionPolicy, at now: Date, batch: Int) async throws -> [RetentionTable: Int] {
        let batch = max(1, batch)
        var deleted: [RetentionTable: Int] = [:]
        func cutoff(_ days: Int) -> Date? { days > 0 ? now.addingTimeInterval(-Double(days) * 86_400) : nil }

        if let cutoff = cutoff(policy.questionLogDays) {
            deleted[.questionLog] =
                try await deleteInBatches(from: "question_log", where: "asked_at <", cutoff, batch: batch)
                + deleteInBatches(from: "answer_feedback", where: "at <", cutoff, batch: batch)
                // Undelivered xAPI statements carry question text too: they age out with the question log.
                + deleteInBatches(from: "xapi_outbox", where: "created_at <", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.processedEventDays) {
            deleted[.processedEvents] =
                try await deleteInBatches(from: "processed_event", where: "received_at <", cutoff, batch: batch)
                + deleteInBatches(from: "event_attempt", where: "poisoned_at IS NULL AND first_at <", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.poisonedEventDays) {
            deleted[.poisonedEvents] = try await deleteInBatches(from: "event_attempt", where: "poisoned_at <", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.nudgeOutboxDays) {
            // Nudges still to send (pending, sending) stay whatever their age.
            deleted[.nudgeOutbox] =
                try await deleteInBatches(from: "nudge_outbox", where: "state IN ('sent', 'dead') AND due_at <", cutoff, batch: batch)
                + deleteInBatches(from: "nudge_feedback", where: "at <", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.quizHistoryDays) {
            var sessions = 0
            while true {
                let count = try await write { connection -> Int in
                    let ids = try await connection.rows(
                        "SELECT id FROM quiz_session WHERE started_at < \(cutoff) LIMIT \(batch) FOR UPDATE SKIP LOCKED", logger
                    ).compactMap { $0.get("id", as: String.self) }
                    guard !ids.isEmpty else { return 0 }
                    try await connection.run("DELETE FROM quiz_answer WHERE session_id = ANY(\(ids))", logger)
                    try await connection.run("DELETE FROM quiz_session WHERE id = ANY(\(ids))", logger)
                    return ids.count
                }
                sessions += count
                if count < batch { break }
            }
            deleted[.quizHistory] = sessions
        }
        if let cutoff = cutoff(policy.reviewLogDays) {
            deleted[.reviewLog] = try await deleteInBatches(from: "review_log", where: "reviewed_at <", cutoff, batch: batch)
        }
        deleted[.expiredReplies] = try await pruneExpiredReplies(at: now)
        return deleted
    }

    /// Deletes kept replies whose URL carries the secret once the platform's validity has passed.
    private func pruneExpiredReplies(at now: Date) async throws -> Int {
        let shortest = now.addingTimeInterval(-15 * 60)
        return try await write { connection -> Int in
            let rows = try await connection.rows(
                "SELECT batch, platform, request_url, needs_credentials, created_at FROM reply_outbox WHERE created_at < \(shortest)", logger)
            var expired = Set<Int64>()
            for row in rows {
                guard let batch = row.get("batch", as: Int64.self), let platform = row.get("platform", as: String.self) else { continue }
                let request = OutboundRequest(url: row.get("request_url") ?? "", headers: [], body: [], purpose: "")
                let keptAt = row.get("created_at", as: Date.self) ?? .distantPast
                if let validity = KeptReplies.validity(
                    platform: platform, request: request, needsCredentials: row.get("needs_credentials") ?? false),
                    now.timeIntervalSince(keptAt) > validity
                {
                    expired.insert(batch)
                }
            }
            guard !expired.isEmpty else { return 0 }
            try await connection.run("DELETE FROM reply_outbox WHERE batch = ANY(\(Array(expired)))", logger)
            return expired.count
        }
    }

    /// Deletes the rows of `table` matching `condition` (which ends in a comparison taking `value`),
    /// `batch` rows per transaction, until none is left. Table and condition are this file's constants.
    private func deleteInBatches(from table: String, where condition: String, _ value: Date, batch: Int) async throws -> Int {
        var total = 0
        while true {
            let count = try await write { connection in
                try await connection.run(
                    """
                    DELETE FROM \(unescaped: table) WHERE ctid IN (
                      SELECT ctid FROM \(unescaped: table) WHERE \(unescaped: condition) \(value) LIMIT \(batch) FOR UPDATE SKIP LOCKED)
                    RETURNING 1
                    """, logger)
            }
            total += count
            if count < batch { return total }
        }
    }
}
