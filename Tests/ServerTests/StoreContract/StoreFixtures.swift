import FlowLearnCore
import Foundation

/// Rows the store contract writes: whole seconds (SQLite keeps milliseconds, PostgreSQL microseconds).
enum StoreFixtures {
    static let now = Date(timeIntervalSince1970: 1_764_500_000)
    static let alice = Learner(platform: "slack", team: "T1", user: "UALICE")
    static let bob = Learner(platform: "slack", team: "T1", user: "UBOB")

    static func at(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(seconds) }

    static func question(
        _ text: String, by learner: Learner = alice, outcome: QuestionLogEntry.Outcome = .answered, nugget: String? = "n1",
        at seconds: TimeInterval = 0, answerID: String? = nil, review: String? = nil
    ) -> QuestionLogEntry {
        var entry = QuestionLogEntry(
            askedAt: at(seconds), platform: learner.platform, user: learner.user, channel: "C1", text: text, outcome: outcome,
            nuggetID: outcome == .unknown ? nil : nugget, confidence: 0.75,
            candidates: [Match(nuggetID: nugget ?? "n1", title: "N1", score: 2, confidence: 0.75)], team: learner.team, reviewQuestionID: review)
        entry.answerID = answerID
        return entry
    }

    static func session(_ id: String, for learner: Learner = alice, questions: [String] = ["q1", "q2"], channel: String = "C1", at seconds: TimeInterval = 0)
        -> QuizSession
    {
        QuizSession(id: id, learner: learner, channel: channel, topic: "expenses", questionIDs: questions, startedAt: at(seconds))
    }

    static func answer(_ session: String, position: Int, question: String, action: String, correct: Bool = true, at seconds: TimeInterval = 0)
        -> QuizAnswer
    {
        QuizAnswer(
            sessionID: session, position: position, question: question, action: action, correct: correct, at: at(seconds))
    }

    static func nudge(_ key: String, for learner: Learner = alice, day: String = "2026-11-30", due seconds: TimeInterval = 0, nugget: String = "n1")
        -> NudgeOutboxItem
    {
        NudgeOutboxItem(
            key: key, recipient: learner.key, platform: learner.platform, channel: learner.user, localDate: day, dueAt: at(seconds),
            content: .nugget(id: nugget), reason: "test",
            request: OutboundRequest(
                url: "https://slack.example/api/chat.postMessage",
                headers: [.init("Content-Type", "application/json"), .init("Authorization", "Bearer xoxb-secret", isSecret: true)],
                body: Array(#"{"text":"\#(key)"}"#.utf8), purpose: "nudge"))
    }

    static func reply(_ text: String, secret: Bool = false) -> OutboundRequest {
        OutboundRequest(
            url: "https://slack.example/api/chat.postMessage",
            headers: [.init("Content-Type", "application/json")] + (secret ? [.init("Authorization", "Bearer xoxb-secret", isSecret: true)] : []),
            body: Array(text.utf8), purpose: "reply")
    }

    /// A card a test schedules: due a day after the answer, lapses counted on Again.
    static func schedule(_ answer: QuizAnswer, leech: Bool = false) -> @Sendable (FSRSCard?) -> FSRSCard {
        { stored in
            var card = FSRSCard(
                state: .review, step: nil, stability: (stored?.stability ?? 1) + 1, difficulty: 5, due: answer.answeredAt.addingTimeInterval(86_400),
                lastReview: answer.answeredAt)
            card.lapses = (stored?.lapses ?? 0) + (answer.correct ? 0 : 1)
            card.isLeech = leech
            return card
        }
    }
}

extension QuizAnswer {
    init(sessionID: String, position: Int, question: String, action: String, correct: Bool, at: Date) {
        self.init(
            sessionID: sessionID, position: position, questionID: question, actionID: action, picks: [correct ? 0 : 1], correct: correct,
            rating: correct ? .good : .again, answeredAt: at)
    }
}
