import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: RetentionStore {
    public func prune(_ policy: RetentionPolicy, at now: Date, batch: Int) async throws -> [RetentionTable: Int] {
        let batch = max(1, batch)
        var deleted: [RetentionTable: Int] = [:]
        func cutoff(_ days: Int) -> Date? { days > 0 ? now.addingTimeInterval(-Double(days) * 86_400) : nil }

        if let cutoff = cutoff(policy.questionLogDays) {
            deleted[.questionLog] =
                try await deleteInBatches(from: "question_log", where: "asked_at < ?", cutoff, batch: batch)
                + deleteInBatches(from: "answer_feedback", where: "at < ?", cutoff, batch: batch)
                // xAPI statements not delivered by then (the LRS long gone, or set aside) carry question
                // text too: they age out with the question log.
                + deleteInBatches(from: "xapi_outbox", where: "created_at < ?", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.processedEventDays) {
            deleted[.processedEvents] =
                try await deleteInBatches(from: "processed_event", where: "received_at < ?", cutoff, batch: batch)
                + deleteInBatches(from: "event_attempt", where: "poisoned_at IS NULL AND first_at < ?", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.poisonedEventDays) {
            deleted[.poisonedEvents] = try await deleteInBatches(from: "event_attempt", where: "poisoned_at < ?", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.nudgeOutboxDays) {
            // Nudges still to send (pending, sending) stay whatever their age.
            deleted[.nudgeOutbox] =
                try await deleteInBatches(from: "nudge_outbox", where: "state IN ('sent', 'dead') AND due_at < ?", cutoff, batch: batch)
                + deleteInBatches(from: "nudge_feedback", where: "at < ?", cutoff, batch: batch)
        }
        if let cutoff = cutoff(policy.quizHistoryDays) {
            var sessions = 0
            while true {
                let count = try await writer.write { db -> Int in
                    let ids = try String.fetchAll(db, sql: "SELECT id FROM quiz_session WHERE started_at < ? LIMIT ?", arguments: [cutoff, batch])
                    guard !ids.isEmpty else { return 0 }
                    let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                    try db.execute(sql: "DELETE FROM quiz_answer WHERE session_id IN (\(marks))", arguments: StatementArguments(ids))
                    try db.execute(sql: "DELETE FROM quiz_session WHERE id IN (\(marks))", arguments: StatementArguments(ids))
                    return ids.count
                }
                sessions += count
                if count < batch { break }
            }
            deleted[.quizHistory] = sessions
        }
        if let cutoff = cutoff(policy.reviewLogDays) {
            deleted[.reviewLog] = try await deleteInBatches(from: "review_log", where: "reviewed_at < ?", cutoff, batch: batch)
        }
        deleted[.expiredReplies] = try await pruneExpiredReplies(at: now)
        return deleted
    }

    /// Deletes kept replies whose URL carries the secret once the platform's validity has passed.
    private func pruneExpiredReplies(at now: Date) async throws -> Int {
        let shortest = 15 * 60.0
        return try await writer.write { db -> Int in
            let rows = try Row.fetchAll(
                db, sql: "SELECT batch, platform, request_url, needs_credentials, created_at FROM reply_outbox WHERE created_at < ?",
                arguments: [now.addingTimeInterval(-shortest)])
            var expired = Set<Int64>()
            for row in rows {
                let request = OutboundRequest(url: row["request_url"], headers: [], body: [], purpose: "")
                let keptAt: Date = row["created_at"] ?? .distantPast
                if let validity = KeptReplies.validity(platform: row["platform"], request: request, needsCredentials: row["needs_credentials"]),
                    now.timeIntervalSince(keptAt) > validity
                {
                    expired.insert(row["batch"])
                }
            }
            for batch in expired { try db.execute(sql: "DELETE FROM reply_outbox WHERE batch = ?", arguments: [batch]) }
            return expired.count
        }
    }

    /// Deletes the rows of `table` that match `condition` (one `?`, bound to `value`), `batch` rows per
    /// transaction, until none is left.
    private func deleteInBatches(from table: String, where condition: String, _ value: Date, batch: Int) async throws -> Int {
        var total = 0
        while true {
            let count = try await writer.write { db -> Int in
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE rowid IN (SELECT rowid FROM \(table) WHERE \(condition) LIMIT ?)", arguments: [value, batch])
                return db.changesCount
            }
            total += count
            if count < batch { return total }
        }
    }
}
