@testable import FlowLearnCore
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnSlack
import FlowLearnStore
import Foundation
import Testing

/// The defects listed in the hardening issue, each reproduced: every one of these crashed the
/// server, overflowed, or refused a whole batch before its fix.
@Suite("Hardening: one message cannot crash the server")
struct HardeningDefectTests {
    @Test("a keycap emoji (1️⃣) as a quiz answer is no answer, not a crash")
    func keycapAnswer() {
        let question = QuizQuestion(
            id: "q", nuggetID: "n", topic: "t", kind: .single, prompt: "?", choices: ["a", "b", "c"], answers: [0], explanation: ".")
        #expect(question.picks(fromLetters: "1️⃣") == nil)
        #expect(question.picks(fromLetters: "2️⃣ 3") == nil)
        #expect(question.picks(fromLetters: "١") == nil)  // an Arabic-Indic digit is not a choice number either
        #expect(question.picks(fromLetters: "2") == [1])
    }

    @Test("nudges pause with a huge number says a year at most, without overflowing")
    func hugePause() {
        #expect(NudgeDesk.pauseLength("2000000000000000000w") == .tooLong)
        #expect(NudgeDesk.pauseLength("99999999999999999999999d") == .tooLong)
        #expect(NudgeDesk.pauseLength("53w") == .tooLong)
        #expect(NudgeDesk.pauseLength("52w") == .seconds(364 * 86_400))
        #expect(NudgeDesk.pauseLength("13m") == .tooLong)
        #expect(NudgeDesk.pauseLength("0d") == nil && NudgeDesk.pauseLength("-3d") == nil && NudgeDesk.pauseLength("soon") == nil)
        #expect(NudgeDesk.duration("2000000000000000000w") == nil)
    }

    @Test("a Matrix event of an odd shape is skipped, the rest of the transaction is handled")
    func oddMatrixEvent() throws {
        let service = MatrixAppService(
            homeserverURL: "http://127.0.0.1:8008", serverName: "example.org", botLocalpart: "flowlearn", asToken: "as", hsToken: "hs")
        let body = """
            {"events": [
              {"type": "m.room.message", "event_id": "$odd", "room_id": "!r:example.org", "sender": "@a:example.org", "content": {"msgtype": "m.text", "body": 1}},
              {"type": "m.room.message", "event_id": "$ok", "room_id": "!r:example.org", "sender": "@a:example.org", "content": {"msgtype": "m.text", "body": "@flowlearn:example.org taxi?"}},
              "not even an object"
            ]}
            """
        let events = try service.decodeTransaction(Array(body.utf8))
        #expect(events.count == 3)
        guard case .ignored(let id, let reason) = events[0] else {
            Issue.record("the odd event should be ignored: \(events[0])")
            return
        }
        #expect(id == "$odd" && reason.hasPrefix("malformed event"))
        guard case .message(_, let eventID, _, _, true) = events[1] else {
            Issue.record("the good event should be a message to the bot: \(events[1])")
            return
        }
        #expect(eventID == "$ok")
        guard case .ignored(nil, _) = events[2] else {
            Issue.record("a non-object event is ignored without an id: \(events[2])")
            return
        }
    }

    @Test("a quiz whose next question was removed (reload, restart with an edited quiz.yaml) ends instead of crashing")
    func removedNextQuestion() async throws {
        let pack = SlackQuizTests.pack
        let store = try SQLiteStore.inMemory()
        let learner = Learner(platform: "console", user: "kim")
        let now = Date(timeIntervalSince1970: 1_767_258_000)
        let before = Quizmaster(questions: pack.questions, nuggets: pack.nuggets)
        guard case .question(let first) = try await before.command("meetings", learner: learner, channel: "c", at: now, store: store) else {
            Issue.record("expected a question")
            return
        }
        let session = try #require(try await store.activeSession(for: learner))
        let second = session.questionIDs[1]
        let after = Quizmaster(questions: pack.questions.filter { $0.id != second }, nuggets: pack.nuggets)
        let letters = first.question.answers.map(QuizQuestion.letter).joined(separator: " ")
        let reply = try await after.textAnswer(letters, messageID: "m1", learner: learner, at: now, store: store)
        guard case .result(let feedback, nil) = reply else {
            Issue.record("expected the result and no next question: \(String(describing: reply))")
            return
        }
        #expect(feedback.correct)
        // The quiz's current question is gone: further text is not read as an answer, and nothing traps.
        #expect(try await after.textAnswer("a", messageID: "m2", learner: learner, at: now, store: store) == nil)
    }

    @Test("a slash command whose form body is not UTF-8 is refused, not answered with help")
    func nonUTF8SlashCommand() {
        let body = Array("command=%2Flearn&user_id=U1&channel_id=C1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&text=".utf8) + [0xFF, 0xFE]
        #expect(throws: SlackDecodingError.self) { try SlackSlashCommand.decode(body) }
        let broken = Array("command=%2Flearn&user_id=U1&channel_id=C1&response_url=x&text=%FF".utf8)
        #expect(throws: SlackDecodingError.self) { try SlackSlashCommand.decode(broken) }
        #expect(throws: Mattermost.Refusal.self) { try Mattermost.decodeCommand(Array("command=%2Flearn&user_id=U1&channel_id=C1&text=%C3".utf8)) }
        #expect(FormFields(Array("a=1&b=%E2%82%AC".utf8)).problem == nil)
    }

    @Test("a damaged stored card (relearning or review without a stability) is scheduled, not a crash")
    func damagedCard() {
        let now = Date(timeIntervalSince1970: 1_767_258_000)
        let scheduler = QuizSettings().scheduler
        for state in [FSRSCard.State.relearning, .review] {
            let card = FSRSCard(state: state, step: state == .review ? nil : 5, stability: nil, difficulty: nil, due: now, lastReview: nil)
            for rating in [FSRSRating.again, .hard, .good, .easy] {
                #expect(scheduler.review(card, rating: rating, at: now).due >= now)
            }
        }
    }
}
