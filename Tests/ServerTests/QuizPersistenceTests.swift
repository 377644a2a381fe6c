import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

/// Quizzes survive a restart: the session, answers and cards are in SQLite, so a quiz started before
/// a restart is finished after it, with typed letters (the text fallback) as well as buttons.
@Suite("Quiz persistence and text answers")
struct QuizPersistenceTests {
    @Test func quizInProgressIsFinishedAfterARestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-quiz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("db.sqlite").path
        let pack = SlackQuizTests.pack
        let master = Quizmaster(questions: pack.questions, nuggets: pack.nuggets)
        let learner = Learner(platform: "console", user: "kim")
        var now = Date(timeIntervalSince1970: 1_767_258_000)

        var store: SQLiteStore? = try SQLiteStore(path: path)
        guard case .question(let first) = try await master.command("meetings", learner: learner, channel: "c", at: now, store: store!) else {
            Issue.record("expected a question")
            return
        }
        let letter = first.question.answers.map(QuizQuestion.letter).joined(separator: " ")
        let reply = try await master.textAnswer(letter, messageID: "m1", learner: learner, at: now, store: store!)
        guard case .result(let feedback, let next?) = reply else {
            Issue.record("expected a result and a next question")
            return
        }
        #expect(feedback.correct)
        #expect(try await master.textAnswer("hello there", messageID: "m2", learner: learner, at: now, store: store!) == nil)
        store = nil  // "restart"

        let reopened = try SQLiteStore(path: path)
        let active = try #require(try await reopened.activeSession(for: learner))
        #expect(active.id == first.sessionID && active.position == 1 && active.correct == 1)
        var prompt = next
        var answered = 1
        while true {
            now = now.addingTimeInterval(30)
            let wrong = prompt.question.choices.indices.first { !prompt.question.answers.contains($0) }!
            let reply = try await master.answer(
                sessionID: prompt.sessionID, position: prompt.position, picks: [wrong], actionID: "click-\(answered)", learner: learner,
                at: now, store: reopened)
            guard case .result(let feedback, let following) = reply else {
                Issue.record("expected a result, got \(reply)")
                return
            }
            answered += 1
            guard let following else {
                #expect(feedback.score == 1)
                break
            }
            prompt = following
        }
        #expect(answered == 5)
        let stats = try await reopened.stats(for: learner, at: now)
        #expect(stats.answered == 5 && stats.correct == 1 && stats.cards == 5)
        // A second quiz on the same topic asks the reviews due soonest once nothing is new or due.
        let cards = try await reopened.cards(for: learner)
        #expect(cards.values.allSatisfy { $0.lastReview != nil })
    }
}
