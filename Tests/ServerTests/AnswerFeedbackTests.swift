import FlowLearnCore
import FlowLearnSlack
import FlowLearnTeams
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Did this help? Votes on answers")
struct AnswerFeedbackTests {
    @Test func typedVotesAreWholeMessagesOnly() {
        #expect(AnswerFeedback.typedVote("+1") == true && AnswerFeedback.typedVote(" -1 ") == false)
        #expect(AnswerFeedback.typedVote("👍🏽") == true && AnswerFeedback.typedVote("👎") == false && AnswerFeedback.typedVote(":thumbsup:") == true)
        #expect(AnswerFeedback.typedVote("+1 for the taxi nugget") == nil && AnswerFeedback.typedVote("1") == nil && AnswerFeedback.typedVote("") == nil)
    }

    @Test func slackAnswersCarryButtonsAndAVoteIsKeptOncePerPersonChangeable() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let ask = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            let asked = try await client.slack(.commands, ask, server: server)
            #expect(asked.status == .ok)
            let answer = try ShownReply(asked).json
            let blocks = try #require(answer["blocks"] as? [[String: Any]])
            let actions = try #require(blocks.last { $0["type"] as? String == "actions" })
            let buttons = try #require(actions["elements"] as? [[String: Any]])
            #expect(buttons.map { $0["action_id"] as? String } == [SlackReplyEncoder.helpfulAction, SlackReplyEncoder.notHelpfulAction])
            let answerID = try #require(buttons.first?["value"] as? String)
            let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 1)
            #expect(logged.first?.answerID == answerID, "the button names the logged answer")

            func click(_ action: String, trigger: String) -> [UInt8] {
                SlackRequests.blockActions(actionID: action, value: answerID, triggerID: trigger, responseURL: server.responseURL, blockID: "answer:" + answerID)
            }
            #expect(try await client.slack(.interactions, click(SlackReplyEncoder.helpfulAction, trigger: "t1"), server: server).status == .ok)
            #expect(try await sink.waitForRequests(1).last?.text.contains("Glad it helped") == true)
            #expect(try await server.store.answerVoteCounts() == (1, 0))
            #expect(try await client.slack(.interactions, click(SlackReplyEncoder.helpfulAction, trigger: "t2"), server: server).status == .ok)
            #expect(try await server.store.answerVoteCounts() == (1, 0), "the same vote twice counts once")
            #expect(try await client.slack(.interactions, click(SlackReplyEncoder.notHelpfulAction, trigger: "t3"), server: server).status == .ok)
            #expect(try await server.store.answerVoteCounts() == (0, 1), "a second click changes the vote")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains("flowlearn_answer_votes{vote=\"not_helpful\"} 1"))

            let forged = SlackRequests.blockActions(
                actionID: SlackReplyEncoder.helpfulAction, value: "0000000000000000", triggerID: "t4", responseURL: server.responseURL)
            #expect(try await client.slack(.interactions, forged, server: server).status == .ok)
            #expect(try await sink.waitForRequests(4).last?.text.contains("too old to rate") == true)
            #expect(try await server.store.answerVoteCounts() == (0, 1), "a vote on an answer that does not exist changes nothing")
        }
    }

    @Test func teamsAnswersSayHowToRateAndATypedVoteRatesTheLastAnswer() async throws {
        let sink = try await LocalHTTPSink()
        var server = try TestServer(sink: sink)
        server.configuration.teams.enabled = true
        server.environment["TEAMS_SECURITY_TOKEN"] = TeamsTests.token
        let configured = server
        try await configured.application().test(.router) { (client: any TestClientProtocol) async throws in
            func send(_ text: String, id: String) async throws -> String {
                let body = TeamsTests.activity(text, id: id)
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[.authorization] = TeamsTests.webhook.sign(body)
                let response = try await client.execute(uri: "/teams/messages", method: .post, headers: headers, body: ByteBuffer(bytes: body))
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                return json["text"] as? String ?? ""
            }
            #expect(try await send("-1", id: "v0") == AnswerFeedback.nothingToRate)
            let answer = try await send("how do I get reimbursed for a taxi ride?", id: "q1")
            #expect(answer.hasSuffix(AnswerFeedback.typedHint))
            #expect(try await send("+1", id: "v1") == AnswerFeedback.thanks(helpful: true))
            #expect(try await configured.store.answerVoteCounts() == (1, 0))
        }
    }

    @Test func discordAnswersCarryButtonsThatVote() async throws {
        let sink = try await LocalHTTPSink()
        let discord = DiscordTests()
        let server = try discord.server(sink)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            let answer = try await discord.post(client, DiscordTests.command("learn", option: ("question", "how do I get reimbursed for a taxi ride?")))
            let rows = try #require((answer["data"] as? [String: Any])?["components"] as? [[String: Any]])
            let buttons = try #require(rows.first?["components"] as? [[String: Any]])
            let helpful = try #require(buttons.first?["custom_id"] as? String)
            #expect(helpful.hasPrefix("answer:") && helpful.hasSuffix(":yes") && buttons.last?["custom_id"] as? String == helpful.dropLast(3) + "no")
            let thanks = try await discord.post(client, DiscordTests.click(helpful, id: "1180000000000000091"))
            #expect((thanks["data"] as? [String: Any])?["content"] as? String == AnswerFeedback.thanks(helpful: true))
            #expect(try await server.store.answerVoteCounts() == (1, 0))
        }
    }

    @Test func mattermostAnswersCarrySignedButtonsThatVoteAndForgedOnesAreRefused() async throws {
        let sink = try await LocalHTTPSink()
        let mattermost = MattermostTests()
        let server = try mattermost.server(sink)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            let ask = try await mattermost.post(
                client, "/mattermost/commands", MattermostTests.command("/learn", text: "how do I get reimbursed for a taxi ride?"),
                contentType: "application/x-www-form-urlencoded", authorization: "Token \(MattermostTests.learnToken)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: ask.body)) as? [String: Any])
            let actions = try #require((json["attachments"] as? [[String: Any]])?.first?["actions"] as? [[String: Any]])
            let context = try #require((actions.first?["integration"] as? [String: Any])?["context"] as? [String: Any])
            #expect(context["vote"] as? String == "yes" && context["sig"] is String)
            func click(_ context: [String: Any]) throws -> [UInt8] {
                Array(try JSONSerialization.data(withJSONObject: [
                    "user_id": "w3nk9yjjfbbczmfrcftgwk6xoh", "team_id": "tkd9w5pcp3y6zrbqzezaaeht4c", "post_id": "p1", "trigger_id": "v1",
                    "type": "button", "context": context,
                ] as [String: Any]))
            }
            let voted = try await mattermost.post(client, "/mattermost/actions", try click(context), contentType: "application/json")
            #expect(voted.status == .ok && String(buffer: voted.body).contains("Glad it helped"))
            var forged = context
            forged["vote"] = "no"  // the signature was for "yes"
            let refused = try await mattermost.post(client, "/mattermost/actions", try click(forged), contentType: "application/json")
            #expect(refused.status == .forbidden)
            #expect(try await server.store.answerVoteCounts() == (1, 0))
        }
    }
}
