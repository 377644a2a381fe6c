import FlowLearnCore
import FlowLearnPoster
import FlowLearnServer
import FlowLearnSlack
import FlowLearnStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("Nudges: subscriptions through the router, durable delivery to a local sink")
struct NudgeTests {
    static let learner = Learner(platform: "slack", team: "T0001", user: "U2147483697")

    func subscribe(_ store: SQLiteStore, _ users: [String], zone: String = "UTC", time: String = "09:30", channel: String? = nil) async throws {
        for user in users {
            let learner = Learner(platform: "slack", team: "T0001", user: user)
            try await store.saveSubscription(NudgeSubscription(learner: learner, channel: channel ?? user, time: LocalTime(time)!, timeZone: zone))
        }
    }

    @Test func subscriptionCommandsThroughTheRouterLearnTheTimeZone() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(body: #"{"ok":true,"user":{"id":"U2147483697","tz":"Asia/Tokyo","tz_offset":32400}}"#)])
        let server = try TestServer(sink: sink)
        @Sendable func learn(_ text: String, _ client: some TestClientProtocol) async throws -> String {
            let response = try await client.slack(.commands, SlackRequests.slashCommand(text: text, responseURL: server.responseURL), server: server)
            #expect(response.status == .ok)
            return String(buffer: response.body)
        }
        try await server.application().test(.router) { client in
            let on = try await learn("nudges on", client)
            #expect(on.contains("Nudges are on") && on.contains("09:30"))
            let lookup = try #require(try await sink.waitForRequests(1).first)
            #expect(lookup.method == "GET" && lookup.path == "/api/users.info?user=U2147483697")
            #expect(lookup.headers["authorization"] == "Bearer xoxb-test-token")
            var zone: String?
            for _ in 0..<100 where zone == nil {
                zone = try await server.store.subscription(for: Self.learner)?.timeZone
                if zone == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(zone == "Asia/Tokyo")
            do {
                let answer = try await learn("nudges on 22:00", client)
                #expect(answer.contains("inside quiet hours"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges on 08:45 security", client)
                #expect(answer.contains("at 08:45 your time (Asia/Tokyo) on working days, about security"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges pause 2w", client)
                #expect(answer.contains("paused until 2025-12-14"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges status", client)
                #expect(answer.contains("paused until"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges resume", client)
                #expect(answer.contains("resumed"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges off", client)
                #expect(answer.contains("Nudges are off"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges status", client)
                #expect(answer.contains("Nudges are off"), "\(answer)")
            }
            do {
                let answer = try await learn("nudges sometimes", client)
                #expect(answer.contains("nudges on [HH:MM]"), "\(answer)")
            }
        }
        let subscription = try #require(try await server.store.subscription(for: Self.learner))
        #expect(!subscription.enabled && subscription.time == LocalTime("08:45") && subscription.topics == ["security"])
        #expect(await sink.received().count == 1, "the time zone is asked once")
    }

    @Test func newYorkAndTokyoEachGetExactlyOneNudgeAt0930OnWorkingDays() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        try await subscribe(server.store, ["UNEWYORK"], zone: "America/New_York")
        try await subscribe(server.store, ["UTOKYO"], zone: "Asia/Tokyo")
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        // Every quarter of an hour from Sunday 2026-11-29 00:00 UTC to Sunday 2026-12-06 24:00 UTC.
        let start = FSRSHistory.parse("2026-11-29T00:00:00Z")!
        var sentAt: [(String, String)] = []
        for step in 0..<(8 * 24 * 4) {
            let now = start.addingTimeInterval(Double(step) * 900)
            try await planning.planAndEnqueue(at: now)
            let before = await sink.received().count
            try await courier.deliverDue(at: { now })
            for request in await sink.received().dropFirst(before) {
                sentAt.append((request.json?["channel"] as? String ?? "?", FSRSHistory.format(now)))
            }
        }
        let newYork = sentAt.filter { $0.0 == "UNEWYORK" }.map(\.1)
        let tokyo = sentAt.filter { $0.0 == "UTOKYO" }.map(\.1)
        #expect(newYork == ["2026-11-30T14:30:00Z", "2026-12-01T14:30:00Z", "2026-12-02T14:30:00Z", "2026-12-03T14:30:00Z", "2026-12-04T14:30:00Z"])
        #expect(tokyo == ["2026-11-30T00:30:00Z", "2026-12-01T00:30:00Z", "2026-12-02T00:30:00Z", "2026-12-03T00:30:00Z", "2026-12-04T00:30:00Z"])
        let bodies = await sink.received().map(\.text)
        #expect(bodies.allSatisfy { $0.contains("nudge.more") && $0.contains("Your daily nugget") })
        for channel in ["UNEWYORK", "UTOKYO"] {
            let nuggets = await sink.received().filter { $0.json?["channel"] as? String == channel }.compactMap { $0.json?["text"] as? String }
            #expect(nuggets.count == 5 && Set(nuggets).count == 5, "no nugget repeats while unseen ones remain: \(nuggets)")
        }
        #expect(await sink.received().allSatisfy { $0.headers["authorization"] == "Bearer xoxb-test-token" })
    }

    @Test func deliveryRetriesOn500HonoursRetryAfterAndDeadLetters() async throws {
        let sink = try await LocalHTTPSink(answers: [
            .init(status: .internalServerError, body: "{}"),
            .init(status: .tooManyRequests, headers: ["Retry-After": "1"], body: #"{"ok":false,"error":"ratelimited"}"#),
            .init(),
        ])
        var server = try TestServer(sink: sink)
        server.configuration.poster.backoffSeconds = 0.01
        try await subscribe(server.store, ["U1"])
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2026-12-01T09:35:00Z")!
        let (_, added) = try await planning.planAndEnqueue(at: now)
        #expect(added == 1)
        let started = ContinuousClock.now
        let (sent, failed) = try await courier.deliverDue(at: { now })
        #expect(sent == 1 && failed == 0)
        #expect(ContinuousClock.now - started >= .seconds(1), "Retry-After: 1 was honoured")
        #expect(await sink.received().count == 3)
        let (_, again) = try await planning.planAndEnqueue(at: now.addingTimeInterval(60))
        #expect(again == 0, "planning again the same day adds nothing")

        // A sink that always fails: retried by the outbox, then dead-lettered.
        let broken = try await LocalHTTPSink(answers: [.init(status: .badGateway, body: "{}")])
        var failing = try TestServer(sink: broken)
        failing.configuration.poster.maxAttempts = 2
        failing.configuration.poster.backoffSeconds = 0.01
        failing.configuration.nudges.maxAttempts = 3
        failing.configuration.nudges.retryBackoffSeconds = 0
        try await subscribe(failing.store, ["U2", "U3"])
        let (plan2, courier2, poster2) = try failing.nudgeWorkers()
        defer { poster2.shutdown() }
        try await plan2.planAndEnqueue(at: now)
        let result = try await courier2.deliverDue(at: { now })
        #expect(result.sent == 0 && result.failed == 6)
        #expect(await broken.received().count == 12, "3 outbox attempts × 2 poster attempts × 2 nudges")
        let status = try await failing.store.nudgeStatus(deadLimit: 10)
        #expect(status.counts[.dead] == 2 && status.dead.allSatisfy { $0.lastError == "HTTP 502" && $0.attempts == 3 })
        // Slack's "HTTP 200 but ok:false" is a failure too.
        let refusing = try await LocalHTTPSink(answers: [.init(body: #"{"ok":false,"error":"channel_not_found"}"#)])
        var refused = try TestServer(sink: refusing)
        refused.configuration.nudges.maxAttempts = 1
        try await subscribe(refused.store, ["U4"])
        let (plan3, courier3, poster3) = try refused.nudgeWorkers()
        defer { poster3.shutdown() }
        try await plan3.planAndEnqueue(at: now)
        try await courier3.deliverDue(at: { now })
        #expect(try await refused.store.nudgeStatus(deadLimit: 1).dead.first?.lastError == "channel_not_found")
    }

    @Test func slowResponsesAreSentConcurrentlyAndOneChannelIsPaced() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(delay: .milliseconds(300))])
        var server = try TestServer(sink: sink)
        server.configuration.nudges.concurrency = 8
        server.configuration.poster.workers = 8
        server.configuration.nudges.perChannelPerSecond = 0
        try await subscribe(server.store, (0..<16).map { "USLOW\($0)" })
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2026-12-01T09:30:00Z")!
        try await planning.planAndEnqueue(at: now)
        let (sent, _) = try await courier.deliverDue(at: { now })
        #expect(sent == 16)
        // Counted at the sink, not timed: a loaded machine makes the run slower, not less concurrent.
        let overlapping = await sink.maximumConcurrency()
        #expect(overlapping >= 2, "slow answers of 300 ms are waited for side by side (at most \(overlapping) at once)")

        let paced = try await LocalHTTPSink()
        var shared = try TestServer(sink: paced)
        shared.configuration.nudges.perChannelPerSecond = 4
        try await subscribe(shared.store, ["UA", "UB", "UC", "UD", "UE"], channel: "CSHARED")
        let (plan2, courier2, poster2) = try shared.nudgeWorkers()
        defer { poster2.shutdown() }
        try await plan2.planAndEnqueue(at: now)
        let start2 = ContinuousClock.now
        #expect(try await courier2.deliverDue(at: { now }).sent == 5)
        #expect(ContinuousClock.now - start2 >= .milliseconds(950), "five posts into one channel at 4 per second take a second")
    }

    @Test func feedbackButtonsAreStored() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        try await subscribe(server.store, ["U2147483697"])
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2025-12-01T09:30:00Z")!
        let (planned, _) = try await planning.planAndEnqueue(at: now)
        try await courier.deliverDue(at: { now })
        let key = try #require(planned.first?.key)
        try await server.application().test(.router) { client in
            let click = SlackRequests.blockActions(
                actionID: SlackNudgeEncoder.lessAction, value: key, triggerID: "fb1", responseURL: server.responseURL, blockID: "nudge:\(key)")
            let response = try await client.slack(.interactions, click, server: server)
            #expect(response.status == .ok)
            let received = try await sink.waitForRequests(2)
            #expect(received.last?.text.contains("Thanks, noted") == true)
        }
        let feedback = try await server.store.nudgeFeedback()
        #expect(feedback.values.map(\.notUseful) == [1])
    }
}
