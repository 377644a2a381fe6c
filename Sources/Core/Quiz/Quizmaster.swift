import Foundation

/// What a quiz says, before any platform formatting. Adapters render it (buttons on Slack, lettered
/// choices in text).
public enum QuizReply: Sendable, Hashable {
    /// Ask a question (the first of a quiz, or the next one).
    case question(QuizPrompt)
    /// The result of an answer, then the next question or, after the last one, the score.
    case result(QuizFeedback, next: QuizPrompt?)
    /// A click or answer that changes nothing: a repeat, a finished quiz, a question already answered.
    case stale(String)
    case stats(QuizStats)
    case leaderboard([LeaderboardEntry], channelHasMembers: Bool)
    /// A short confirmation or explanation (joined, stopped, nothing to quiz on, …).
    case notice(String)
    /// Usage; `problem` says what was not understood (an unknown subcommand or topic).
    case help(command: String, topics: [String], problem: String?)
}

/// One question as shown to the person.
public struct QuizPrompt: Sendable, Hashable {
    public var sessionID: String
    public var position: Int
    public var total: Int
    public var question: QuizQuestion
    /// Why this question now ("due for review", "new").
    public var isReview: Bool

    public init(sessionID: String, position: Int, total: Int, question: QuizQuestion, isReview: Bool) {
        self.sessionID = sessionID
        self.position = position
        self.total = total
        self.question = question
        self.isReview = isReview
    }
}

/// The outcome of one answer.
public struct QuizFeedback: Sendable, Hashable {
    public var question: QuizQuestion
    public var picks: [Int]
    public var correct: Bool
    public var position: Int
    public var total: Int
    /// The nugget the question tests, for a "read more" line.
    public var nugget: Nugget?
    /// Set after the last question: right answers out of total.
    public var score: Int?
    /// When the question comes back for review.
    public var nextReview: Date
    /// The quiz it belongs to (for "that was easy" / "I guessed").
    public var sessionID: String

    public init(
        question: QuizQuestion, picks: [Int], correct: Bool, position: Int, total: Int, nugget: Nugget?, score: Int?, nextReview: Date,
        sessionID: String = ""
    ) {
        self.sessionID = sessionID
        self.question = question
        self.picks = picks
        self.correct = correct
        self.position = position
        self.total = total
        self.nugget = nugget
        self.score = score
        self.nextReview = nextReview
    }
}

/// Quiz settings from the configuration.
public struct QuizSettings: Sendable, Hashable, Codable {
    /// Questions per quiz.
    public var length = 5
    /// Players shown by `/quiz leaderboard`.
    public var leaderboardSize = 10
    /// How many recent questions decide "topics you asked about" when no topic is given.
    public var recentQuestions = 20
    /// FSRS settings. Chat quizzes have no minute-long learning steps by default: a missed question
    /// comes back the next day, a right one after a few days.
    public var desiredRetention = 0.9
    public var learningStepsMinutes: [Double] = []
    public var relearningStepsMinutes: [Double] = []
    public var maximumIntervalDays = 36500
    /// When someone is given a nugget that has quiz questions, schedule one of them for their reviews
    /// (once per nugget), so what they needed at work comes back in their next quiz or nudge.
    public var reviewAskedNuggets = true
    /// Lapses after which a question is a leech for that person and no longer scheduled (0: never).
    public var leechLapses = 8
    /// Where the owners of nuggets hear about new leeches, at most once per question per week:
    /// a platform (`slack`, `matrix`, `discord`, `mattermost`, `teams`) and a channel on it (for
    /// Teams, a name in `teams.workflowWebhookEnvs`). Empty: no alerts (`flowlearn leeches` lists them).
    public var leechAlertPlatform = ""
    public var leechAlertChannel = ""

    public init() {}

    public var scheduler: FSRSScheduler {
        FSRSScheduler(
            desiredRetention: desiredRetention, learningSteps: learningStepsMinutes.map { $0 * 60 },
            relearningSteps: relearningStepsMinutes.map { $0 * 60 }, maximumInterval: maximumIntervalDays)
    }
}

/// Runs quizzes: picks questions (due reviews first, then new ones), scores answers exactly once,
/// schedules each question's next review with FSRS-6. Talks to the outside only through `QuizStore`.
public struct Quizmaster: Sendable {
    public let questions: [QuizQuestion]
    public let settings: QuizSettings
    private let byID: [String: QuizQuestion]
    private let nuggets: [String: Nugget]
    /// Each nugget's questions' ids (asked nuggets become reviews on the request path).
    private let questionIDsByNugget: [String: [String]]
    private let scheduler: FSRSScheduler

    public init(questions: [QuizQuestion], nuggets: [Nugget], settings: QuizSettings = QuizSettings()) {
        self.questions = questions
        self.settings = settings
        self.byID = Dictionary(questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.nuggets = Dictionary(nuggets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.questionIDsByNugget = Dictionary(grouping: questions, by: \.nuggetID).mapValues { $0.map(\.id) }
        self.scheduler = settings.scheduler
    }

    /// Topics that have questions, sorted.
    public var topics: [String] { Array(Set(questions.map(\.topic))).sorted() }

    /// Handles `/quiz [topic | stats | leaderboard [join|leave] | stop | help]`.
    public func command(
        _ text: String, learner: Learner, channel: String, at now: Date, store: some QuizStore, command: String = "/quiz"
    ) async throws -> QuizReply {
        let words = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        switch words.first {
        case "help", "?", "-h", "--help":
            return .help(command: command, topics: topics, problem: nil)
        case "stats":
            return .stats(try await store.stats(for: learner, at: now))
        case "stop", "end", "quit":
            guard let stopped = try await store.stopSession(for: learner) else { return .notice("You have no quiz running.") }
            return .notice("Quiz stopped after \(stopped.position) of \(stopped.total) questions: \(stopped.correct) right.")
        case "leaderboard", "leaders", "top":
            switch words.dropFirst().first {
            case "join":
                try await store.setLeaderboardMembership(learner, channel: channel, joined: true)
                return .notice("You're on this channel's quiz leaderboard. `\(command) leaderboard leave` takes you off.")
            case "leave":
                try await store.setLeaderboardMembership(learner, channel: channel, joined: false)
                return .notice("You're off this channel's quiz leaderboard.")
            case nil:
                let entries = try await store.leaderboard(platform: learner.platform, channel: channel, limit: settings.leaderboardSize)
                return .leaderboard(entries, channelHasMembers: !entries.isEmpty)
            default:
                return .help(command: command, topics: topics, problem: "`\(command) \(text.trimmingCharacters(in: .whitespaces))` is not a quiz command.")
            }
        default:
            let topic = words.isEmpty ? nil : words.joined(separator: "-")
            return try await start(topic: topic, learner: learner, channel: channel, at: now, store: store, command: command)
        }
    }

    /// Starts a quiz (stopping any other one the person had running).
    public func start(
        topic requested: String?, learner: Learner, channel: String, at now: Date, store: some QuizStore, command: String = "/quiz"
    ) async throws -> QuizReply {
        var topic: String?
        if let requested {
            guard let match = matchTopic(requested) else {
                return .help(command: command, topics: topics, problem: "There is no quiz topic or command \"\(requested)\".")
            }
            topic = match
        }
        let cards = try await store.cards(for: learner)
        var recentTopics: [String] = []
        if topic == nil {
            let recent = try await store.recentNuggets(platform: learner.platform, user: learner.user, limit: settings.recentQuestions)
            for id in recent {
                if let topic = nuggets[id]?.topic, !recentTopics.contains(topic) { recentTopics.append(topic) }
            }
        }
        let chosen = plan(learner: learner, topic: topic, cards: cards, recentTopics: recentTopics, at: now)
        guard !chosen.isEmpty else {
            return .notice("There are no quiz questions" + (topic.map { " on \($0)" } ?? "") + " yet.")
        }
        let session = QuizSession(
            id: Self.sessionID(learner: learner, at: now), learner: learner, channel: channel, topic: topic, questionIDs: chosen.map(\.id),
            startedAt: now)
        try await store.startSession(session)
        guard let first = prompt(session, cards: cards) else { return .stale("That quiz could not start. Try `/quiz` again.") }
        return .question(first)
    }

    /// Scores an answer to question `position` of session `sessionID`, once.
    public func answer(
        sessionID: String, position: Int, picks: Set<Int>, actionID: String, learner: Learner, at now: Date, store: some QuizStore
    ) async throws -> QuizReply {
        if try await store.isRecorded(actionID: actionID) {
            return .stale("That answer was already counted.")
        }
        guard let session = try await store.session(id: sessionID), session.learner == learner else {
            return .stale("That quiz isn't yours or no longer exists. Start your own with `/quiz`.")
        }
        guard session.state == .active, position == session.position, session.questionIDs.indices.contains(position),
            let question = byID[session.questionIDs[position]]
        else {
            return stale(session, position: position)
        }
        let correct = question.isCorrect(picks)
        let rating: FSRSRating = correct ? .good : .again
        let answer = QuizAnswer(
            sessionID: sessionID, position: position, questionID: question.id, actionID: actionID, picks: picks.sorted(), correct: correct,
            rating: rating, answeredAt: now)
        let scheduler = self.scheduler
        let leechLapses = settings.leechLapses
        let claim = try await store.recordAnswer(answer) { card in
            Self.counted(scheduler.review(card ?? FSRSCard(due: now), rating: rating, at: now), after: card, rating: rating, leechLapses: leechLapses)
        }
        switch claim {
        case .repeatedAction:
            return .stale("That answer was already counted.")
        case .stale(let current):
            return stale(current ?? session, position: position)
        case .recorded(let updated):
            let cards = try await store.cards(for: learner)
            // The next question may have been renamed or removed since the quiz started (a content
            // reload, or a restart with an edited quiz.yaml): then the quiz ends here.
            let next = updated.state == .active ? prompt(updated, cards: cards) : nil
            let feedback = QuizFeedback(
                question: question, picks: picks.sorted(), correct: correct, position: position, total: updated.total,
                nugget: nuggets[question.nuggetID], score: updated.state == .finished ? updated.correct : nil,
                nextReview: cards[question.id]?.due ?? now, sessionID: sessionID)
            return .result(feedback, next: next)
        }
    }

    /// "That was easy" / "I guessed" after a right answer: the review is rated easy or hard instead of good.
    public func refine(sessionID: String, position: Int, easy: Bool, learner: Learner, at now: Date, store: some QuizStore) async throws
        -> QuizReply
    {
        let rating: FSRSRating = easy ? .easy : .hard
        let scheduler = self.scheduler
        guard
            let card = try await store.refineReview(sessionID: sessionID, position: position, learner: learner, rating: rating, schedule: { previous, at in
                scheduler.review(previous ?? FSRSCard(due: at), rating: rating, at: at)
            })
        else { return .stale("That answer can't be changed any more.") }
        let days = max(0, Int((card.due.timeIntervalSince(now) / 86_400).rounded()))
        let when = days == 0 ? "later today" : days == 1 ? "tomorrow" : "in \(days) days"
        return .notice(easy ? "Noted: easy. It comes back \(when)." : "Noted: a guess. It comes back sooner, \(when).")
    }

    /// Where a platform has no buttons: a message from someone with a quiz running, read as an answer
    /// to the current question when it is made of choice letters ("b", "A C"). Nil when it is not.
    public func textAnswer(
        _ text: String, messageID: String, learner: Learner, at now: Date, store: some QuizStore
    ) async throws -> QuizReply? {
        guard let session = try await store.activeSession(for: learner), session.questionIDs.indices.contains(session.position),
            let question = byID[session.questionIDs[session.position]]
        else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 12, let picks = question.picks(fromLetters: trimmed) else { return nil }
        return try await answer(
            sessionID: session.id, position: session.position, picks: picks, actionID: messageID, learner: learner, at: now, store: store)
    }

    /// The questions of a new quiz: reviews that are due (most overdue first), then questions never
    /// asked (from the topic, else from topics the person asked about, else any), then the reviews
    /// due soonest, up to `settings.length`.
    /// The question of a nugget to schedule for a learner who was just given it: one of its quiz
    /// questions, the same one for the same person each time (nil when the nugget has none).
    public func reviewQuestion(forNugget nuggetID: String, learner: Learner) -> String? {
        (questionIDsByNugget[nuggetID] ?? []).min { Self.order(learner, $0) < Self.order(learner, $1) }
    }

    /// A reviewed card with its lapses counted: *Again* on a card in review is a lapse, and a card
    /// that reaches `leechLapses` becomes a leech.
    public static func counted(_ next: FSRSCard, after previous: FSRSCard?, rating: FSRSRating, leechLapses: Int) -> FSRSCard {
        var card = next
        card.lapses = (previous?.lapses ?? 0) + (previous?.state == .review && rating == .again ? 1 : 0)
        card.isLeech = (previous?.isLeech ?? false) || (leechLapses > 0 && card.lapses >= leechLapses)
        return card
    }

    public func plan(learner: Learner, topic: String?, cards allCards: [String: FSRSCard], recentTopics: [String], at now: Date) -> [QuizQuestion] {
        // A leech is not asked again: neither as a review nor as a "new" question.
        let leeches = Set(allCards.filter(\.value.isLeech).keys)
        let cards = allCards.filter { !$0.value.isLeech }
        let inScope = questions.filter { (topic == nil || $0.topic == topic) && !leeches.contains($0.id) }
        var chosen: [QuizQuestion] = []
        func take(_ candidates: [QuizQuestion]) {
            for question in candidates where chosen.count < settings.length && !chosen.contains(where: { $0.id == question.id }) {
                chosen.append(question)
            }
        }
        let reviewed = inScope.compactMap { question in cards[question.id].map { (question, $0.due) } }.sorted { $0.1 < $1.1 }.map(\.0)
        take(reviewed.filter { (cards[$0.id]?.due ?? .distantFuture) <= now })
        let fresh = inScope.filter { cards[$0.id] == nil }.sorted { Self.order(learner, $0.id) < Self.order(learner, $1.id) }
        for preferred in recentTopics { take(fresh.filter { $0.topic == preferred }) }
        take(fresh)
        take(reviewed)
        return chosen
    }

    // MARK: - Helpers

    /// The session's current question; nil when it is not in the content any more.
    private func prompt(_ session: QuizSession, cards: [String: FSRSCard]) -> QuizPrompt? {
        guard session.questionIDs.indices.contains(session.position), let question = byID[session.questionIDs[session.position]] else {
            return nil
        }
        return QuizPrompt(
            sessionID: session.id, position: session.position, total: session.total, question: question,
            isReview: cards[question.id] != nil)
    }

    private func stale(_ session: QuizSession, position: Int) -> QuizReply {
        switch session.state {
        case .finished: return .stale("That quiz is over (you scored \(session.correct) of \(session.total)). Start a new one with `/quiz`.")
        case .stopped: return .stale("That quiz was stopped. Start a new one with `/quiz`.")
        case .active:
            return position < session.position
                ? .stale("You already answered that question; only the first answer counts.")
                : .stale("That question isn't the current one of your quiz.")
        }
    }

    private func matchTopic(_ requested: String) -> String? {
        let wanted = requested.lowercased()
        if topics.contains(wanted) { return wanted }
        let candidates = topics.filter { $0.hasPrefix(wanted) || $0.split(separator: "-").contains { $0.hasPrefix(wanted) } }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// A per-person shuffle that is the same every time (tests and restarts see the same order).
    public static func order(_ learner: Learner, _ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (learner.key + "|" + id).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func sessionID(learner: Learner, at now: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        return "q" + String(Int64(now.timeIntervalSince1970), radix: 36) + random.prefix(12)
    }
}
