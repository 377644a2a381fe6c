import Foundation

/// The bot's brain for the Ask feature: a question in, a reply and a log entry out. No I/O.
public struct Assistant: Sendable {
    public let matcher: Matcher
    private let byID: [String: Nugget]

    public init(matcher: Matcher) {
        self.matcher = matcher
        self.byID = Dictionary(matcher.nuggets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public struct Response: Sendable, Hashable {
        public var reply: Reply
        /// Nil for help and empty questions, which are not questions.
        public var log: QuestionLogEntry?
    }

    /// - Parameter command: how the platform's command is spelt, for help text (`/learn`).
    public func respond(to message: InboundMessage, command: String = "/learn") -> Response {
        let text = message.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || ["help", "?", "-h", "--help"].contains(text.lowercased()) {
            return Response(reply: .help(command: command), log: nil)
        }
        let decision = matcher.decide(text)
        let reply: Reply
        let outcome: QuestionLogEntry.Outcome
        let nuggetID: String?
        let confidence: Double
        let candidates: [Match]
        switch decision {
        case .answer(let match):
            reply = .nugget(byID[match.nuggetID]!, confidence: match.confidence)
            (outcome, nuggetID, confidence, candidates) = (.answered, match.nuggetID, match.confidence, [match])
        case .choice(let first, let second):
            reply = .choice(byID[first.nuggetID]!, byID[second.nuggetID]!, question: text)
            (outcome, nuggetID, confidence, candidates) = (.choice, first.nuggetID, first.confidence, [first, second])
        case .unknown(let nearMisses):
            reply = .unknown(question: text)
            (outcome, nuggetID, confidence, candidates) = (.unknown, nil, nearMisses.first?.confidence ?? 0, nearMisses)
        }
        let log = QuestionLogEntry(
            askedAt: message.receivedAt, platform: message.conversation.platform, user: message.user,
            channel: message.conversation.channel, text: text, outcome: outcome, nuggetID: nuggetID, confidence: confidence,
            candidates: candidates)
        return Response(reply: reply, log: log)
    }

    public func nugget(id: String) -> Nugget? { byID[id] }
}
