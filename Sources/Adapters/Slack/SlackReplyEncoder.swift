import FlowLearnCore
import Foundation
import Synchronization

/// Renders a core `Reply` as Slack requests: `chat.postMessage` in a thread, or a POST to `response_url`.
public struct SlackReplyEncoder: Sendable {
    /// e.g. `https://slack.com/api`, no trailing slash needed.
    public var apiBaseURL: String
    public var botToken: String

    public init(apiBaseURL: String, botToken: String) {
        self.apiBaseURL = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        self.botToken = botToken
    }

    public static let helpfulAction = "answer.helpful"
    public static let notHelpfulAction = "answer.unhelpful"

    /// `chat.postMessage` into the conversation, threaded when the conversation has a thread; an
    /// answer with an `answerID` carries Helpful / Not helpful buttons.
    public func postMessage(_ reply: Reply, to conversation: ConversationRef, answerID: String? = nil) -> OutboundRequest {
        var message = Self.message(for: reply, answerID: answerID)
        message.channel = conversation.channel
        message.thread_ts = conversation.thread
        return OutboundRequest(
            url: apiBaseURL + "/chat.postMessage",
            headers: [
                .init("Content-Type", "application/json; charset=utf-8"),
                .init("Authorization", "Bearer \(botToken)", isSecret: true),
            ],
            body: Self.json(message), purpose: "slack.chat.postMessage")
    }

    /// An ephemeral reply through a slash command's or interaction's `response_url`.
    public static func responseURLMessage(_ reply: Reply, responseURL: String, answerID: String? = nil) -> OutboundRequest {
        var message = Self.message(for: reply, answerID: answerID)
        message.response_type = "ephemeral"
        return OutboundRequest(
            url: responseURL, headers: [.init("Content-Type", "application/json; charset=utf-8")],
            body: json(message), purpose: "slack.response_url")
    }

    /// The body of a synchronous answer to a slash command: the reply travels in the acknowledgement,
    /// with no second request; an answer with an `answerID` carries Helpful / Not helpful buttons.
    public static func immediateResponse(_ reply: Reply, answerID: String? = nil) -> [UInt8] {
        if case .nugget(let nugget, _) = reply, let answerID {
            // The same nugget is answered again and again: only its buttons (the answer's id) change.
            let parts = answerTemplate(nugget)
            var buttons = JSONBytes()
            buttons.write(answerButtons(answerID))
            return parts.head + buttons.bytes + parts.tail
        }
        var message = Self.message(for: reply, answerID: answerID)
        message.response_type = "ephemeral"
        return json(message)
    }

    /// A short ephemeral text answered inline (Markdown converted to mrkdwn).
    public static func immediateText(_ markdown: String) -> [UInt8] {
        let text = SlackText.mrkdwn(fromMarkdown: markdown)
        return json(SlackMessage(response_type: "ephemeral", text: text, blocks: [.section(text)]))
    }

    /// A short ephemeral text through a `response_url`, leaving the original message alone.
    public static func responseURLText(_ markdown: String, responseURL: String) -> OutboundRequest {
        let text = SlackText.mrkdwn(fromMarkdown: markdown)
        return OutboundRequest(
            url: responseURL, headers: [.init("Content-Type", "application/json; charset=utf-8")],
            body: json(SlackMessage(response_type: "ephemeral", replace_original: false, text: text, blocks: [.section(text)])),
            purpose: "slack.response_url")
    }

    /// A message from the bot into a channel (`chat.postMessage`); the caller adds the bot token.
    public static func channelText(_ markdown: String, channel: String, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        let body = (try? JSONSerialization.data(withJSONObject: ["channel": channel, "text": SlackText.mrkdwn(fromMarkdown: markdown)], options: [.sortedKeys]))
            ?? Data("{}".utf8)
        return OutboundRequest(
            url: base + "/chat.postMessage", headers: [.init("Content-Type", "application/json; charset=utf-8")], body: Array(body),
            purpose: "slack.chat.postMessage")
    }

    static func json(_ message: SlackMessage) -> [UInt8] {
        message.jsonBytes
    }

    /// Helpful / Not helpful under an answer, naming it.
    static func answerButtons(_ answerID: String) -> SlackMessage.Block {
        .actions(id: "answer:" + answerID, [
            .button(actionID: helpfulAction, text: "Helpful", value: answerID, style: nil),
            .button(actionID: notHelpfulAction, text: "Not helpful", value: answerID, style: nil),
        ])
    }

    /// Answers in the acknowledgement, by nugget id, without their buttons (bounded: emptied when
    /// full). Each entry keeps the nugget it was made from: one edited since (a reload) is made again.
    /// (By id, not by nugget: hashing a whole nugget, body and examples, costs more than the lookup saves.)
    private static let answerTemplates = Mutex<[String: (nugget: Nugget, head: [UInt8], tail: [UInt8])]>([:])

    static func answerTemplate(_ nugget: Nugget) -> (head: [UInt8], tail: [UInt8]) {
        // Comparing with the same nugget (the same strings) is quick: equal storage is not read.
        if let known = answerTemplates.withLock({ $0[nugget.id] }), known.nugget == nugget { return (known.head, known.tail) }
        var message = Self.message(for: .nugget(nugget, confidence: 1), answerID: "-")  // its buttons are left out
        message.response_type = "ephemeral"
        let parts = message.jsonAroundLastBlock
        answerTemplates.withLock { table in
            if table.count >= SlackText.convertedLimit { table.removeAll(keepingCapacity: true) }
            table[nugget.id] = (nugget, parts.head, parts.tail)
        }
        return parts
    }

    /// Section text may hold at most 3,000 characters.
    static let sectionLimit = 3000

    static func message(for reply: Reply, answerID: String? = nil) -> SlackMessage {
        switch reply {
        case .nugget(let nugget, _):
            var blocks = [SlackMessage.Block.section(clip("*\(SlackText.escape(nugget.title))*\n" + SlackText.rememberedMrkdwn(fromMarkdown: nugget.body)))]
            if !nugget.links.isEmpty {
                let links = nugget.links.map { "<\(SlackText.escape($0.url))|\(SlackText.escape($0.title))>" }
                blocks.append(.context("\(ReplyWording.moreLead) " + links.joined(separator: " · ")))
            }
            if let answerID { blocks.append(answerButtons(answerID)) }
            return SlackMessage(text: nugget.title, blocks: blocks)
        case .choice(let nuggets, let question):
            let lines =
                ["\(ReplyWording.choiceLead) \(ReplyWording.alternatives(nuggets.map { "*\(SlackText.escape($0.title))*" }))?"]
                + nuggets.map { "• *\(SlackText.escape($0.title))*: \(SlackText.rememberedMrkdwn(fromMarkdown: $0.summary))" }
                + ["_Ask again with a few more words and I'll give you the whole nugget._"]
            return SlackMessage(
                text: "\(ReplyWording.choiceLead) \(nuggets.map(\.title).joined(separator: " / "))",
                blocks: [.section(clip(lines.joined(separator: "\n"))), .context("You asked: \(SlackText.escape(question))")])
        case .unknown(let question):
            return SlackMessage(
                text: ReplyWording.unknownLead,
                blocks: [
                    .section("\(ReplyWording.unknownLead) \(ReplyWording.unknownFollow)"),
                    .context("You asked: \(SlackText.escape(question))"),
                ])
        case .help(let command):
            let lines = ReplyWording.helpLines(command: command)
            return SlackMessage(text: lines[0], blocks: [.section(lines.joined(separator: "\n"))])
        }
    }

    static func clip(_ text: String) -> String {
        // No more bytes than the limit means no more characters either (counting characters is slow).
        text.utf8.count <= sectionLimit || text.count <= sectionLimit ? text : String(text.prefix(sectionLimit - 1)) + "…"
    }
}

extension SlackReplyEncoder {
    /// Slack answers API calls with HTTP 200 and `{"ok":false,"error":"…"}` when it refuses them;
    /// returns that error code, or nil when the call went through.
    public static func apiError(in body: [UInt8]) -> String? {
        struct Answer: Decodable {
            var ok: Bool?
            var error: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)), answer.ok == false else { return nil }
        return answer.error ?? "unknown_error"
    }
}
