import Foundation

/// What quizzes say, shared by every adapter (Markdown; adapters convert it).
public enum QuizWording {
    /// The alert to a nugget's owner about a question that became a leech.
    public static func leechAlert(_ question: QuizQuestion, nugget: Nugget?, learners: Int, lapses: Int) -> String {
        let owner = nugget.map { $0.owner.isEmpty ? "" : " (owner: \($0.owner))" } ?? ""
        let about = nugget.map { "nugget \($0.id), \"\($0.title)\"\(owner)" } ?? "nugget \(question.nuggetID)"
        let people = learners == 1 ? "1 person has" : "\(learners) people have"
        return "Quiz question \"\(question.prompt)\" (\(question.id), \(about)) is a leech: \(people) forgotten it \(lapses) times after learning it, "
            + "so it is no longer asked of them. The question or the nugget may need rewriting."
    }

    public static func verdict(_ feedback: QuizFeedback) -> String {
        if feedback.correct { return "Right!" }
        let question = feedback.question
        return question.answers.count == 1
            ? "Not quite: the answer is \(question.answerText)."
            : "Not quite: the right answers are \(question.answerText)."
    }

    public static func score(_ score: Int, of total: Int) -> String {
        let cheer = score == total ? " Perfect!" : score * 2 >= total ? " Well done." : " The ones you missed come back soon."
        return "Quiz done: \(score) of \(total) right.\(cheer)"
    }

    public static func statsLines(_ stats: QuizStats) -> [String] {
        guard stats.answered > 0 else { return ["You haven't answered any quiz questions yet. Try `/quiz`."] }
        return [
            "Your quiz record:",
            "• Streak: \(stats.streakDays) day\(stats.streakDays == 1 ? "" : "s")",
            "• Accuracy: \(Int((stats.accuracy * 100).rounded())) % of \(stats.answered) answers",
            "• Due for review now: \(stats.dueNow) of \(stats.cards) questions",
        ]
    }

    /// - Parameter name: how the platform shows a user id (Slack: `<@U123>`).
    public static func leaderboardLines(_ entries: [LeaderboardEntry], command: String, name: (String) -> String) -> [String] {
        guard !entries.isEmpty else {
            return ["Nobody in this channel is on the quiz leaderboard yet. `\(command) leaderboard join` puts you on it."]
        }
        return ["Quiz leaderboard for this channel:"]
            + entries.enumerated().map { "\($0.offset + 1). \(name($0.element.user)): \($0.element.correct) right of \($0.element.answered)" }
            + ["Join with `\(command) leaderboard join`, leave with `\(command) leaderboard leave`."]
    }

    public static func helpLines(command: String, topics: [String]) -> [String] {
        [
            "Quizzes: five short questions; the ones you miss come back for review when you're about to forget them.",
            "• `\(command)` starts a quiz (reviews that are due first, then new questions)",
            "• `\(command) TOPIC` quizzes one topic: \(topics.joined(separator: ", "))",
            "• `\(command) stats` shows your streak, accuracy and reviews due",
            "• `\(command) leaderboard` shows this channel's top players; `join` / `leave` to opt in or out",
            "• `\(command) stop` ends the quiz you're taking",
        ]
    }
}
