import FlowLearnCore
import Foundation

/// Renders a nudge as a `chat.postMessage` request: a nugget with "More like this" / "Not useful"
/// buttons, or a review question with the quiz buttons. The bot token is not in the stored request:
/// `authorization` adds it when the nudge is sent.
public enum SlackNudgeEncoder {
    public static let moreAction = "nudge.more"
    public static let lessAction = "nudge.less"

    public static func nugget(_ nugget: Nugget, key: String, channel: String, apiBaseURL: String) -> OutboundRequest {
        var message = SlackReplyEncoder.message(for: .nugget(nugget, confidence: 1))
        message.channel = channel
        message.text = "Today's nugget: \(nugget.title)"
        message.blocks.insert(.context(":bulb: Your daily nugget"), at: 0)
        message.blocks.append(.actions(id: "nudge:\(key)", [
            .button(actionID: moreAction, text: "More like this", value: key, style: "primary"),
            .button(actionID: lessAction, text: "Not useful", value: key, style: nil),
        ]))
        return request(message, apiBaseURL: apiBaseURL)
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
