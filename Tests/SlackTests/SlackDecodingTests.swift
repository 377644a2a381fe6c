import FlowLearnCore
import FlowLearnSlack
import Foundation
import Testing

@Suite("Slack payload decoding")
struct SlackDecodingTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return Array(try Data(contentsOf: url))
    }

    func decode(_ name: String, botUserID: String? = nil) throws -> SlackEventRequest {
        try SlackEventDecoder.decode(fixture(name), botUserID: botUserID, receivedAt: Self.now)
    }

    @Test func appMentionBecomesAThreadedQuestionWithoutTheMention() throws {
        guard case .question(let eventID, let message) = try decode("app_mention") else {
            Issue.record("expected a question")
            return
        }
        #expect(eventID == "Ev0LAN670R")
        #expect(message.kind == .mention)
        #expect(message.text == "how do I get reimbursed for a taxi?")
        #expect(message.user == "U061F7AUR")
        #expect(message.conversation == ConversationRef(platform: "slack", channel: "C0LAN2Q65", thread: "1515449522.000016"))
        #expect(message.receivedAt == Self.now)
    }

    @Test func mentionInAThreadRepliesInThatThread() throws {
        guard case .question(_, let message) = try decode("app_mention_in_thread") else {
            Issue.record("expected a question")
            return
        }
        #expect(message.conversation.thread == "1515449522.000016")
    }

    @Test func directMessageIsAQuestion() throws {
        guard case .question(let eventID, let message) = try decode("message_im") else {
            Issue.record("expected a question")
            return
        }
        #expect(eventID == "Ev0IM00001")
        #expect(message.kind == .direct)
        #expect(message.text == "How do I connect to the VPN?")
    }

    @Test(arguments: ["message_im_from_bot", "message_im_own_user", "message_changed", "message_channel"])
    func otherMessagesAreIgnored(_ name: String) throws {
        guard case .ignored(let eventID, _) = try decode(name) else {
            Issue.record("\(name) must be ignored")
            return
        }
        #expect(eventID != nil)
    }

    @Test func ownUserFromConfigurationIsIgnoredToo() throws {
        var body = try fixture("message_im")
        body = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"U0LAN0Z89\"", with: "\"U0OTHER\"").utf8)
        let request = try SlackEventDecoder.decode(body, botUserID: "U2147483697", receivedAt: Self.now)
        guard case .ignored = request else {
            Issue.record("a message from the configured bot user must be ignored")
            return
        }
    }

    @Test func urlVerificationCarriesTheChallenge() throws {
        #expect(try decode("url_verification") == .urlVerification(challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    }

    @Test(arguments: ["", "{", "[]", #"{"type":"event_callback"}"#, #"{"type":"url_verification"}"#, #"{"type":7}"#])
    func malformedBodiesAreDecodingErrors(_ body: String) {
        #expect(throws: SlackDecodingError.self) {
            try SlackEventDecoder.decode(Array(body.utf8), botUserID: nil, receivedAt: Self.now)
        }
    }

    @Test func slashCommandDecodesFromTheForm() throws {
        let body = Array("token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=%2Flearn&text=how+do+I+book+a+flight%3F&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0".utf8)
        let command = try SlackSlashCommand.decode(body)
        #expect(command.command == "/learn")
        #expect(command.text == "how do I book a flight?")
        #expect(command.responseURL == "https://hooks.slack.com/commands/1234/5678")
        let message = command.message(receivedAt: Self.now)
        #expect(message.kind == .command)
        #expect(message.conversation.channel == "C2147483705")
        #expect(message.user == "U2147483697")
    }

    @Test func slashCommandWithoutResponseURLIsAnError() {
        #expect(throws: SlackDecodingError.self) {
            try SlackSlashCommand.decode(Array("command=%2Flearn&user_id=U1&channel_id=C1".utf8))
        }
    }
}
