import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: ReplyStore {
    public func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date, queued: Bool, requestID: String?) async throws -> Int64 {
        try await committer.write { db in
            let batch = (try Int64.fetchOne(db, sql: "SELECT MAX(batch) FROM reply_outbox") ?? 0) + 1
            for (position, request) in requests.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO reply_outbox (batch, position, platform, created_at, request_method, request_url, request_headers,
                                                  request_body, request_purpose, needs_credentials, queued, request_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        batch, position, platform, at, request.method, request.url, Self.text(request.headers), Data(request.body),
                        request.purpose, request.headers.contains { $0.isSecret }, queued, requestID,
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

    public func claimKeptReplies(limit: Int) async throws -> [KeptReplies] {
        try await writer.write { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT batch FROM reply_outbox WHERE NOT queued ORDER BY batch LIMIT ?", arguments: [max(0, limit)])
            guard let first = ids.first, let last = ids.last else { return [] }
            try db.execute(sql: "UPDATE reply_outbox SET queued = 1 WHERE batch BETWEEN ? AND ? AND NOT queued", arguments: [first, last])
            return try Self.batches(
                Row.fetchAll(db, sql: "SELECT * FROM reply_outbox WHERE batch BETWEEN ? AND ? ORDER BY batch, position", arguments: [first, last]))
                .filter { ids.contains($0.id) }
        }
    }

    public func requeueKeptReplies() async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE reply_outbox SET queued = 0 WHERE queued")
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
