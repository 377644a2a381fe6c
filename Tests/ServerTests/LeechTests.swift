import FlowLearnConfig
import FlowLearnCore
import FlowLearnPoster
import FlowLearnServer
import FlowLearnStore
import Foundation
import Testing

/// A question a person keeps forgetting stops being asked (Anki's leeches, after 8 lapses).
@Suite("Leeches")
struct LeechTests {
    static let learner = Learner(platform: "slack", team: "T1", user: "U1")
    static let start = Date(timeIntervalSince1970: 1_764_500_000)

    @Test func lapsesCountOnlyAgainInReviewAndTheEighthMakesALeech() {
        let review = FSRSCard(state: .review, step: nil, stability: 3, difficulty: 5, due: Self.start, lastReview: Self.start)
        var card = review
        card.lapses = 6
        #expect(Quizmaster.counted(card, after: card, rating: .good, leechLapses: 8).lapses == 6, "a right answer is no lapse")
        let learning = FSRSCard(due: Self.start)
        #expect(Quizmaster.counted(learning, after: learning, rating: .again, leechLapses: 8).lapses == 0, "not yet learned: no lapse")
        let seventh = Quizmaster.counted(card, after: card, rating: .again, leechLapses: 8)
        #expect(seventh.lapses == 7 && !seventh.isLeech)
        let eighth = Quizmaster.counted(seventh, after: seventh, rating: .again, leechLapses: 8)
        #expect(eighth.lapses == 8 && eighth.isLeech)
        #expect(!Quizmaster.counted(seventh, after: seventh, rating: .again, leechLapses: 0).isLeech, "0 turns leeches off")
    }

    @Test func aLeechIsStoredListedAndNoLongerScheduled() async throws {
        let pack = try ContentLinter.loadPack(ContentDirectory.read(TestServer.repositoryRoot + "/Intents"))
        let quizmaster = Quizmaster(questions: pack.questions, nuggets: pack.nuggets)
        let question = try #require(pack.questions.first { $0.id == "taxi-commute" })
        let store = try SQLiteStore.inMemory()
        let scheduler = QuizSettings().scheduler
        // Learned once (right), then forgotten eight times, a day apart.
        for day in 0...8 {
            let now = Self.start.addingTimeInterval(Double(day) * 86_400)
            let session = QuizSession(id: "s\(day)", learner: Self.learner, channel: "C1", topic: nil, questionIDs: [question.id], startedAt: now)
            try await store.startSession(session)
            let right = day == 0
            let rating: FSRSRating = right ? .good : .again
            let answer = QuizAnswer(
                sessionID: session.id, position: 0, questionID: question.id, actionID: "a\(day)", picks: [], correct: right, rating: rating,
                answeredAt: now)
            _ = try await store.recordAnswer(answer) { card in
                Quizmaster.counted(scheduler.review(card ?? FSRSCard(due: now), rating: rating, at: now), after: card, rating: rating, leechLapses: 8)
            }
            let stored = try #require(try await store.cards(for: Self.learner)[question.id])
            #expect(stored.lapses == day && stored.isLeech == (day == 8), "day \(day): \(stored.lapses) lapses")
        }
        let later = Self.start.addingTimeInterval(30 * 86_400)
        #expect(try await store.leeches() == [LeechQuestion(questionID: question.id, learners: 1, since: Self.start.addingTimeInterval(8 * 86_400))])
        let cards = try await store.cards(for: Self.learner)
        #expect(cards[question.id]?.due ?? .distantFuture <= later, "it would be due")
        let plan = quizmaster.plan(learner: Self.learner, topic: question.topic, cards: cards, recentTopics: [], at: later)
        #expect(!plan.isEmpty && !plan.contains { $0.id == question.id }, "the quiz leaves the leech out")
        let histories = try await store.histories(for: [Self.learner], at: later, topicOf: [:])
        #expect(histories[Self.learner.key]?.dueQuestions.contains(question.id) != true, "review nudges leave it out too")
        #expect(try await store.stats(for: Self.learner, at: later).dueNow == 0)
    }
}

@Suite("Leech alerts to nugget owners")
struct LeechAlertTests {
    static let start = Date(timeIntervalSince1970: 1_764_500_000)

    /// Makes `question` a leech for `people` learners.
    func leech(_ store: SQLiteStore, _ question: String, people: Int) async throws {
        for person in 0..<people {
            let learner = Learner(platform: "slack", team: "T1", user: "U\(question)\(person)")
            let session = QuizSession(id: "s-\(question)-\(person)", learner: learner, channel: "C1", topic: nil, questionIDs: [question], startedAt: Self.start)
            try await store.startSession(session)
            let answer = QuizAnswer(
                sessionID: session.id, position: 0, questionID: question, actionID: "a-\(question)-\(person)", picks: [], correct: false, rating: .again,
                answeredAt: Self.start)
            _ = try await store.recordAnswer(answer) { _ in
                var card = FSRSCard(state: .review, step: nil, stability: 1, difficulty: 9, due: Self.start, lastReview: Self.start)
                card.lapses = 8
                card.isLeech = true
                return card
            }
        }
    }

    @Test func eachLeechQuestionIsClaimedOncePerWeekAndAFailedOneAgain() async throws {
        let store = try SQLiteStore.inMemory()
        try await leech(store, "taxi-commute", people: 2)
        try await leech(store, "claim-deadline", people: 1)
        #expect(try await store.claimLeechAlerts(at: Self.start, every: LeechAlertService.week).map(\.questionID) == ["taxi-commute", "claim-deadline"])
        #expect(try await store.claimLeechAlerts(at: Self.start.addingTimeInterval(6 * 86_400), every: LeechAlertService.week).isEmpty)
        try await store.releaseLeechAlert(questionID: "claim-deadline", claimedAt: Self.start)
        #expect(try await store.claimLeechAlerts(at: Self.start.addingTimeInterval(60), every: LeechAlertService.week).map(\.questionID) == ["claim-deadline"])
        let week = Self.start.addingTimeInterval(LeechAlertService.week)
        #expect(try await store.claimLeechAlerts(at: week, every: LeechAlertService.week).map(\.questionID) == ["taxi-commute"])
    }

    @Test func theOwnerHearsOnceInTheConfiguredSlackChannel() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .internalServerError, body: "{}"), .init()])
        var server = try TestServer(sink: sink)
        server.configuration.quiz.leechAlertPlatform = "slack"
        server.configuration.quiz.leechAlertChannel = "C0CONTENT"
        server.configuration.poster.maxAttempts = 1
        var keyword = MatcherSettings()
        keyword.model = .keyword  // no training: this test is about the alert
        let content = try ContentLibrary(
            folder: TestServer.repositoryRoot + "/Intents", settings: keyword, quiz: server.configuration.quiz, logger: TestServer.logger)
        try await leech(server.store, "taxi-commute", people: 3)
        let setup = ApplicationSetup(configuration: server.configuration, environment: server.environment, logger: TestServer.logger, store: server.store)
        let poster = CurlPoster(settings: server.configuration.poster, logger: TestServer.logger)
        defer { poster.shutdown() }
        let clock = LeechClock(Self.start)
        let service = LeechAlertService(
            store: server.store, content: content, poster: poster, platform: "slack", channel: "C0CONTENT",
            request: LeechAlertService.requestBuilder(server.configuration, matrix: nil), credentials: FlowLearnApplication.credentials(setup),
            now: { clock.now }, logger: TestServer.logger)
        #expect(try await service.alertOnce() == 0, "the chat API failed: not counted as sent")
        #expect(try await service.alertOnce() == 1, "claimed again and sent")
        #expect(try await service.alertOnce() == 0, "once per week")
        let posts = await sink.received()
        #expect(posts.count == 2)
        let alert = try #require(posts.last)
        #expect(alert.path == "/api/chat.postMessage" && alert.headers["authorization"] == "Bearer xoxb-test-token")
        #expect(alert.json?["channel"] as? String == "C0CONTENT")
        let text = try #require(alert.json?["text"] as? String)
        #expect(text.contains("taxi-commute") && text.contains("expenses-taxi-rideshare") && text.contains("3 people") && text.contains("owner: "), "\(text)")
    }
}

final class LeechClock: Sendable {
    let now: Date
    init(_ now: Date) { self.now = now }
}
