import FlowLearnCore
import Foundation

/// Renders a nudge as a `chat.postMessage` request: a nugget with "More like this" / "Not useful"
/// buttons, or a review question with the quiz buttons. The bot token is not in the stored request:
/// `authorization` adds it when the nudge is sent.
public enum SlackNudgeEncoder {
    public static let moreAction = "nudge.more"
    public static let lessAction = "nudge.less"

    public static func nugget(_ nugget: Nugget, key: String, channel: String, apiBaseURL: String) -> OutboundRequest {
        NuggetTemplate(nugget).request(key: key, channel: channel, apiBaseURL: apiBaseURL)
    }

    /// A nugget nudge rendered once, for many recipients: the JSON with the channel and the nudge key
    /// left open. Planning renders thousands of nudges from a few dozen nuggets.
    public struct NuggetTemplate: Sendable {
        /// The JSON split where the channel and the key go.
        let parts: [String]
        let slots: [Bool]  // true: channel, false: key

        static let channelMark = "\u{1}CHANNEL\u{1}"
        static let keyMark = "\u{1}KEY\u{1}"

        public init(_ nugget: Nugget) {
            var message = SlackReplyEncoder.message(for: .nugget(nugget, confidence: 1))
            message.channel = Self.channelMark
            message.text = "Today's nugget: \(nugget.title)"
            message.blocks.insert(.context(":bulb: Your daily nugget"), at: 0)
            message.blocks.append(.actions(id: "nudge:" + Self.keyMark, [
                .button(actionID: moreAction, text: "More like this", value: Self.keyMark, style: "primary"),
                .button(actionID: lessAction, text: "Not useful", value: Self.keyMark, style: nil),
            ]))
            let json = String(decoding: SlackReplyEncoder.json(message), as: UTF8.self)
            // JSONEncoder writes the marks' control characters as \u0001.
            let channel = "\\u0001CHANNEL\\u0001"
            let key = "\\u0001KEY\\u0001"
            var parts: [String] = []
            var slots: [Bool] = []
            var rest = Substring(json)
            while let range = [rest.range(of: channel), rest.range(of: key)].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) {
                parts.append(String(rest[..<range.lowerBound]))
                slots.append(rest[range] == channel)
                rest = rest[range.upperBound...]
            }
            parts.append(String(rest))
            self.parts = parts
            self.slots = slots
        }

        public func request(key: String, channel: String, apiBaseURL: String) -> OutboundRequest {
            let channelText = Self.escape(channel)
            let keyText = Self.escape(key)
            var json = parts[0]
            for (index, isChannel) in slots.enumerated() {
                json += isChannel ? channelText : keyText
                json += parts[index + 1]
            }
            let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
            return OutboundRequest(
                url: base + "/chat.postMessage", headers: [.init("Content-Type", "application/json; charset=utf-8")], body: Array(json.utf8),
                purpose: "slack.nudge")
        }

        /// JSON string escaping for an id.
        static func escape(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/": out += "/"
                default:
                    if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out
        }
    }

    public static func question(_ prompt: QuizPrompt, channel: String, apiBaseURL: String) -> OutboundRequest {
        var message = SlackQuizEncoder.questionMessage(prompt)
        message.channel = channel
        message.text = "Quick review: \(prompt.question.prompt)"
        message.blocks[0] = .section(
            SlackReplyEncoder.clip(
                ":repeat: *Quick review*: this one is due\n" + SlackText.escape(prompt.question.prompt)
                    + (prompt.question.kind == .trueFalse
                        ? ""
                        : "\n" + prompt.question.choices.indices.map { "*\(QuizQuestion.letter($0)).* \(SlackText.escape(prompt.question.choices[$0]))" }
                            .joined(separator: "\n"))))
        return request(message, apiBaseURL: apiBaseURL)
    }

    /// Headers the outbox adds at send time.
    public static func authorization(botToken: String) -> [OutboundRequest.Header] {
        [.init("Authorization", "Bearer \(botToken)", isSecret: true)]
    }

    /// `users.info` for a person's time zone (a GET with the bot token).
    public static func userInfo(_ user: String, apiBaseURL: String, botToken: String) -> OutboundRequest {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return OutboundRequest(
            method: "GET", url: "\(base)/users.info?user=\(user.addingPercentEncoding(withAllowedCharacters: allowed) ?? user)",
            headers: authorization(botToken: botToken), body: [], purpose: "slack.users.info")
    }

    /// The IANA time zone in a `users.info` answer, if it holds a valid one.
    public static func timeZone(inUserInfo body: [UInt8]) -> String? {
        struct Answer: Decodable {
            struct User: Decodable { var tz: String? }
            var ok: Bool
            var user: User?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)), answer.ok, let zone = answer.user?.tz,
            TimeZone(identifier: zone) != nil
        else { return nil }
        return zone
    }

    static func request(_ message: SlackMessage, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return OutboundRequest(
            url: base + "/chat.postMessage", headers: [.init("Content-Type", "application/json; charset=utf-8")],
            body: SlackReplyEncoder.json(message), purpose: "slack.nudge")
    }
}
