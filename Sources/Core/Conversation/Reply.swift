/// What the assistant answers, before any platform formatting. Adapters render it.
public enum Reply: Sendable, Hashable {
    /// One nugget answers the question.
    case nugget(Nugget, confidence: Double)
    /// Two or three nuggets fit, none surely enough alone: "Did you mean A, B or C?" (best first).
    case choice([Nugget], question: String)
    /// Nothing fits; the question was logged for the content team.
    case unknown(question: String)
    /// How to use the assistant.
    case help(command: String)
}

/// Wording every adapter shares, so the bot says the same thing on every platform.
public enum ReplyWording {
    public static let unknownLead = "I don't have a nugget for that yet."
    public static let unknownFollow = "I've noted the question so the learning team can write one."
    public static let choiceLead = "Did you mean:"
    public static let moreLead = "More:"

    /// "A or B", "A, B or C": the titles of a choice.
    public static func alternatives(_ titles: [String]) -> String {
        guard titles.count > 1, let last = titles.last else { return titles.first ?? "" }
        return titles.dropLast().joined(separator: ", ") + " or " + last
    }

    /// - Parameter command: the slash command, or empty where there is none (the console).
    public static func helpLines(command: String) -> [String] {
        if command.isEmpty {
            return [
                "Ask me a work question and I'll answer with a short learning nugget.",
                "• For example: how do I get reimbursed for a taxi?",
                "• `help` shows this message; `quit` ends the chat.",
            ]
        }
        return [
            "Ask me a work question and I'll answer with a short learning nugget.",
            "• `\(command) how do I get reimbursed for a taxi?`",
            "• Mention me in a channel, or send me a direct message.",
            "• `\(command) nudges on` gets you one short nugget a working day at 09:30 (`\(command) nudges` for the options).",
            "• `/quiz` starts a five-question quiz; the ones you miss come back for review.",
            "• `\(command) help` shows this message.",
        ]
    }
}
