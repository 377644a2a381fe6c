import FlowLearnCore
import FlowLearnMattermost
import FlowLearnServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Mattermost: slash commands, outgoing webhooks, signed buttons, through the router")
struct MattermostTests {
    static let learnToken = "xr3j5x3p4pfjpeshy3o6p3x5hc"
    static let quizToken = "9ybxt2jnwjyq7e7w8qyhbqaq4e"

    static func command(_ command: String, text: String, trigger: String = UUID().uuidString) -> [UInt8] {
        SlackRequests.form([
            ("channel_id", "hbtqpbjnk3nxbcnhw7fmfmnxgw"), ("channel_name", "town-square"), ("command", command), ("response_url", "http://127.0.0.1:1/hooks/commands/x"),
            ("team_domain", "lumio"), ("team_id", "tkd9w5pcp3y6zrbqzezaaeht4c"), ("text", text), ("token", command == "/quiz" ? quizToken : learnToken),
            ("trigger_id", trigger), ("user_id", "w3nk9yjjfbbczmfrcftgwk6xoh"), ("user_name", "alice"),
        ])
    }

    func server(_ sink: LocalHTTPSink) throws -> TestServer {
        var server = try TestServer(sink: sink)
        server.configuration.mattermost.enabled = true
        server.configuration.mattermost.publicURL = "https://flowlearn.lumio.example/"
        server.environment["MATTERMOST_COMMAND_TOKENS"] = "\(Self.learnToken), \(Self.quizToken)"
        server.environment["MATTERMOST_OUTGOING_TOKEN"] = "outgoing-token-123"
        return server
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ body: [UInt8], contentType: String, authorization: String? = nil)
        async throws -> TestResponse
    {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test func slashCommandNeedsItsTokenAndAnswersWithTheNugget() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let body = Self.command("/learn", text: "how do I get reimbursed for a taxi ride?")
            let good = try await post(client, "/mattermost/commands", body, contentType: "application/x-www-form-urlencoded", authorization: "Token \(Self.learnToken)")
            #expect(good.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: good.body)) as? [String: Any])
            #expect(json["response_type"] as? String == "ephemeral")
            #expect((json["text"] as? String)?.hasPrefix("**Taxi and ride-share expenses**") == true)
            for authorization in ["Token wrong", "Bearer \(Self.learnToken)", nil] as [String?] {
                let refused = try await post(client, "/mattermost/commands", body, contentType: "application/x-www-form-urlencoded", authorization: authorization)
                #expect(refused.status == .unauthorized)
            }
        }
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 5).count == 1, "refused requests leave no trace")
    }

    @Test func outgoingWebhookAnswersAsAThreadCommentOnce() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        let fields: [String: Any] = [
            "token": "outgoing-token-123", "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "team_domain": "lumio", "channel_id": "hbtqpbjnk3nxbcnhw7fmfmnxgw",
            "channel_name": "town-square", "timestamp": 1764500000000, "user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "user_name": "alice",
            "post_id": "8x5ttq6qbf8y5dffd3o5szzzsy", "text": "#learn how do I connect to the VPN?", "trigger_word": "#learn", "file_ids": "",
        ]
        let body = Array(try JSONSerialization.data(withJSONObject: fields))
        var forgedFields = fields
        forgedFields["token"] = "nope"
        let forged = Array(try JSONSerialization.data(withJSONObject: forgedFields))
        try await server.application().test(.router) { client in
            let response = try await post(client, "/mattermost/outgoing", body, contentType: "application/json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(json["response_type"] as? String == "comment")
            #expect((json["text"] as? String)?.contains("VPN") == true)
            let again = try await post(client, "/mattermost/outgoing", body, contentType: "application/json")
            #expect(String(buffer: again.body) == "{}", "the same post is answered once")
            #expect(try await post(client, "/mattermost/outgoing", forged, contentType: "application/json").status == .unauthorized)
        }
    }

    @Test func quizByButtonsWithSignedContextsAndForgedClicksRefused() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let start = try await post(
                client, "/mattermost/commands", Self.command("/quiz", text: "security"), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.quizToken)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: start.body)) as? [String: Any])
            #expect((json["text"] as? String)?.contains("Question 1 of 5") == true)
            let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["actions"] != nil, "this learner's first security question has buttons (the order is fixed per person)")
            var click: [String: Any]
            if let action = (attachment["actions"] as? [[String: Any]])?.first {
                let integration = try #require(action["integration"] as? [String: Any])
                #expect(integration["url"] as? String == "https://flowlearn.lumio.example/mattermost/actions")
                click = [
                    "user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "user_name": "alice", "channel_id": "hbtqpbjnk3nxbcnhw7fmfmnxgw",
                    "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "post_id": "p1", "trigger_id": "tr1", "type": "button",
                    "context": try #require(integration["context"] as? [String: Any]),
                ]
            } else {
                // A multiple-choice question is answered by typing the numbers.
                let typed = try await post(
                    client, "/mattermost/commands", Self.command("/quiz", text: "1"), contentType: "application/x-www-form-urlencoded",
                    authorization: "Token \(Self.quizToken)")
                #expect(String(buffer: typed.body).contains("Question 2 of 5"))
                return
            }
            let answered = try await post(client, "/mattermost/actions", Array(try JSONSerialization.data(withJSONObject: click)), contentType: "application/json")
            let update = try #require(try JSONSerialization.jsonObject(with: Data(buffer: answered.body)) as? [String: Any])
            #expect(((update["update"] as? [String: Any])?["message"] as? String)?.contains("Question 2 of 5") == true)

            var tampered = click
            var context = try #require(click["context"] as? [String: Any])
            context["choice"] = ((context["choice"] as? Int) ?? 0) + 1
            tampered["context"] = context
            tampered["trigger_id"] = "tr2"
            let refused = try await post(client, "/mattermost/actions", Array(try JSONSerialization.data(withJSONObject: tampered)), contentType: "application/json")
            #expect(refused.status == .forbidden)
            var stolen = click
            stolen["user_id"] = "someone-else"
            stolen["trigger_id"] = "tr3"
            #expect(try await post(client, "/mattermost/actions", Array(try JSONSerialization.data(withJSONObject: stolen)), contentType: "application/json").status == .forbidden)
        }
        let stats = try await server.store.stats(
            for: Learner(platform: "mattermost", team: "tkd9w5pcp3y6zrbqzezaaeht4c", user: "w3nk9yjjfbbczmfrcftgwk6xoh"), at: TestServer.now)
        #expect(stats.answered == 1)
    }

    @Test func easyAndGuessedRefineARightAnswer() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        let learner = Learner(platform: "mattermost", team: "tkd9w5pcp3y6zrbqzezaaeht4c", user: "w3nk9yjjfbbczmfrcftgwk6xoh")
        @Sendable func json(_ response: TestResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        }
        @Sendable func action(_ context: [String: Any], trigger: String) throws -> [UInt8] {
            Array(try JSONSerialization.data(withJSONObject: [
                "user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "user_name": "alice", "channel_id": "hbtqpbjnk3nxbcnhw7fmfmnxgw",
                "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c",
                "post_id": "p1", "trigger_id": trigger, "type": "button", "context": context,
            ] as [String: Any]))
        }
        try await server.application().test(.router) { client in
            let start = try json(try await post(
                client, "/mattermost/commands", Self.command("/quiz", text: ""), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.quizToken)"))
            let session = try #require(try await server.store.activeSession(for: learner))
            let question = try #require(SlackQuizTests.pack.questions.first { $0.id == session.questionIDs[0] })
            // Answer right: by the button of the right choice, or by typing the numbers of a multiple-choice question.
            let result: [String: Any]
            if question.kind == .multiple {
                result = try json(try await post(
                    client, "/mattermost/commands", Self.command("/quiz", text: question.answers.map { "\($0 + 1)" }.joined(separator: " ")),
                    contentType: "application/x-www-form-urlencoded", authorization: "Token \(Self.quizToken)"))
            } else {
                let actions = try #require((start["attachments"] as? [[String: Any]])?.first?["actions"] as? [[String: Any]])
                let context = try #require(actions.compactMap { ($0["integration"] as? [String: Any])?["context"] as? [String: Any] }
                    .first { $0["choice"] as? Int == question.answers[0] })
                let update = try json(try await post(client, "/mattermost/actions", try action(context, trigger: "right"), contentType: "application/json"))
                result = try #require((update["update"] as? [String: Any])?["props"] as? [String: Any])
            }
            let attachments = try #require(result["attachments"] as? [[String: Any]])
            let refine = try #require(attachments.first?["actions"] as? [[String: Any]])
            #expect(refine.map { $0["name"] as? String } == ["That was easy", "I guessed"])
            #expect(attachments.count == 2, "the next question follows")
            let easy = try #require((refine[0]["integration"] as? [String: Any])?["context"] as? [String: Any])
            let good = try #require(try await server.store.cards(for: learner)[question.id]?.due)

            // A refinement context whose kind was changed is refused.
            var forged = easy
            forged["refine"] = "guessed"
            #expect(try await post(client, "/mattermost/actions", try action(forged, trigger: "forged"), contentType: "application/json").status == .forbidden)

            let noted = try json(try await post(client, "/mattermost/actions", try action(easy, trigger: "easy"), contentType: "application/json"))
            #expect((noted["ephemeral_text"] as? String)?.contains("Noted: easy") == true)
            #expect(noted["update"] == nil, "the post keeps the next question")
            let refined = try #require(try await server.store.cards(for: learner)[question.id]?.due)
            #expect(refined > good, "easy comes back later than good")
            let again = try json(try await post(client, "/mattermost/actions", try action(easy, trigger: "easy2"), contentType: "application/json"))
            #expect((again["ephemeral_text"] as? String)?.contains("can't be changed") == true)
        }
    }

    @Test func aWholeQuizIsCompletedByTypedNumbers() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            func quiz(_ text: String) async throws -> String {
                String(buffer: try await post(
                    client, "/mattermost/commands", Self.command("/quiz", text: text), contentType: "application/x-www-form-urlencoded",
                    authorization: "Token \(Self.quizToken)").body)
            }
            var text = try await quiz("")
            for number in 1...5 {
                #expect(text.contains("Question \(number) of 5"))
                text = try await quiz("1")
            }
            #expect(text.contains("Quiz done:"))
        }
    }

    @Test func personalNudgesArriveAsDirectMessagesAndReviewQuestionsAreAnsweredWithQuiz() async throws {
        let sink = try await LocalHTTPSink()
        var server = try server(sink)
        server.environment["MATTERMOST_INCOMING_WEBHOOK_URL"] = sink.baseURL + "/hooks/xyz123"
        let store = server.store
        let learner = Learner(platform: "mattermost", team: "tkd9w5pcp3y6zrbqzezaaeht4c", user: "w3nk9yjjfbbczmfrcftgwk6xoh")
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        try await server.application().test(.router) { client in
            let on = try await post(
                client, "/mattermost/commands", Self.command("/learn", text: "nudges on 09:30 UTC"), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.learnToken)")
            let text = try #require((try JSONSerialization.jsonObject(with: Data(buffer: on.body)) as? [String: Any])?["text"] as? String)
            #expect(text.hasPrefix("Nudges are on") && text.contains("`/learn nudges off`"), "\(text)")
            let subscription = try #require(try await store.subscription(for: learner))
            #expect(subscription.channel == "@alice" && subscription.timeZone == "UTC")

            // Miss a question (at TestServer.now, Sunday 30 November 2025) and stop, so it is due on Tuesday.
            _ = try await post(
                client, "/mattermost/commands", Self.command("/quiz", text: ""), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.quizToken)")
            let quiz = try #require(try await store.activeSession(for: learner))
            let missed = try #require(SlackQuizTests.pack.questions.first { $0.id == quiz.questionIDs[0] })
            let wrong = missed.choices.indices.first { !missed.answers.contains($0) }!
            for text in ["\(wrong + 1)", "stop"] {
                _ = try await post(
                    client, "/mattermost/commands", Self.command("/quiz", text: text), contentType: "application/x-www-form-urlencoded",
                    authorization: "Token \(Self.quizToken)")
            }
            let tuesday = FSRSHistory.parse("2025-12-02T09:31:00Z")!
            #expect(try await planning.planAndEnqueue(at: tuesday).added == 1)
            #expect(try await courier.deliverDue(at: { tuesday }).sent == 1)
            let nudge = try #require(await sink.received().last)
            #expect(nudge.path == "/hooks/xyz123")
            #expect(nudge.json?["channel"] as? String == "@alice", "a direct message")
            let body = try #require(nudge.json?["text"] as? String)
            #expect(body.contains("Question 1 of 1 (review): \(missed.prompt)") && body.contains("Type it after `/quiz`"), "\(body)")

            let right = missed.answers.map { "\($0 + 1)" }.joined(separator: " ")
            _ = try await post(
                client, "/mattermost/commands", Self.command("/quiz", text: right), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.quizToken)")
        }
        let stats = try await store.stats(for: learner, at: FSRSHistory.parse("2025-12-02T09:35:00Z")!)
        #expect(stats.answered == 2 && stats.correct == 1, "the miss and the nudge's right answer")
    }

    @Test func withoutTheIncomingWebhookNudgesAreNotTakenOn() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let on = try await post(
                client, "/mattermost/commands", Self.command("/learn", text: "nudges on"), contentType: "application/x-www-form-urlencoded",
                authorization: "Token \(Self.learnToken)")
            #expect(String(buffer: on.body).contains("incoming webhook"))
        }
        #expect(try await server.store.subscription(for: Learner(platform: "mattermost", team: "tkd9w5pcp3y6zrbqzezaaeht4c", user: "w3nk9yjjfbbczmfrcftgwk6xoh")) == nil)
    }

    @Test func channelNudgeGoesThroughTheIncomingWebhook() async throws {
        let sink = try await LocalHTTPSink()
        var server = try server(sink)
        server.environment["MATTERMOST_INCOMING_WEBHOOK_URL"] = sink.baseURL + "/hooks/xyz123"
        server.configuration.nudges.channels = [ChannelNudge(platform: "mattermost", channel: "town-square", time: LocalTime(hour: 9, minute: 0), timeZone: "UTC")]
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2026-12-01T09:10:00Z")!
        #expect(try await planning.planAndEnqueue(at: now).added == 1)
        #expect(try await courier.deliverDue(at: { now }).sent == 1)
        let post = try #require(await sink.received().first)
        #expect(post.path == "/hooks/xyz123")
        #expect(post.json?["channel"] as? String == "town-square")
        #expect((post.json?["text"] as? String)?.hasPrefix("Nugget of the day: **") == true)
    }
}
