import FlowLearnCore
import Foundation
import GRDB

extension SQLiteStore: NudgeStore {
    public func subscription(for learner: Learner) async throws -> NudgeSubscription? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM nudge_subscription WHERE learner = ?", arguments: [learner.key]).map(Self.subscription)
        }
    }

    static func subscription(_ row: Row) -> NudgeSubscription {
        var learner = Learner(platform: row["platform"], user: row["user_id"])
        learner.key = row["learner"]
        let topics = (try? JSONDecoder().decode([String].self, from: Data((row["topics"] as String).utf8))) ?? []
        return NudgeSubscription(
            learner: learner, channel: row["channel"], time: LocalTime(row["time"] as String) ?? LocalTime(hour: 9, minute: 30), topics: topics,
            timeZone: row["time_zone"], pausedUntil: row["paused_until"], enabled: row["enabled"])
    }

    public func saveSubscription(_ s: NudgeSubscription) async throws {
        let topics = String(decoding: try JSONEncoder().encode(s.topics), as: UTF8.self)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO nudge_subscription (learner, platform, user_id, channel, time, topics, time_zone, paused_until, enabled)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(learner) DO UPDATE SET channel = excluded.channel, time = excluded.time, topics = excluded.topics,
                        time_zone = COALESCE(excluded.time_zone, nudge_subscription.time_zone), paused_until = excluded.paused_until,
                        enabled = excluded.enabled
                    """,
                arguments: [
                    s.learner.key, s.learner.platform, s.learner.user, s.channel, s.time.description, topics, s.timeZone, s.pausedUntil, s.enabled,
                ])
        }
    }

    public func setTimeZone(_ zone: String, for learner: Learner) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE nudge_subscription SET time_zone = ? WHERE learner = ?", arguments: [zone, learner.key])
        }
    }

    public func subscriptions() async throws -> [NudgeSubscription] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM nudge_subscription WHERE enabled").map(Self.subscription)
        }
    }

    public func histories(at now: Date, topicOf: [String: String]) async throws -> [String: LearnerHistory] {
        try await writer.read { db in
            var histories: [String: LearnerHistory] = [:]
            let due = try Row.fetchCursor(
                db,
                sql: """
                    SELECT c.learner, c.question_id FROM card c JOIN nudge_subscription s ON s.learner = c.learner
                    WHERE s.enabled AND c.due <= ? ORDER BY c.due
                    """, arguments: [now])
            while let row = try due.next() { histories[row[0], default: LearnerHistory()].dueQuestions.append(row[1]) }
            let seen = try Row.fetchCursor(
                db,
                sql: """
                    SELECT recipient, nugget_id, MAX(due_at) FROM nudge_outbox WHERE nugget_id IS NOT NULL AND recipient NOT LIKE '%:channel:%'
                    GROUP BY recipient, nugget_id
                    """)
            while let row = try seen.next() { histories[row[0], default: LearnerHistory()].seenNuggets[row[1]] = row[2] }
            let asked = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.learner, q.nugget_id FROM question_log q JOIN nudge_subscription s ON s.platform = q.platform AND s.user_id = q.user_id
                    WHERE s.enabled AND q.nugget_id IS NOT NULL AND q.asked_at >= ? ORDER BY q.asked_at DESC
                    """, arguments: [now.addingTimeInterval(-90 * 86_400)])
            while let row = try asked.next() {
                guard let topic = topicOf[row[1] as String] else { continue }
                let key: String = row[0]
                if histories[key]?.askedTopics.contains(topic) != true { histories[key, default: LearnerHistory()].askedTopics.append(topic) }
            }
            return histories
        }
    }

    public func channelHistory() async throws -> [String: [String: Date]] {
        try await writer.read { db in
            var seen: [String: [String: Date]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT recipient, nugget_id, MAX(due_at) FROM nudge_outbox WHERE nugget_id IS NOT NULL AND recipient LIKE '%:channel:%'
                    GROUP BY recipient, nugget_id
                    """)
            while let row = try rows.next() { seen[row[0], default: [:]][row[1]] = row[2] }
            return seen
        }
    }

    public func enqueue(_ items: [(item: NudgeOutboxItem, session: QuizSession?)]) async throws -> Int {
        let encoded = try items.map { entry -> (NudgeOutboxItem, QuizSession?, String, Data, String?) in
            let content = String(decoding: try JSONEncoder().encode(entry.item.content), as: UTF8.self)
            let nugget: String? = if case .nugget(let id) = entry.item.content { id } else { nil }
            return (entry.item, entry.session, content, try JSONEncoder().encode(StoredRequest(entry.item.request)), nugget)
        }
        return try await writer.write { db in
            var added = 0
            for (item, session, content, request, nugget) in encoded {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO nudge_outbox
                            (key, recipient, platform, channel, local_date, due_at, content, nugget_id, reason, request, state, attempts, next_attempt_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
                        """,
                    arguments: [
                        item.key, item.recipient, item.platform, item.channel, item.localDate, item.dueAt, content, nugget, item.reason, request,
                        item.dueAt,
                    ])
                guard db.changesCount == 1 else { continue }
                added += 1
                if let session {
                    let ids = String(decoding: try JSONEncoder().encode(session.questionIDs), as: UTF8.self)
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO quiz_session
                                (id, learner, platform, user_id, channel, topic, question_ids, position, correct, state, started_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 'active', ?)
                            """,
                        arguments: [
                            session.id, session.learner.key, session.learner.platform, session.learner.user, session.channel, session.topic, ids,
                            session.startedAt,
                        ])
                }
            }
            return added
        }
    }

    public func claimNudges(dueBy now: Date, limit: Int) async throws -> [NudgeOutboxItem] {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM nudge_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                arguments: [now, limit])
            guard !rows.isEmpty else { return [] }
            let ids = rows.map { $0["id"] as Int64 }
            try db.execute(
                sql: "UPDATE nudge_outbox SET state = 'sending' WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(ids))
            return rows.compactMap(Self.outboxItem).map { item in
                var claimed = item
                claimed.state = .sending
                return claimed
            }
        }
    }

    static func outboxItem(_ row: Row) -> NudgeOutboxItem? {
        guard let content = try? JSONDecoder().decode(NudgeContent.self, from: Data((row["content"] as String).utf8)),
            let request = try? JSONDecoder().decode(StoredRequest.self, from: row["request"] as Data)
        else { return nil }
        return NudgeOutboxItem(
            id: row["id"], key: row["key"], recipient: row["recipient"], platform: row["platform"], channel: row["channel"],
            localDate: row["local_date"], dueAt: row["due_at"], content: content, reason: row["reason"], request: request.outbound,
            state: NudgeOutboxItem.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"], lastError: row["last_error"])
    }

    public func markSent(_ id: Int64, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE nudge_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                arguments: [date, id])
        }
    }

    public func markFailed(_ id: Int64, error: String, retryAt: Date?) async throws {
        try await writer.write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE nudge_outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    arguments: [error, retryAt, id])
            } else {
                try db.execute(
                    sql: "UPDATE nudge_outbox SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
            }
        }
    }

    public func requeueInFlight() async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE nudge_outbox SET state = 'pending' WHERE state = 'sending'")
            return db.changesCount
        }
    }

    public func nudgeStatus(deadLimit: Int) async throws -> NudgeOutboxStatus {
        try await writer.read { db in
            var counts: [NudgeOutboxItem.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM nudge_outbox GROUP BY state") {
                if let state = NudgeOutboxItem.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            let dead = try Row.fetchAll(
                db, sql: "SELECT * FROM nudge_outbox WHERE state = 'dead' ORDER BY due_at DESC LIMIT ?", arguments: [deadLimit]
            ).compactMap(Self.outboxItem)
            let subscribers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM nudge_subscription WHERE enabled") ?? 0
            return NudgeOutboxStatus(counts: counts, dead: dead, subscribers: subscribers)
        }
    }

    public func recordFeedback(nudgeKey: String, learner: Learner, useful: Bool, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO nudge_feedback (nudge_key, learner, useful, at) VALUES (?, ?, ?, ?)",
                arguments: [nudgeKey, learner.key, useful, date])
        }
    }

    /// Feedback counts per nugget: (useful, not useful).
    public func nudgeFeedback() async throws -> [String: (useful: Int, notUseful: Int)] {
        try await writer.read { db in
            var result: [String: (useful: Int, notUseful: Int)] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT o.nugget_id AS nugget, SUM(f.useful) AS yes, SUM(NOT f.useful) AS no
                    FROM nudge_feedback f JOIN nudge_outbox o ON o.key = f.nudge_key WHERE o.nugget_id IS NOT NULL GROUP BY o.nugget_id
                    """)
            for row in rows { result[row["nugget"]] = (row["yes"], row["no"]) }
            return result
        }
    }
}

/// An outbound request as the outbox stores it: headers marked secret are never written to disk.
struct StoredRequest: Codable {
    var method: String
    var url: String
    var headers: [[String]]
    var body: Data
    var purpose: String

    init(_ request: OutboundRequest) {
        method = request.method
        url = request.url
        headers = request.headers.filter { !$0.isSecret }.map { [$0.name, $0.value] }
        body = Data(request.body)
        purpose = request.purpose
    }

    var outbound: OutboundRequest {
        OutboundRequest(
            method: method, url: url, headers: headers.compactMap { $0.count == 2 ? .init($0[0], $0[1]) : nil }, body: Array(body),
            purpose: purpose)
    }
}
