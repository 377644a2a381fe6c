import Foundation

/// "Did this help?" on an answer: a Helpful / Not helpful button where the platform has buttons,
/// a typed `+1` / `-1` (or 👍 / 👎) after the answer where it does not. One vote per person and
/// answer; a second vote changes it.
public enum AnswerFeedback {
    /// How long after an answer a typed vote still rates it.
    public static let typedVoteWindow: TimeInterval = 24 * 3600

    /// A new id for an answer given (16 random hex digits, like a request id), carried by its buttons
    /// and kept in the question log.
    public static func makeAnswerID() -> String { RequestID.make() }

    /// The reply to a vote on an answer the store does not have (any more).
    public static let unknownAnswer = "That answer is too old to rate now."

    /// The vote a whole message casts: true for helpful, false for not helpful, nil for anything else.
    public static func typedVote(_ text: String) -> Bool? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // A thumb with a skin tone is the same vote.
        let base = String(trimmed.unicodeScalars.filter { !(0x1F3FB...0x1F3FF).contains($0.value) && $0.value != 0xFE0F })
        switch base.lowercased() {
        case "+1", "👍", ":+1:", ":thumbsup:": return true
        case "-1", "👎", ":-1:", ":thumbsdown:": return false
        default: return nil
        }
    }

    /// The thanks a vote gets.
    public static func thanks(helpful: Bool) -> String {
        helpful
            ? "Thanks! Glad it helped."
            : "Thanks, noted: the learning team sees which answers miss the mark. Ask again in other words, or check with a colleague."
    }

    public static let nothingToRate = "There is no recent answer of mine to rate: +1 and -1 rate the last nugget I gave you (within a day)."

    /// Where there are no buttons, the line under an answer that says how to rate it.
    public static let typedHint = "Did this help? Reply +1 or -1."

    /// A typed vote: when `text` is one, records it on the person's last answer and returns the reply
    /// to send; nil when `text` is not a vote.
    public static func typed(_ text: String, learner: Learner, store: some AssistantStore, at now: Date) async throws -> String? {
        guard let helpful = typedVote(text) else { return nil }
        guard let answer = try await store.latestAnswer(for: learner, since: now.addingTimeInterval(-typedVoteWindow)) else {
            return nothingToRate
        }
        _ = try await store.recordAnswerVote(answerID: answer, learner: learner, helpful: helpful, at: now)
        return thanks(helpful: helpful)
    }
}

/// What happened to a vote.
public enum AnswerVote: Sendable, Hashable {
    case recorded
    /// The person had voted the other way; the vote is changed.
    case changed
    /// The same vote again: nothing changed.
    case unchanged
    /// No such answer (or it was forgotten).
    case unknownAnswer
}
