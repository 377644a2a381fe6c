import Foundation

/// One asked question as the content team sees it: who asked where, and what (if anything) answered.
public struct QuestionLogEntry: Sendable, Hashable, Codable {
    public var askedAt: Date
    public var platform: String
    public var user: String
    public var channel: String
    public var text: String
    /// How the question was answered.
    public var outcome: Outcome
    /// The nugget given (the first of two for a choice), nil when the answer was "no nugget yet".
    public var nuggetID: String?
    public var confidence: Double
    /// The best candidates with their confidences, so authors see near misses.
    public var candidates: [Match]

    public init(
        askedAt: Date, platform: String, user: String, channel: String, text: String, outcome: Outcome, nuggetID: String?,
        confidence: Double, candidates: [Match]
    ) {
        self.askedAt = askedAt
        self.platform = platform
        self.user = user
        self.channel = channel
        self.text = text
        self.outcome = outcome
        self.nuggetID = nuggetID
        self.confidence = confidence
        self.candidates = candidates
    }

    public enum Outcome: String, Sendable, Hashable, Codable {
        case answered, choice, unknown
    }
}
