import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

/// Access and erasure requests: everything about one person, and nothing about anyone else.
@Suite("A person's data")
struct PrivacyTests {
    static let now = Date(timeIntervalSince1970: 1_764_500_000)

    /// Stores one of everything about `learner`.
    func populate(_ store: SQLiteStore, _ learner: Learner, channel: String) async throws {
        try await store.record(QuestionLogEntry(
            askedAt: Self.now, platform: learner.platform, user: learner.user, channel: channel, text: "how do I claim a taxi, \(learner.user)?",
            outcome: .answered, nuggetID: "expenses-taxi-rideshare", confidence: 0.9, candidates: [], team: learner.team,
            reviewQuestionID: "taxi-commute"))
        let session = QuizSession(id: "s-\(learner.user)", learner: learner, channel: channel, topic: nil, questionIDs: ["taxi-commute"], startedAt: Self.now)
        try await store.startSession(session)
        let answer = QuizAnswer(
            sessionID: session.id, position: 0, questionID: "taxi-commute", actionID: "a-\(learner.user)", picks: [0], correct: true, rating: .good,
            answeredAt: Self.now)
        _ = try await store.recordAnswer(answer) { _ in FSRSCard(due: Self.now.addingTimeInterval(86_400)) }
        try await store.setLeaderboardMembership(learner, channel: channel, joined: true)
        try await store.saveSubscription(NudgeSubscription(learner: learner, channel: learner.user, time: LocalTime(hour: 9, minute: 30), timeZone: "UTC"))
        try await store.recordFeedback(nudgeKey: "k-\(learner.user)", learner: learner, useful: true, at: Self.now)
        _ = try await store.enqueue([(
            NudgeOutboxItem(
                key: "k-\(learner.user)", recipient: learner.key, platform: learner.platform, channel: learner.user, localDate: "2026-11-30",
                dueAt: Self.now, content: .nugget(id: "expenses-taxi-rideshare"), reason: "test",
                request: OutboundRequest(url: "https://slack.example/api/chat.postMessage", headers: [], body: [], purpose: "nudge")), nil
        )])
    }

    func tables(_ data: Data) throws -> [String: [[String: Any]]] {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["tables"] as? [String: [[String: Any]]])
    }

    @Test func exportHoldsEveryTableAboutThePersonAndForgetErasesOnlyThem() async throws {
        let store = try SQLiteStore.inMemory()
        let alice = Learner(platform: "slack", team: "T1", user: "UALICE")
        let bob = Learner(platform: "slack", team: "T1", user: "UBOB")
        try await populate(store, alice, channel: "C1")
        try await populate(store, bob, channel: "C2")

        let exported = try tables(try await store.exportPerson(alice))
        let expected = [
            "question_log", "quiz_answer", "quiz_session", "card", "review_log", "asked_review", "leaderboard_member", "nudge_subscription",
            "nudge_feedback", "nudge_outbox",
        ]
        for table in expected { #expect(exported[table]?.count == 1, "\(table): \(exported[table]?.count ?? 0) rows") }
        #expect(String(decoding: try await store.exportPerson(alice), as: UTF8.self).contains("UBOB") == false, "nothing about anyone else")

        let changed = try await store.forgetPerson(alice)
        #expect(expected.allSatisfy { changed[$0] == 1 }, "\(changed)")
        let after = try tables(try await store.exportPerson(alice))
        let left = after.filter { !$0.value.isEmpty }.keys.sorted()
        #expect(left.isEmpty, "nothing is left that names alice: \(left)")
        let questions = try await store.recentQuestions(unansweredOnly: false, limit: 10)
        #expect(questions.count == 2, "the questions stay for the content team")
        #expect(questions.contains { $0.user == "forgotten" && $0.channel == "forgotten" && $0.team.isEmpty })
        let bobs = try tables(try await store.exportPerson(bob))
        for table in expected { #expect(bobs[table]?.count == 1, "bob's \(table) is untouched") }
    }

    @Test func learnerKeysReadAsTheCLITakesThem() {
        #expect(Learner(key: "slack:T1:U1") == Learner(platform: "slack", team: "T1", user: "U1"))
        #expect(Learner(key: "matrix::@alice:example.org") == Learner(platform: "matrix", user: "@alice:example.org"))
        #expect(Learner(key: "teams:29:abc")?.user == "abc")
        #expect(Learner(key: "nonsense") == nil && Learner(key: ":T:U") == nil && Learner(key: "slack:T1:") == nil)
        #expect(Learner(platform: "discord", team: "G1", user: "U1").team == "G1")
    }
}
