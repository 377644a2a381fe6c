import Crypto
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// Matrix as an application service: the homeserver pushes transactions of events to FlowLearn
/// (`PUT /_matrix/app/v1/transactions/{txnId}`, authorised with the `hs_token`), and FlowLearn acts
/// as its bot user through the client-server API with the `as_token`. Verify, decode, encode; no I/O.
public struct MatrixAppService: Sendable {
    public var homeserverURL: String
    public var serverName: String
    public var botLocalpart: String
    public var asToken: String
    public var hsToken: String

    public init(homeserverURL: String, serverName: String, botLocalpart: String, asToken: String, hsToken: String) {
        self.homeserverURL = homeserverURL.hasSuffix("/") ? String(homeserverURL.dropLast()) : homeserverURL
        self.serverName = serverName
        self.botLocalpart = botLocalpart
        self.asToken = asToken
        self.hsToken = hsToken
    }

    public var botUserID: String { "@\(botLocalpart):\(serverName)" }

    // MARK: Verify

    /// Whether a request carries the homeserver's token, as `Authorization: Bearer …` or (older
    /// homeservers) the `access_token` query parameter; compared in constant time.
    public func isFromHomeserver(authorization: String?, accessToken: String?) -> Bool {
        let presented: String?
        if let authorization, authorization.hasPrefix("Bearer ") {
            presented = String(authorization.dropFirst(7))
        } else {
            presented = accessToken
        }
        guard let presented, !hsToken.isEmpty else { return false }
        let a = Array(SHA256.hash(data: Data(presented.utf8)))
        let b = Array(SHA256.hash(data: Data(hsToken.utf8)))
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Decode

    public enum Event: Sendable, Hashable {
        /// A text message in a room; `mentionsBot` when it names the bot (then `text` has the mention removed).
        case message(room: String, eventID: String, sender: String, text: String, mentionsBot: Bool)
        /// The bot was invited to a room; `isDirect` for a direct chat.
        case invite(room: String, eventID: String, sender: String, isDirect: Bool)
        case ignored(eventID: String?, reason: String)

        public var eventID: String? {
            switch self {
            case .message(_, let id, _, _, _), .invite(_, let id, _, _): return id
            case .ignored(let id, _): return id
            }
        }
    }

    public struct DecodingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The events of a transaction body `{"events": [...]}`, decoded one by one: an event of an odd
    /// shape (`"body": 1`) is ignored with its reason, never the whole transaction, which the
    /// homeserver would otherwise send again forever with every later event queued behind it.
    public func decodeTransaction(_ body: [UInt8]) throws(DecodingError) -> [Event] {
        struct Transaction: Decodable {
            var events: [LenientEvent]
        }
        let transaction: Transaction
        do {
            transaction = try JSONDecoder().decode(Transaction.self, from: Data(body))
        } catch {
            throw DecodingError(description: "transaction is not {\"events\": [...]}: \(error)")
        }
        return transaction.events.map { item in
            guard let raw = item.raw else { return .ignored(eventID: item.eventID, reason: "malformed event: \(item.problem)") }
            return event(raw)
        }
    }

    /// One element of `events`: the event, or why it could not be read (and its id, if it has one).
    struct LenientEvent: Decodable {
        var raw: RawEvent?
        var eventID: String?
        var problem = ""

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            do {
                raw = try RawEvent(from: decoder)
            } catch {
                problem = "\(error)"
                eventID = try? decoder.container(keyedBy: Key.self).decode(String.self, forKey: Key(stringValue: "event_id"))
            }
        }
    }

    struct RawEvent: Decodable {
        struct Mentions: Decodable { var user_ids: [String]? }
        struct Content: Decodable {
            var msgtype: String?
            var body: String?
            var membership: String?
            var is_direct: Bool?
            var mentions: Mentions?
            enum CodingKeys: String, CodingKey {
                case msgtype, body, membership, is_direct
                case mentions = "m.mentions"
            }
        }
        var type: String?
        var event_id: String?
        var room_id: String?
        var sender: String?
        var state_key: String?
        var content: Content?
    }

    func event(_ raw: RawEvent) -> Event {
        guard let type = raw.type, let room = raw.room_id, let eventID = raw.event_id, let sender = raw.sender else {
            return .ignored(eventID: raw.event_id, reason: "incomplete event")
        }
        if sender == botUserID { return .ignored(eventID: eventID, reason: "the bot's own event") }
        switch type {
        case "m.room.member":
            guard raw.state_key == botUserID, raw.content?.membership == "invite" else { return .ignored(eventID: eventID, reason: "membership") }
            return .invite(room: room, eventID: eventID, sender: sender, isDirect: raw.content?.is_direct ?? false)
        case "m.room.message":
            guard let content = raw.content, content.msgtype == "m.text", let body = content.body else {
                return .ignored(eventID: eventID, reason: "not a text message")
            }
            let (text, mentioned) = removingMention(body)
            return .message(
                room: room, eventID: eventID, sender: sender, text: text,
                mentionsBot: mentioned || (content.mentions?.user_ids?.contains(botUserID) ?? false))
        default:
            return .ignored(eventID: eventID, reason: "event type \(type)")
        }
    }

    /// Strips a leading or embedded mention of the bot (`@flowlearn:server`, `flowlearn:` as clients
    /// write display-name pills).
    func removingMention(_ body: String) -> (String, Bool) {
        var text = body
        var mentioned = false
        if text.contains(botUserID) {
            text = text.replacingOccurrences(of: botUserID, with: "")
            mentioned = true
        }
        for prefix in ["\(botLocalpart): ", "\(botLocalpart):", "\(botLocalpart), "] where text.lowercased().hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count))
            mentioned = true
            break
        }
        text = text.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: ":,")))
        return (text, mentioned)
    }

    // MARK: Encode

    /// An `m.notice` into a room; `transactionID` makes a resend a no-op at the homeserver.
    public func notice(_ text: String, room: String, transactionID: String) -> OutboundRequest {
        let content: [String: String] = ["msgtype": "m.notice", "body": text]
        let body = (try? JSONSerialization.data(withJSONObject: content, options: [.sortedKeys])) ?? Data("{}".utf8)
        return OutboundRequest(
            method: "PUT",
            url: "\(homeserverURL)/_matrix/client/v3/rooms/\(Self.escape(room))/send/m.room.message/\(Self.escape(transactionID))?user_id=\(Self.escape(botUserID))",
            headers: headers(), body: Array(body), purpose: "matrix.send")
    }

    /// The bot joins a room it was invited to.
    public func join(room: String) -> OutboundRequest {
        OutboundRequest(
            url: "\(homeserverURL)/_matrix/client/v3/join/\(Self.escape(room))?user_id=\(Self.escape(botUserID))", headers: headers(),
            body: Array("{}".utf8), purpose: "matrix.join")
    }

    /// A reply's text: the nugget or quiz rendered plainly (clients show `m.notice` as the bot's voice).
    public static func text(_ reply: Reply) -> String {
        ConsoleRenderer.render(reply)
    }

    public static func text(_ reply: QuizReply) -> String {
        ConsoleQuizRenderer.render(reply, command: "quiz", numbered: true)
    }

    /// A transaction id for a reply to an event: the same event always gets the same id.
    public static func transactionID(replyingTo eventID: String, part: Int = 0) -> String {
        let digest = SHA256.hash(data: Data("\(eventID)#\(part)".utf8))
        return "fl" + digest.prefix(12).map { String(format: "%02x", $0) }.joined()
    }

    /// The registration file a homeserver loads (`app_service_config_files`).
    public func registrationYAML(id: String, url: String) -> String {
        let escapedLocalpart = NSRegularExpression.escapedPattern(for: botLocalpart)
        let escapedServer = NSRegularExpression.escapedPattern(for: serverName)
        return """
            # FlowLearn application service registration: give this file to the homeserver
            # (Synapse: app_service_config_files) and restart it.
            id: \(id)
            url: "\(url)"
            as_token: "\(asToken)"
            hs_token: "\(hsToken)"
            sender_localpart: \(botLocalpart)
            rate_limited: false
            namespaces:
              users:
                - exclusive: true
                  regex: "@\(escapedLocalpart):\(escapedServer)"
              aliases: []
              rooms: []

            """
    }

    func headers() -> [OutboundRequest.Header] {
        [.init("Content-Type", "application/json"), .init("Authorization", "Bearer \(asToken)", isSecret: true)]
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
