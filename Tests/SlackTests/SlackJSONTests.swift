import Foundation
import Testing

@testable import FlowLearnSlack
import FlowLearnCore

/// The hand-written JSON of Slack messages is byte for byte what `JSONEncoder` writes with sorted
/// keys and unescaped slashes, for every shape of message and for awkward text.
@Suite("Slack message JSON")
struct SlackJSONTests {
    static func reference(_ message: SlackMessage) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(message))
    }

    /// Every ASCII character, controls included, and text beyond ASCII.
    static let awkward: [String] = [
        "", "plain", "quote \" backslash \\ slash / <https://x.example/a?b=c&d|link>",
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
        "Zoë's naïve café ☕️ 👩🏽‍💻 \u{2028}\u{2029} \u{7F} \u{FEFF} 中文 עברית",
        "line one\nline two\r\n\ttabbed",
    ]

    static func messages() -> [SlackMessage] {
        var messages: [SlackMessage] = []
        for text in awkward {
            messages.append(SlackMessage(text: text, blocks: []))
            messages.append(
                SlackMessage(
                    channel: "C1" + text, thread_ts: "1.2", response_type: "ephemeral", replace_original: false, text: text,
                    blocks: [
                        .section(text), .context(text),
                        .actions(id: "answer:" + text, [
                            .button(actionID: "a", text: text, value: text, style: nil),
                            .button(actionID: "b", text: "No", value: "v", style: "danger"),
                            .checkboxes(actionID: "c", options: [(text: text, value: "1"), (text: "two", value: text)]),
                        ]),
                        SlackMessage.Block(type: "divider"),
                    ], unfurl_links: nil))
            messages.append(SlackMessage(replace_original: true, text: text, blocks: [.section(text)], unfurl_links: true))
        }
        return messages
    }

    @Test("the same bytes as JSONEncoder")
    func sameBytesAsJSONEncoder() throws {
        for message in Self.messages() {
            let ours = message.jsonBytes
            let theirs = try Self.reference(message)
            #expect(ours == theirs, "\(String(decoding: ours, as: UTF8.self)) vs \(String(decoding: theirs, as: UTF8.self))")
            #expect((try? JSONSerialization.jsonObject(with: Data(ours))) != nil, "valid JSON")
        }
    }
}

extension SlackJSONTests {
    @Test("split around the last block, the parts join to the whole")
    func partsAroundTheLastBlock() {
        for message in Self.messages() where !message.blocks.isEmpty {
            let parts = message.jsonAroundLastBlock
            var last = JSONBytes()
            last.write(message.blocks[message.blocks.count - 1])
            #expect(parts.head + last.bytes + parts.tail == message.jsonBytes)
        }
    }

    @Test("an answer in the acknowledgement, from its nugget's template, is the message itself")
    func answerFromTemplate() throws {
        for title in Self.awkward {
            let nugget = Nugget(
                id: "n-\(title.utf8.count)", title: title, topic: "t", keywords: [], questions: ["q"],
                links: title.isEmpty ? [] : [NuggetLink(title: title, url: "https://x.example/\(title.utf8.count)")], body: "**Body** " + title)
            for answerID in ["0123456789abcdef", "fedcba9876543210"] {
                var message = SlackReplyEncoder.message(for: .nugget(nugget, confidence: 0.9), answerID: answerID)
                message.response_type = "ephemeral"
                let expected = try Self.reference(message)
                #expect(SlackReplyEncoder.immediateResponse(.nugget(nugget, confidence: 0.9), answerID: answerID) == expected)
            }
        }
        // The same id edited (a reload): answered from the new text, not the template of the old one.
        var nugget = Nugget(id: "edited", title: "Taxi", topic: "t", keywords: [], questions: ["q"], links: [], body: "Old text")
        _ = SlackReplyEncoder.immediateResponse(.nugget(nugget, confidence: 0.9), answerID: "a1")
        nugget.body = "New text"
        let answer = String(decoding: SlackReplyEncoder.immediateResponse(.nugget(nugget, confidence: 0.9), answerID: "a1"), as: UTF8.self)
        #expect(answer.contains("New text") && !answer.contains("Old text"))
    }
}

@Suite("Slack mentions removed")
struct SlackMentionTests {
    @Test("the quick path for plain messages gives what the general rule gives")
    func quickPathAgreesWithTheRule() {
        let pieces = [" ", "  ", "\t", "\n", "\u{00A0}", "a", "taxi", "é", "<@U1>", "<!here>", "<", ">", "?", "\u{200B}", "\r\n"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            #expect(SlackText.removingMentions(text) == SlackText.removingMentionsByRule(text), "\(text.debugDescription)")
        }
    }
}
