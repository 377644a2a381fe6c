import Foundation

/// A person taking quizzes on one platform: a stable key for the store, and the platform's user id
/// for display (Slack renders `<@U123>` as the name).
public struct Learner: Sendable, Hashable, Codable {
    /// `platform:team:user`, unique across platforms and workspaces.
    public var key: String
    public var platform: String
    public var user: String

    public init(platform: String, team: String = "", user: String) {
        self.key = "\(platform):\(team):\(user)"
        self.platform = platform
        self.user = user
    }
}

/// A quiz in progress or ended: which questions, in which order, how far, how well.
public struct QuizSession: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case active, finished, stopped
    }

    public var id: String
    public var learner: Learner
    public var channel: String
    public var topic: String?
    public var questionIDs: [String]
    /// The question being asked now (= answers counted so far).
    public var position: Int
    public var correct: Int
    public var state: State
    public var startedAt: Date

    public init(
        id: String, learner: Learner, channel: String, topic: String?, questionIDs: [String], position: Int = 0, correct: Int = 0,
        state: State = .active, startedAt: Date
    ) {
        self.id = id
        self.learner = learner
        self.channel = channel
        self.topic = topic
        self.questionIDs = questionIDs
        self.position = position
        self.correct = correct
        self.state = state
        self.startedAt = startedAt
    }

    public var total: Int { questionIDs.count }
}

/// One answer to one question of a session, as the store records it.
public struct QuizAnswer: Sendable, Hashable, Codable {
    public var sessionID: String
    public var position: Int
    public var questionID: String
    /// The platform's id for the click or message, so a retried delivery is recognised.
    public var actionID: String
    public var picks: [Int]
    public var correct: Bool
    public var rating: FSRSRating
    public var answeredAt: Date

    public init(
        sessionID: String, position: Int, questionID: String, actionID: String, picks: [Int], correct: Bool, rating: FSRSRating,
        answeredAt: Date
    ) {
        self.sessionID = sessionID
        self.position = position
        self.questionID = questionID
        self.actionID = actionID
        self.picks = picks
        self.correct = correct
        self.rating = rating
        self.answeredAt = answeredAt
    }
}

/// What became of an answer the store was asked to record.
public enum AnswerClaim: Sendable, Hashable {
    /// Counted; the session as it is now.
    case recorded(QuizSession)
    /// The same click or message was recorded before (a retry): nothing changed.
    case repeatedAction
    /// That question was answered already (a double click), or the quiz moved on or ended.
    case stale(QuizSession?)
}

/// A person's quiz record.
public struct QuizStats: Sendable, Hashable {
    public var answered: Int
    public var correct: Int
    /// Consecutive days (UTC) with at least one answer, up to today or yesterday.
    public var streakDays: Int
    public var dueNow: Int
    public var cards: Int

    public init(answered: Int, correct: Int, streakDays: Int, dueNow: Int, cards: Int) {
        self.answered = answered
        self.correct = correct
        self.streakDays = streakDays
        self.dueNow = dueNow
        self.cards = cards
    }

    public var accuracy: Double { answered == 0 ? 0 : Double(correct) / Double(answered) }
}

public struct LeaderboardEntry: Sendable, Hashable {
    public var user: String
    public var correct: Int
    public var answered: Int

    public init(user: String, correct: Int, answered: Int) {
        self.user = user
        self.correct = correct
        self.answered = answered
    }
}

/// What quizzes keep: sessions, answers, each person's cards and review log, leaderboard opt-ins.
/// SQLite implements it; every method that changes state is one transaction.
public protocol QuizStore: Sendable {
    /// Saves a new session; any other active session of the same person is stopped.
    func startSession(_ session: QuizSession) async throws
    func activeSession(for learner: Learner) async throws -> QuizSession?
    func session(id: String) async throws -> QuizSession?
    /// Records an answer to the session's current question, updates the card with `schedule` (given
    /// the card as stored, nil for a first review), logs the review and advances the session, all in
    /// one transaction, or changes nothing and says why.
    /// Whether an answer with this platform action id was recorded (a redelivered click).
    func isRecorded(actionID: String) async throws -> Bool
    func recordAnswer(_ answer: QuizAnswer, schedule: @escaping @Sendable (FSRSCard?) -> FSRSCard) async throws -> AnswerClaim
    /// Changes the rating of a right answer's review ("that was easy" → easy, "I guessed" → hard):
    /// the card is scheduled again from its state before that review, once, and only while that
    /// review is the card's latest. Returns the new card, or nil when it cannot be changed.
    func refineReview(
        sessionID: String, position: Int, learner: Learner, rating: FSRSRating, schedule: @Sendable (FSRSCard?, Date) -> FSRSCard
    ) async throws -> FSRSCard?
    /// Marks an active session stopped; nil when there was none.
    func stopSession(for learner: Learner) async throws -> QuizSession?
    /// Every card of a person, by question id.
    func cards(for learner: Learner) async throws -> [String: FSRSCard]
    func stats(for learner: Learner, at now: Date) async throws -> QuizStats
    func setLeaderboardMembership(_ learner: Learner, channel: String, joined: Bool) async throws
    func leaderboard(platform: String, channel: String, limit: Int) async throws -> [LeaderboardEntry]
    /// Nugget ids this person's recent questions were answered with, most recent first.
    func recentNuggets(platform: String, user: String, limit: Int) async throws -> [String]
    /// Questions that are a leech for someone, with how many people and since when; most people first.
    func leeches() async throws -> [LeechQuestion]
    /// Leech questions not alerted about in the last `interval`, now marked alerted at `now`.
    func claimLeechAlerts(at now: Date, every interval: TimeInterval) async throws -> [LeechQuestion]
    /// Undoes the claim of an alert that could not be sent, so the next round tries again.
    func releaseLeechAlert(questionID: String, claimedAt: Date) async throws
}

/// A quiz question that has become a leech for one or more people.
public struct LeechQuestion: Sendable, Hashable, Codable {
    public var questionID: String
    /// People for whom it is a leech.
    public var learners: Int
    /// When it first became one.
    public var since: Date

    public init(questionID: String, learners: Int, since: Date) {
        self.questionID = questionID
        self.learners = learners
        self.since = since
    }
}
