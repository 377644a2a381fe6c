import Foundation

/// The console's "Quizzes" page: per topic, how well people answer the first time they meet a
/// question against the latest time (proficiency gained by review), and the hardest questions.
public struct TopicProficiency: Sendable, Hashable, Codable {
    public var topic: String
    public var questions: Int
    /// Person-question pairs answered in the period.
    public var attempts: Int
    /// Share of those pairs answered right the first time, nil without answers.
    public var firstAnswer: Double?
    /// Share answered right the latest time, nil without answers.
    public var latestAnswer: Double?
}

/// One quiz question with its results, for the "hardest questions" list.
public struct QuestionDifficulty: Sendable, Hashable, Codable {
    public var id: String
    public var nuggetID: String
    public var topic: String
    public var prompt: String
    public var answers: Int
    public var people: Int
    public var passRate: Double
}

public enum QuizReport {
    public static func topics(questions: [QuizQuestion], results: [String: QuestionResults]) -> [TopicProficiency] {
        var byTopic: [String: (questions: Int, people: Int, first: Int, latest: Int)] = [:]
        for question in questions {
            let result = results[question.id] ?? QuestionResults()
            let topic = question.topic.isEmpty ? "(no topic)" : question.topic
            byTopic[topic, default: (0, 0, 0, 0)].questions += 1
            byTopic[topic, default: (0, 0, 0, 0)].people += result.people
            byTopic[topic, default: (0, 0, 0, 0)].first += result.firstCorrect
            byTopic[topic, default: (0, 0, 0, 0)].latest += result.latestCorrect
        }
        return byTopic.keys.sorted().compactMap { topic in
            guard let entry = byTopic[topic] else { return nil }
            let attempts = entry.people
            return TopicProficiency(
                topic: topic, questions: entry.questions, attempts: attempts,
                firstAnswer: attempts > 0 ? Double(entry.first) / Double(attempts) : nil,
                latestAnswer: attempts > 0 ? Double(entry.latest) / Double(attempts) : nil)
        }
    }

    /// Questions answered at least `minimumAnswers` times, lowest pass rate first.
    public static func hardest(
        questions: [QuizQuestion], results: [String: QuestionResults], minimumAnswers: Int = 3, limit: Int = 20
    ) -> [QuestionDifficulty] {
        questions.compactMap { question -> QuestionDifficulty? in
            guard let result = results[question.id], result.answers >= max(1, minimumAnswers) else { return nil }
            return QuestionDifficulty(
                id: question.id, nuggetID: question.nuggetID, topic: question.topic, prompt: question.prompt, answers: result.answers,
                people: result.people, passRate: Double(result.correct) / Double(result.answers))
        }
        .sorted { ($0.passRate, -$0.answers, $0.id) < ($1.passRate, -$1.answers, $1.id) }
        .prefix(max(0, limit)).map { $0 }
    }
}
