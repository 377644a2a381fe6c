import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: ReplyStore {
    public func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date, queued: Bool, requestID: String?) async throws -> Int64 {
        // Queued: this replica posts them and holds the lease from now; waiting: free for any replica to claim.
        let owner: String? = queued ? lease.id : nil
        let until: Date? = queued ? lease.expiry(from: at) : nil
        return try await write { connection in
            guard let batch = try await connection.row("SELECT nextval('reply_batch') AS batch", logger)?.get("batch", as: Int64.self) else {
                throw PostgresStoreError("the reply_batch sequence gave no value")
            }
            for (position, request) in requests.enumerated() {
                try await connection.run(
                    """
                    INSERT INTO reply_outbox (batch, position, platform, created_at, request_method, request_url, request_headers, request_body,
                                              request_purpose, needs_credentials, queued, request_id, lease_owner, lease_until)
                    VALUES (\(batch), \(position), \(platform), \(at), \(request.method), \(request.url), \(Self.text(request.headers)),
                            \(Data(request.body)), \(request.purpose), \(request.headers.contains { $0.isSecret }), \(queued), \(requestID),
                            \(owner), \(until))
                    """, logger)
            }
            return batch
        }
    }

    public func forgetReplies(_ id: Int64) async throws {
        try await write { connection in try await connection.run("DELETE FROM reply_outbox WHERE batch = \(id)", logger) }
    }

    public func claimKeptReplies(limit: Int, at now: Date) async throws -> [KeptReplies] {
        let until = lease.expiry(from: now)
        return try await write { connection in
            // A batch is claimed through its first row; its other rows follow in the same statement.
            let claimed = try await connection.rows(
                """
                UPDATE reply_outbox SET queued = true, lease_owner = \(lease.id), lease_until = \(until)
                WHERE batch IN (
                  SELECT batch FROM reply_outbox
                  WHERE position = 0 AND (NOT queued OR lease_until IS NULL OR lease_until <= \(now))
                  ORDER BY batch LIMIT \(max(0, limit))
                  FOR UPDATE SKIP LOCKED)
                RETURNING batch
                """, logger
            ).compactMap { $0.get("batch", as: Int64.self) }
            let batches = Array(Set(claimed))
            guard !batches.isEmpty else { return [] }
            return Self.batches(
                try await connection.rows("SELECT * FROM reply_outbox WHERE batch = ANY(\(batches)) ORDER BY batch, position", logger))
        }
    }

    public func renewReplyLeases(_ ids: [Int64], at now: Date) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let until = lease.expiry(from: now)
        return try await write { connection in
            Set(
                try await connection.rows(
                    """
                    UPDATE reply_outbox SET lease_until = \(until)
                    WHERE queued AND lease_owner = \(lease.id) AND batch = ANY(\(ids)) RETURNING batch
                    """, logger
                ).compactMap { $0.get("batch", as: Int64.self) })
        }
    }

    /// Several replicas share the database: only batches whose lease has run out become waiting (a
    /// live replica is still posting the others).
    public func requeueKeptReplies(at now: Date) async throws -> Int {
        try await write { connection in
            try await connection.run(
                """
                UPDATE reply_outbox SET queued = false, lease_owner = NULL, lease_until = NULL
                WHERE queued AND (lease_until IS NULL OR lease_until <= \(now)) RETURNING 1
                """, logger)
        }
    }

    public func keptReplies() async throws -> [KeptReplies] {
        try await read { connection in Self.batches(try await connection.rows("SELECT * FROM reply_outbox ORDER BY batch, position", logger)) }
    }

    /// Rows of reply_outbox, ordered by batch and position, as batches.
    static func batches(_ rows: [PostgresRandomAccessRow]) -> [KeptReplies] {
        var batches: [KeptReplies] = []
        for row in rows {
            guard let batch = row.get("batch", as: Int64.self), let url = row.get("request_url", as: String.self),
                let platform = row.get("platform", as: String.self)
            else { continue }
            let request = OutboundRequest(
                method: row.get("request_method") ?? "POST", url: url, headers: headers(row.get("request_headers") ?? ""),
                body: Array(row.get("request_body", as: Data.self) ?? Data()), purpose: row.get("request_purpose") ?? "")
            let needsCredentials = row.get("needs_credentials", as: Bool.self) ?? false
            if batches.last?.id == batch {
                batches[batches.count - 1].requests.append(request)
                batches[batches.count - 1].needsCredentials.append(needsCredentials)
            } else {
                batches.append(
                    KeptReplies(
                        id: batch, platform: platform, requests: [request], needsCredentials: [needsCredentials],
                        keptAt: row.get("created_at") ?? .distantPast, requestID: row.get("request_id")))
            }
        }
        return batches
    }
}

extension PostgresStore: RoomStore {
    public func setRoom(platform: String, room: String, isDirect: Bool) async throws {
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO chat_room (platform, room, is_direct) VALUES (\(platform), \(room), \(isDirect))
                ON CONFLICT (platform, room) DO UPDATE SET is_direct = excluded.is_direct
                """, logger)
        }
    }

    public func isDirectRoom(platform: String, room: String) async throws -> Bool {
        try await read { connection in
            try await connection.row("SELECT is_direct FROM chat_room WHERE platform = \(platform) AND room = \(room)", logger)?
                .get("is_direct", as: Bool.self) ?? false
        }
    }
}
