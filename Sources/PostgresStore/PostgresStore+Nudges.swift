import FlowLearnCore
import Foundation
import PostgresNIO

extension PostgresStore: NudgeStore {
    public func subscription(for learner: Learner) async throws -> NudgeSubscription? {
        try await read { connection in
            try await connection.row("SELECT * FROM nudge_subscription WHERE learner = \(learner.key)", logger).flatMap(Self.subscription)
        }
    }

    static func subscription(_ row: PostgresRandomAccessRow) -> NudgeSubscription? {
        guard let key = row.get("learner", as: String.self), let platform = row.get("platform", as: String.self),
            let user = row.get("user_id", as: String.self), let channel = row.get("channel", as: String.self)
        else { return nil }
        var learner = Learner(platform: platform, user: user)
        learner.key = key
        let text = row.get("topics", as: String.self) ?? ""
        return NudgeSubscription(
            learner: learner, channel: channel, time: LocalTime(row.get("time") ?? "") ?? LocalTime(hour: 9, minute: 30),
            topics: text.isEmpty ? [] : text.split(separator: "\n").map(String.init), timeZone: row.get("time_zone"),
            pausedUntil: row.get("paused_until"), enabled: row.get("enabled") ?? false)
    }

    public func saveSubscription(_ s: NudgeSubscription) async throws {
        let topics = s.topics.joined(separator: "\n")  // one per line
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO nudge_subscription (learner, platform, user_id, channel, time, topics, time_zone, paused_until, enabled)
                VALUES (\(s.learner.key), \(s.learner.platform), \(s.learner.user), \(s.channel), \(s.time.description), \(topics), \(s.timeZone),
                        \(s.pausedUntil), \(s.enabled))
                ON CONFLICT (learner) DO UPDATE SET channel = excluded.channel, time = excluded.time, topics = excluded.topics,
                  time_zone = COALESCE(excluded.time_zone, nudge_subscription.time_zone), paused_until = excluded.paused_until,
                  enabled = excluded.enabled
                """, logger)
        }
    }

    public func setTimeZone(_ zone: String, for learner: Learner) async throws {
        try await write { connection in
            try await connection.run("UPDATE nudge_subscription SET time_zone = \(zone) WHERE learner = \(learner.key)", logger)
        }
    }

    public func subscriptions() async throws -> [NudgeSubscription] {
        try await read { connection in
            try await connection.rows("SELECT * FROM nudge_subscription WHERE enabled ORDER BY learner", logger).compactMap(Self.subscription)
        }
    }

    public func histories(for learners: [Learner], at now: Date, topicOf: [String: String]) async throws -> [String: LearnerHistory] {
        guard !learners.isEmpty else { return [:] }
        let keys = learners.map(\.key)
        let users = Array(Set(learners.map(\.user)))
        var byUser: [String: String] = [:]
        for learner in learners { byUser[learner.platform + "\u{0}" + learner.user] = learner.key }
        let since = now.addingTimeInterval(-90 * 86_400)
        return try await read { connection in
            var histories: [String: LearnerHistory] = [:]
            for row in try await connection.rows(
                "SELECT learner, question_id FROM card WHERE learner = ANY(\(keys)) AND due <= \(now) AND leech_at IS NULL ORDER BY due", logger)
            {
                guard let key = row.get("learner", as: String.self), let question = row.get("question_id", as: String.self) else { continue }
                histories[key, default: LearnerHistory()].dueQuestions.append(question)
            }
            for row in try await connection.rows(
                """
                SELECT recipient, nugget_id, MAX(due_at) AS last FROM nudge_outbox WHERE recipient = ANY(\(keys)) AND nugget_id IS NOT NULL
                GROUP BY recipient, nugget_id
                """, logger)
            {
                guard let key = row.get("recipient", as: String.self), let nugget = row.get("nugget_id", as: String.self) else { continue }
                histories[key, default: LearnerHistory()].seenNuggets[nugget] = row.get("last", as: Date.self)
            }
            for row in try await connection.rows(
                """
                SELECT platform, user_id, nugget_id FROM question_log
                WHERE user_id = ANY(\(users)) AND nugget_id IS NOT NULL AND asked_at >= \(since) ORDER BY asked_at DESC
                """, logger)
            {
                guard let platform = row.get("platform", as: String.self), let user = row.get("user_id", as: String.self),
                    let key = byUser[platform + "\u{0}" + user], let nugget = row.get("nugget_id", as: String.self), let topic = topicOf[nugget]
                else { continue }
                if histories[key]?.askedTopics.contains(topic) != true { histories[key, default: LearnerHistory()].askedTopics.append(topic) }
            }
            return histories
        }
    }

    public func channelHistory() async throws -> [String: [String: Date]] {
        try await read { connection in
            var seen: [String: [String: Date]] = [:]
            for row in try await connection.rows(
                """
                SELECT recipient, nugget_id, MAX(due_at) AS last FROM nudge_outbox WHERE nugget_id IS NOT NULL AND recipient LIKE '%:channel:%'
                GROUP BY recipient, nugget_id
                """, logger)
            {
                guard let recipient = row.get("recipient", as: String.self), let nugget = row.get("nugget_id", as: String.self),
                    let last = row.get("last", as: Date.self)
                else { continue }
                seen[recipient, default: [:]][nugget] = last
            }
            return seen
        }
    }

    public func enqueue(_ items: [(item: NudgeOutboxItem, session: QuizSession?)]) async throws -> Int {
        guard !items.isEmpty else { return 0 }
        // In key order, so two replicas planning the same nudges take their keys in the same order
        // (one waits for the other, then adds nothing) instead of deadlocking.
        let sorted = items.sorted { $0.item.key < $1.item.key }
        return try await write { connection in
            var added = 0
            for (item, session) in sorted {
                let request = item.request
                let nugget: String? = if case .nugget(let id) = item.content { id } else { nil }
                let inserted = try await connection.run(
                    """
                    INSERT INTO nudge_outbox
                      (key, recipient, platform, channel, local_date, due_at, content, nugget_id, reason, request_method, request_url,
                       request_headers, request_body, request_purpose, state, attempts, next_attempt_at)
                    VALUES (\(item.key), \(item.recipient), \(item.platform), \(item.channel), \(item.localDate), \(item.dueAt),
                            \(Self.text(item.content)), \(nugget), \(item.reason), \(request.method), \(request.url), \(Self.text(request.headers)),
                            \(Data(request.body)), \(request.purpose), 'pending', 0, \(item.dueAt))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger)
                guard inserted == 1 else { continue }
                added += 1
                if let session {
                    let ids = String(decoding: try JSONEncoder().encode(session.questionIDs), as: UTF8.self)
                    try await connection.run(
                        """
                        INSERT INTO quiz_session (id, learner, platform, user_id, channel, topic, question_ids, position, correct, state, started_at)
                        VALUES (\(session.id), \(session.learner.key), \(session.learner.platform), \(session.learner.user), \(session.channel),
                                \(session.topic), \(ids), 0, 0, 'active', \(session.startedAt))
                        ON CONFLICT DO NOTHING
                        """, logger)
                }
            }
            return added
        }
    }

    public func markSent(_ id: Int64, at date: Date) async throws {
        let keeping = keepsLearningRecords
        try await write { connection in
            if keeping { try await keepNudgeRecord(outboxID: id, sentAt: date, on: connection) }
            try await connection.run(
                """
                UPDATE nudge_outbox SET state = 'sent', sent_at = \(date), attempts = attempts + 1, last_error = NULL, lease_owner = NULL,
                  lease_until = NULL
                WHERE id = \(id) AND state <> 'sent'
                """, logger)
        }
    }

    /// Only while this replica holds the nudge (see the SQLite store).
    public func markFailed(_ id: Int64, error: String, retryAt: Date?) async throws {
        let owner = lease.id
        try await write { connection in
            if let retryAt {
                try await connection.run(
                    """
                    UPDATE nudge_outbox SET state = 'pending', attempts = attempts + 1, last_error = \(error), next_attempt_at = \(retryAt),
                      lease_owner = NULL, lease_until = NULL
                    WHERE id = \(id) AND state = 'sending' AND lease_owner = \(owner)
                    """, logger)
            } else {
                try await connection.run(
                    """
                    UPDATE nudge_outbox SET state = 'dead', attempts = attempts + 1, last_error = \(error), lease_owner = NULL, lease_until = NULL
                    WHERE id = \(id) AND state = 'sending' AND lease_owner = \(owner)
                    """, logger)
            }
        }
    }

    public func nudgeStatus(deadLimit: Int) async throws -> NudgeOutboxStatus {
        try await read { connection in
            var counts: [NudgeOutboxItem.State: Int] = [:]
            for row in try await connection.rows("SELECT state, COUNT(*) AS n FROM nudge_outbox GROUP BY state", logger) {
                if let state = NudgeOutboxItem.State(rawValue: row.get("state") ?? "") { counts[state] = row.get("n") ?? 0 }
            }
            let dead = try await connection.rows(
                "SELECT * FROM nudge_outbox WHERE state = 'dead' ORDER BY due_at DESC, id DESC LIMIT \(max(0, deadLimit))", logger
            ).compactMap(Self.outboxItem)
            let subscribers = try await connection.row("SELECT COUNT(*) AS n FROM nudge_subscription WHERE enabled", logger)?.get("n", as: Int.self)
            return NudgeOutboxStatus(counts: counts, dead: dead, subscribers: subscribers ?? 0)
        }
    }

    public func recordFeedback(nudgeKey: String, learner: Learner, useful: Bool, at date: Date) async throws {
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO nudge_feedback (nudge_key, learner, useful, at) VALUES (\(nudgeKey), \(learner.key), \(useful), \(date))
                ON CONFLICT (nudge_key, learner) DO UPDATE SET useful = excluded.useful, at = excluded.at
                """, logger)
        }
    }
}
