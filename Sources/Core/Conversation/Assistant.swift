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
        let text = message.text.trimmedWhitespace
        if Self.asksForHelp(text) {
            return Response(reply: .help(command: command), log: nil)
        }
        return response(to: message, text: text, decision: matcher.decide(text))
    }

    /// The response when it is cheap to give: help, or a question the matcher decides without
    /// embedding it (`Matcher.quickDecision`); nil when the question must be embedded first.
    public func quickResponse(to message: InboundMessage, command: String = "/learn") -> Response? {
        let text = message.text.trimmedWhitespace
        if Self.asksForHelp(text) {
            return Response(reply: .help(command: command), log: nil)
        }
        return matcher.quickDecision(text).map { response(to: message, text: text, decision: $0) }
    }

    private func response(to message: InboundMessage, text: String, decision: MatchDecision) -> Response {
        let reply: Reply
        let outcome: QuestionLogEntry.Outcome
        let nuggetID: String?
        let confidence: Double
        let candidates: [Match]
        switch decision {
        case .answer(let match):
            guard let nugget = byID[match.nuggetID] else { return unknown(text, message: message, nearMisses: [match]) }
            reply = .nugget(nugget, confidence: match.confidence)
            (outcome, nuggetID, confidence, candidates) = (.answered, match.nuggetID, match.confidence, [match])
        case .choice(let matches):
            let offered = matches.compactMap { byID[$0.nuggetID] }
            guard let first = matches.first, offered.count == matches.count else {
                return unknown(text, message: message, nearMisses: matches)
            }
            reply = .choice(offered, question: text)
            (outcome, nuggetID, confidence, candidates) = (.choice, first.nuggetID, first.confidence, matches)
        case .unknown(let nearMisses):
            reply = .unknown(question: text)
            (outcome, nuggetID, confidence, candidates) = (.unknown, nil, nearMisses.first?.confidence ?? 0, nearMisses)
        }
        let log = QuestionLogEntry(
            askedAt: message.receivedAt, platform: message.conversation.platform, user: message.user,
            channel: message.conversation.channel, text: text, outcome: outcome, nuggetID: nuggetID, confidence: confidence,
            candidates: candidates, team: message.team)
        return Response(reply: reply, log: log)
    }

    public func nugget(id: String) -> Nugget? { byID[id] }

    static func asksForHelp(_ text: String) -> Bool {
        text.isEmpty || ["help", "?", "-h", "--help"].contains(text.lowercased())
    }

    /// "No nugget yet" with its log entry (also for a match whose nugget is missing, which the matcher
    /// built from the same nuggets never gives).
    private func unknown(_ text: String, message: InboundMessage, nearMisses: [Match]) -> Response {
        let log = QuestionLogEntry(
            askedAt: message.receivedAt, platform: message.conversation.platform, user: message.user,
            channel: message.conversation.channel, text: text, outcome: .unknown, nuggetID: nil,
            confidence: nearMisses.first?.confidence ?? 0, candidates: nearMisses, team: message.team)
        return Response(reply: .unknown(question: text), log: log)
    }
}
