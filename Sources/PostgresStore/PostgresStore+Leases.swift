import FlowLearnCore
import Foundation
import PostgresNIO

/// Claims under leases: the nudge outbox rows a replica sends. Rows are taken with `FOR UPDATE SKIP
/// LOCKED`, so two replicas claiming at once get different rows and neither waits for the other.
extension PostgresStore {
    public func claimNudges(dueBy now: Date, limit: Int) async throws -> [NudgeOutboxItem] {
        let until = lease.expiry(from: now)
        return try await write { connection in
            try await connection.rows(
                """
                UPDATE nudge_outbox SET state = 'sending', lease_owner = \(lease.id), lease_until = \(until)
                WHERE id IN (
                  SELECT id FROM nudge_outbox
                  WHERE (state = 'pending' AND next_attempt_at <= \(now))
                     OR (state = 'sending' AND (lease_until IS NULL OR lease_until <= \(now)))
                  ORDER BY next_attempt_at, id LIMIT \(max(0, limit))
                  FOR UPDATE SKIP LOCKED)
                RETURNING *
                """, logger
            ).compactMap { row -> (Date, NudgeOutboxItem)? in
                guard let item = Self.outboxItem(row) else { return nil }
                return (row.get("next_attempt_at", as: Date.self) ?? item.dueAt, item)
            }.sorted { $0.0 == $1.0 ? $0.1.id < $1.1.id : $0.0 < $1.0 }.map(\.1)
        }
    }

    public func renewNudgeLeases(_ ids: [Int64], at now: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let until = lease.expiry(from: now)
        return try await write { connection in
            try await connection.run(
                """
                UPDATE nudge_outbox SET lease_until = \(until)
                WHERE state = 'sending' AND lease_owner = \(lease.id) AND id = ANY(\(ids)) RETURNING 1
                """, logger)
        }
    }

    /// Several replicas share the database: only nudges whose lease has run out go back to pending
    /// (a live replica is still sending the others; `claimNudges` takes expired ones too).
    public func requeueInFlight(at now: Date) async throws -> Int {
        try await write { connection in
            try await connection.run(
                """
                UPDATE nudge_outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
                WHERE state = 'sending' AND (lease_until IS NULL OR lease_until <= \(now)) RETURNING 1
                """, logger)
        }
    }

    static func outboxItem(_ row: PostgresRandomAccessRow) -> NudgeOutboxItem? {
        guard let id = row.get("id", as: Int64.self), let key = row.get("key", as: String.self),
            let content = content(row.get("content") ?? ""), let recipient = row.get("recipient", as: String.self),
            let platform = row.get("platform", as: String.self), let channel = row.get("channel", as: String.self),
            let dueAt = row.get("due_at", as: Date.self), let url = row.get("request_url", as: String.self)
        else { return nil }
        let request = OutboundRequest(
            method: row.get("request_method") ?? "POST", url: url, headers: headers(row.get("request_headers") ?? ""),
            body: Array(row.get("request_body", as: Data.self) ?? Data()), purpose: row.get("request_purpose") ?? "")
        return NudgeOutboxItem(
            id: id, key: key, recipient: recipient, platform: platform, channel: channel, localDate: row.get("local_date") ?? "",
            dueAt: dueAt, content: content, reason: row.get("reason") ?? "", request: request,
            state: NudgeOutboxItem.State(rawValue: row.get("state") ?? "") ?? .pending, attempts: row.get("attempts") ?? 0,
            lastError: row.get("last_error"))
    }

    /// `nugget:ID` or `question:ID`, as the SQLite store writes it.
    static func text(_ content: NudgeContent) -> String {
        switch content {
        case .nugget(let id): "nugget:" + id
        case .question(let id): "question:" + id
        }
    }

    static func content(_ text: String) -> NudgeContent? {
        if text.hasPrefix("nugget:") { return .nugget(id: String(text.dropFirst(7))) }
        if text.hasPrefix("question:") { return .question(id: String(text.dropFirst(9))) }
        return nil
    }

    /// Headers one per line, `Name: value`; secret ones (tokens) are never written.
    static func text(_ headers: [OutboundRequest.Header]) -> String {
        headers.filter { !$0.isSecret }.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    static func headers(_ text: String) -> [OutboundRequest.Header] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return OutboundRequest.Header(String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
        }
    }
}
