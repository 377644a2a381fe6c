import FlowLearnCore
import Foundation
import Testing

/// The store contract, written once against `any LearningStore` and run on every engine: event
/// claims, the question log, votes, gaps, rooms.
@Suite("Store contract: events and questions")
struct QuestionStoreContractTests {
    typealias F = StoreFixtures

    @Test(arguments: StoreEngine.available) func anEventIsClaimedOnceAndLogsItsQuestionOnce(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            #expect(try await store.claimEvent(platform: "slack", eventID: "Ev1", at: F.now, logging: F.question("taxi?")))
            #expect(try await !store.claimEvent(platform: "slack", eventID: "Ev1", at: F.at(1), logging: F.question("taxi again?")))
            #expect(try await store.claimEvent(platform: "teams", eventID: "Ev1", at: F.now, logging: nil), "the key is per platform")
            let logged = try await store.recentQuestions(unansweredOnly: false, limit: 10)
            #expect(logged.map(\.text) == ["taxi?"])
            #expect(logged.first?.candidates.first?.nuggetID == "n1" && logged.first?.team == "T1" && logged.first?.confidence == 0.75)
            #expect(try await store.beginEvent(platform: "slack", eventID: "Ev1", at: F.now) == .done)
        }
    }

    @Test(arguments: StoreEngine.available) func anEventThatFailsTwiceIsPoisonedWithItsReason(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            #expect(try await store.beginEvent(platform: "slack", eventID: "Bad", at: F.now) == .handle(attempt: 1))
            try await store.failEvent(platform: "slack", eventID: "Bad", reason: "boom")
            #expect(try await store.beginEvent(platform: "slack", eventID: "Bad", at: F.at(1)) == .handle(attempt: 2))
            #expect(try await store.beginEvent(platform: "slack", eventID: "Bad", at: F.at(2)) == .poisoned)
            #expect(try await store.beginEvent(platform: "slack", eventID: "Bad", at: F.at(3)) == .poisoned)
            let poisoned = try await store.poisonedEvents(limit: 10)
            #expect(poisoned.count == 1)
            #expect(poisoned.first?.reason == "boom" && poisoned.first?.attempts == 2 && poisoned.first?.firstSeen == F.now)
            #expect(poisoned.first?.poisonedAt == F.at(2))
            // A crash (no failEvent) is named as such; a later success clears the attempts.
            _ = try await store.beginEvent(platform: "slack", eventID: "Crash", at: F.now)
            _ = try await store.beginEvent(platform: "slack", eventID: "Crash", at: F.now)
            #expect(try await store.beginEvent(platform: "slack", eventID: "Crash", at: F.now) == .poisoned)
            #expect(try await store.poisonedEvents(limit: 10).contains { $0.reason.contains("crashed") })
            _ = try await store.beginEvent(platform: "slack", eventID: "Fine", at: F.now)
            #expect(try await store.claimEvent(platform: "slack", eventID: "Fine", at: F.now, logging: nil))
            #expect(try await store.beginEvent(platform: "slack", eventID: "Fine", at: F.now) == .done)
        }
    }

    @Test(arguments: StoreEngine.available) func theQuestionLogListsCountsAndFindsGaps(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("one", outcome: .answered, nugget: "n1", at: 10))
            try await store.record(F.question("two", outcome: .unknown, at: 20))
            try await store.record(F.question("three", outcome: .choice, nugget: "n2", at: 30))
            try await store.record(F.question("four", by: F.bob, outcome: .answered, nugget: "n1", at: 30))
            #expect(try await store.recentQuestions(unansweredOnly: false, limit: 3).map(\.text) == ["four", "three", "two"])
            #expect(try await store.recentQuestions(unansweredOnly: true, limit: 10).map(\.text) == ["two"])
            #expect(try await store.questionCounts() == [.answered: 2, .unknown: 1, .choice: 1])
            #expect(try await store.servedCounts() == ["n1": 2])
            #expect(try await store.unansweredQuestions(since: F.at(15), limit: 10).map(\.text) == ["two", "three"])
            #expect(try await store.unansweredQuestions(since: F.at(25), limit: 10).map(\.text) == ["three"])
            #expect(try await store.recentNuggets(platform: "slack", user: F.alice.user, limit: 5) == ["n2", "n1"])
            try await store.setGapStatus(.done, key: "gap-a", at: F.now)
            try await store.setGapStatus(.ignored, key: "gap-b", at: F.now)
            try await store.setGapStatus(.ignored, key: "gap-a", at: F.at(1))
            try await store.setGapStatus(.open, key: "gap-b", at: F.at(2))
            #expect(try await store.gapStatuses() == ["gap-a": .ignored])
            try await store.checkWritable(at: F.now)
            try await store.checkWritable(at: F.at(1))
        }
    }

    @Test(arguments: StoreEngine.available) func votesAreRecordedChangedOrUnchanged(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("taxi?", at: 0, answerID: "a1"))
            try await store.record(F.question("train?", at: 5, answerID: "a2"))
            #expect(try await store.latestAnswer(for: F.alice, since: F.now) == "a2")
            #expect(try await store.latestAnswer(for: F.alice, since: F.at(6)) == nil)
            #expect(try await store.latestAnswer(for: F.bob, since: F.now) == nil)
            #expect(try await store.recordAnswerVote(answerID: "a1", learner: F.alice, helpful: true, at: F.now) == .recorded)
            #expect(try await store.recordAnswerVote(answerID: "a1", learner: F.alice, helpful: true, at: F.at(1)) == .unchanged)
            #expect(try await store.recordAnswerVote(answerID: "a1", learner: F.alice, helpful: false, at: F.at(2)) == .changed)
            #expect(try await store.recordAnswerVote(answerID: "a1", learner: F.bob, helpful: true, at: F.at(2)) == .recorded)
            #expect(try await store.recordAnswerVote(answerID: "nope", learner: F.bob, helpful: true, at: F.at(2)) == .unknownAnswer)
            let counts = try await store.answerVoteCounts()
            #expect(counts.helpful == 1 && counts.notHelpful == 1)
        }
    }

    @Test(arguments: StoreEngine.available) func anAskedNuggetBecomesAReviewCardOnce(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.record(F.question("taxi?", at: 0, review: "q-taxi"))
            try await store.record(F.question("taxi again?", at: 60, review: "q-taxi-2"))
            let cards = try await store.cards(for: F.alice)
            #expect(Array(cards.keys) == ["q-taxi"], "the second time the nugget is given, no new card")
            #expect(cards["q-taxi"]?.due == F.now && cards["q-taxi"]?.state == .learning)
            #expect(try await store.stats(for: F.alice, at: F.at(1)).dueNow == 1)
        }
    }

    @Test(arguments: StoreEngine.available) func roomsRememberWhetherTheyAreDirect(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            #expect(try await !store.isDirectRoom(platform: "matrix", room: "!a"))
            try await store.setRoom(platform: "matrix", room: "!a", isDirect: true)
            #expect(try await store.isDirectRoom(platform: "matrix", room: "!a"))
            try await store.setRoom(platform: "matrix", room: "!a", isDirect: false)
            #expect(try await !store.isDirectRoom(platform: "matrix", room: "!a"))
            #expect(try await !store.isDirectRoom(platform: "slack", room: "!a"))
        }
    }
}
