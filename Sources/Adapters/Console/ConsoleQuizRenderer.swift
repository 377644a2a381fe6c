import FlowLearnCore
import Foundation

/// Renders quiz replies as plain text, for platforms without buttons: the choices are lettered and the
/// person answers by typing the letter(s).
public enum ConsoleQuizRenderer {
    /// - Parameter numbered: choices as 1, 2, 3 (Matrix, Teams) rather than A, B, C (the console).
    public static func render(_ reply: QuizReply, command: String = "/quiz", numbered: Bool = false) -> String {
        switch reply {
        case .question(let prompt):
            return question(prompt, numbered: numbered)
        case .result(let feedback, let next):
            var lines = [QuizWording.verdict(feedback), ConsoleRenderer.plain(feedback.question.explanation)]
            if let nugget = feedback.nugget { lines.append("From the nugget \"\(nugget.title)\".") }
            if let score = feedback.score, feedback.total > 1 { lines.append(QuizWording.score(score, of: feedback.total)) }
            if let next { lines.append("\n" + question(next, numbered: numbered)) }
            return lines.joined(separator: "\n")
        case .stale(let text), .notice(let text):
            return plain(text)
        case .stats(let stats):
            return QuizWording.statsLines(stats).map(plain).joined(separator: "\n")
        case .leaderboard(let entries, _):
            return QuizWording.leaderboardLines(entries, command: command) { $0 }.map(plain).joined(separator: "\n")
        case .help(let command, let topics, let problem):
            return ((problem.map { [$0] } ?? []) + QuizWording.helpLines(command: command, topics: topics)).map(plain).joined(separator: "\n")
        }
    }

    /// A question with lettered choices and how to answer.
    public static func question(_ prompt: QuizPrompt, numbered: Bool = false) -> String {
        let question = prompt.question
        let label = { (index: Int) in numbered ? "\(index + 1)" : QuizQuestion.letter(index) }
        var lines = ["Question \(prompt.position + 1) of \(prompt.total)\(prompt.isReview ? " (review)" : ""): \(question.prompt)"]
        lines += question.choices.indices.map { "  \(label($0))) \(question.choices[$0])" }
        switch question.kind {
        case .single: lines.append(numbered ? "Answer with one number." : "Answer with one letter.")
        case .multiple: lines.append(numbered ? "Answer with every right number, e.g. \"1 3\"." : "Answer with every right letter, e.g. \"A C\".")
        case .trueFalse: lines.append(numbered ? "Answer 1 (true) or 2 (false)." : "Answer A (true) or B (false).")
        }
        return lines.joined(separator: "\n")
    }

    static func plain(_ text: String) -> String { text.replacingOccurrences(of: "`", with: "") }
}
