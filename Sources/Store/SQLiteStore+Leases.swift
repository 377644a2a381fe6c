import FlowLearnCore
import Foundation
import GRDB

/// Claims under leases on the nudge outbox. The store's one writer makes each claim atomic; the lease
/// columns (v17) say which process holds a row and until when, as on PostgreSQL.
extension SQLiteStore {
    public func claimNudges(dueBy now: Date, limit: Int) async throws -> [NudgeOutboxItem] {
        let lease = self.lease
        return try await writer.write { db in
            // Pending and due, or left sending under a lease that has run out (its replica died).
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM nudge_outbox
                    WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND (lease_until IS NULL OR lease_until <= ?))
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [now, now, max(0, limit)])
            guard !rows.isEmpty else { return [] }
            let ids = rows.map { $0["id"] as Int64 }
            try db.execute(
                sql: """
                    UPDATE nudge_outbox SET state = 'sending', lease_owner = ?, lease_until = ?
                    WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: [lease.id, lease.expiry(from: now)] + StatementArguments(ids))
            return rows.compactMap(Self.outboxItem).map { item in
                var claimed = item
                claimed.state = .sending
                return claimed
            }
        }
    }

    public func renewNudgeLeases(_ ids: [Int64], at now: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let lease = self.lease
        return try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE nudge_outbox SET lease_until = ?
                    WHERE state = 'sending' AND lease_owner = ? AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: [lease.expiry(from: now), lease.id] + StatementArguments(ids))
            return db.changesCount
        }
    }

    /// One process per SQLite file: whatever an earlier process left sending is this process's to
    /// finish now, whoever's lease it carries, so a restart after a crash resends without waiting.
    public func requeueInFlight(at now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE nudge_outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'sending'")
            return db.changesCount
        }
    }
}
