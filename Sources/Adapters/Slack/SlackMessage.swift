/// A Slack message body: fallback text plus Block Kit blocks (the JSON shapes Slack documents).
struct SlackMessage: Encodable, Sendable {
    var channel: String?
    var thread_ts: String?
    var response_type: String?
    var replace_original: Bool?
    var text: String
    var blocks: [Block]
    var unfurl_links: Bool? = false

    struct Block: Encodable, Sendable {
        var type: String
        var text: TextObject?
        var elements: [TextObject]?

        static func section(_ mrkdwn: String) -> Block {
            Block(type: "section", text: TextObject(type: "mrkdwn", text: mrkdwn), elements: nil)
        }

        static func context(_ mrkdwn: String) -> Block {
            Block(type: "context", text: nil, elements: [TextObject(type: "mrkdwn", text: mrkdwn)])
        }
    }

    struct TextObject: Encodable, Sendable {
        var type: String
        var text: String
    }
}
