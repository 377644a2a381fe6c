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
    /// The asker's workspace (see `InboundMessage.team`).
    public var team: String
    /// For an answer given (a nugget), the id its Helpful / Not helpful buttons carry.
    public var answerID: String?
    /// A quiz question of the nugget given, to schedule for the asker's reviews when the nugget is
    /// new to them ("questions become reviews"); not stored in the log itself.
    public var reviewQuestionID: String?

    /// The person who asked, as quizzes and reviews know them.
    public var learner: Learner { Learner(platform: platform, team: team, user: user) }

    public init(
        askedAt: Date, platform: String, user: String, channel: String, text: String, outcome: Outcome, nuggetID: String?,
        confidence: Double, candidates: [Match], team: String = "", reviewQuestionID: String? = nil
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
        self.team = team
        self.reviewQuestionID = reviewQuestionID
    }

    public enum Outcome: String, Sendable, Hashable, Codable {
        case answered, choice, unknown
    }
}
