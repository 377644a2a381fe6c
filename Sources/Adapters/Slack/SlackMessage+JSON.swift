import FlowLearnCore

/// Slack message bodies written straight to bytes: the same JSON `JSONEncoder` gives with sorted
/// keys and unescaped slashes (a test compares the two), at a fraction of its cost. Every reply,
/// quiz question and nudge is encoded on the request path, where the generic encoder's boxing and
/// key sorting took about a tenth of a slash command's time.
extension SlackMessage {
    var jsonBytes: [UInt8] {
        var out = JSONBytes()
        out.object { object in
            object.field("blocks") { out in out.array(blocks) { $0.write($1) } }
            object.field("channel", channel)
            object.field("replace_original", replace_original)
            object.field("response_type", response_type)
            object.field("text", text)
            object.field("thread_ts", thread_ts)
            object.field("unfurl_links", unfurl_links)
        }
        return out.bytes
    }
}

extension SlackMessage {
    /// The JSON before and after the last block: `head` + that block's JSON + `tail` is `jsonBytes`.
    /// For messages whose last block changes each time (an answer's buttons carry its id).
    var jsonAroundLastBlock: (head: [UInt8], tail: [UInt8]) {
        var head = JSONBytes()
        head.append(json: Array(#"{"blocks":["#.utf8))
        for block in blocks.dropLast() {
            head.write(block)
            head.append(json: [UInt8(ascii: ",")])
        }
        var rest = self
        rest.blocks = []
        let opening = Array(#"{"blocks":[]"#.utf8)  // `blocks` is always the first key
        let full = rest.jsonBytes
        return (head.bytes, [UInt8(ascii: "]")] + full.dropFirst(opening.count))
    }
}

extension JSONBytes {
    mutating func write(_ block: SlackMessage.Block) {
        object { object in
            object.field("block_id", block.block_id)
            if let elements = block.elements { object.field("elements") { out in out.array(elements) { $0.write($1) } } }
            if let text = block.text { object.field("text") { $0.write(text) } }
            object.field("type", block.type)
        }
    }

    mutating func write(_ text: SlackMessage.TextObject) {
        object { object in
            object.field("text", text.text)
            object.field("type", text.type)
        }
    }

    mutating func write(_ element: SlackMessage.Element) {
        object { object in
            switch element {
            case .mrkdwn(let text):
                object.field("text", text)
                object.field("type", "mrkdwn")
            case .button(let actionID, let text, let value, let style):
                object.field("action_id", actionID)
                object.field("style", style)
                object.field("text") { $0.write(SlackMessage.TextObject(type: "plain_text", text: text)) }
                object.field("type", "button")
                object.field("value", value)
            case .checkboxes(let actionID, let options):
                object.field("action_id", actionID)
                object.field("options") { out in
                    out.array(options) { out, option in
                        out.object { object in
                            object.field("text") { $0.write(SlackMessage.TextObject(type: "mrkdwn", text: option.text)) }
                            object.field("value", option.value)
                        }
                    }
                }
                object.field("type", "checkboxes")
            }
        }
    }
}
