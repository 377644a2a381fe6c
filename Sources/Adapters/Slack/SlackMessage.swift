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
        var block_id: String?
        var text: TextObject?
        var elements: [Element]?

        static func section(_ mrkdwn: String) -> Block {
            Block(type: "section", text: TextObject(type: "mrkdwn", text: mrkdwn))
        }

        static func context(_ mrkdwn: String) -> Block {
            Block(type: "context", elements: [.mrkdwn(mrkdwn)])
        }

        static func actions(id: String, _ elements: [Element]) -> Block {
            Block(type: "actions", block_id: id, elements: elements)
        }
    }

    struct TextObject: Encodable, Sendable {
        var type: String
        var text: String
    }

    /// A context element or an interactive element of an actions block.
    enum Element: Encodable, Sendable {
        case mrkdwn(String)
        case button(actionID: String, text: String, value: String, style: String?)
        case checkboxes(actionID: String, options: [(text: String, value: String)])

        enum Keys: String, CodingKey {
            case type, text, action_id, value, style, options
        }

        struct Option: Encodable {
            var text: TextObject
            var value: String
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .mrkdwn(let text):
                try container.encode("mrkdwn", forKey: .type)
                try container.encode(text, forKey: .text)
            case .button(let actionID, let text, let value, let style):
                try container.encode("button", forKey: .type)
                try container.encode(actionID, forKey: .action_id)
                try container.encode(TextObject(type: "plain_text", text: text), forKey: .text)
                try container.encode(value, forKey: .value)
                try container.encodeIfPresent(style, forKey: .style)
            case .checkboxes(let actionID, let options):
                try container.encode("checkboxes", forKey: .type)
                try container.encode(actionID, forKey: .action_id)
                try container.encode(options.map { Option(text: TextObject(type: "mrkdwn", text: $0.text), value: $0.value) }, forKey: .options)
            }
        }
    }
}
