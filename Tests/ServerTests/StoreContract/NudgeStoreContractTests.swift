import FlowLearnCore
import Foundation
import Testing

/// The store contract for nudges: subscriptions, the outbox planned once per recipient and day,
/// claims, sent, failed, dead, feedback, and the histories the planner reads.
@Suite("Store contract: nudges")
struct NudgeStoreContractTests {
    typealias F = StoreFixtures

    @Test(arguments: StoreEngine.available) func subscriptionsAreSavedUpdatedAndListed(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            #expect(try await store.subscription(for: F.alice) == nil)
            var subscription = NudgeSubscription(
                learner: F.alice, channel: "D1", time: LocalTime(hour: 9, minute: 30), topics: ["security", "expenses"], timeZone: "Europe/Berlin")
            try await store.saveSubscription(subscription)
            subscription.timeZone = nil
            subscription.time = LocalTime(hour: 10, minute: 0)
            try await store.saveSubscription(subscription)
            let saved = try await store.subscription(for: F.alice)
            #expect(saved?.timeZone == "Europe/Berlin", "a save without a zone keeps the one known")
            #expect(saved?.time == LocalTime(hour: 10, minute: 0) && saved?.topics == ["security", "expenses"] && saved?.learner == F.alice)
            try await store.setTimeZone("UTC", for: F.alice)
            #expect(try await store.subscription(for: F.alice)?.timeZone == "UTC")
            var paused = NudgeSubscription(learner: F.bob, channel: "D2", time: LocalTime(hour: 8, minute: 0))
            paused.enabled = false
            try await store.saveSubscription(paused)
            #expect(try await store.subscriptions().map(\.learner) == [F.alice])
            #expect(try await store.nudgeStatus(deadLimit: 5).subscribers == 1)
        }
    }

    @Test(arguments: StoreEngine.available) func theOutboxPlansOncePerRecipientAndDay(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            let question = QuizSession(id: "nq1", learner: F.bob, channel: "D2", topic: nil, questionIDs: ["q1"], startedAt: F.now)
            let items: [(item: NudgeOutboxItem, session: QuizSession?)] = [
                (F.nudge("k-alice"), nil), (F.nudge("k-bob", for: F.bob), question),
            ]
            #expect(try await store.enqueue(items) == 2)
            #expect(try await store.enqueue(items) == 0, "planning twice adds nothing")
            #expect(try await store.enqueue([(F.nudge("k-alice-other"), nil)]) == 0, "one per recipient and local day")
            #expect(try await store.enqueue([(F.nudge("k-alice-next", day: "2026-12-01", due: 86_400, nugget: "n2"), nil)]) == 1)
            #expect(try await store.session(id: "nq1")?.questionIDs == ["q1"], "a question nudge's session is saved with it")
            let status = try await store.nudgeStatus(deadLimit: 5)
            #expect(status.counts[.pending] == 3)
            let histories = try await store.histories(for: [F.alice, F.bob], at: F.now, topicOf: [:])
            #expect(histories[F.alice.key]?.seenNuggets["n1"] == F.now && histories[F.alice.key]?.seenNuggets["n2"] == F.at(86_400))
        }
    }

    @Test(arguments: StoreEngine.available) func claimedNudgesAreSentOrRetriedOrDeadLettered(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            _ = try await store.enqueue([
                (F.nudge("k1", due: 0), nil), (F.nudge("k2", for: F.bob, due: 10), nil),
                (F.nudge("k3", for: Learner(platform: "slack", team: "T1", user: "UCAROL"), due: 3600), nil),
            ])
            #expect(try await store.claimNudges(dueBy: F.at(-1), limit: 10).isEmpty, "nothing due yet")
            let claimed = try await store.claimNudges(dueBy: F.at(20), limit: 10)
            #expect(claimed.map(\.key) == ["k1", "k2"], "due ones, oldest first")
            #expect(claimed.allSatisfy { $0.state == .sending })
            let first = try #require(claimed.first)
            #expect(first.request.headers.map(\.name) == ["Content-Type"], "the token was never written")
            #expect(first.request.body == Array(#"{"text":"k1"}"#.utf8) && first.content == .nugget(id: "n1") && first.localDate == "2026-11-30")
            #expect(try await store.claimNudges(dueBy: F.at(20), limit: 10).isEmpty, "claimed nudges are not claimed again")
            try await store.markSent(first.id, at: F.at(21))
            try await store.markFailed(claimed[1].id, error: "HTTP 500", retryAt: F.at(60))
            #expect(try await store.claimNudges(dueBy: F.at(59), limit: 10).isEmpty)
            let retried = try await store.claimNudges(dueBy: F.at(60), limit: 10)
            #expect(retried.map(\.key) == ["k2"] && retried.first?.attempts == 1 && retried.first?.lastError == "HTTP 500")
            try await store.markFailed(claimed[1].id, error: "HTTP 404", retryAt: nil)
            let status = try await store.nudgeStatus(deadLimit: 5)
            #expect(status.counts[.sent] == 1 && status.counts[.dead] == 1 && status.counts[.pending] == 1)
            #expect(status.dead.map(\.key) == ["k2"] && status.dead.first?.attempts == 2 && status.dead.first?.lastError == "HTTP 404")
            try await store.recordFeedback(nudgeKey: "k1", learner: F.alice, useful: true, at: F.at(30))
            try await store.recordFeedback(nudgeKey: "k1", learner: F.alice, useful: false, at: F.at(31))
            let activity = try await store.nuggetActivity(since: F.now)
            #expect(activity["n1"]?.nudged == 1 && activity["n1"]?.nudgeNotUseful == 1 && activity["n1"]?.nudgeUseful == 0)
        }
    }

    @Test(arguments: StoreEngine.available) func historiesHoldDueCardsAskedTopicsAndChannelNudges(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("taxi?", nugget: "n-taxi", at: -60, review: "q-taxi"))
            try await store.record(F.question("vpn?", nugget: "n-vpn", at: -30))
            let channel = Learner(platform: "slack", team: "channel", user: "C9")
            _ = try await store.enqueue([(F.nudge("k-channel", for: channel, nugget: "n-day"), nil)])
            let histories = try await store.histories(
                for: [F.alice, F.bob], at: F.now, topicOf: ["n-taxi": "expenses", "n-vpn": "security"])
            #expect(histories[F.alice.key]?.dueQuestions == ["q-taxi"])
            #expect(histories[F.alice.key]?.askedTopics == ["security", "expenses"], "most recent first")
            #expect(histories[F.bob.key] == nil)
            #expect(try await store.channelHistory() == [channel.key: ["n-day": F.now]])
        }
    }
}
