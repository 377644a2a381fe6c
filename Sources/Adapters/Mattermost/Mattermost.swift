import Crypto
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// Mattermost: slash commands (`Authorization: Token …`), outgoing webhooks (token in the body),
/// interactive message buttons (not signed by Mattermost: FlowLearn signs its own `context` with an
/// HMAC and checks it), and channel posts through an incoming webhook. Verify, decode, encode; no I/O.
public struct Mattermost: Sendable {
    /// Tokens of the slash commands (`/learn`, `/quiz`: each command has its own) and of the outgoing webhook.
    let commandTokens: [String]
    let outgoingToken: String
    /// Key for the HMAC in button contexts.
    let actionKey: Data

    public init(commandTokens: [String], outgoingToken: String, actionSecret: String) {
        self.commandTokens = commandTokens.filter { !$0.isEmpty }
        self.outgoingToken = outgoingToken
        let seed = actionSecret.isEmpty ? "flowlearn-actions|" + self.commandTokens.joined(separator: ",") : actionSecret
        self.actionKey = Data(SHA256.hash(data: Data(seed.utf8)))
    }

    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8)))
        let y = Array(SHA256.hash(data: Data(b.utf8)))
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Slash commands

    public struct Command: Sendable, Hashable {
        public var command: String
        public var text: String
        public var user: String
        public var team: String
        public var channel: String
        /// Unique per invocation: a typed quiz answer is counted once by it.
        public var trigger: String
        /// The person's username (an incoming webhook reaches them directly as `@username`).
        public var userName: String? = nil
    }

    public func verifyCommand(authorization: String?) throws(Refusal) {
        guard !commandTokens.isEmpty else { throw Refusal(description: "Mattermost command tokens not configured") }
        guard let authorization, authorization.hasPrefix("Token ") else { throw Refusal(description: "missing Authorization: Token") }
        let presented = String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)
        // Compare against every token without stopping early.
        let matches = commandTokens.map { Self.equal(presented, $0) }
        guard matches.contains(true) else { throw Refusal(description: "unknown command token") }
    }

    public static func decodeCommand(_ body: [UInt8]) throws(Refusal) -> Command {
        let form = FormFields(body)
        if let problem = form.problem { throw Refusal(description: problem) }
        guard let command = form["command"], let user = form["user_id"], let channel = form["channel_id"] else {
            throw Refusal(description: "slash command needs command, user_id and channel_id")
        }
        return Command(
            command: command, text: form["text"] ?? "", user: user, team: form["team_id"] ?? "", channel: channel,
            trigger: form["trigger_id"] ?? UUID().uuidString, userName: form["user_name"].flatMap { $0.isEmpty ? nil : $0 })
    }

    // MARK: Outgoing webhooks

    public struct OutgoingPost: Sendable, Hashable {
        public var postID: String
        public var user: String
        public var team: String
        public var channel: String
        /// The message without its trigger word.
        public var text: String
    }

    /// Decodes a form-encoded or JSON outgoing-webhook body and checks its token (constant time).
    public func decodeOutgoing(_ body: [UInt8], contentType: String?) throws(Refusal) -> OutgoingPost {
        guard !outgoingToken.isEmpty else { throw Refusal(description: "Mattermost outgoing-webhook token not configured") }
        var fields: [String: String] = [:]
        if contentType?.contains("json") == true {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw Refusal(description: "outgoing webhook body is not JSON")
            }
            for (key, value) in object { if let text = value as? String { fields[key] = text } }
        } else {
            let form = FormFields(body)
            if let problem = form.problem { throw Refusal(description: problem) }
            fields = form.values
        }
        guard let token = fields["token"], Self.equal(token, outgoingToken) else { throw Refusal(description: "bad outgoing-webhook token") }
        guard let user = fields["user_id"], let channel = fields["channel_id"], let post = fields["post_id"], let text = fields["text"] else {
            throw Refusal(description: "outgoing webhook needs user_id, channel_id, post_id and text")
        }
        var question = text
        if let trigger = fields["trigger_word"], !trigger.isEmpty, question.lowercased().hasPrefix(trigger.lowercased()) {
            question = String(question.dropFirst(trigger.count))
        }
        question = question.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: ":,")))
        return OutgoingPost(postID: post, user: user, team: fields["team_id"] ?? "", channel: channel, text: question)
    }

    // MARK: Buttons

    public struct Click: Sendable, Hashable {
        public var sessionID: String
        public var position: Int
        /// The choice picked; -1 for a refinement.
        public var choice: Int
        /// "That was easy" (true) or "I guessed" (false) after a right answer; nil for a choice.
        public var refine: Bool?
        public var user: String
        public var team: String
        public var trigger: String
    }

    func signature(session: String, position: Int, choice: Int, user: String) -> String {
        sign("\(session)|\(position)|\(choice)|\(user)")
    }

    func signature(session: String, position: Int, refine easy: Bool, user: String) -> String {
        sign("\(session)|\(position)|refine:\(easy ? "easy" : "guessed")|\(user)")
    }

    private func sign(_ message: String) -> String {
        return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: actionKey))).base64EncodedString()
    }

    /// Decodes a button click and checks the HMAC FlowLearn put in its context (and that the person
    /// clicking is the one the quiz was for).
    public func decodeClick(_ body: [UInt8]) throws(Refusal) -> Click {
        struct Raw: Decodable {
            struct Context: Decodable {
                var session: String
                var position: Int
                var choice: Int?
                /// `easy` or `guessed`: a refinement button.
                var refine: String?
                var user: String
                var sig: String
            }
            var user_id: String
            var team_id: String?
            var trigger_id: String?
            var post_id: String?
            var context: Context
        }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(body))
        } catch {
            throw Refusal(description: "not a Mattermost action request: \(error)")
        }
        let context = raw.context
        let refine: Bool?
        let expected: String
        switch (context.choice, context.refine) {
        case (let choice?, nil):
            refine = nil
            expected = signature(session: context.session, position: context.position, choice: choice, user: context.user)
        case (nil, let kind?) where kind == "easy" || kind == "guessed":
            refine = kind == "easy"
            expected = signature(session: context.session, position: context.position, refine: kind == "easy", user: context.user)
        default:
            throw Refusal(description: "action context has neither a choice nor a refinement")
        }
        guard Self.equal(expected, context.sig) else { throw Refusal(description: "action context signature mismatch") }
        guard context.user == raw.user_id else { throw Refusal(description: "the button belongs to someone else's quiz") }
        return Click(
            sessionID: context.session, position: context.position, choice: context.choice ?? -1, refine: refine, user: raw.user_id,
            team: raw.team_id ?? "", trigger: raw.trigger_id ?? "\(raw.post_id ?? ""):\(context.position)")
    }

    // MARK: Encode

    /// A slash-command or outgoing-webhook answer. `comment` replies in the thread (outgoing webhooks).
    public static func response(_ reply: Reply, responseType: String = "ephemeral") -> [UInt8] {
        json(["response_type": responseType, "text": text(reply)])
    }

    /// A quiz reply; a question carries one button per choice, a right answer "That was easy" and
    /// "I guessed"; every button's context is signed.
    public func response(_ reply: QuizReply, user: String, actionURL: String) -> [UInt8] {
        var body: [String: Any] = ["response_type": "ephemeral", "text": Self.quizText(reply)]
        let attachments = attachments(reply, user: user, actionURL: actionURL)
        if !attachments.isEmpty { body["attachments"] = attachments }
        return Self.json(body)
    }

    /// An answer with Helpful / Not helpful buttons; their contexts are signed, as Mattermost does not
    /// sign action requests.
    public func answerResponse(_ reply: Reply, answerID: String, actionURL: String, responseType: String = "ephemeral") -> [UInt8] {
        guard case .nugget = reply,
            var body = (try? JSONSerialization.jsonObject(with: Data(Self.response(reply, responseType: responseType)))) as? [String: Any]
        else { return Self.response(reply, responseType: responseType) }
        let actions: [[String: Any]] = [(true, "Helpful"), (false, "Not helpful")].map { helpful, name in
            let vote = helpful ? "yes" : "no"
            return [
                "id": helpful ? "answerhelpful" : "answernothelpful", "type": "button", "name": name,
                "integration": [
                    "url": actionURL,
                    "context": ["answer": answerID, "vote": vote, "sig": sign("answer|\(answerID)|\(vote)")] as [String: Any],
                ] as [String: Any],
            ]
        }
        body["attachments"] = [["fallback": "Did this help?", "text": "Did this help?", "actions": actions]]
        return Self.json(body)
    }

    /// A vote on an answer, from a button `answerResponse` made.
    public struct AnswerVoteClick: Sendable, Hashable {
        public var answerID: String
        public var helpful: Bool
        public var user: String
        public var team: String
    }

    /// The vote an action request carries, with its context's signature checked; nil when the request
    /// is not a vote (then it is a quiz click), a `Refusal` when it is one that is forged.
    public func decodeAnswerVote(_ body: [UInt8]) throws(Refusal) -> AnswerVoteClick? {
        struct Raw: Decodable {
            struct Context: Decodable {
                var answer: String?
                var vote: String?
                var sig: String?
            }
            var user_id: String?
            var team_id: String?
            var context: Context?
        }
        guard let raw = try? JSONDecoder().decode(Raw.self, from: Data(body)), let answer = raw.context?.answer else { return nil }
        guard let vote = raw.context?.vote, vote == "yes" || vote == "no", let sig = raw.context?.sig,
            Self.equal(sig, sign("answer|\(answer)|\(vote)")), let user = raw.user_id, !user.isEmpty
        else {
            throw Refusal(description: "answer vote with a bad or missing signature")
        }
        return AnswerVoteClick(answerID: answer, helpful: vote == "yes", user: user, team: raw.team_id ?? "")
    }

    /// The answer to a refinement click: a note to the person alone; the post keeps its question.
    public static func refineResponse(_ reply: QuizReply) -> [UInt8] {
        json(["ephemeral_text": quizText(reply)])
    }

    func attachments(_ reply: QuizReply, user: String, actionURL: String) -> [[String: Any]] {
        var attachments: [[String: Any]] = []
        if case .result(let feedback, _) = reply, feedback.correct, !feedback.sessionID.isEmpty {
            let actions: [[String: Any]] = [(true, "That was easy"), (false, "I guessed")].map { easy, name in
                [
                    "id": easy ? "refineeasy" : "refineguessed", "type": "button", "name": name,
                    "integration": [
                        "url": actionURL,
                        "context": [
                            "session": feedback.sessionID, "position": feedback.position, "refine": easy ? "easy" : "guessed", "user": user,
                            "sig": signature(session: feedback.sessionID, position: feedback.position, refine: easy, user: user),
                        ] as [String: Any],
                    ] as [String: Any],
                ]
            }
            attachments.append(["fallback": "Rate your answer", "text": "Right. Was it easy, or a guess?", "actions": actions])
        }
        if let prompt = Self.prompt(reply) { attachments.append(attachment(prompt, user: user, actionURL: actionURL)) }
        return attachments
    }

    /// The answer to a click: the post is updated with the result and the next question's buttons.
    public func clickResponse(_ reply: QuizReply, user: String, actionURL: String) -> [UInt8] {
        if case .stale(let text) = reply { return Self.json(["ephemeral_text": text]) }
        let props: [String: Any] = ["attachments": attachments(reply, user: user, actionURL: actionURL)]
        return Self.json(["update": ["message": Self.quizText(reply), "props": props]])
    }

    func attachment(_ prompt: QuizPrompt, user: String, actionURL: String) -> [String: Any] {
        let question = prompt.question
        if question.kind == .multiple {
            // A button picks one choice; several right answers are typed: `/quiz 1 3`.
            return ["fallback": question.prompt, "title": "Question \(prompt.position + 1) of \(prompt.total)", "text": "Answer with `/quiz` and every right number, e.g. `/quiz 1 3`."]
        }
        let actions: [[String: Any]] = question.choices.indices.map { index in
            [
                "id": "choice\(index)", "type": "button",
                "name": question.kind == .trueFalse ? question.choices[index] : "\(index + 1). \(question.choices[index])",
                "integration": [
                    "url": actionURL,
                    "context": [
                        "session": prompt.sessionID, "position": prompt.position, "choice": index, "user": user,
                        "sig": signature(session: prompt.sessionID, position: prompt.position, choice: index, user: user),
                    ] as [String: Any],
                ] as [String: Any],
            ]
        }
        return ["fallback": question.prompt, "title": "Question \(prompt.position + 1) of \(prompt.total)", "text": question.prompt, "actions": actions]
    }

    static func prompt(_ reply: QuizReply) -> QuizPrompt? {
        switch reply {
        case .question(let prompt): return prompt
        case .result(_, let next): return next
        default: return nil
        }
    }

    /// Mattermost renders Markdown: the nugget goes as written.
    public static func text(_ reply: Reply) -> String {
        if case .nugget(let nugget, _) = reply {
            let links = nugget.links.map { "[\($0.title)](\($0.url))" }.joined(separator: " · ")
            return "**\(nugget.title)**\n\n\(nugget.body)" + (links.isEmpty ? "" : "\n\n\(ReplyWording.moreLead) \(links)")
        }
        return ConsoleRenderer.render(reply)
    }

    /// Multiple-choice questions are answered by typing the numbers (`/quiz 1 3`); buttons pick one.
    static func quizText(_ reply: QuizReply) -> String {
        ConsoleQuizRenderer.render(reply, command: "/quiz", numbered: true)
    }

    /// A channel post through an incoming webhook (`{"text", "channel"}`); `channel` may be
    /// `@username`, a direct message.
    public static func incomingWebhookPost(_ nugget: Nugget, channel: String, url: String) -> OutboundRequest {
        incomingWebhookPost(text: "Nugget of the day: " + text(.nugget(nugget, confidence: 1)), channel: channel, url: url)
    }

    /// A review question through the incoming webhook, answered by typing `command` and its number
    /// (the webhook's message has no buttons that could reach FlowLearn as this person).
    public static func incomingWebhookPost(_ prompt: QuizPrompt, channel: String, url: String, command: String = "/quiz") -> OutboundRequest {
        let example = prompt.question.kind == .multiple ? "\(command) 1 3" : "\(command) 2"
        let text = quizText(.question(prompt)) + "\nType it after `\(command)`, e.g. `\(example)`."
        return incomingWebhookPost(text: text, channel: channel, url: url)
    }

    public static func incomingWebhookPost(text: String, channel: String, url: String) -> OutboundRequest {
        OutboundRequest(
            url: url, headers: [.init("Content-Type", "application/json")], body: json(["text": text, "channel": channel]),
            purpose: "mattermost.webhook")
    }

    /// A plain ephemeral answer to a slash command.
    public static func ephemeral(_ text: String) -> [UInt8] {
        json(["response_type": "ephemeral", "text": text])
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }
}
