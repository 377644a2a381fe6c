import FlowLearnCore
import Foundation

/// What an Events API request asks of us, decoded from Slack's JSON.
public enum SlackEventRequest: Sendable, Hashable {
    /// Slack checking the URL: answer with the challenge.
    case urlVerification(challenge: String)
    /// A question for the assistant, with the event id to deduplicate retries on.
    case question(eventID: String, message: InboundMessage)
    /// An event we take but do not answer (bot messages, edits, other types), with a reason for logs.
    case ignored(eventID: String?, reason: String)
}

/// Why a body could not be decoded: a 400, never a crash.
public struct SlackDecodingError: Error, Equatable, CustomStringConvertible {
    public var description: String
}

/// Decodes Events API bodies (`url_verification`, `event_callback` with `app_mention` or `message.im`).
public enum SlackEventDecoder {
    struct Envelope: Decodable {
        var type: String
        var challenge: String?
        var event_id: String?
        var team_id: String?
        var event: Event?
        var authorizations: [Authorization]?
    }

    struct Authorization: Decodable {
        var user_id: String?
    }

    struct Event: Decodable {
        var type: String
        var user: String?
        var text: String?
        var ts: String?
        var thread_ts: String?
        var channel: String?
        var channel_type: String?
        var bot_id: String?
        var subtype: String?
    }

    /// - Parameter botUserID: our own user id when configured; `authorizations` in the payload also tells.
    public static func decode(_ body: [UInt8], botUserID: String?, receivedAt: Date) throws(SlackDecodingError) -> SlackEventRequest {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch {
            throw SlackDecodingError(description: "body is not a Slack Events API JSON object")
        }
        switch envelope.type {
        case "url_verification":
            guard let challenge = envelope.challenge else { throw SlackDecodingError(description: "url_verification without challenge") }
            return .urlVerification(challenge: challenge)
        case "event_callback":
            guard let eventID = envelope.event_id, let event = envelope.event else {
                throw SlackDecodingError(description: "event_callback without event_id or event")
            }
            let ownIDs = Set([botUserID].compactMap { $0 } + (envelope.authorizations ?? []).compactMap(\.user_id))
            return classify(event, eventID: eventID, team: envelope.team_id ?? "", ownIDs: ownIDs, receivedAt: receivedAt)
        default:
            return .ignored(eventID: envelope.event_id, reason: "request type \(envelope.type)")
        }
    }

    static func classify(_ event: Event, eventID: String, team: String, ownIDs: Set<String>, receivedAt: Date) -> SlackEventRequest {
        if event.bot_id != nil { return .ignored(eventID: eventID, reason: "message from a bot") }
        if let subtype = event.subtype { return .ignored(eventID: eventID, reason: "message subtype \(subtype)") }
        guard let user = event.user, let channel = event.channel, let ts = event.ts, let text = event.text else {
            return .ignored(eventID: eventID, reason: "event without user, channel, ts or text")
        }
        if ownIDs.contains(user) { return .ignored(eventID: eventID, reason: "our own message") }
        let kind: InboundMessage.Kind
        switch (event.type, event.channel_type) {
        case ("app_mention", _): kind = .mention
        case ("message", "im"): kind = .direct
        default: return .ignored(eventID: eventID, reason: "event type \(event.type)")
        }
        let conversation = ConversationRef(platform: "slack", channel: channel, thread: event.thread_ts ?? ts)
        let message = InboundMessage(
            kind: kind, conversation: conversation, user: user, team: team, text: SlackText.removingMentions(text),
            receivedAt: receivedAt)
        return .question(eventID: eventID, message: message)
    }
}
