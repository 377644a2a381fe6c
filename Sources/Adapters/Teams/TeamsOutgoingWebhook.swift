import Crypto
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// Microsoft Teams outgoing webhooks: an @mention of the webhook in a channel arrives as a Bot
/// Framework activity signed with `Authorization: HMAC <base64>`, and is answered synchronously (within
/// 5 s) with a message: an Adaptive Card with a text fallback. Verify, decode, encode; no I/O.
public struct TeamsOutgoingWebhook: Sendable {
    /// The security token Teams shows when the webhook is created, base64-decoded.
    let secret: Data?

    public init(securityToken: String) {
        secret = Data(base64Encoded: securityToken).flatMap { $0.isEmpty ? nil : $0 }
    }

    var key: SymmetricKey? { secret.map { SymmetricKey(data: $0) } }

    public var isConfigured: Bool { secret != nil }

    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// Checks `Authorization: HMAC <base64(HMAC-SHA256(base64-decoded token, raw body))>` in constant time.
    public func verify(authorization: String?, body: [UInt8]) throws(Refusal) {
        guard let key else { throw Refusal(description: "Teams security token not configured") }
        guard let authorization, authorization.hasPrefix("HMAC ") else { throw Refusal(description: "missing HMAC authorization") }
        guard let presented = Data(base64Encoded: String(authorization.dropFirst(5)).trimmingCharacters(in: .whitespaces)) else {
            throw Refusal(description: "authorization is not base64")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: Data(body), using: key) else {
            throw Refusal(description: "signature mismatch")
        }
    }

    /// What a test (or Teams) would send for `body`.
    public func sign(_ body: [UInt8]) -> String? {
        key.map { "HMAC " + Data(HMAC<SHA256>.authenticationCode(for: Data(body), using: $0)).base64EncodedString() }
    }

    public struct Activity: Sendable, Hashable {
        public var id: String
        public var user: String
        public var userName: String
        public var conversation: String
        public var text: String
    }

    /// The activity's sender, conversation and text with the `<at>…</at>` mention and markup removed.
    public static func decode(_ body: [UInt8]) throws(Refusal) -> Activity {
        struct Raw: Decodable {
            struct Account: Decodable {
                var id: String?
                var name: String?
                var aadObjectId: String?
            }
            struct Conversation: Decodable { var id: String? }
            var type: String?
            var id: String?
            var text: String?
            var from: Account?
            var conversation: Conversation?
        }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(body))
        } catch {
            throw Refusal(description: "not a Bot Framework activity: \(error)")
        }
        guard raw.type == "message", let id = raw.id, let from = raw.from, let user = from.aadObjectId ?? from.id,
            let conversation = raw.conversation?.id
        else { throw Refusal(description: "activity needs type message, id, from and conversation") }
        return Activity(id: id, user: user, userName: from.name ?? "", conversation: conversation, text: plainText(raw.text ?? ""))
    }

    /// `<at>FlowLearn</at> how do I…` → `how do I…`; other tags dropped, entities decoded.
    static func plainText(_ html: String) -> String {
        var text = html
        while let open = text.range(of: "<at>"), let close = text.range(of: "</at>", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        while let open = text.firstIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            text.removeSubrange(open...close)
        }
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The synchronous answer: an Adaptive Card (title, body, links as `openURL` actions) with the
    /// plain text as fallback.
    /// - Parameter note: a last line under an answer (how to rate it).
    public static func response(_ reply: Reply, note: String? = nil) -> [UInt8] {
        switch reply {
        case .nugget(let nugget, _):
            var body: [[String: Any]] = [
                ["type": "TextBlock", "text": nugget.title, "weight": "Bolder", "size": "Medium", "wrap": true],
                ["type": "TextBlock", "text": nugget.body, "wrap": true],
            ]
            if let note { body.append(["type": "TextBlock", "text": note, "isSubtle": true, "wrap": true]) }
            var card: [String: Any] = [
                "type": "AdaptiveCard", "version": "1.4", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "body": body,
            ]
            if !nugget.links.isEmpty {
                card["actions"] = nugget.links.prefix(5).map { ["type": "Action.OpenUrl", "title": $0.title, "url": $0.url] }
            }
            return json([
                "type": "message", "text": ConsoleRenderer.render(reply) + (note.map { "\n\n" + $0 } ?? ""),
                "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
            ])
        default:
            return text(ConsoleRenderer.render(reply))
        }
    }

    public static func response(_ reply: QuizReply) -> [UInt8] {
        text(ConsoleQuizRenderer.render(reply, command: "quiz", numbered: true))
    }

    public static func text(_ text: String) -> [UInt8] {
        json(["type": "message", "text": text])
    }

    /// A channel nudge for a Workflows ("Post to a channel when a webhook request is received") URL:
    /// the card as an attachment.
    public static func workflowNudge(_ nugget: Nugget, url: String) -> OutboundRequest {
        let message = (try? JSONSerialization.jsonObject(with: Data(response(.nugget(nugget, confidence: 1))))) as? [String: Any] ?? [:]
        var body = message
        body["text"] = "Nugget of the day: " + (message["text"] as? String ?? nugget.title)
        return OutboundRequest(url: url, headers: [.init("Content-Type", "application/json")], body: json(body), purpose: "teams.workflow")
    }

    /// A plain message through a Workflows webhook.
    public static func workflowText(_ text: String, url: String) -> OutboundRequest {
        OutboundRequest(url: url, headers: [.init("Content-Type", "application/json")], body: json(["type": "message", "text": text]), purpose: "teams.workflow")
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }
}
