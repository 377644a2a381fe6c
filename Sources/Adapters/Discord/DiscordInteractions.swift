import Crypto
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// Discord's interactions endpoint: every request is signed with Ed25519 over timestamp + raw body
/// (`X-Signature-Ed25519`, `X-Signature-Timestamp`); PING is answered with PONG, slash commands
/// (`/learn`, `/quiz`) and button or select clicks with a message or an update, within 3 s, or deferred
/// and followed up through the interaction webhook. Verify, decode, encode; no I/O.
public struct DiscordInteractions: Sendable {
    let publicKey: Data?
    /// How old a signed timestamp may be, in seconds (replays are refused).
    public var tolerance: TimeInterval

    public init(publicKeyHex: String, tolerance: TimeInterval = 300) {
        self.publicKey = Self.bytes(hex: publicKeyHex).flatMap { $0.count == 32 ? Data($0) : nil }
        self.tolerance = tolerance
    }

    public var isConfigured: Bool { publicKey != nil }

    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    public static let signatureHeader = "X-Signature-Ed25519"
    public static let timestampHeader = "X-Signature-Timestamp"

    public func verify(signature: String?, timestamp: String?, body: [UInt8], now: Date) throws(Refusal) {
        guard let publicKey, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw Refusal(description: "Discord public key not configured")
        }
        guard let signature, let timestamp, let bytes = Self.bytes(hex: signature), bytes.count == 64 else {
            throw Refusal(description: "missing or malformed signature headers")
        }
        guard key.isValidSignature(Data(bytes), for: Data(timestamp.utf8) + Data(body)) else {
            throw Refusal(description: "invalid request signature")
        }
        guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= tolerance else {
            throw Refusal(description: "timestamp too old or in the future (replay?)")
        }
    }

    // MARK: Decode

    public enum Interaction: Sendable, Hashable {
        case ping
        /// `/learn question:…` or `/quiz [text:…]`.
        case command(name: String, text: String, context: Context)
        /// A quiz button or select: `quiz:<session>:<position>:<choice>` or `quizsel:<session>:<position>` with values.
        case quizAnswer(sessionID: String, position: Int, picks: Set<Int>, context: Context)
        /// "That was easy" / "I guessed" after a right answer: `quizrefine:<session>:<position>:easy|guessed`.
        case quizRefine(sessionID: String, position: Int, easy: Bool, context: Context)
        /// "Helpful" / "Not helpful" under an answer: `answer:<answer id>:yes|no`.
        case answerFeedback(answerID: String, helpful: Bool, context: Context)
        case ignored(String)
    }

    /// Who and where, and what is needed to follow up.
    public struct Context: Sendable, Hashable {
        public var interactionID: String
        public var applicationID: String
        public var token: String
        public var user: String
        public var guild: String
        public var channel: String
    }

    public static func decode(_ body: [UInt8]) throws(Refusal) -> Interaction {
        struct Raw: Decodable {
            struct User: Decodable { var id: String }
            struct Member: Decodable { var user: User? }
            struct Option: Decodable {
                var name: String
                var value: StringOrNumber?
                var options: [Option]?
            }
            struct DataPart: Decodable {
                var name: String?
                var options: [Option]?
                var custom_id: String?
                var values: [String]?
            }
            var type: Int
            var id: String?
            var application_id: String?
            var token: String?
            var guild_id: String?
            var channel_id: String?
            var member: Member?
            var user: User?
            var data: DataPart?
        }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(body))
        } catch {
            throw Refusal(description: "not a Discord interaction: \(error)")
        }
        if raw.type == 1 { return .ping }
        guard let id = raw.id, let application = raw.application_id, let token = raw.token,
            let user = raw.member?.user?.id ?? raw.user?.id
        else { throw Refusal(description: "interaction needs id, application_id, token and a user") }
        let context = Context(
            interactionID: id, applicationID: application, token: token, user: user, guild: raw.guild_id ?? "", channel: raw.channel_id ?? "")
        switch raw.type {
        case 2:
            guard let name = raw.data?.name else { throw Refusal(description: "command without a name") }
            func flatten(_ options: [Raw.Option]) -> [String] {
                options.flatMap { option -> [String] in
                    if let nested = option.options { return [option.name] + flatten(nested) }
                    return [option.value?.text ?? option.name]
                }
            }
            return .command(name: name, text: flatten(raw.data?.options ?? []).joined(separator: " "), context: context)
        case 3:
            let customID = raw.data?.custom_id ?? ""
            let parts = customID.split(separator: ":").map(String.init)
            if parts.first == "quiz", parts.count == 4, let position = Int(parts[2]), let choice = Int(parts[3]), (0..<26).contains(choice) {
                return .quizAnswer(sessionID: parts[1], position: position, picks: [choice], context: context)
            }
            if parts.first == "quizrefine", parts.count == 4, let position = Int(parts[2]), ["easy", "guessed"].contains(parts[3]) {
                return .quizRefine(sessionID: parts[1], position: position, easy: parts[3] == "easy", context: context)
            }
            if parts.first == "answer", parts.count == 3, !parts[1].isEmpty, parts[1].utf8.count <= 64, ["yes", "no"].contains(parts[2]) {
                return .answerFeedback(answerID: parts[1], helpful: parts[2] == "yes", context: context)
            }
            if parts.first == "quizsel", parts.count == 3, let position = Int(parts[2]) {
                let picks = Set((raw.data?.values ?? []).compactMap { Int($0) }.filter { (0..<26).contains($0) })
                return .quizAnswer(sessionID: parts[1], position: position, picks: picks, context: context)
            }
            return .ignored("component \(customID)")
        default:
            return .ignored("interaction type \(raw.type)")
        }
    }

    /// Discord sends option values as strings or numbers.
    struct StringOrNumber: Decodable, Hashable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let number = try? container.decode(Double.self) {
                text = number == number.rounded() ? String(Int(number)) : String(number)
            } else {
                text = String(try container.decode(Bool.self))
            }
        }
    }

    // MARK: Encode

    public static let pong: [UInt8] = Array(#"{"type":1}"#.utf8)
    /// Deferred: "FlowLearn is thinking…", the answer follows through the webhook.
    public static func deferred(ephemeral: Bool) -> [UInt8] {
        json(["type": 5, "data": ["flags": ephemeral ? 64 : 0]])
    }

    /// A reply to a question: the nugget as an embed (content as fallback); an answer with an
    /// `answerID` carries Helpful / Not helpful buttons.
    public static func message(_ reply: Reply, type: Int = 4, answerID: String? = nil) -> [String: Any] {
        var data: [String: Any] = ["content": clip(ConsoleRenderer.render(reply), 2000), "allowed_mentions": ["parse": [String]()]]
        if case .nugget(let nugget, _) = reply {
            var embed: [String: Any] = ["title": clip(nugget.title, 256), "description": clip(nugget.body, 4096)]
            if let link = nugget.links.first { embed["url"] = link.url }
            data["content"] = ""
            data["embeds"] = [embed]
            if let answerID {
                data["components"] = [[
                    "type": 1,
                    "components": [
                        ["type": 2, "style": 2, "label": "Helpful", "custom_id": "answer:\(answerID):yes"],
                        ["type": 2, "style": 2, "label": "Not helpful", "custom_id": "answer:\(answerID):no"],
                    ],
                ]]
            }
        }
        return ["type": type, "data": data]
    }

    /// A quiz reply: text; after a right answer, "That was easy" / "I guessed" (they refine the
    /// spaced-repetition rating); for a question, one button per choice (a select when several are
    /// right). Ephemeral. `type` 4 answers a command, 7 updates the message the button was on.
    public static func message(_ reply: QuizReply, type: Int = 4) -> [String: Any] {
        var data: [String: Any] = [
            "content": clip(ConsoleQuizRenderer.render(reply, command: "/quiz", numbered: true), 2000), "flags": 64,
            "allowed_mentions": ["parse": [String]()],
        ]
        let prompt: QuizPrompt? = switch reply {
        case .question(let prompt): prompt
        case .result(_, let next): next
        default: nil
        }
        var rows: [[String: Any]] = []
        if case .result(let feedback, _) = reply, feedback.correct, !feedback.sessionID.isEmpty {
            let value = "\(feedback.sessionID):\(feedback.position)"
            rows.append([
                "type": 1,
                "components": [
                    ["type": 2, "style": 2, "label": "That was easy", "custom_id": "quizrefine:\(value):easy"],
                    ["type": 2, "style": 2, "label": "I guessed", "custom_id": "quizrefine:\(value):guessed"],
                ],
            ])
        }
        rows += prompt.map(components) ?? []
        // Discord takes at most five rows of components.
        data["components"] = Array(rows.prefix(5))
        return ["type": type, "data": data]
    }

    static func components(_ prompt: QuizPrompt) -> [[String: Any]] {
        let question = prompt.question
        if question.kind == .multiple {
            return [[
                "type": 1,
                "components": [[
                    "type": 3, "custom_id": "quizsel:\(prompt.sessionID):\(prompt.position)", "placeholder": "Pick every right answer",
                    "min_values": 1, "max_values": question.choices.count,
                    "options": question.choices.indices.map { ["label": clip("\($0 + 1). \(question.choices[$0])", 100), "value": "\($0)"] },
                ]],
            ]]
        }
        let buttons: [[String: Any]] = question.choices.indices.map { index in
            let label = question.kind == .trueFalse ? question.choices[index] : "\(index + 1). \(question.choices[index])"
            return ["type": 2, "style": 1, "label": clip(label, 80), "custom_id": "quiz:\(prompt.sessionID):\(prompt.position):\(index)"]
        }
        return stride(from: 0, to: buttons.count, by: 5).map { ["type": 1, "components": Array(buttons[$0..<min($0 + 5, buttons.count)])] }
    }

    /// An interaction response as bytes: the whole response, and its `data` alone (for a follow-up).
    public struct Response: Sendable {
        public var body: [UInt8]
        public var data: [UInt8]

        public init(_ payload: [String: Any]) {
            body = DiscordInteractions.json(payload)
            data = DiscordInteractions.json(payload["data"] as? [String: Any] ?? [:])
        }
    }

    /// The follow-up after a deferred response: `POST {api}/webhooks/{application}/{token}`.
    public static func followUp(_ response: Response, context: Context, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return OutboundRequest(
            url: "\(base)/webhooks/\(context.applicationID)/\(context.token)", headers: [.init("Content-Type", "application/json")],
            body: response.data, purpose: "discord.followup")
    }

    /// A channel nudge through the bot's REST API (`Authorization: Bot …` is added when sending).
    public static func channelMessage(_ nugget: Nugget, channel: String, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        var data = message(.nugget(nugget, confidence: 1))["data"] as? [String: Any] ?? [:]
        data["content"] = "Nugget of the day"
        return OutboundRequest(
            url: "\(base)/channels/\(channel)/messages", headers: [.init("Content-Type", "application/json")], body: json(data),
            purpose: "discord.channel")
    }

    /// A plain message from the bot into a channel (at most 2,000 characters); the caller adds the bot token.
    public static func channelText(_ text: String, channel: String, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return OutboundRequest(
            url: "\(base)/channels/\(channel)/messages", headers: [.init("Content-Type", "application/json")],
            body: json(["content": String(text.prefix(2000)), "allowed_mentions": ["parse": [String]()]]), purpose: "discord.channel")
    }

    /// Opens (or finds) the bot's direct-message channel with a user: `POST /users/@me/channels`; the
    /// caller adds the bot token. The answer's `id` is the channel (`directMessageChannel(in:)`).
    public static func openDirectMessage(user: String, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return OutboundRequest(
            url: "\(base)/users/@me/channels", headers: [.init("Content-Type", "application/json")], body: json(["recipient_id": user]),
            purpose: "discord.dm")
    }

    /// The channel id in the answer to `openDirectMessage`.
    public static func directMessageChannel(in body: [UInt8]) -> String? {
        struct Channel: Decodable { var id: String }
        return (try? JSONDecoder().decode(Channel.self, from: Data(body)))?.id
    }

    /// A review question posted to a channel (a person's direct messages), with the quiz buttons.
    public static func channelQuestion(_ prompt: QuizPrompt, channel: String, apiBaseURL: String) -> OutboundRequest {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        var data = message(.question(prompt))["data"] as? [String: Any] ?? [:]
        data["flags"] = nil  // a channel message is not an interaction answer: nothing to make ephemeral
        return OutboundRequest(
            url: "\(base)/channels/\(channel)/messages", headers: [.init("Content-Type", "application/json")], body: json(data),
            purpose: "discord.channel")
    }

    public static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = FormFields.hexDigit(characters[index]), let low = FormFields.hexDigit(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
