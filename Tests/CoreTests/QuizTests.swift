@testable import FlowLearnCore
import Foundation
import Testing

@Suite("Quiz content, lint and planning")
struct QuizTests {
    static let nugget = """
        ---
        id: taxi
        title: Taxi expenses
        topic: expenses
        keywords: [taxi]
        questions: [How do I claim a taxi?]
        owner: finance@lumio.example
        reviewed: 2026-10-01
        ---

        Claim it in Spendly with the receipt.
        """

    static let quiz = """
        questions:
          - id: taxi-receipt
            nugget: taxi
            kind: single
            question: What do you need to claim a taxi?
            choices: [The receipt, A photo of the car, Nothing]
            answer: A
            explanation: Spendly needs the receipt.
          - id: taxi-when
            nugget: taxi
            kind: multiple
            question: Which taxi trips are work trips?
            choices: [To a client, To the airport for a business trip, Your commute]
            answer: [A, B]
            explanation: Client and business-trip rides, not the commute.
          - id: taxi-tips
            nugget: taxi
            kind: true-false
            question: Tips above 10 % are reimbursed.
            answer: false
            explanation: Tips above 10 % are not reimbursed.
        """

    func lint(_ quiz: String) -> ContentLinter.Report {
        ContentLinter.lint([SourceFile(path: "taxi.md", text: Self.nugget), SourceFile(path: "quiz.yaml", text: quiz)])
    }

    @Test func parsesEveryKind() throws {
        let report = lint(Self.quiz)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.questions.map(\.id) == ["taxi-receipt", "taxi-when", "taxi-tips"])
        let tips = try #require(report.questions.last)
        #expect(tips.kind == .trueFalse && tips.choices == ["True", "False"] && tips.answers == [1])
        #expect(report.questions.allSatisfy { $0.topic == "expenses" && $0.nuggetID == "taxi" })
        #expect(report.questions[1].answers == [0, 1])
    }

    @Test func rejectsAnAnswerOutOfRange() {
        let broken = Self.quiz.replacingOccurrences(of: "answer: A", with: "answer: D")
        let messages = lint(broken).diagnostics.map(\.description)
        #expect(messages == ["quiz.yaml:7: error: answer D is out of range: there are 3 choices (A–C)"])
        #expect(lint(broken).questions.isEmpty, "a pack with errors loads nothing")
    }

    @Test func reportsEachProblemOnItsLine() {
        let broken = Self.quiz
            .replacingOccurrences(of: "nugget: taxi\n    kind: multiple", with: "nugget: cab\n    kind: multiple")
            .replacingOccurrences(of: "[The receipt, A photo of the car, Nothing]", with: "[The receipt, the receipt!, Nothing]")
            .replacingOccurrences(of: "answer: false", with: "answer: perhaps")
        let messages = lint(broken).diagnostics.map(\.description)
        #expect(messages.contains("quiz.yaml:6: error: choice \"the receipt!\" repeats choice A; choices must be distinct"))
        #expect(messages.contains("quiz.yaml:10: error: question 'taxi-when' refers to nugget 'cab', which does not exist"))
        #expect(messages.contains("quiz.yaml:20: error: the answer of a true-false question is true or false"))
        let single = Self.quiz.replacingOccurrences(of: "answer: A", with: "answer: [A, B]")
        #expect(lint(single).diagnostics.map(\.message).contains { $0.contains("exactly one answer") })
        let duplicate = Self.quiz.replacingOccurrences(of: "id: taxi-when", with: "id: taxi-receipt")
        #expect(lint(duplicate).diagnostics.map(\.message).contains { $0.contains("duplicate quiz question id 'taxi-receipt'") })
        let unknown = Self.quiz.replacingOccurrences(of: "explanation: Spendly", with: "explain: Spendly")
        #expect(lint(unknown).diagnostics.map(\.message).contains("unknown key 'explain' (did you mean 'explanation'?)"))
    }

    @Test func scoresAndReadsLetters() throws {
        let questions = lint(Self.quiz).questions
        let single = questions[0], multiple = questions[1], truth = questions[2]
        #expect(single.isCorrect([0]) && !single.isCorrect([1]) && !single.isCorrect([0, 1]))
        #expect(multiple.isCorrect([0, 1]) && !multiple.isCorrect([0]) && !multiple.isCorrect([0, 1, 2]))
        #expect(single.picks(fromLetters: "a") == [0])
        #expect(single.picks(fromLetters: "A C") == nil, "one letter for single choice")
        #expect(single.picks(fromLetters: "d") == nil)
        #expect(single.picks(fromLetters: "hello") == nil)
        #expect(multiple.picks(fromLetters: "b, a") == [0, 1])
        #expect(truth.picks(fromLetters: "false") == [1] && truth.picks(fromLetters: "T") == [0])
    }

    @Test func plansDueReviewsFirstThenNewFromTheTopic() {
        var questions: [QuizQuestion] = []
        for topic in ["expenses", "security"] {
            for n in 0..<6 {
                questions.append(QuizQuestion(
                    id: "\(topic)-\(n)", nuggetID: "n", topic: topic, kind: .trueFalse, prompt: "?", choices: ["True", "False"],
                    answers: [0], explanation: "."))
            }
        }
        let master = Quizmaster(questions: questions, nuggets: [])
        let learner = Learner(platform: "test", user: "u1")
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let cards: [String: FSRSCard] = [
            "security-1": FSRSCard(state: .review, step: nil, stability: 3, difficulty: 5, due: now.addingTimeInterval(-86_400), lastReview: nil),
            "security-2": FSRSCard(state: .review, step: nil, stability: 3, difficulty: 5, due: now.addingTimeInterval(-3 * 86_400), lastReview: nil),
            "expenses-0": FSRSCard(state: .review, step: nil, stability: 3, difficulty: 5, due: now.addingTimeInterval(86_400), lastReview: nil),
        ]
        let any = master.plan(learner: learner, topic: nil, cards: cards, recentTopics: ["expenses"], at: now)
        #expect(any.count == 5)
        #expect(any.prefix(2).map(\.id) == ["security-2", "security-1"], "most overdue first")
        #expect(any.dropFirst(2).allSatisfy { $0.topic == "expenses" && cards[$0.id] == nil }, "then new questions from recent topics")
        let topical = master.plan(learner: learner, topic: "expenses", cards: cards, recentTopics: [], at: now)
        #expect(topical.allSatisfy { $0.topic == "expenses" })
        #expect(!topical.contains { $0.id == "expenses-0" }, "five new questions fill the quiz before a review that is not due")
        let everythingSeen = Dictionary(uniqueKeysWithValues: questions.map {
            ($0.id, FSRSCard(state: .review, step: nil, stability: 3, difficulty: 5, due: now.addingTimeInterval($0.id == "expenses-3" ? 3600 : 86_400), lastReview: nil))
        })
        let ahead = master.plan(learner: learner, topic: "expenses", cards: everythingSeen, recentTopics: [], at: now)
        #expect(ahead.first?.id == "expenses-3", "with nothing new or due, the reviews due soonest come first")
        let other = master.plan(learner: Learner(platform: "test", user: "u2"), topic: "expenses", cards: [:], recentTopics: [], at: now)
        #expect(Set(other.map(\.id)) != Set(topical.map(\.id)) || other.map(\.id) != topical.map(\.id), "each person gets their own order")
    }

    @Test func starterPackHasQuizzesOnEveryTopic() throws {
        let report = ContentLinter.lint(try ContentDirectory.read(Fixtures.repositoryRoot + "/Intents"))
        #expect(report.errorCount == 0)
        #expect(report.questions.count >= 60)
        #expect(Set(report.questions.map(\.topic)) == Set(report.nuggets.map(\.topic)))
        #expect(Set(report.questions.map(\.kind)) == Set(QuizQuestion.Kind.allCases))
    }
}
