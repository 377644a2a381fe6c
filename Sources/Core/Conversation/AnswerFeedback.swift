import Foundation

/// "Did this help?" on an answer: a Helpful / Not helpful button where the platform has buttons,
/// a typed `+1` / `-1` (or 👍 / 👎) after the answer where it does not. One vote per person and
/// answer; a second vote changes it.
public enum AnswerFeedback {
    /// How long after an answer a typed vote still rates it.
    public static let typedVoteWindow: TimeInterval = 24 * 3600

    /// A new id for an answer given, carried by its buttons and kept in the question log: 24 hex
    /// digits, the time in milliseconds (11) and then 52 random bits (13). Ids made later sort later,
    /// so the log's index of them grows at its end (a random id would land each new row on another
    /// page of the index, and every batch of questions would rewrite pages all over it); the random
    /// part keeps them unguessable and, within a millisecond, apart.
    public static func makeAnswerID(at date: Date = Date()) -> String {
        let milliseconds = UInt64(clamping: Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded(.down)) ?? 0)
        let random = UInt64.random(in: 0...(1 << 52 - 1))
        return hex(milliseconds & (1 << 44 - 1), digits: 11) + hex(random, digits: 13)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: digits)
        var rest = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            text[position] = alphabet[Int(rest & 0xF)]
            rest >>= 4
        }
        return String(decoding: text, as: UTF8.self)
    }

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
