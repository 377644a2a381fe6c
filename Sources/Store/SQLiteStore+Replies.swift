import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: ReplyStore {
    public func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date, queued: Bool, requestID: String?) async throws -> Int64 {
        let owner: String? = queued ? lease.id : nil
        let until: Date? = queued ? lease.expiry(from: at) : nil
        return try await committer.write { db in
            // The next row id (AUTOINCREMENT never reuses one): a batch number is never given twice, even
            // after the newest batch was sent and deleted (the reply queue tells batches apart by it).
            let next = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'reply_outbox'") ?? 0) + 1
            let batch = max(next, (try Int64.fetchOne(db, sql: "SELECT MAX(batch) FROM reply_outbox") ?? 0) + 1)
            for (position, request) in requests.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO reply_outbox (batch, position, platform, created_at, request_method, request_url, request_headers,
                                                  request_body, request_purpose, needs_credentials, queued, request_id, lease_owner,
                                                  lease_until)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        batch, position, platform, at, request.method, request.url, Self.text(request.headers), Data(request.body),
                        request.purpose, request.headers.contains { $0.isSecret }, queued, requestID, owner, until,
                    ])
            }
            return batch
        }
    }

    public func forgetReplies(_ id: Int64) async throws {
        try await committer.write { db in
            try db.execute(sql: "DELETE FROM reply_outbox WHERE batch = ?", arguments: [id])
        }
    }

    public func claimKeptReplies(limit: Int, at now: Date) async throws -> [KeptReplies] {
        let lease = self.lease
        return try await writer.write { db in
            // Waiting, or queued by a replica whose lease has run out. A batch's rows share one lease.
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT batch FROM reply_outbox WHERE position = 0 AND (NOT queued OR lease_until IS NULL OR lease_until <= ?)
                    ORDER BY batch LIMIT ?
                    """, arguments: [now, max(0, limit)])
            guard !ids.isEmpty else { return [] }
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: "UPDATE reply_outbox SET queued = 1, lease_owner = ?, lease_until = ? WHERE batch IN (\(marks))",
                arguments: [lease.id, lease.expiry(from: now)] + StatementArguments(ids))
            return try Self.batches(
                Row.fetchAll(db, sql: "SELECT * FROM reply_outbox WHERE batch IN (\(marks)) ORDER BY batch, position", arguments: StatementArguments(ids)))
        }
    }

    public func renewReplyLeases(_ ids: [Int64], at now: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let lease = self.lease
        return try await writer.write { db in
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: "UPDATE reply_outbox SET lease_until = ? WHERE lease_owner = ? AND queued AND batch IN (\(marks))",
                arguments: [lease.expiry(from: now), lease.id] + StatementArguments(ids))
            return Set(try Int64.fetchAll(
                db, sql: "SELECT DISTINCT batch FROM reply_outbox WHERE lease_owner = ? AND queued AND batch IN (\(marks))",
                arguments: [lease.id] + StatementArguments(ids)))
        }
    }

    /// One process per SQLite file: every batch an earlier process held is this process's to send.
    public func requeueKeptReplies(at now: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE reply_outbox SET queued = 0, lease_owner = NULL, lease_until = NULL WHERE queued")
            return db.changesCount
        }
    }

    public func keptReplies() async throws -> [KeptReplies] {
        try await writer.read { db in
            try Self.batches(Row.fetchAll(db, sql: "SELECT * FROM reply_outbox ORDER BY batch, position"))
        }
    }

    /// Rows of reply_outbox, ordered by batch and position, as batches.
    static func batches(_ rows: [Row]) -> [KeptReplies] {
        var batches: [KeptReplies] = []
        for row in rows {
            let batch: Int64 = row["batch"]
            let body: Data = row["request_body"]
            let request = OutboundRequest(
                method: row["request_method"], url: row["request_url"], headers: Self.headers(row["request_headers"]),
                body: Array(body), purpose: row["request_purpose"])
            let needsCredentials: Bool = row["needs_credentials"]
            if batches.last?.id == batch {
                batches[batches.count - 1].requests.append(request)
                batches[batches.count - 1].needsCredentials.append(needsCredentials)
            } else {
                batches.append(
                    KeptReplies(
                        id: batch, platform: row["platform"], requests: [request], needsCredentials: [needsCredentials],
                        keptAt: row["created_at"] ?? .distantPast, requestID: row["request_id"]))
            }
        }
        return batches
    }
}
