import Crypto
import FlowLearnCore
import FlowLearnDiscord
import FlowLearnServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Discord interactions: Ed25519, PING, commands, buttons, deferral, through the router")
struct DiscordTests {
    /// A fixed test key (its raw bytes), so no non-Sendable key is kept in a static.
    static let keyBytes = Data((0..<32).map { UInt8($0 * 7 % 251) })
    static var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: keyBytes) }
    static var publicHex: String { key.publicKey.rawRepresentation.map { String(format: "%02x", $0) }.joined() }

    static func sign(_ body: [UInt8], at date: Date = TestServer.now, with key: Curve25519.Signing.PrivateKey? = nil) -> HTTPFields {
        let key = key ?? DiscordTests.key
        let timestamp = String(Int(date.timeIntervalSince1970))
        let signature = try! key.signature(for: Data(timestamp.utf8) + Data(body))
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[HTTPField.Name(DiscordInteractions.signatureHeader)!] = signature.map { String(format: "%02x", $0) }.joined()
        fields[HTTPField.Name(DiscordInteractions.timestampHeader)!] = timestamp
        return fields
    }

    static func command(_ name: String, option: (String, String)? = nil, id: String = "1180000000000000001") -> [UInt8] {
        var data: [String: Any] = ["id": "1179999999999999999", "name": name, "type": 1]
        if let option { data["options"] = [["name": option.0, "type": 3, "value": option.1]] }
        return json([
            "type": 2, "id": id, "application_id": "1170000000000000000", "token": "aW50ZXJhY3Rpb24tdG9rZW4",
            "guild_id": "1160000000000000000", "channel_id": "1150000000000000000", "version": 1, "locale": "en-US",
            "member": ["user": ["id": "1140000000000000000", "username": "alice", "global_name": "Alice"], "roles": [], "permissions": "2147483648"],
            "data": data,
        ])
    }

    static func click(_ customID: String, values: [String]? = nil, id: String) -> [UInt8] {
        var data: [String: Any] = ["custom_id": customID, "component_type": values == nil ? 2 : 3]
        if let values { data["values"] = values }
        return json([
            "type": 3, "id": id, "application_id": "1170000000000000000", "token": "dG9rZW4tMg", "guild_id": "1160000000000000000",
            "channel_id": "1150000000000000000", "version": 1, "message": ["id": "1190000000000000000", "content": "", "flags": 64],
            "member": ["user": ["id": "1140000000000000000", "username": "alice"]], "data": data,
        ])
    }

    static func json(_ object: [String: Any]) -> [UInt8] { Array(try! JSONSerialization.data(withJSONObject: object)) }

    @Test func verifiesSignaturesAndRefusesReplays() throws {
        let interactions = DiscordInteractions(publicKeyHex: Self.publicHex)
        let body = Self.json(["type": 1])
        let good = Self.sign(body)
        let header = { (fields: HTTPFields, name: String) in fields[HTTPField.Name(name)!] }
        try interactions.verify(
            signature: header(good, DiscordInteractions.signatureHeader), timestamp: header(good, DiscordInteractions.timestampHeader), body: body,
            now: TestServer.now)
        let forged = Self.sign(body, with: Curve25519.Signing.PrivateKey())
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(
                signature: header(forged, DiscordInteractions.signatureHeader), timestamp: header(forged, DiscordInteractions.timestampHeader),
                body: body, now: TestServer.now)
        }
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(signature: nil, timestamp: nil, body: body, now: TestServer.now)
        }
        let old = Self.sign(body, at: TestServer.now.addingTimeInterval(-3600))
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(
                signature: header(old, DiscordInteractions.signatureHeader), timestamp: header(old, DiscordInteractions.timestampHeader), body: body,
                now: TestServer.now)
        }
        #expect(throws: DiscordInteractions.Refusal.self) {
            try interactions.verify(
                signature: header(good, DiscordInteractions.signatureHeader), timestamp: header(good, DiscordInteractions.timestampHeader),
                body: body + [32], now: TestServer.now)
        }
    }

    func server(_ sink: LocalHTTPSink, deferAfter: Double = 2) throws -> TestServer {
        var server = try TestServer(sink: sink)
        server.configuration.discord.enabled = true
        server.configuration.discord.apiBaseURL = sink.baseURL + "/api/v10"
        server.configuration.discord.deferAfterSeconds = deferAfter
        server.environment["DISCORD_PUBLIC_KEY"] = Self.publicHex
        server.environment["DISCORD_BOT_TOKEN"] = "discord-bot-token"
        return server
    }

    func post(_ client: some TestClientProtocol, _ body: [UInt8], headers: HTTPFields? = nil) async throws -> [String: Any] {
        let response = try await client.execute(uri: "/discord/interactions", method: .post, headers: headers ?? Self.sign(body), body: ByteBuffer(bytes: body))
        #expect(response.status == .ok)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    @Test func pingLearnAndAQuizByButtons() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let pong = try await post(client, Self.json(["type": 1, "id": "1", "application_id": "2", "token": "t"]))
            #expect(pong["type"] as? Int == 1)

            let answer = try await post(client, Self.command("learn", option: ("question", "how do I get reimbursed for a taxi ride?")))
            #expect(answer["type"] as? Int == 4)
            let data = try #require(answer["data"] as? [String: Any])
            #expect((data["embeds"] as? [[String: Any]])?.first?["title"] as? String == "Taxi and ride-share expenses")
            #expect(data["flags"] as? Int == 64)

            let quiz = try await post(client, Self.command("quiz", option: ("topic", "time-off")))
            let rows = try #require((quiz["data"] as? [String: Any])?["components"] as? [[String: Any]])
            let first = try #require((rows.first?["components"] as? [[String: Any]])?.first)
            let customID = try #require(first["custom_id"] as? String)
            #expect(customID.hasPrefix("quiz:") || customID.hasPrefix("quizsel:"))
            let click = customID.hasPrefix("quizsel:") ? Self.click(customID, values: ["0"], id: "c1") : Self.click(customID, id: "c1")
            let updated = try await post(client, click)
            #expect(updated["type"] as? Int == 7, "the question message is updated with the result")
            #expect(((updated["data"] as? [String: Any])?["content"] as? String)?.contains("Question 2 of 5") == true)
            let again = try await post(client, click)
            #expect(again["type"] as? Int == 4)
            #expect(((again["data"] as? [String: Any])?["content"] as? String)?.contains("already counted") == true)
        }
        let stats = try await server.store.stats(for: Learner(platform: "discord", team: "1160000000000000000", user: "1140000000000000000"), at: TestServer.now)
        #expect(stats.answered == 1)
        #expect(await sink.received().isEmpty)
    }

    /// A button pressed in the person's direct messages with the bot: no server, `user` instead of `member`.
    static func directClick(_ customID: String, id: String) -> [UInt8] {
        json([
            "type": 3, "id": id, "application_id": "1170000000000000000", "token": "dG9rZW4tMw", "channel_id": "1300000000000000000",
            "version": 1, "message": ["id": "1310000000000000000", "content": ""], "user": ["id": "1140000000000000000", "username": "alice"],
            "data": ["custom_id": customID, "component_type": 2],
        ])
    }

    @Test func personalNudgesGoToTheDirectMessagesTheBotOpens() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(body: #"{"id":"1300000000000000000","type":1}"#), .init(body: #"{"id":"1"}"#)])
        let server = try server(sink)
        let store = server.store
        let learner = Learner(platform: "discord", team: "1160000000000000000", user: "1140000000000000000")
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        try await server.application().test(.router) { client in
            let on = try await post(client, Self.command("learn", option: ("question", "nudges on 09:30 UTC")))
            let text = try #require((on["data"] as? [String: Any])?["content"] as? String)
            #expect(text.hasPrefix("Nudges are on") && text.contains("`/learn nudges off`"), "\(text)")
            let open = try #require(try await sink.waitForRequests(1).first)
            #expect(open.path == "/api/v10/users/@me/channels" && open.json?["recipient_id"] as? String == "1140000000000000000")
            #expect(open.headers["authorization"] == "Bot discord-bot-token")
            #expect(try await store.subscription(for: learner)?.channel == "1300000000000000000")

            // Miss a question (at TestServer.now, Sunday 30 November 2025) and stop: it is due on Tuesday.
            _ = try await post(client, Self.command("quiz"))
            let quiz = try #require(try await store.activeSession(for: learner))
            let missed = try #require(SlackQuizTests.pack.questions.first { $0.kind != .multiple && $0.id == quiz.questionIDs[0] }, "a button question first")
            let wrong = missed.choices.indices.first { !missed.answers.contains($0) }!
            _ = try await post(client, Self.click("quiz:\(quiz.id):0:\(wrong)", id: "c1"))
            _ = try await post(client, Self.command("quiz", option: ("text", "stop")))

            let tuesday = FSRSHistory.parse("2025-12-02T09:31:00Z")!
            #expect(try await planning.planAndEnqueue(at: tuesday).added == 1)
            #expect(try await courier.deliverDue(at: { tuesday }).sent == 1)
            let nudge = try #require(await sink.received().last)
            #expect(nudge.path == "/api/v10/channels/1300000000000000000/messages")
            #expect(nudge.headers["authorization"] == "Bot discord-bot-token")
            #expect((nudge.json?["content"] as? String)?.contains("Question 1 of 1 (review): \(missed.prompt)") == true)
            let rows = try #require(nudge.json?["components"] as? [[String: Any]])
            let ids = rows.flatMap { ($0["components"] as? [[String: Any]] ?? []).compactMap { $0["custom_id"] as? String } }
            let right = try #require(ids.first { $0.hasSuffix(":\(missed.answers[0])") })

            // Pressed in the direct messages: no server in the interaction, the same person.
            let answered = try await post(client, Self.directClick(right, id: "d1"))
            #expect(answered["type"] as? Int == 7, "\(answered)")
        }
        let stats = try await store.stats(for: learner, at: FSRSHistory.parse("2025-12-02T09:35:00Z")!)
        #expect(stats.answered == 2 && stats.correct == 1, "the miss and the nudge's right answer")
    }

    @Test func whenTheDirectMessageCannotBeOpenedNobodyIsSubscribed() async throws {
        let sink = try await LocalHTTPSink(answers: [.init(status: .forbidden, body: #"{"message":"Cannot send messages to this user","code":50007}"#)])
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let on = try await post(client, Self.command("learn", option: ("question", "nudges on")))
            #expect(((on["data"] as? [String: Any])?["content"] as? String)?.contains("couldn't open a direct message") == true)
        }
        #expect(try await server.store.subscription(for: Learner(platform: "discord", team: "1160000000000000000", user: "1140000000000000000")) == nil)
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 5).isEmpty, "not logged as a question")
    }

    @Test func aWholeQuizIsCompletedByButtons() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            var reply = try await post(client, Self.command("quiz"))
            for number in 1...5 {
                let data = try #require(reply["data"] as? [String: Any])
                #expect((data["content"] as? String)?.contains("Question \(number) of 5") == true)
                let customID = try #require(Self.customIDs(reply).first { $0.hasPrefix("quiz:") || $0.hasPrefix("quizsel:") })
                reply = try await post(client, customID.hasPrefix("quizsel:") ? Self.click(customID, values: ["0", "1"], id: "w\(number)") : Self.click(customID, id: "w\(number)"))
                #expect(reply["type"] as? Int == 7)
            }
            let last = try #require((reply["data"] as? [String: Any])?["content"] as? String)
            #expect(last.contains("Quiz done:"))
            #expect(!Self.customIDs(reply).contains { $0.hasPrefix("quiz:") || $0.hasPrefix("quizsel:") }, "no question after the last answer")
        }
    }

    /// Every button's and select's `custom_id` in a reply, row by row.
    static func customIDs(_ reply: [String: Any]) -> [String] {
        let rows = (reply["data"] as? [String: Any])?["components"] as? [[String: Any]] ?? []
        return rows.flatMap { ($0["components"] as? [[String: Any]] ?? []).compactMap { $0["custom_id"] as? String } }
    }

    @Test func easyAndGuessedRefineARightAnswer() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        let learner = Learner(platform: "discord", team: "1160000000000000000", user: "1140000000000000000")
        try await server.application().test(.router) { client in
            _ = try await post(client, Self.command("quiz"))
            let session = try #require(try await server.store.activeSession(for: learner))
            let question = try #require(SlackQuizTests.pack.questions.first { $0.id == session.questionIDs[0] })
            let right = question.kind == .multiple
                ? Self.click("quizsel:\(session.id):0", values: question.answers.map(String.init), id: "r1")
                : Self.click("quiz:\(session.id):0:\(question.answers[0])", id: "r1")
            let result = try await post(client, right)
            #expect(result["type"] as? Int == 7)
            let ids = Self.customIDs(result)
            #expect(Array(ids.prefix(2)) == ["quizrefine:\(session.id):0:easy", "quizrefine:\(session.id):0:guessed"], "\(ids)")
            #expect(ids.dropFirst(2).contains { $0.hasPrefix("quiz:") || $0.hasPrefix("quizsel:") }, "the next question's buttons follow")
            let good = try #require(try await server.store.cards(for: learner)[question.id]?.due)

            let easy = try await post(client, Self.click("quizrefine:\(session.id):0:easy", id: "e1"))
            #expect(easy["type"] as? Int == 4, "a message of its own: the quiz message keeps the next question")
            let data = try #require(easy["data"] as? [String: Any])
            #expect((data["content"] as? String)?.contains("Noted: easy") == true)
            #expect(data["flags"] as? Int == 64)
            let refined = try #require(try await server.store.cards(for: learner)[question.id]?.due)
            #expect(refined > good, "easy comes back later than good")

            let again = try await post(client, Self.click("quizrefine:\(session.id):0:guessed", id: "e2"))
            #expect(((again["data"] as? [String: Any])?["content"] as? String)?.contains("can't be changed") == true)
            // A wrong answer offers no refinement.
            let second = try #require(SlackQuizTests.pack.questions.first { $0.id == session.questionIDs[1] })
            let wrongPick = second.choices.indices.first { !second.answers.contains($0) }!
            let wrong = second.kind == .multiple
                ? Self.click("quizsel:\(session.id):1", values: [String(wrongPick)], id: "w1")
                : Self.click("quiz:\(session.id):1:\(wrongPick)", id: "w1")
            #expect(!Self.customIDs(try await post(client, wrong)).contains { $0.hasPrefix("quizrefine:") })
        }
    }

    @Test func slowAnswersAreDeferredAndFollowedUp() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink, deferAfter: 0)
        try await server.application().test(.router) { client in
            let deferred = try await post(client, Self.command("learn", option: ("question", "how do I report a phishing email?")))
            #expect(deferred["type"] as? Int == 5)
            let followUp = try #require(try await sink.waitForRequests(1).first)
            #expect(followUp.method == "POST" && followUp.path == "/api/v10/webhooks/1170000000000000000/aW50ZXJhY3Rpb24tdG9rZW4")
            #expect(followUp.text.contains("phishing"))
        }
    }

    @Test func forgedRequestIs401AndLeavesNoTrace() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let body = Self.command("learn", option: ("question", "how do I report a phishing email?"))
            let forged = Self.sign(body, with: Curve25519.Signing.PrivateKey())
            let response = try await client.execute(uri: "/discord/interactions", method: .post, headers: forged, body: ByteBuffer(bytes: body))
            #expect(response.status == .unauthorized)
            let replayed = Self.sign(body, at: TestServer.now.addingTimeInterval(-600))
            #expect(try await client.execute(uri: "/discord/interactions", method: .post, headers: replayed, body: ByteBuffer(bytes: body)).status == .unauthorized)
        }
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 5).isEmpty)
    }

    @Test func channelNudgeGoesThroughTheBotAPI() async throws {
        let sink = try await LocalHTTPSink(answers: [
            .init(status: .tooManyRequests, headers: ["Retry-After": "0"], body: #"{"message":"You are being rate limited.","retry_after":0.01,"global":false}"#),
            .init(body: #"{"id":"1"}"#),
        ])
        var server = try server(sink)
        server.configuration.nudges.channels = [ChannelNudge(platform: "discord", channel: "1150000000000000000", time: LocalTime(hour: 9, minute: 0), timeZone: "UTC")]
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2026-12-01T09:10:00Z")!
        #expect(try await planning.planAndEnqueue(at: now).added == 1)
        #expect(try await courier.deliverDue(at: { now }).sent == 1)
        let posts = await sink.received()
        #expect(posts.count == 2, "the 429 was retried")
        #expect(posts.last?.path == "/api/v10/channels/1150000000000000000/messages")
        #expect(posts.last?.headers["authorization"] == "Bot discord-bot-token")
    }
}
