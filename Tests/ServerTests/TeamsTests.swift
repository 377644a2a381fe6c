import FlowLearnCore
import FlowLearnServer
import FlowLearnTeams
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Microsoft Teams outgoing webhook: HMAC, activities, cards, through the router")
struct TeamsTests {
    static let token = Data("a shared secret of thirty-two b.".utf8).base64EncodedString()
    static let webhook = TeamsOutgoingWebhook(securityToken: token)

    /// An activity shaped like the ones Teams posts for an @mention in a channel.
    static func activity(_ text: String, id: String = "1764500000001") -> [UInt8] {
        let object: [String: Any] = [
            "type": "message", "id": id, "timestamp": "2026-11-30T13:00:00.000Z", "localTimestamp": "2026-11-30T14:00:00.000+01:00",
            "serviceUrl": "https://smba.trafficmanager.net/emea/", "channelId": "msteams",
            "from": ["id": "29:1abcDEF", "name": "Alice Jansen", "aadObjectId": "6b7a1c2d-0000-4e5f-9a8b-1234567890ab"],
            "conversation": ["isGroup": true, "id": "19:abc@thread.tacv2;messageid=1764500000001", "conversationType": "channel"],
            "recipient": NSNull(), "textFormat": "plain", "locale": "en-US",
            "text": "<at>FlowLearn</at>&nbsp;\(text)\n",
            "attachments": [["contentType": "text/html", "content": "<div><span itemscope itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">FlowLearn</span> \(text)</div>"]],
            "entities": [["type": "mention", "mentioned": ["id": "28:flowlearn", "name": "FlowLearn"], "text": "<at>FlowLearn</at>"]],
            "channelData": ["teamsChannelId": "19:abc@thread.tacv2", "teamsTeamId": "19:team@thread.tacv2", "tenant": ["id": "72f988bf"]],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    @Test func verifiesTheHMACOverTheRawBody() throws {
        let body = Self.activity("how do I claim a taxi?")
        let signature = try #require(Self.webhook.sign(body))
        try Self.webhook.verify(authorization: signature, body: body)
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try Self.webhook.verify(authorization: signature, body: body + [32]) }
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try Self.webhook.verify(authorization: nil, body: body) }
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try Self.webhook.verify(authorization: "HMAC not-base64!", body: body) }
        let other = TeamsOutgoingWebhook(securityToken: Data("another secret".utf8).base64EncodedString())
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try other.verify(authorization: signature, body: body) }
        // The documented construction, computed independently: base64(HMAC-SHA256(base64-decoded token, body)).
        #expect(signature.hasPrefix("HMAC ") && Data(base64Encoded: String(signature.dropFirst(5)))?.count == 32)
    }

    @Test func decodesTheMentionAway() throws {
        let activity = try TeamsOutgoingWebhook.decode(Self.activity("how do I claim a taxi &amp; a train?"))
        #expect(activity.text == "how do I claim a taxi & a train?")
        #expect(activity.user == "6b7a1c2d-0000-4e5f-9a8b-1234567890ab" && activity.userName == "Alice Jansen")
        #expect(activity.conversation.hasPrefix("19:abc@thread.tacv2"))
        #expect(throws: TeamsOutgoingWebhook.Refusal.self) { try TeamsOutgoingWebhook.decode(Array(#"{"type":"conversationUpdate"}"#.utf8)) }
    }

    func server(_ sink: LocalHTTPSink) throws -> TestServer {
        var server = try TestServer(sink: sink)
        server.configuration.teams.enabled = true
        server.environment["TEAMS_SECURITY_TOKEN"] = Self.token
        return server
    }

    func post(_ client: some TestClientProtocol, _ body: [UInt8], authorization: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: "/teams/messages", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test func signedMentionGetsTheNuggetCardForgedGets401() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let body = Self.activity("how do I get reimbursed for a taxi ride?")
            let response = try await post(client, body, authorization: Self.webhook.sign(body))
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            #expect(json["type"] as? String == "message")
            #expect((json["text"] as? String)?.hasPrefix("Taxi and ride-share expenses") == true)
            let card = try #require((json["attachments"] as? [[String: Any]])?.first)
            #expect(card["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
            let content = try #require(card["content"] as? [String: Any])
            #expect(content["type"] as? String == "AdaptiveCard")
            #expect(((content["actions"] as? [[String: Any]])?.first?["type"] as? String) == "Action.OpenUrl")

            let forged = Self.activity("how do I get reimbursed for a taxi ride?", id: "2")
            let refused = try await post(client, forged, authorization: TeamsOutgoingWebhook(securityToken: Data("x".utf8).base64EncodedString()).sign(forged))
            #expect(refused.status == .unauthorized)
            #expect(try await post(client, forged, authorization: nil).status == .unauthorized)

            // A quiz by text answers, each an @mention.
            let start = Self.activity("quiz meetings", id: "3")
            let question = try await post(client, start, authorization: Self.webhook.sign(start))
            #expect(String(buffer: question.body).contains("Question 1 of 5"))
            let answer = Self.activity("2", id: "4")
            let next = try await post(client, answer, authorization: Self.webhook.sign(answer))
            let text = String(buffer: next.body)
            #expect(text.contains("Question 2 of 5") && (text.contains("Right!") || text.contains("Not quite")))
        }
        let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 10)
        #expect(logged.count == 1 && logged.first?.platform == "teams", "the forged request left no trace")
        #expect(await sink.received().isEmpty, "Teams is answered in the response, nothing is posted")
    }

    @Test func nudgeCommandsSayWhatExistsInsteadOfGoingToTheMatcher() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let on = Self.activity("nudges on 09:30", id: "n1")
            let text = String(buffer: try await post(client, on, authorization: Self.webhook.sign(on)).body)
            #expect(text.contains("aren't available in Teams") && text.contains("nudges.channels"), "\(text)")
        }
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 5).isEmpty, "not logged as a question")
    }

    @Test func aWholeQuizIsCompletedByTextAnswers() async throws {
        let sink = try await LocalHTTPSink()
        let server = try server(sink)
        try await server.application().test(.router) { client in
            let start = Self.activity("quiz", id: "q0")
            var text = String(buffer: try await post(client, start, authorization: Self.webhook.sign(start)).body)
            for number in 1...5 {
                #expect(text.contains("Question \(number) of 5"))
                let answer = Self.activity("1", id: "q\(number)")
                text = String(buffer: try await post(client, answer, authorization: Self.webhook.sign(answer)).body)
            }
            #expect(text.contains("Quiz done:") && text.contains("of 5 right"))
        }
    }

    @Test func channelNuggetOfTheDayGoesToTheWorkflowURLFromTheEnvironment() async throws {
        let sink = try await LocalHTTPSink()
        var server = try server(sink)
        server.configuration.teams.workflowWebhookEnvs = ["engineering": "TEAMS_WORKFLOW_ENGINEERING"]
        server.environment["TEAMS_WORKFLOW_ENGINEERING"] = sink.baseURL + "/workflows/abc/triggers/manual/paths/invoke?sig=secret"
        server.configuration.nudges.channels = [
            ChannelNudge(platform: "teams", channel: "engineering", time: LocalTime(hour: 10, minute: 0), timeZone: "Europe/Amsterdam")
        ]
        let (planning, courier, poster) = try server.nudgeWorkers()
        defer { poster.shutdown() }
        let now = FSRSHistory.parse("2026-12-01T09:05:00Z")!  // 10:05 in Amsterdam
        let (_, added) = try await planning.planAndEnqueue(at: now)
        #expect(added == 1)
        #expect(try await courier.deliverDue(at: { now }).sent == 1)
        let post = try #require(await sink.received().first)
        #expect(post.path == "/workflows/abc/triggers/manual/paths/invoke?sig=secret")
        #expect((post.json?["text"] as? String)?.hasPrefix("Nugget of the day: ") == true)
        let status = try await server.store.nudgeStatus(deadLimit: 1)
        #expect(status.counts[.sent] == 1)
    }
}
