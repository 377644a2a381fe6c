import FlowLearnCore
import FlowLearnSlack
import Foundation
import Testing

@Suite("Slack reply encoding and text")
struct SlackEncodingTests {
    static let nugget = Nugget(
        id: "taxi", title: "Taxi & ride-share", topic: "expenses", keywords: ["taxi"], questions: ["q"],
        links: [NuggetLink(title: "Policy", url: "https://intranet.example/p?a=1&b=2")],
        body: "# Steps\n- Keep the **receipt**.\n- File it in [Spendly](https://spendly.example).\n\nTips over 10 % < never.")

    func json(_ request: OutboundRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    @Test func postMessageGoesToTheThreadWithTheBotToken() throws {
        let encoder = SlackReplyEncoder(apiBaseURL: "https://slack.example/api/", botToken: "xoxb-1")
        let request = encoder.postMessage(.nugget(Self.nugget, confidence: 0.9), to: ConversationRef(platform: "slack", channel: "C1", thread: "1.2"))
        #expect(request.url == "https://slack.example/api/chat.postMessage")
        #expect(request.method == "POST")
        #expect(request.headers.contains(.init("Authorization", "Bearer xoxb-1", isSecret: true)))
        let body = try json(request)
        #expect(body["channel"] as? String == "C1")
        #expect(body["thread_ts"] as? String == "1.2")
        #expect(body["text"] as? String == "Taxi & ride-share")
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        let section = try #require((blocks[0]["text"] as? [String: Any])?["text"] as? String)
        #expect(section == "*Taxi &amp; ride-share*\n*Steps*\n• Keep the *receipt*.\n• File it in <https://spendly.example|Spendly>.\n\nTips over 10 % &lt; never.")
        let context = try #require((blocks[1]["elements"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(context == "More: <https://intranet.example/p?a=1&amp;b=2|Policy>")
    }

    @Test func responseURLReplyIsEphemeralAndUnauthenticated() throws {
        let request = SlackReplyEncoder.responseURLMessage(.unknown(question: "<!channel> ping & more"), responseURL: "https://hooks.slack.com/x")
        #expect(request.url == "https://hooks.slack.com/x")
        #expect(!request.headers.contains { $0.name == "Authorization" })
        let body = try json(request)
        #expect(body["response_type"] as? String == "ephemeral")
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(!text.contains("<!channel>"))
        #expect(text.contains("&lt;!channel&gt; ping &amp; more"))
    }

    @Test func choiceOffersBothTitles() throws {
        let other = Nugget(id: "uber", title: "Ride-share apps", body: "Use the business profile.")
        let body = try json(SlackReplyEncoder.responseURLMessage(.choice([Self.nugget, other], question: "rides"), responseURL: "https://h/x"))
        #expect((body["text"] as? String) == "Did you mean: Taxi & ride-share / Ride-share apps")
    }

    @Test func helpIsAnImmediateEphemeralAnswer() throws {
        let body = try #require(try JSONSerialization.jsonObject(with: Data(SlackReplyEncoder.immediateResponse(.help(command: "/learn")))) as? [String: Any])
        #expect(body["response_type"] as? String == "ephemeral")
        #expect((body["blocks"] as? [[String: Any]])?.isEmpty == false)
    }

    @Test func longBodiesAreClippedToSlacksLimit() throws {
        let long = Nugget(id: "long", title: "Long", body: String(repeating: "word ", count: 1000))
        let body = try json(SlackReplyEncoder.responseURLMessage(.nugget(long, confidence: 1), responseURL: "https://h/x"))
        let section = try #require(((body["blocks"] as? [[String: Any]])?.first?["text"] as? [String: Any])?["text"] as? String)
        #expect(section.count == 3000)
    }

    @Test func apiErrorsAreRead() {
        #expect(SlackReplyEncoder.apiError(in: Array(#"{"ok":false,"error":"channel_not_found"}"#.utf8)) == "channel_not_found")
        #expect(SlackReplyEncoder.apiError(in: Array(#"{"ok":true}"#.utf8)) == nil)
        #expect(SlackReplyEncoder.apiError(in: Array("ok".utf8)) == nil)
    }

    @Test func mentionsAreRemovedFromQuestions() {
        #expect(SlackText.removingMentions("<@U0LAN0Z89>   how do I <!here> a < b?") == "how do I a < b?")
    }

    @Test(arguments: [
        ("https://hooks.slack.com/commands/1/2", true),
        ("https://HOOKS.slack.com/commands/1/2", true),
        ("http://hooks.slack.com/commands/1/2", false),  // plain http only for loopback
        ("https://hooks.slack.com.evil.example/x", false),
        ("https://evil.example/?u=https://hooks.slack.com", false),
        ("https://user:pw@hooks.slack.com/x", false),
        ("http://127.0.0.1:9000/x", true),
        ("ftp://hooks.slack.com/x", false),
        ("not a url", false),
    ])
    func responseURLPolicy(_ url: String, _ allowed: Bool) {
        let policy = SlackResponseURLPolicy(allowedHosts: ["hooks.slack.com", "127.0.0.1"])
        #expect(policy.allows(url) == allowed)
    }
}
