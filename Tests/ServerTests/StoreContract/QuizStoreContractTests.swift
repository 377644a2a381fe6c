import FlowLearnCore
import Foundation
import Testing

/// The store contract for quizzes: sessions, answers, cards and the review log, stats,
/// leaderboards, leeches and their alerts.
@Suite("Store contract: quizzes")
struct QuizStoreContractTests {
    typealias F = StoreFixtures

    @Test(arguments: StoreEngine.available) func answersAdvanceTheSessionOnceAndSchedulesTheCard(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.startSession(F.session("s1"))
            try await store.startSession(F.session("s2", at: 10))
            #expect(try await store.session(id: "s1")?.state == .stopped, "a new quiz stops the one before")
            #expect(try await store.activeSession(for: F.alice)?.id == "s2")
            let first = F.answer("s2", position: 0, question: "q1", action: "act-1", at: 20)
            guard case .recorded(let after) = try await store.recordAnswer(first, schedule: F.schedule(first)) else {
                Issue.record("not recorded")
                return
            }
            #expect(after.position == 1 && after.correct == 1 && after.state == .active)
            #expect(try await store.isRecorded(actionID: "act-1"))
            #expect(try await store.recordAnswer(first, schedule: F.schedule(first)) == .repeatedAction)
            let doubleClick = F.answer("s2", position: 0, question: "q1", action: "act-1b", at: 21)
            #expect(try await store.recordAnswer(doubleClick, schedule: F.schedule(doubleClick)) == .stale(after))
            let unknown = F.answer("nope", position: 0, question: "q1", action: "act-x", at: 21)
            #expect(try await store.recordAnswer(unknown, schedule: F.schedule(unknown)) == .stale(nil))
            let second = F.answer("s2", position: 1, question: "q2", action: "act-2", correct: false, at: 30)
            guard case .recorded(let finished) = try await store.recordAnswer(second, schedule: F.schedule(second)) else {
                Issue.record("not recorded")
                return
            }
            #expect(finished.state == .finished && finished.correct == 1 && finished.position == 2)
            #expect(try await store.activeSession(for: F.alice) == nil)
            let cards = try await store.cards(for: F.alice)
            #expect(cards["q1"]?.due == F.at(20 + 86_400) && cards["q1"]?.lastReview == F.at(20) && cards["q1"]?.stability == 2)
            #expect(cards["q2"]?.lapses == 1)
            let stats = try await store.stats(for: F.alice, at: F.at(60))
            #expect(stats.answered == 2 && stats.correct == 1 && stats.cards == 2 && stats.dueNow == 0 && stats.streakDays == 1)
            #expect(try await store.stats(for: F.alice, at: F.at(2 * 86_400)).dueNow == 2)
            #expect(try await store.stopSession(for: F.alice) == nil)
        }
    }

    @Test(arguments: StoreEngine.available) func aRightAnswerCanBeRefinedOnceWhileItIsTheLatestReview(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.startSession(F.session("s1"))
            let answer = F.answer("s1", position: 0, question: "q1", action: "a1", at: 5)
            _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
            let refined = try await store.refineReview(sessionID: "s1", position: 0, learner: F.alice, rating: .easy) { previous, at in
                #expect(previous == nil, "the card was new before this review")
                return FSRSCard(state: .review, step: nil, stability: 9, difficulty: 3, due: at.addingTimeInterval(9 * 86_400), lastReview: at)
            }
            #expect(refined?.stability == 9)
            #expect(try await store.cards(for: F.alice)["q1"]?.due == F.at(5 + 9 * 86_400))
            let again = try await store.refineReview(sessionID: "s1", position: 0, learner: F.alice, rating: .hard) { _, at in FSRSCard(due: at) }
            #expect(again == nil, "refined once")
            #expect(try await store.refineReview(sessionID: "s1", position: 0, learner: F.bob, rating: .easy) { _, at in FSRSCard(due: at) } == nil)
            try await store.startSession(F.session("s2", at: 10))
            #expect(try await store.stopSession(for: F.alice)?.id == "s2")
            #expect(try await store.session(id: "s2")?.state == .stopped)
        }
    }

    @Test(arguments: StoreEngine.available) func leaderboardsCountMembersAnswersInTheirChannel(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            try await store.setLeaderboardMembership(F.alice, channel: "C1", joined: true)
            try await store.setLeaderboardMembership(F.bob, channel: "C1", joined: true)
            try await store.setLeaderboardMembership(F.bob, channel: "C1", joined: true)
            for (learner, session, correct) in [(F.alice, "sa", [true, false]), (F.bob, "sb", [true, true])] {
                try await store.startSession(F.session(session, for: learner))
                for (position, right) in correct.enumerated() {
                    let answer = F.answer(session, position: position, question: "q\(position + 1)", action: "\(session)-\(position)", correct: right)
                    _ = try await store.recordAnswer(answer, schedule: F.schedule(answer))
                }
            }
            let board = try await store.leaderboard(platform: "slack", channel: "C1", limit: 10)
            #expect(board == [LeaderboardEntry(user: "UBOB", correct: 2, answered: 2), LeaderboardEntry(user: "UALICE", correct: 1, answered: 2)])
            try await store.setLeaderboardMembership(F.bob, channel: "C1", joined: false)
            #expect(try await store.leaderboard(platform: "slack", channel: "C1", limit: 10).map(\.user) == ["UALICE"])
            #expect(try await store.leaderboard(platform: "slack", channel: "C2", limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreEngine.available) func leechesAreListedAndAlertedOncePerInterval(_ engine: StoreEngine) async throws {
        try await StoreDatabase.withDatabase(engine) { database in
            let store = try await database.replica()
            for (learner, session, at) in [(F.alice, "sa", 10.0), (F.bob, "sb", 20.0)] {
                try await store.startSession(F.session(session, for: learner, questions: ["q-hard"]))
                let answer = F.answer(session, position: 0, question: "q-hard", action: "\(session)-0", correct: false, at: at)
                _ = try await store.recordAnswer(answer, schedule: F.schedule(answer, leech: true))
            }
            let leeches = try await store.leeches()
            #expect(leeches == [LeechQuestion(questionID: "q-hard", learners: 2, since: F.at(10))])
            #expect(try await store.stats(for: F.alice, at: F.at(10 * 86_400)).dueNow == 0, "a leech is not scheduled")
            let week: TimeInterval = 7 * 86_400
            #expect(try await store.claimLeechAlerts(at: F.at(100), every: week).map(\.questionID) == ["q-hard"])
            #expect(try await store.claimLeechAlerts(at: F.at(200), every: week).isEmpty, "alerted within the week")
            try await store.releaseLeechAlert(questionID: "q-hard", claimedAt: F.at(100))
            #expect(try await store.claimLeechAlerts(at: F.at(300), every: week).map(\.questionID) == ["q-hard"], "released: claimed again")
            #expect(try await store.claimLeechAlerts(at: F.at(300 + week), every: week).count == 1, "a week later: again")
        }
    }
}
