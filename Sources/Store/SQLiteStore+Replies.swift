import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: ReplyStore {
    public func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date) async throws -> Int64 {
        try await writer.write { db in
            let batch = (try Int64.fetchOne(db, sql: "SELECT MAX(batch) FROM reply_outbox") ?? 0) + 1
            for (position, request) in requests.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO reply_outbox (batch, position, platform, created_at, request_method, request_url, request_headers,
                                                  request_body, request_purpose, needs_credentials)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        batch, position, platform, at, request.method, request.url, Self.text(request.headers), Data(request.body),
                        request.purpose, request.headers.contains { $0.isSecret },
                    ])
            }
            return batch
        }
    }

    public func forgetReplies(_ id: Int64) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM reply_outbox WHERE batch = ?", arguments: [id])
        }
    }

    public func keptReplies() async throws -> [KeptReplies] {
        try await writer.read { db in
            var batches: [KeptReplies] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM reply_outbox ORDER BY batch, position") {
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
                            keptAt: row["created_at"] ?? .distantPast))
                }
            }
            return batches
        }
    }
}
