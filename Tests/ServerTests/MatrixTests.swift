import FlowLearnCore
import FlowLearnMatrix
import FlowLearnServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Matrix application service: verify, decode, encode, and through the router to a local sink")
struct MatrixTests {
    static let service = MatrixAppService(
        homeserverURL: "http://127.0.0.1:8008/", serverName: "example.org", botLocalpart: "flowlearn", asToken: "as-secret",
        hsToken: "hs-secret")

    static func transaction(_ events: [[String: Any]]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: ["events": events]))
    }

    static func message(_ body: String, id: String, room: String = "!room:example.org", sender: String = "@alice:example.org", mentions: [String]? = nil) -> [String: Any] {
        var content: [String: Any] = ["msgtype": "m.text", "body": body]
        if let mentions { content["m.mentions"] = ["user_ids": mentions] }
        return [
            "type": "m.room.message", "event_id": id, "room_id": room, "sender": sender, "origin_server_ts": 1_764_500_000_000,
            "content": content, "unsigned": ["age": 12],
        ]
    }

    static func invite(room: String, id: String, direct: Bool) -> [String: Any] {
        [
            "type": "m.room.member", "event_id": id, "room_id": room, "sender": "@alice:example.org", "state_key": "@flowlearn:example.org",
            "content": ["membership": "invite", "is_direct": direct, "displayname": "flowlearn"],
        ]
    }

    /// Transactions are handled before they are acknowledged, and every reply is kept in the store
    /// until posted: once the store holds none, nothing more will reach the sink. (Waits on that,
    /// bounded, instead of sleeping to prove that nothing happened.)
    static func waitUntilRepliesAreSent(_ server: TestServer) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !server.store.keptReplies().isEmpty {
            try #require(ContinuousClock.now < deadline, "replies still kept after 10 s")
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func verifiesTheHomeserverToken() {
        let service = Self.service
        #expect(service.isFromHomeserver(authorization: "Bearer hs-secret", accessToken: nil))
        #expect(service.isFromHomeserver(authorization: nil, accessToken: "hs-secret"), "older homeservers send ?access_token=")
        #expect(!service.isFromHomeserver(authorization: "Bearer as-secret", accessToken: nil))
        #expect(!service.isFromHomeserver(authorization: nil, accessToken: nil))
        #expect(!service.isFromHomeserver(authorization: "Basic hs-secret", accessToken: nil))
        let unset = MatrixAppService(homeserverURL: "http://h", serverName: "s", botLocalpart: "b", asToken: "", hsToken: "")
        #expect(!unset.isFromHomeserver(authorization: "Bearer ", accessToken: ""), "no token configured refuses everything")
    }

    @Test func decodesMessagesInvitesAndIgnoresTheBotsOwnEvents() throws {
        let events = try Self.service.decodeTransaction(Self.transaction([
            Self.invite(room: "!dm:example.org", id: "$1", direct: true),
            Self.message("flowlearn: how do I claim a taxi?", id: "$2"),
            Self.message("how do I claim a taxi?", id: "$3", mentions: ["@flowlearn:example.org"]),
            Self.message("talking to myself", id: "$4", sender: "@flowlearn:example.org"),
            ["type": "m.room.message", "event_id": "$5", "room_id": "!r:example.org", "sender": "@alice:example.org", "content": ["msgtype": "m.image", "body": "cat.png"]],
            ["type": "m.reaction", "event_id": "$6", "room_id": "!r:example.org", "sender": "@alice:example.org", "content": [:]],
        ]))
        #expect(events[0] == .invite(room: "!dm:example.org", eventID: "$1", sender: "@alice:example.org", isDirect: true))
        #expect(events[1] == .message(room: "!room:example.org", eventID: "$2", sender: "@alice:example.org", text: "how do I claim a taxi?", mentionsBot: true))
        #expect(events[2] == .message(room: "!room:example.org", eventID: "$3", sender: "@alice:example.org", text: "how do I claim a taxi?", mentionsBot: true))
        guard case .ignored = events[3], case .ignored = events[4], case .ignored = events[5] else {
            Issue.record("own events, images and reactions are ignored: \(events)")
            return
        }
        #expect(throws: MatrixAppService.DecodingError.self) { try Self.service.decodeTransaction(Array("{\"events\": 3}".utf8)) }
    }

    @Test func encodesNoticesJoinsAndTheRegistration() throws {
        let notice = Self.service.notice("Taxi expenses\n\nKeep the receipt.", room: "!room:example.org", transactionID: "fl123")
        #expect(notice.method == "PUT")
        #expect(notice.url == "http://127.0.0.1:8008/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/fl123?user_id=%40flowlearn%3Aexample.org")
        #expect(notice.headers.contains { $0.name == "Authorization" && $0.value == "Bearer as-secret" && $0.isSecret })
        let body = try #require(try JSONSerialization.jsonObject(with: Data(notice.body)) as? [String: String])
        #expect(body == ["msgtype": "m.notice", "body": "Taxi expenses\n\nKeep the receipt."])
        #expect(Self.service.join(room: "!a:b").url == "http://127.0.0.1:8008/_matrix/client/v3/join/%21a%3Ab?user_id=%40flowlearn%3Aexample.org")
        #expect(MatrixAppService.transactionID(replyingTo: "$x") == MatrixAppService.transactionID(replyingTo: "$x"))
        #expect(MatrixAppService.transactionID(replyingTo: "$x") != MatrixAppService.transactionID(replyingTo: "$y"))
        let yaml = Self.service.registrationYAML(id: "flowlearn", url: "http://127.0.0.1:8080")
        for line in ["id: flowlearn", "url: \"http://127.0.0.1:8080\"", "as_token: \"as-secret\"", "hs_token: \"hs-secret\"", "sender_localpart: flowlearn",
            "regex: \"@flowlearn:example\\.org\""]
        {
            #expect(yaml.contains(line), "\(line) in \(yaml)")
        }
    }

    func server(_ sink: LocalHTTPSink) throws -> TestServer {
        var server = try TestServer(sink: sink)
        server.configuration.matrix.enabled = true
        server.configuration.matrix.homeserverURL = sink.baseURL
        server.configuration.matrix.serverName = "example.org"
        server.environment["MATRIX_AS_TOKEN"] = "as-secret"
        server.environment["MATRIX_HS_TOKEN"] = "hs-secret"
        return server
    }

    func put(_ client: some TestClientProtocol, txn: String, _ body: [UInt8], token: String? = "hs-secret") async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: "/_matrix/app/v1/transactions/\(txn)", method: .put, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test func inviteQuestionAndQuizThroughTheRouterEndAtTheSink() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let invite = try await put(client, txn: "t1", Self.transaction([Self.invite(room: "!dm:example.org", id: "$inv", direct: true)]))
            #expect(invite.status == .ok)
            let join = try #require(try await sink.waitForRequests(1).first)
            #expect(join.method == "POST" && join.path.hasPrefix("/_matrix/client/v3/join/%21dm%3Aexample.org?user_id=%40flowlearn%3Aexample.org"))
            #expect(join.headers["authorization"] == "Bearer as-secret")

            let question = Self.transaction([Self.message("how do I get reimbursed for a taxi ride?", id: "$q1", room: "!dm:example.org")])
            #expect(try await put(client, txn: "t2", question).status == .ok)
            #expect(try await put(client, txn: "t2", question).status == .ok, "a resent transaction is acknowledged")
            let received = try await sink.waitForRequests(2)
            let reply = try #require(received.last)
            #expect(reply.method == "PUT" && reply.path.contains("/send/m.room.message/fl"))
            #expect(reply.json?["msgtype"] as? String == "m.notice")
            #expect((reply.json?["body"] as? String)?.hasPrefix("Taxi and ride-share expenses") == true)

            #expect(try await put(client, txn: "t3", Self.transaction([Self.message("quiz security", id: "$quiz", room: "!dm:example.org")])).status == .ok)
            let quiz = try await sink.waitForRequests(3)
            #expect((quiz.last?.json?["body"] as? String)?.contains("Question 1 of 5") == true)
            #expect((quiz.last?.json?["body"] as? String)?.contains("  1) ") == true, "numbered choices")
            #expect(try await put(client, txn: "t4", Self.transaction([Self.message("2", id: "$a1", room: "!dm:example.org")])).status == .ok)
            let answered = try await sink.waitForRequests(4)
            #expect((answered.last?.json?["body"] as? String)?.contains("Question 2 of 5") == true)

            // In a room that is not a direct chat, only mentions are answered.
            #expect(try await put(client, txn: "t5", Self.transaction([
                Self.message("how do I connect to the VPN?", id: "$g1", room: "!group:example.org"),
                Self.message("flowlearn: how do I connect to the VPN?", id: "$g2", room: "!group:example.org"),
            ])).status == .ok)
            let group = try await sink.waitForRequests(5)
            #expect(group.count == 5)
            #expect(group.last?.path.contains("%21group%3Aexample.org") == true)
        }
        try await Self.waitUntilRepliesAreSent(server)
        #expect(await sink.received().count == 5, "the resent transaction and the unmentioned message got no reply")
        let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 10)
        #expect(logged.filter { $0.platform == "matrix" }.count == 2)
    }

    @Test func personalNudgesAreSetUpInADirectChatAndArriveThere() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        let learner = Learner(platform: "matrix", user: "@alice:example.org")
        try await server.application().test(.router) { client in
            #expect(try await put(client, txn: "n1", Self.transaction([Self.invite(room: "!dm:example.org", id: "$inv", direct: true)])).status == .ok)
            _ = try await sink.waitForRequests(1)
            let on = Self.transaction([Self.message("nudges on 09:30 Europe/Berlin security", id: "$on", room: "!dm:example.org")])
            #expect(try await put(client, txn: "n2", on).status == .ok)
            let reply = try #require(try await sink.waitForRequests(2).last?.json?["body"] as? String)
            #expect(reply.hasPrefix("Nudges are on") && reply.contains("09:30") && reply.contains("Europe/Berlin") && reply.contains("security"))
            #expect(reply.contains("`nudges off`"), "no command prefix on Matrix: \(reply)")
            // In a group room the bot points to a direct chat and changes nothing.
            let group = Self.transaction([Self.message("flowlearn: !nudges on 10:00", id: "$grp", room: "!group:example.org")])
            #expect(try await put(client, txn: "n3", group).status == .ok)
            #expect((try await sink.waitForRequests(3).last?.json?["body"] as? String)?.contains("direct chat") == true)
        }
        let subscription = try #require(try await server.store.subscription(for: learner))
        #expect(subscription.channel == "!dm:example.org" && subscription.timeZone == "Europe/Berlin" && subscription.time == LocalTime("09:30")!)
        #expect(subscription.topics == ["security"])

        // 09:30 in Berlin on Tuesday 1 December is 08:30 UTC.
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        #expect(try await planning.planAndEnqueue(at: FSRSHistory.parse("2026-12-01T08:29:00Z")!).added == 0)
        let now = FSRSHistory.parse("2026-12-01T08:31:00Z")!
        #expect(try await planning.planAndEnqueue(at: now).added == 1)
        #expect(try await courier.deliverDue(at: { now }).sent == 1)
        let nudge = try #require(await sink.received().last)
        #expect(nudge.method == "PUT" && nudge.path.hasPrefix("/_matrix/client/v3/rooms/%21dm%3Aexample.org/send/m.room.message/"))
        #expect(nudge.headers["authorization"] == "Bearer as-secret")
        #expect((nudge.json?["body"] as? String)?.hasPrefix("Nugget of the day") == true)
    }

    @Test func aDueReviewQuestionNudgeIsAnsweredByTypingItsNumber() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        let learner = Learner(platform: "matrix", user: "@alice:example.org")
        let room = "!dm:example.org"
        try await server.store.setRoom(platform: "matrix", room: room, isDirect: true)
        try await server.store.saveSubscription(NudgeSubscription(learner: learner, channel: room, time: LocalTime("09:30")!, timeZone: "UTC"))
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        try await server.application().test(.router) { client in
            // Miss the first question of a quiz (at TestServer.now, Sunday 30 November 2025), then stop.
            #expect(try await put(client, txn: "q1", Self.transaction([Self.message("quiz", id: "$quiz", room: room)])).status == .ok)
            _ = try await sink.waitForRequests(1)
            let quiz = try #require(try await server.store.activeSession(for: learner))
            let missed = try #require(SlackQuizTests.pack.questions.first { $0.id == quiz.questionIDs[0] })
            let wrong = missed.choices.indices.first { !missed.answers.contains($0) }!
            #expect(try await put(client, txn: "q2", Self.transaction([Self.message("\(wrong + 1)", id: "$miss", room: room)])).status == .ok)
            _ = try await sink.waitForRequests(2)
            #expect(try await put(client, txn: "q3", Self.transaction([Self.message("quiz stop", id: "$stop", room: room)])).status == .ok)
            _ = try await sink.waitForRequests(3)

            // Tuesday 09:30 UTC: the missed question is due, so the nudge is that question.
            let tuesday = FSRSHistory.parse("2025-12-02T09:31:00Z")!
            #expect(try await planning.planAndEnqueue(at: tuesday).added == 1)
            #expect(try await courier.deliverDue(at: { tuesday }).sent == 1)
            let nudge = try #require(try await sink.waitForRequests(4).last)
            #expect(nudge.path.hasPrefix("/_matrix/client/v3/rooms/%21dm%3Aexample.org/send/m.room.message/"))
            let body = try #require(nudge.json?["body"] as? String)
            #expect(body.contains("Question 1 of 1 (review): \(missed.prompt)"), "\(body)")

            // Typing the right number answers it, in the same chat.
            let right = missed.answers.map { "\($0 + 1)" }.joined(separator: " ")
            #expect(try await put(client, txn: "q4", Self.transaction([Self.message(right, id: "$right", room: room)])).status == .ok)
            let verdict = try #require(try await sink.waitForRequests(5).last?.json?["body"] as? String)
            #expect(verdict.contains("Right") || verdict.contains("right"), "\(verdict)")
        }
        let stats = try await server.store.stats(for: learner, at: FSRSHistory.parse("2025-12-02T09:35:00Z")!)
        #expect(stats.answered == 2 && stats.correct == 1, "the miss and the nudge's right answer")
    }

    @Test func forgedOrMissingTokenIs403AndChangesNothing() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let body = Self.transaction([Self.invite(room: "!dm:example.org", id: "$inv", direct: true)])
            for token in ["as-secret", "wrong", nil] as [String?] {
                let response = try await put(client, txn: "forged", body, token: token)
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("M_FORBIDDEN"))
            }
            let garbage = try await put(client, txn: "bad", Array("not json".utf8))
            #expect(garbage.status == .badRequest)
        }
        try await Self.waitUntilRepliesAreSent(server)
        #expect(await sink.received().isEmpty)
        #expect(try await server.store.isDirectRoom(platform: "matrix", room: "!dm:example.org") == false)
    }
}
