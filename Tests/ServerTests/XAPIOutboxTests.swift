import FlowLearnConfig
import FlowLearnCore
import FlowLearnPoster
import FlowLearnServer
import FlowLearnStore
import FlowLearnXAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The xAPI outbox: records kept with the rows they describe, delivered by PUT with their ids to a
/// local HTTP sink standing in for the LRS, through the real libcurl poster.
@Suite("xAPI outbox and delivery")
struct XAPIOutboxTests {
    static let now = Date(timeIntervalSince1970: 1_764_500_000)
    static let alice = Learner(platform: "slack", team: "T1", user: "UALICE")
    static let bob = Learner(platform: "slack", team: "T1", user: "UBOB")

    static func settings(_ endpoint: String) -> FlowLearnConfiguration.XAPISection {
        var settings = FlowLearnConfiguration.XAPISection()
        settings.endpoint = endpoint
        settings.activityBase = "https://learning.example.com/flowlearn"
        settings.batchSize = 10
        return settings
    }

    static func ask(_ store: SQLiteStore, _ learner: Learner, answered: Bool, answerID: String? = nil) async throws {
        var entry = QuestionLogEntry(
            askedAt: now, platform: learner.platform, user: learner.user, channel: "C1", text: "how do I claim a taxi?",
            outcome: answered ? .answered : .unknown, nuggetID: answered ? "expenses-taxi-rideshare" : nil, confidence: 0.9, candidates: [],
            team: learner.team)
        entry.answerID = answerID
        try await store.record(entry)
    }

    static func poster(attempts: Int = 1) -> CurlPoster {
        var settings = PosterSettings()
        settings.maxAttempts = attempts
        settings.backoffSeconds = 0.01
        return CurlPoster(settings: settings, logger: TestServer.logger)
    }

    @Test func theBlockIsOffByDefaultAndNeedsAnActivityBaseAndNoCredentialsInTheURL() throws {
        func key(_ json: String) -> String? {
            do {
                _ = try ConfigurationLoader.parse(Data(json.utf8), file: "test.json")
                return nil
            } catch {
                return error.key
            }
        }
        #expect(try ConfigurationLoader.parse(Data("{}".utf8), file: "test.json").xapi.enabled == false)
        #expect(key(#"{"xapi": {"endpoint": "https://lrs.example.com/xAPI"}}"#) == "xapi.activityBase")
        #expect(key(#"{"xapi": {"endpoint": "https://u:p@lrs.example.com/xAPI", "activityBase": "https://l.example.com/f"}}"#) == "xapi.endpoint")
        #expect(key(#"{"xapi": {"endpoint": "lrs.example.com", "activityBase": "https://l.example.com/f"}}"#) == "xapi.endpoint")
        let good = #"{"xapi": {"endpoint": "https://lrs.example.com/xAPI", "activityBase": "https://l.example.com/f"}}"#
        #expect(key(good) == nil)
        let configuration = try ConfigurationLoader.parse(Data(good.utf8), file: "test.json")
        #expect(PlatformReadiness.xapi(configuration, environment: ["XAPI_KEY": "k"]).missing == ["XAPI_SECRET"])
        #expect(PlatformReadiness.xapi(configuration, environment: ["XAPI_KEY": "k", "XAPI_SECRET": "s"]).ready)
    }

    @Test func recordsAreKeptOnlyWhenOnWithTheRowTheyDescribeAndForgottenWithThePerson() async throws {
        let store = try SQLiteStore.inMemory()
        try await Self.ask(store, Self.alice, answered: true)
        #expect(try await store.learningRecordCounts().pending == 0, "off: nothing is kept")

        store.keepLearningRecords(true)
        try await Self.ask(store, Self.alice, answered: true, answerID: "a1")
        try await Self.ask(store, Self.bob, answered: false)
        let session = QuizSession(id: "s1", learner: Self.alice, channel: "C1", topic: nil, questionIDs: ["taxi-commute"], startedAt: Self.now)
        try await store.startSession(session)
        let answer = QuizAnswer(
            sessionID: "s1", position: 0, questionID: "taxi-commute", actionID: "act1", picks: [1], correct: false, rating: .again, answeredAt: Self.now)
        _ = try await store.recordAnswer(answer) { _ in FSRSCard(due: Self.now) }
        _ = try await store.recordAnswer(answer) { _ in FSRSCard(due: Self.now) }  // the same click again: no second record
        #expect(try await store.recordAnswerVote(answerID: "a1", learner: Self.alice, helpful: true, at: Self.now) == .recorded)
        #expect(try await store.recordAnswerVote(answerID: "a1", learner: Self.alice, helpful: true, at: Self.now.addingTimeInterval(1)) == .unchanged)
        #expect(try await store.recordAnswerVote(answerID: "a1", learner: Self.alice, helpful: false, at: Self.now.addingTimeInterval(2)) == .changed)
        _ = try await store.enqueue([
            (NudgeOutboxItem(
                key: "k-alice", recipient: Self.alice.key, platform: "slack", channel: "D1", localDate: "2025-11-30", dueAt: Self.now,
                content: .nugget(id: "vpn"), reason: "test", request: OutboundRequest(url: "http://127.0.0.1:9/", headers: [], body: [], purpose: "nudge")),
             nil),
            (NudgeOutboxItem(
                key: "k-channel", recipient: "slack:channel:C9", platform: "slack", channel: "C9", localDate: "2025-11-30", dueAt: Self.now,
                content: .nugget(id: "vpn"), reason: "test", request: OutboundRequest(url: "http://127.0.0.1:9/", headers: [], body: [], purpose: "nudge")),
             nil),
        ])
        for item in try await store.claimNudges(dueBy: Self.now, limit: 10) {
            try await store.markSent(item.id, at: Self.now)
            try await store.markSent(item.id, at: Self.now)  // marked twice: still one record
        }

        let pending = try await store.pendingLearningRecords(limit: 100).compactMap(\.record)
        let kinds = pending.map { "\($0.kind.rawValue) \($0.user)" }
        #expect(kinds == [
            "asked UALICE", "experienced UALICE", "asked UBOB", "answered UALICE", "voted UALICE", "voted UALICE", "experienced UALICE",
        ], "a channel nudge names no person and gives no record")
        let votes = pending.filter { $0.kind == .voted }
        #expect(votes.map(\.helpful) == [true, false] && Set(votes.map(\.source)).count == 2, "a changed vote is a statement of its own")
        #expect(votes.allSatisfy { $0.askedSource == pending[0].source && $0.nuggetID == "expenses-taxi-rideshare" })
        #expect(pending.last?.via == "nudge" && pending.last?.source == "nudge_outbox/k-alice")
        #expect(pending[3].picks == [1] && pending[3].correct == false && pending[3].sessionID == "s1")

        let changed = try await store.forgetPerson(Self.alice)
        #expect(changed["xapi_outbox"] == 6)
        let left = try await store.pendingLearningRecords(limit: 100).compactMap(\.record)
        #expect(left.map(\.user) == ["UBOB"], "forget removes the person's pending statements, and only theirs")
    }

    @Test func deliveryPutsEachStatementByIdRetriesA500AndCountsA409AsDelivered() async throws {
        let lrs = try await LocalHTTPSink(answers: [
            .init(status: .noContent, body: ""), .init(status: .internalServerError, body: "{}"), .init(status: .noContent, body: ""),
            .init(status: .conflict, body: "{}"),
        ])
        let store = try SQLiteStore.inMemory()
        store.keepLearningRecords(true)
        try await Self.ask(store, Self.alice, answered: true)
        try await Self.ask(store, Self.bob, answered: false)
        let poster = Self.poster()
        defer { poster.shutdown() }
        let service = XAPIService(
            store: store, poster: poster, builder: XAPIStatementBuilder(activityBase: "https://learning.example.com/flowlearn"),
            settings: Self.settings(lrs.baseURL + "/xAPI/"), environment: ["XAPI_KEY": "flowlearn", "XAPI_SECRET": "s3cret"], logger: TestServer.logger)

        #expect(try await service.deliverOnce() == .failed, "the 500 stops the round")
        #expect(try await store.learningRecordCounts().pending == 2, "the first is confirmed, the second and third wait")
        #expect(try await service.deliverOnce() == .empty)
        #expect(try await store.learningRecordCounts().pending == 0)

        let received = await lrs.received()
        #expect(received.count == 4)
        let ids = received.map { $0.path.components(separatedBy: "statementId=").last ?? "" }
        #expect(received.allSatisfy { $0.method == "PUT" && $0.path.hasPrefix("/xAPI/statements?statementId=") })
        #expect(ids[1] == ids[2], "the refused statement is sent again under the same id")
        #expect(Set(ids).count == 3)
        #expect(received.allSatisfy { $0.headers["x-experience-api-version"] == "1.0.3" })
        #expect(received.allSatisfy { $0.headers["authorization"] == "Basic " + Data("flowlearn:s3cret".utf8).base64EncodedString() })
        for request in received {
            let body = try #require(request.json)
            #expect(body["id"] as? String == request.path.components(separatedBy: "statementId=").last, "the body carries the id it is PUT under")
        }
        #expect(received[1].text == received[2].text, "a resend is the same statement, byte for byte")
        #expect(service.resultTotals == ["delivered": 2, "failed": 1, "already_stored": 1])
        let page = await service.exposition()
        #expect(page.contains("flowlearn_xapi_statements_total{result=\"delivered\"} 2"))
        #expect(page.contains("flowlearn_xapi_statements_total{result=\"already_stored\"} 1"))
        #expect(page.contains("flowlearn_xapi_pending 0"))
        await lrs.stop()
    }

    @Test func refusedCredentialsKeepEverythingAndABadStatementIsSetAside() async throws {
        let lrs = try await LocalHTTPSink(answers: [
            .init(status: .unauthorized, body: "{}"), .init(status: .badRequest, body: "{\"detail\":\"no\"}"), .init(status: .noContent, body: ""),
        ])
        let store = try SQLiteStore.inMemory()
        store.keepLearningRecords(true)
        try await Self.ask(store, Self.alice, answered: false)
        try await Self.ask(store, Self.bob, answered: false)
        let poster = Self.poster(attempts: 3)
        defer { poster.shutdown() }
        let secret = "a-secret-that-must-not-be-logged"
        let service = XAPIService(
            store: store, poster: poster, builder: XAPIStatementBuilder(activityBase: "https://learning.example.com/flowlearn"),
            settings: Self.settings(lrs.baseURL + "/xAPI"), environment: ["XAPI_KEY": "flowlearn", "XAPI_SECRET": secret], logger: TestServer.logger)
        #expect(try await service.deliverOnce() == .failed)
        #expect(try await store.learningRecordCounts() == (2, 0), "401: nothing is lost")
        #expect(try await service.deliverOnce() == .empty)
        #expect(try await store.learningRecordCounts() == (0, 1), "400: set aside, and the next one went")
        #expect(service.resultTotals == ["failed": 1, "rejected": 1, "delivered": 1])

        let unconfigured = XAPIService(
            store: store, poster: poster, builder: XAPIStatementBuilder(activityBase: "https://learning.example.com/flowlearn"),
            settings: Self.settings(lrs.baseURL + "/xAPI"), environment: [:], logger: TestServer.logger)
        try await Self.ask(store, Self.alice, answered: false)
        #expect(try await unconfigured.deliverOnce() == .failed)
        #expect(await lrs.received().count == 3, "without key and secret nothing is sent")
        await lrs.stop()
    }

    @Test func refusalsInARowPauseDeliveryAndAStatementThatKeepsFailingIsSetAsideAndRequeued() async throws {
        let lrs = try await LocalHTTPSink(answers: Array(repeating: .init(status: .badRequest, body: "{}"), count: 10))
        let store = try SQLiteStore.inMemory()
        store.keepLearningRecords(true)
        for _ in 0..<3 { try await Self.ask(store, Self.alice, answered: false) }
        let poster = Self.poster(attempts: 1)
        defer { poster.shutdown() }
        let service = XAPIService(
            store: store, poster: poster, builder: XAPIStatementBuilder(activityBase: "https://learning.example.com/flowlearn"),
            settings: Self.settings(lrs.baseURL + "/xAPI"), environment: ["XAPI_KEY": "k", "XAPI_SECRET": "s"], logger: TestServer.logger)
        #expect(try await service.deliverOnce() == .failed, "the third refusal in a row pauses delivery")
        #expect(try await store.learningRecordCounts() == (1, 2), "two set aside, the third waits")
        #expect(try await store.requeueRejectedLearningRecords() == 2)
        #expect(try await store.learningRecordCounts() == (3, 0))
        // A statement the LRS keeps failing on (5xx) is counted, and set aside after the maximum.
        let first = try #require(try await store.pendingLearningRecords(limit: 1).first)
        #expect(try await store.retryLearningRecord(first.id, reason: "HTTP 500", maximumAttempts: 2) == false)
        #expect(try await store.retryLearningRecord(first.id, reason: "HTTP 500", maximumAttempts: 2) == true)
        #expect(try await store.learningRecordCounts() == (2, 1))
        await lrs.stop()
    }

    @Test func aForgottenPersonsStatementsStopBeingPendingAndAgeOutWithTheQuestionLog() async throws {
        let store = try SQLiteStore.inMemory()
        store.keepLearningRecords(true)
        try await Self.ask(store, Self.alice, answered: true)
        let pending = try await store.pendingLearningRecords(limit: 10)
        #expect(pending.count == 2)
        _ = try await store.forgetPerson(Self.alice)
        for item in pending { #expect(try await store.isLearningRecordPending(item.id) == false, "a batch read before forget sends nothing") }
        try await Self.ask(store, Self.bob, answered: false)
        var policy = RetentionPolicy()
        policy.questionLogDays = 1
        _ = try await store.prune(policy, at: Date().addingTimeInterval(3 * 86_400), batch: 10)
        #expect(try await store.learningRecordCounts() == (0, 0), "undelivered statements age out with the question log")
    }

    @Test func theServerKeepsRecordsForSlackQuestionsAndShowsThemOnMetricsAndReadiness() async throws {
        let slack = try await LocalHTTPSink()
        var configured = try TestServer(sink: slack)
        configured.configuration.xapi = Self.settings("http://127.0.0.1:9/xAPI")
        let server = configured
        let ask = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            #expect(try await client.slack(.commands, ask, server: server).status == .ok)
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("flowlearn_xapi_pending 2"), "asked and experienced wait for the LRS")
            #expect(metrics.contains("flowlearn_xapi_statements_total{result=\"delivered\"} 0"))
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok, "missing LRS secrets do not take the server out of service")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: ready.body)) as? [String: Any])
            #expect(body["xapi"] as? String == "missing XAPI_KEY, XAPI_SECRET")
        }
        let records = try await server.store.pendingLearningRecords(limit: 10).compactMap(\.record)
        #expect(records.map(\.kind) == [.asked, .experienced])
        #expect(records.first?.learner == Learner(platform: "slack", team: "T0001", user: "U2147483697"))
        #expect(records.first?.question == "how do I get reimbursed for a taxi ride")
        await slack.stop()
    }
}
