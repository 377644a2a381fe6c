import Foundation

/// What the learning team's console reads from the store: how each nugget is used, how quiz
/// questions are answered, and who is active. Read-only aggregates over a period; the console
/// combines them with the content (`NuggetReport`, `QuizReport`) in pure code.
public protocol InsightsStore: Sendable {
    /// Per nugget id: answers, votes, nudges and nudge feedback since `since`.
    func nuggetActivity(since: Date) async throws -> [String: NuggetActivity]
    /// Per quiz question id: answers since `since`, with each person's first and latest answer.
    func questionResults(since: Date) async throws -> [String: QuestionResults]
    /// How many people did what since `since`, per platform.
    func peopleSummary(since: Date) async throws -> [PlatformPeople]
    /// The most active people since `since` (for a console configured to show names).
    func activePeople(since: Date, limit: Int) async throws -> [PersonActivity]
}

/// How one nugget was used in a period.
public struct NuggetActivity: Sendable, Hashable, Codable {
    /// Times it was the answer to a question.
    public var served: Int
    /// Times it was offered first in a "did you mean" (the log keeps the first nugget offered).
    public var offered: Int
    public var helpful: Int
    public var notHelpful: Int
    /// Nudges that carried it and were delivered.
    public var nudged: Int
    public var nudgeUseful: Int
    public var nudgeNotUseful: Int

    public init(served: Int = 0, offered: Int = 0, helpful: Int = 0, notHelpful: Int = 0, nudged: Int = 0, nudgeUseful: Int = 0, nudgeNotUseful: Int = 0) {
        self.served = served
        self.offered = offered
        self.helpful = helpful
        self.notHelpful = notHelpful
        self.nudged = nudged
        self.nudgeUseful = nudgeUseful
        self.nudgeNotUseful = nudgeNotUseful
    }
}

/// How one quiz question was answered in a period.
public struct QuestionResults: Sendable, Hashable, Codable {
    public var answers: Int
    public var correct: Int
    /// People who answered it.
    public var people: Int
    /// Of those people, how many got it right the first time they answered it in the period…
    public var firstCorrect: Int
    /// …and the latest time.
    public var latestCorrect: Int

    public init(answers: Int = 0, correct: Int = 0, people: Int = 0, firstCorrect: Int = 0, latestCorrect: Int = 0) {
        self.answers = answers
        self.correct = correct
        self.people = people
        self.firstCorrect = firstCorrect
        self.latestCorrect = latestCorrect
    }
}

/// Counts of people on one platform in a period.
public struct PlatformPeople: Sendable, Hashable, Codable {
    public var platform: String
    /// People who asked at least one question.
    public var askers: Int
    /// People who answered at least one quiz question.
    public var quizTakers: Int
    /// People with daily nudges on (now, not only in the period).
    public var nudgeSubscribers: Int

    public init(platform: String, askers: Int, quizTakers: Int, nudgeSubscribers: Int) {
        self.platform = platform
        self.askers = askers
        self.quizTakers = quizTakers
        self.nudgeSubscribers = nudgeSubscribers
    }
}

/// One person's activity in a period: shown by name only where the configuration allows it.
public struct PersonActivity: Sendable, Hashable, Codable {
    public var platform: String
    public var user: String
    public var questions: Int
    public var quizAnswers: Int
    public var lastSeen: Date

    public init(platform: String, user: String, questions: Int, quizAnswers: Int, lastSeen: Date) {
        self.platform = platform
        self.user = user
        self.questions = questions
        self.quizAnswers = quizAnswers
        self.lastSeen = lastSeen
    }
}
