import Foundation

/// How long the tables that grow with traffic keep their rows, in days (0: for ever). The server
/// prunes on a timer (`RetentionService`); what each table holds and why it is kept is in docs/operations.md
/// ("What is stored, and for how long").
public struct RetentionPolicy: Sendable, Hashable, Codable {
    /// Questions people asked, with the outcome: the content team's view of what is missing.
    public var questionLogDays = 365
    /// Events taken (for deduplicating platform retries) and attempts at handling them.
    public var processedEventDays = 7
    /// Events set aside as poisoned, listed by `flowlearn poisoned`.
    public var poisonedEventDays = 30
    /// Nudges sent or given up, and the feedback on them; nudges still to send are never pruned.
    public var nudgeOutboxDays = 180
    /// Quiz sessions and their answers (stats and leaderboards count what is kept).
    public var quizHistoryDays = 730
    /// The review log behind each spaced-repetition card (the cards themselves stay).
    public var reviewLogDays = 730

    public init() {}

    /// The tables in the order they are pruned, with their days.
    public var days: [(table: RetentionTable, days: Int)] {
        [
            (.questionLog, questionLogDays), (.processedEvents, processedEventDays), (.poisonedEvents, poisonedEventDays),
            (.nudgeOutbox, nudgeOutboxDays), (.quizHistory, quizHistoryDays), (.reviewLog, reviewLogDays),
        ]
    }

    /// The first setting out of range, said as a problem, or nil.
    public func problem() -> (key: String, problem: String)? {
        let keys: [RetentionTable: String] = [
            .questionLog: "questionLogDays", .processedEvents: "processedEventDays", .poisonedEvents: "poisonedEventDays",
            .nudgeOutbox: "nudgeOutboxDays", .quizHistory: "quizHistoryDays", .reviewLog: "reviewLogDays",
        ]
        for (table, days) in self.days where !(0...36_500).contains(days) {
            return (keys[table] ?? table.rawValue, "must be between 0 (keep for ever) and 36500 days")
        }
        return nil
    }
}

/// What a prune pass can delete, named as in logs and `/metrics`.
public enum RetentionTable: String, Sendable, Hashable, Codable, CaseIterable {
    case questionLog = "question_log"
    case processedEvents = "processed_event"
    case poisonedEvents = "poisoned_event"
    case nudgeOutbox = "nudge_outbox"
    case quizHistory = "quiz_session"
    case reviewLog = "review_log"
    /// Kept replies whose URL is the secret (Slack `response_url`, Discord interaction token), once the
    /// platform's validity has passed: they can only fail, and the secret must go.
    case expiredReplies = "reply_outbox"
}

/// A store that can forget what is past its retention.
public protocol RetentionStore: Sendable {
    /// Deletes rows older than the policy allows (as of `now`) and kept replies past their validity,
    /// in short transactions of at most `batch` rows so requests are not held up; returns the rows
    /// deleted per table.
    func prune(_ policy: RetentionPolicy, at now: Date, batch: Int) async throws -> [RetentionTable: Int]
}
