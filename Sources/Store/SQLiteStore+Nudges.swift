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
        let text: String = row["topics"]
        let topics = text.isEmpty ? [] : text.split(separator: "\n").map(String.init)
        return NudgeSubscription(
            learner: learner, channel: row["channel"], time: LocalTime(row["time"] as String) ?? LocalTime(hour: 9, minute: 30), topics: topics,
            timeZone: row["time_zone"], pausedUntil: row["paused_until"], enabled: row["enabled"])
    }

    public func saveSubscription(_ s: NudgeSubscription) async throws {
        let topics = s.topics.joined(separator: "\n")  // one per line
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

    public func histories(for learners: [Learner], at now: Date, topicOf: [String: String]) async throws -> [String: LearnerHistory] {
        try await writer.read { db in
            var histories: [String: LearnerHistory] = [:]
            let since = now.addingTimeInterval(-90 * 86_400)
            // In chunks, to stay under SQLite's limit on bound parameters.
            var start = 0
            while start < learners.count {
                let chunk = learners[start..<min(start + 400, learners.count)]
                start += chunk.count
                let keys = chunk.map(\.key)
                let marks = keys.map { _ in "?" }.joined(separator: ",")
                let due = try Row.fetchCursor(
                    db, sql: "SELECT learner, question_id FROM card WHERE learner IN (\(marks)) AND due <= ? AND leech_at IS NULL ORDER BY due",
                    arguments: StatementArguments(keys + [now.databaseValue]))
                while let row = try due.next() { histories[row[0], default: LearnerHistory()].dueQuestions.append(row[1]) }
                let seen = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT recipient, nugget_id, MAX(due_at) FROM nudge_outbox WHERE recipient IN (\(marks)) AND nugget_id IS NOT NULL
                        GROUP BY recipient, nugget_id
                        """, arguments: StatementArguments(keys))
                while let row = try seen.next() { histories[row[0], default: LearnerHistory()].seenNuggets[row[1]] = row[2] }
                var byUser: [String: String] = [:]
                for learner in chunk { byUser[learner.platform + "\u{0}" + learner.user] = learner.key }
                let users = chunk.map(\.user)
                let asked = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT platform, user_id, nugget_id FROM question_log
                        WHERE user_id IN (\(users.map { _ in "?" }.joined(separator: ","))) AND nugget_id IS NOT NULL AND asked_at >= ?
                        ORDER BY asked_at DESC
                        """, arguments: StatementArguments(users + [since.databaseValue]))
                while let row = try asked.next() {
                    guard let key = byUser[(row[0] as String) + "\u{0}" + (row[1] as String)], let topic = topicOf[row[2] as String] else { continue }
                    if histories[key]?.askedTopics.contains(topic) != true { histories[key, default: LearnerHistory()].askedTopics.append(topic) }
                }
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
        try await writer.write { db in
            var added = 0
            let insert = try db.makeStatement(
                sql: """
                    INSERT OR IGNORE INTO nudge_outbox
                        (key, recipient, platform, channel, local_date, due_at, content, nugget_id, reason, request_method, request_url,
                         request_headers, request_body, request_purpose, state, attempts, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)
                    """)
            for (item, session) in items {
                let request = item.request
                let nugget: String? = if case .nugget(let id) = item.content { id } else { nil }
                try insert.execute(arguments: [
                    item.key, item.recipient, item.platform, item.channel, item.localDate, item.dueAt, Self.text(item.content), nugget,
                    item.reason, request.method, request.url, Self.text(request.headers), Data(request.body), request.purpose, item.dueAt,
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

    /// `nugget:ID` or `question:ID`.
    static func text(_ content: NudgeContent) -> String {
        switch content {
        case .nugget(let id): return "nugget:" + id
        case .question(let id): return "question:" + id
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

    static func outboxItem(_ row: Row) -> NudgeOutboxItem? {
        guard let content = content(row["content"]) else { return nil }
        let body: Data = row["request_body"]
        let request = OutboundRequest(
            method: row["request_method"], url: row["request_url"], headers: headers(row["request_headers"]), body: Array(body),
            purpose: row["request_purpose"])
        return NudgeOutboxItem(
            id: row["id"], key: row["key"], recipient: row["recipient"], platform: row["platform"], channel: row["channel"],
            localDate: row["local_date"], dueAt: row["due_at"], content: content, reason: row["reason"], request: request,
            state: NudgeOutboxItem.State(rawValue: row["state"]) ?? .pending, attempts: row["attempts"], lastError: row["last_error"])
    }

    public func markSent(_ id: Int64, at date: Date) async throws {
        let keeping = keepsLearningRecords
        try await writer.write { db in
            if keeping { try Self.keepNudgeRecord(outboxID: id, sentAt: date, in: db) }
            try db.execute(
                sql: """
                    UPDATE nudge_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, lease_owner = NULL,
                        lease_until = NULL
                    WHERE id = ? AND state <> 'sent'
                    """,
                arguments: [date, id])
        }
    }

    /// Only while this process holds the nudge: a replica that lost it (its lease ran out and another
    /// took it, or it was sent meanwhile) must not put it back or dead-letter it.
    public func markFailed(_ id: Int64, error: String, retryAt: Date?) async throws {
        let owner = lease.id
        try await writer.write { db in
            if let retryAt {
                try db.execute(
                    sql: """
                        UPDATE nudge_outbox SET state = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                            lease_owner = NULL, lease_until = NULL
                        WHERE id = ? AND state = 'sending' AND lease_owner = ?
                        """,
                    arguments: [error, retryAt, id, owner])
            } else {
                try db.execute(
                    sql: """
                        UPDATE nudge_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_until = NULL
                        WHERE id = ? AND state = 'sending' AND lease_owner = ?
                        """, arguments: [error, id, owner])
            }
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
