import FlowLearnConfig
import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation
import Logging
import Testing

@Suite("Retention of what grows with traffic")
struct RetentionTests {
    static let now = Date(timeIntervalSince1970: 1_764_500_000)
    static func daysAgo(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    func question(_ text: String, at date: Date) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: date, platform: "slack", user: "U1", channel: "C1", text: text, outcome: .unknown, nuggetID: nil, confidence: 0.1,
            candidates: [])
    }

    func nudge(_ key: String, recipient: String, due: Date) -> NudgeOutboxItem {
        NudgeOutboxItem(
            key: key, recipient: recipient, platform: "slack", channel: "U1", localDate: key, dueAt: due, content: .nugget(id: "n1"),
            reason: "test", request: OutboundRequest(url: "https://slack.example/api/chat.postMessage", headers: [], body: [], purpose: "nudge"))
    }

    /// Old and recent rows in every table; a prune keeps exactly the recent ones (and what is still to do).
    @Test func prunesEachTableByItsOwnRetentionAndKeepsWorkInProgress() async throws {
        let store = try SQLiteStore.inMemory()
        for (index, age) in [400.0, 370, 366, 10].enumerated() {
            try await store.record(question("q\(index)", at: Self.daysAgo(age)))
        }
        #expect(try await store.claimEvent(platform: "slack", eventID: "old", at: Self.daysAgo(8), logging: nil))
        #expect(try await store.claimEvent(platform: "slack", eventID: "new", at: Self.daysAgo(1), logging: nil))
        for attempt in 0..<3 { _ = try await store.beginEvent(platform: "matrix", eventID: "$poison", at: Self.daysAgo(40 - Double(attempt))) }
        _ = try await store.beginEvent(platform: "matrix", eventID: "$stuck", at: Self.daysAgo(9))
        #expect(try await store.poisonedEvents(limit: 10).map(\.eventID) == ["$poison"])

        // Nudges: two old ones sent, one old one still pending (never pruned), one recent sent.
        _ = try await store.enqueue([
            (nudge("2026-01-01", recipient: "a", due: Self.daysAgo(300)), nil), (nudge("2026-01-02", recipient: "a", due: Self.daysAgo(299)), nil),
            (nudge("2026-01-03", recipient: "a", due: Self.daysAgo(298)), nil), (nudge("2026-11-30", recipient: "a", due: Self.daysAgo(1)), nil),
        ])
        let claimed = try await store.claimNudges(dueBy: Self.now, limit: 10)
        #expect(claimed.count == 4)
        for item in claimed where item.key != "2026-01-03" { try await store.markSent(item.id, at: item.dueAt) }
        try await store.markFailed(try #require(claimed.first { $0.key == "2026-01-03" }).id, error: "HTTP 500", retryAt: Self.now)

        // Quiz history: an old session with an answer (and its review) and a recent one.
        let learner = Learner(platform: "slack", team: "T1", user: "U1")
        for (id, age) in [("old", 800.0), ("new", 3)] {
            try await store.startSession(QuizSession(id: id, learner: learner, channel: "C1", topic: nil, questionIDs: ["q1", "q2"], startedAt: Self.daysAgo(age)))
            let answer = QuizAnswer(
                sessionID: id, position: 0, questionID: "q1", actionID: "a-\(id)", picks: [0], correct: true, rating: .good, answeredAt: Self.daysAgo(age))
            _ = try await store.recordAnswer(answer) { _ in FSRSCard(due: Self.daysAgo(age - 1)) }
        }

        // Kept replies: a Slack response_url 40 minutes old (expired), one 5 minutes old, a Matrix reply a day old.
        let responseURL = OutboundRequest(url: "https://hooks.slack.com/commands/T1/1/x", headers: [], body: [], purpose: "slack.response_url")
        let matrix = OutboundRequest(url: "http://127.0.0.1:8008/_matrix/client/v3/rooms/r/send/m.room.message/t", headers: [], body: [], purpose: "matrix")
        let expired = try await store.keepReplies([responseURL], platform: "slack", at: Self.now.addingTimeInterval(-40 * 60))
        let fresh = try await store.keepReplies([responseURL], platform: "slack", at: Self.now.addingTimeInterval(-5 * 60))
        let roomReply = try await store.keepReplies([matrix], platform: "matrix", at: Self.daysAgo(1))

        let deleted = try await store.prune(RetentionPolicy(), at: Self.now, batch: 2)
        #expect(deleted[.questionLog] == 3, "three questions older than 365 days, deleted two at a time")
        #expect(try await store.recentQuestions(unansweredOnly: false, limit: 10).map(\.text) == ["q3"])
        #expect(deleted[.processedEvents] == 2, "the 8-day-old claim and the unfinished attempt")
        #expect(try await store.beginEvent(platform: "slack", eventID: "new", at: Self.now) == .done, "a recent claim still deduplicates")
        #expect(deleted[.poisonedEvents] == 1)
        #expect(try await store.poisonedEvents(limit: 10).isEmpty)
        #expect(deleted[.nudgeOutbox] == 2)
        let status = try await store.nudgeStatus(deadLimit: 10)
        #expect(status.counts[.pending] == 1 && status.counts[.sent] == 1, "the old nudge still to retry is kept")
        #expect(deleted[.quizHistory] == 1)
        #expect(try await store.session(id: "old") == nil)
        #expect(try await store.session(id: "new") != nil)
        #expect(deleted[.reviewLog] == 1)
        #expect(deleted[.expiredReplies] == 1)
        #expect(try await store.keptReplies().map(\.id) == [fresh, roomReply], "\(expired) is gone with its secret URL")

        let again = try await store.prune(RetentionPolicy(), at: Self.now, batch: 2)
        #expect(again.values.allSatisfy { $0 == 0 }, "a second pass finds nothing: \(again)")
    }

    @Test func zeroDaysKeepsForEver() async throws {
        let store = try SQLiteStore.inMemory()
        try await store.record(question("ancient", at: Self.daysAgo(10_000)))
        var policy = RetentionPolicy()
        policy.questionLogDays = 0
        let deleted = try await store.prune(policy, at: Self.now, batch: 500)
        #expect(deleted[.questionLog] == nil)
        #expect(try await store.recentQuestions(unansweredOnly: false, limit: 10).count == 1)
    }

    @Test func configurationNamesTheRetentionAndRefusesNonsense() throws {
        let parsed = try ConfigurationLoader.parse(Data(#"{"store": {"questionLogDays": 30, "pruneIntervalSeconds": 60}}"#.utf8), file: "c.json")
        #expect(parsed.store.retention.questionLogDays == 30 && parsed.store.retention.reviewLogDays == RetentionPolicy().reviewLogDays)
        #expect(throws: ConfigurationError(file: "c.json", key: "store.reviewLogDays", problem: "must be between 0 (keep for ever) and 36500 days")) {
            try ConfigurationLoader.parse(Data(#"{"store": {"reviewLogDays": -1}}"#.utf8), file: "c.json")
        }
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(Data(#"{"store": {"pruneIntervalSeconds": 0}}"#.utf8), file: "c.json") }
    }

    @Test func theServiceCountsWhatItDeletedForMetrics() async throws {
        let store = try SQLiteStore.inMemory()
        try await store.record(question("ancient", at: Self.daysAgo(1000)))
        let service = RetentionService(store: store, policy: RetentionPolicy(), interval: 3600, now: { Self.now }, logger: Logger(label: "test"))
        try await service.pruneOnce()
        #expect(service.deletedTotals[.questionLog] == 1)
        #expect(service.exposition().contains("flowlearn_retention_deleted_total{table=\"question_log\"} 1\n"))
    }
}

@Suite("Served counts")
struct ServedCountTests {
    @Test func countsOnlyQuestionsANuggetAnsweredOutright() async throws {
        let store = try SQLiteStore.inMemory()
        for (outcome, nugget) in [(QuestionLogEntry.Outcome.answered, "taxi"), (.answered, "taxi"), (.answered, "vpn"), (.choice, "taxi"), (.unknown, nil)] {
            try await store.record(QuestionLogEntry(
                askedAt: Date(), platform: "slack", user: "U1", channel: "C1", text: "q", outcome: outcome, nuggetID: nugget, confidence: 0.5,
                candidates: []))
        }
        #expect(try await store.servedCounts() == ["taxi": 2, "vpn": 1])
    }
}
