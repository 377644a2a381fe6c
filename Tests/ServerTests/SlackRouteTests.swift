import FlowLearnCore
import FlowLearnSlack
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Slack routes, through the real router, poster and a local sink")
struct SlackRouteTests {
    @Test func signedSlashCommandAnswersInTheAcknowledgement() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let body = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, body, server: server)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let shown = try ShownReply(response)
            #expect(shown.json["response_type"] as? String == "ephemeral")
            #expect((shown.json["text"] as? String) == "Taxi and ride-share expenses")
            #expect(shown.text.contains("Spendly"))
            let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 10)
            #expect(shown.answerID != nil && shown.answerID == logged.first?.answerID, "the buttons carry the stored answer's id")
        }
        let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 10)
        #expect(logged.count == 1)
        #expect(logged.first?.nuggetID == "expenses-taxi-rideshare")
        #expect(logged.first?.user == "U2147483697")
        #expect(await sink.received().isEmpty, "no second request: the answer went with the acknowledgement")
        #expect(try await server.store.keptReplies().isEmpty)
    }

    @Test func anAnswerTooLateForTheAcknowledgementGoesToResponseURL() async throws {
        let sink = try await LocalHTTPSink()
        var setup = try TestServer(sink: sink)
        setup.configuration.slack.inlineAnswerSeconds = 0  // every answer is too late
        let server = setup
        let body = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, body, server: server)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0, "acknowledged empty")
            let post = try #require(try await sink.waitForRequests(1).first)
            #expect(post.path == "/commands/T0001/1234/abcd")
            #expect(post.json?["response_type"] as? String == "ephemeral")
            #expect(post.text.contains("Spendly"))
            let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 10)
            #expect(logged.count == 1)
            #expect(logged.first?.answerID != nil && post.text.contains(logged.first?.answerID ?? "-"), "its buttons name the stored answer")
        }
    }

    @Test func repliesKeptByAProcessThatStoppedAreSentByTheNextWithTheTokenPutBack() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        // What an earlier process kept and never sent: a threaded answer (its token was not stored)
        // and a slash-command reply in two ordered parts.
        let encoder = SlackReplyEncoder(apiBaseURL: server.configuration.slack.apiBaseURL, botToken: "xoxb-old-token")
        let answer = encoder.postMessage(
            .help(command: "/learn"), to: ConversationRef(platform: "slack", channel: "C0LAN2Q65", thread: "1515449522.000016"))
        _ = try await server.store.keepReplies([answer], platform: "slack", at: TestServer.now)
        let parts = [
            SlackReplyEncoder.responseURLText("first", responseURL: server.responseURL),
            SlackReplyEncoder.responseURLText("second", responseURL: server.responseURL),
        ]
        _ = try await server.store.keepReplies(parts, platform: "slack", at: TestServer.now)
        try await server.application().test(.router) { _ in
            let received = try await sink.waitForRequests(3)
            #expect(received.count == 3)
            let post = try #require(received.first { $0.path == "/api/chat.postMessage" })
            #expect(post.headers["authorization"] == "Bearer xoxb-test-token")  // this process's token
            #expect(post.json?["thread_ts"] as? String == "1515449522.000016")
            let texts = received.filter { $0.path == "/commands/T0001/1234/abcd" }.compactMap { $0.json?["text"] as? String }
            #expect(texts == ["first", "second"])
            // Sent, so forgotten: the next start sends nothing again.
            for _ in 0..<100 where try await !server.store.keptReplies().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await server.store.keptReplies().isEmpty)
        }
    }

    @Test func aReplyIsKeptUntilItIsSent() async throws {
        // The sink holds its answer back, so the reply is in flight while we look.
        let sink = try await LocalHTTPSink(answers: [.init(delay: .milliseconds(400))])
        let server = try TestServer(sink: sink)
        let body = SlackRequests.appMention(eventID: "Ev0KEPT", text: "how do I get reimbursed for a taxi ride")
        try await server.application().test(.router) { client in
            #expect(try await client.slack(.events, body, server: server).status == .ok)
            let inFlight = try await server.store.keptReplies()
            #expect(inFlight.count == 1)
            #expect(inFlight.first?.requests.first?.url == server.configuration.slack.apiBaseURL + "/chat.postMessage")
            _ = try await sink.waitForRequests(1)
            for _ in 0..<100 where try await !server.store.keptReplies().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await server.store.keptReplies().isEmpty)
        }
    }

    @Test func signedAppMentionPostsOneThreadedChatPostMessage() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let body = SlackRequests.appMention(eventID: "Ev0PV52K21", text: "my laptop was stolen from my car, what now?")
        try await server.application().test(.router) { client in
            let response = try await client.slack(.events, body, server: server)
            #expect(response.status == .ok)
            let received = try await sink.waitForRequests(1)
            let post = try #require(received.first)
            #expect(post.method == "POST")
            #expect(post.path == "/api/chat.postMessage")
            #expect(post.headers["authorization"] == "Bearer xoxb-test-token")
            let json = try #require(post.json)
            #expect(json["channel"] as? String == "C0LAN2Q65")
            #expect(json["thread_ts"] as? String == "1515449522.000016")
            #expect(json["text"] as? String == "Lost or stolen laptop or phone")
            let blocks = try #require(json["blocks"] as? [[String: Any]])
            #expect(!blocks.isEmpty)
        }
    }

    @Test func retriedEventIsAnsweredOnce() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let body = SlackRequests.appMention(eventID: "Ev0RETRY1", text: "how do I connect to the VPN?")
        try await server.application().test(.router) { client in
            for retry in 0..<3 {
                var headers = server.slack.headers(for: body, contentType: "application/json")
                if retry > 0 {
                    headers[HTTPField.Name("X-Slack-Retry-Num")!] = "\(retry)"
                    headers[HTTPField.Name("X-Slack-Retry-Reason")!] = "http_timeout"
                }
                let status = try await client.slack(.events, body, server: server, headers: headers).status
                #expect(status == .ok)
            }
            _ = try await sink.waitForRequests(1)
            // A second reply, if one were sent, would follow the first within the same outbox pass;
            // send one more distinct event and wait for it, so everything queued before it has been posted.
            let other = SlackRequests.appMention(eventID: "Ev0OTHER", text: "how do I report a phishing email?")
            try await client.slack(.events, other, server: server)
            let received = try await sink.waitForRequests(2)
            #expect(received.count == 2)
            #expect(received.filter { $0.text.contains("VPN") }.count == 1)
        }
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 10).count == 2)
    }

    /// A request as it would arrive when forged, unsigned, replayed late or altered after signing.
    static func spoiled(_ body: [UInt8], contentType: String, kind: String, slack: SlackRequests) -> (headers: HTTPFields, body: [UInt8]) {
        switch kind {
        case "unsigned":
            return ([.contentType: contentType], body)
        case "wrong secret":
            return (slack.headers(for: body, contentType: contentType, secret: "not-the-secret"), body)
        case "expired":
            return (slack.headers(for: body, contentType: contentType, at: TestServer.now.addingTimeInterval(-301)), body)
        default:  // tampered: signed, then one byte changed
            var altered = body
            altered[altered.count - 2] ^= 0x01
            return (slack.headers(for: body, contentType: contentType), altered)
        }
    }

    @Test(arguments: ["unsigned", "wrong secret", "expired", "tampered body"])
    func badlySignedRequestsAre401AndLeaveNoTrace(_ kind: String) async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let command = Self.spoiled(
            SlackRequests.slashCommand(text: "how do I book a flight?", responseURL: server.responseURL),
            contentType: "application/x-www-form-urlencoded", kind: kind, slack: server.slack)
        let event = Self.spoiled(
            SlackRequests.appMention(eventID: "Ev0FORGED", text: "how do I book a flight?"),
            contentType: "application/json", kind: kind, slack: server.slack)
        try await server.application().test(.router) { client in
            let commandStatus = try await client.slack(.commands, command.body, server: server, headers: command.headers).status
            #expect(commandStatus == .unauthorized)
            let eventStatus = try await client.slack(.events, event.body, server: server, headers: event.headers).status
            #expect(eventStatus == .unauthorized)
        }
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 10).isEmpty)
        // The event id was not claimed: a correctly signed delivery of it would still be answered.
        #expect(try await server.store.claimEvent(platform: "slack", eventID: "Ev0FORGED", at: TestServer.now, logging: nil))
        #expect(await sink.received().isEmpty)
    }

    @Test func responseURLOutsideTheAllowlistGetsNoRequest() async throws {
        let sink = try await LocalHTTPSink()
        var setup = try TestServer(sink: sink)
        setup.configuration.slack.responseURLHosts = ["hooks.slack.com"]
        let server = setup
        let body = SlackRequests.slashCommand(text: "how do I book a flight?", responseURL: sink.baseURL + "/steal")
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, body, server: server)
            #expect(response.status == .badRequest)
        }
        #expect(await sink.received().isEmpty)
        #expect(try await server.store.recentQuestions(unansweredOnly: false, limit: 10).isEmpty)
    }

    @Test func urlVerificationEchoesTheChallenge() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let body = Array(#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#.utf8)
        try await server.application().test(.router) { client in
            let response = try await client.slack(.events, body, server: server)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
        }
    }

    @Test func helpIsAnsweredInlineWithoutAnyPost() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        for text in ["", "help"] {
            let body = SlackRequests.slashCommand(text: text, responseURL: server.responseURL)
            try await server.application().test(.router) { client in
                let response = try await client.slack(.commands, body, server: server)
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("ephemeral"))
                #expect(text.contains("/learn"))
            }
        }
        #expect(await sink.received().isEmpty)
    }

    @Test func malformedSignedBodiesAre400() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let garbage = Array("{not json".utf8)
        let noFields = Array("text=hello".utf8)
        try await server.application().test(.router) { client in
            let eventStatus = try await client.slack(.events, garbage, server: server).status
            #expect(eventStatus == .badRequest)
            let commandStatus = try await client.slack(.commands, noFields, server: server).status
            #expect(commandStatus == .badRequest)
        }
        #expect(await sink.received().isEmpty)
    }

    @Test func missingSigningSecretAnswers503() async throws {
        let sink = try await LocalHTTPSink()
        var setup = try TestServer(sink: sink)
        setup.environment = [:]
        let server = setup
        let body = SlackRequests.slashCommand(text: "vpn", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, body, server: server)
            #expect(response.status == .serviceUnavailable)
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func unknownQuestionIsLoggedAsUnansweredAndEscapedInTheReply() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let body = SlackRequests.slashCommand(text: "<!channel> what's the best pizza topping?", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, body, server: server)
            #expect(response.status == .ok)
            let shown = try ShownReply(response)
            #expect(shown.text.contains(ReplyWording.unknownLead))
            #expect(!shown.text.contains("<!channel>"))
        }
        let unanswered = try await server.store.recentQuestions(unansweredOnly: true, limit: 10)
        #expect(unanswered.count == 1)
        #expect(unanswered.first?.outcome == .unknown)
    }
}
