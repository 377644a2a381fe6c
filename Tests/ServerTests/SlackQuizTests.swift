import FlowLearnCore
import FlowLearnSlack
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/quiz` end to end: the real router, signed requests, the SQLite store, the libcurl poster and a
/// local sink standing in for Slack's `response_url`.
@Suite("Slack quizzes, through the real router")
struct SlackQuizTests {
    static let learner = Learner(platform: "slack", team: "T0001", user: "U2147483697")
    static let pack = try! ContentLinter.loadPack(ContentDirectory.read(TestServer.repositoryRoot + "/Intents"))

    /// A question message as Slack would show it: the question, and what each control sends back.
    struct Shown {
        var question: QuizQuestion
        var position: Int
        var sessionID: String

        init(_ json: [String: Any]) throws {
            let text = try #require(json["text"] as? String)
            let prompt = try #require(text.range(of: ": ").map { String(text[$0.upperBound...]) })
            question = try #require(SlackQuizTests.pack.questions.first { $0.prompt == prompt }, "unknown question \(prompt)")
            let blocks = try #require(json["blocks"] as? [[String: Any]])
            let actions = try #require(blocks.first { $0["type"] as? String == "actions" })
            let parts = try #require(actions["block_id"] as? String).split(separator: ":")
            sessionID = String(parts[1])
            position = try #require(Int(parts[2]))
            let elements = try #require(actions["elements"] as? [[String: Any]])
            if question.kind == .multiple {
                #expect(elements.map { $0["type"] as? String } == ["checkboxes", "button"])
            } else {
                #expect(elements.count == question.choices.count)
                #expect(elements.allSatisfy { $0["type"] as? String == "button" })
            }
        }

        /// The click that answers right or wrong.
        func click(right: Bool, trigger: String, responseURL: String) -> [UInt8] {
            let picks = right ? question.answers : [question.choices.indices.first { !question.answers.contains($0) }!]
            if question.kind == .multiple {
                return SlackRequests.blockActions(
                    actionID: SlackInteraction.submitAction, value: "\(sessionID):\(position)", triggerID: trigger, responseURL: responseURL,
                    selected: picks, blockID: "quiz:\(sessionID):\(position)")
            }
            return SlackRequests.blockActions(
                actionID: "\(SlackInteraction.pickPrefix)\(picks[0])", value: "\(sessionID):\(position):\(picks[0])", triggerID: trigger,
                responseURL: responseURL, blockID: "quiz:\(sessionID):\(position)")
        }
    }

    @Test func fiveQuestionsByButtonsEndInAScoreAndScheduleMissesSooner() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let start = SlackRequests.slashCommand(text: "", responseURL: server.responseURL, command: "/quiz")
        let pattern = [true, false, true, true, false]
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, start, server: server)
            #expect(response.status == .ok)
            var shown = try Shown(try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
            #expect(shown.position == 0)
            var asked: [QuizQuestion] = []
            for (index, right) in pattern.enumerated() {
                asked.append(shown.question)
                let click = shown.click(right: right, trigger: "trigger-\(index)", responseURL: server.responseURL)
                let before = await sink.received().count
                let ack = try await client.slack(.interactions, click, server: server)
                #expect(ack.status == .ok)
                #expect(ack.body.readableBytes == 0, "the click is acknowledged with an empty 200")
                let isLast = index == pattern.count - 1
                let expected = before + (isLast ? 1 : 2)
                let received = try await sink.waitForRequests(expected)
                #expect(received.count == expected)
                let result = try #require(received[isLast ? expected - 1 : expected - 2].json)
                #expect(result["replace_original"] as? Bool == true)
                #expect((result["text"] as? String)?.hasPrefix(right ? "Right!" : "Not quite") == true)
                #expect(received.last!.path == "/commands/T0001/1234/abcd")
                if isLast {
                    #expect(received.last!.text.contains("Quiz done: 3 of 5 right."))
                } else {
                    let next = try #require(received.last!.json)
                    #expect(next["replace_original"] as? Bool == false)
                    shown = try Shown(next)
                    #expect(shown.position == index + 1)
                }
            }
            #expect(Set(asked.map(\.id)).count == 5, "five different questions")

            // The same click delivered again, a second click on an answered question, and a button
            // of the finished quiz change nothing, and say so.
            let before = try await server.store.stats(for: Self.learner, at: TestServer.now)
            let retried = shown.click(right: false, trigger: "trigger-4", responseURL: server.responseURL)
            try await client.slack(.interactions, retried, server: server)
            let stale = shown.click(right: true, trigger: "trigger-late", responseURL: server.responseURL)
            try await client.slack(.interactions, stale, server: server)
            let all = try await sink.waitForRequests(11)
            #expect(all.count == 11)
            #expect(all.suffix(2).contains { $0.text.contains("That answer was already counted") })
            #expect(all.suffix(2).contains { $0.text.contains("That quiz is over (you scored 3 of 5)") })
            let after = try await server.store.stats(for: Self.learner, at: TestServer.now)
            #expect(before == after)
            #expect(after.answered == 5 && after.correct == 3)
        }
        let cards = try await server.store.cards(for: Self.learner)
        #expect(cards.count == 5)
        let sessionID = try #require(try await lastSessionID(server))
        let stored = try await server.store.session(id: sessionID)
        let session = try #require(stored)
        #expect(session.state == .finished && session.correct == 3)
        let right = pattern.indices.filter { pattern[$0] }.map { cards[session.questionIDs[$0]]!.due }
        let wrong = pattern.indices.filter { !pattern[$0] }.map { cards[session.questionIDs[$0]]!.due }
        #expect(wrong.max()! < right.min()!, "missed questions come back sooner than right ones")
        #expect(wrong.allSatisfy { $0 > TestServer.now })
    }

    func lastSessionID(_ server: TestServer) async throws -> String? {
        // The quiz is over, so no session is active; its id is on the cards' review log via the store API.
        let stopped = try await server.store.activeSession(for: Self.learner)
        #expect(stopped == nil)
        return try await server.store.sessionIDs(for: Self.learner).first
    }

    @Test func easyAndGuessedRefineARightAnswerOnce() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let start = SlackRequests.slashCommand(text: "", responseURL: server.responseURL, command: "/quiz")
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, start, server: server)
            var shown = try Shown(try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
            var dues: [(good: Date, refined: Date)] = []
            for (index, action) in [SlackInteraction.easyAction, SlackInteraction.guessedAction].enumerated() {
                let question = shown.question
                try await client.slack(.interactions, shown.click(right: true, trigger: "right-\(index)", responseURL: server.responseURL), server: server)
                let received = try await sink.waitForRequests(3 * index + 2)
                let result = received[3 * index]
                #expect(result.text.contains(SlackInteraction.easyAction) && result.text.contains(SlackInteraction.guessedAction))
                shown = try Shown(try #require(received[3 * index + 1].json))
                let good = try #require(try await server.store.cards(for: Self.learner)[question.id]?.due)
                let refine = SlackRequests.blockActions(
                    actionID: action, value: "\(shown.sessionID):\(index)", triggerID: "refine-\(index)", responseURL: server.responseURL)
                try await client.slack(.interactions, refine, server: server)
                let notice = try await sink.waitForRequests(3 * index + 3)
                #expect(notice.last?.text.contains("Noted") == true)
                let refined = try #require(try await server.store.cards(for: Self.learner)[question.id]?.due)
                dues.append((good, refined))
            }
            #expect(dues[0].refined > dues[0].good, "easy comes back later than good")
            #expect(dues[1].refined < dues[1].good, "a guess comes back sooner than good")
            // A second refinement of the same answer changes nothing.
            let again = SlackRequests.blockActions(
                actionID: SlackInteraction.easyAction, value: "\(shown.sessionID):1", triggerID: "refine-again", responseURL: server.responseURL)
            try await client.slack(.interactions, again, server: server)
            #expect(try await sink.waitForRequests(7).last?.text.contains("can't be changed") == true)
        }
    }

    @Test func doubleClickCountsTheFirstAnswerOnly() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let start = SlackRequests.slashCommand(text: "security", responseURL: server.responseURL, command: "/quiz")
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, start, server: server)
            let shown = try Shown(try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
            #expect(shown.question.topic == "security")
            try await client.slack(.interactions, shown.click(right: false, trigger: "t1", responseURL: server.responseURL), server: server)
            try await client.slack(.interactions, shown.click(right: true, trigger: "t2", responseURL: server.responseURL), server: server)
            let received = try await sink.waitForRequests(3)
            #expect(received.count == 3)
            #expect(received.contains { $0.text.contains("only the first answer counts") })
        }
        let stats = try await server.store.stats(for: Self.learner, at: TestServer.now)
        #expect(stats.answered == 1 && stats.correct == 0)
    }

    @Test func forgedClickIsRefusedAndChangesNothing() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let start = SlackRequests.slashCommand(text: "", responseURL: server.responseURL, command: "/quiz")
        try await server.application().test(.router) { client in
            let response = try await client.slack(.commands, start, server: server)
            let shown = try Shown(try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]))
            let click = shown.click(right: true, trigger: "forged", responseURL: server.responseURL)
            let forged = server.slack.headers(for: click, contentType: "application/x-www-form-urlencoded", secret: "not-the-secret")
            let refused = try await client.slack(.interactions, click, server: server, headers: forged)
            #expect(refused.status == .unauthorized)
            let garbage = try await client.slack(.interactions, Array("payload=%7Bnot-json".utf8), server: server)
            #expect(garbage.status == .badRequest)
        }
        #expect(await sink.received().isEmpty)
        let stats = try await server.store.stats(for: Self.learner, at: TestServer.now)
        #expect(stats.answered == 0)
    }

    @Test func statsLeaderboardStopAndHelp() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        @Sendable func quiz(_ text: String, _ client: some TestClientProtocol) async throws -> String {
            let response = try await client.slack(
                .commands, SlackRequests.slashCommand(text: text, responseURL: server.responseURL, command: "/quiz"), server: server)
            #expect(response.status == .ok)
            return String(buffer: response.body)
        }
        try await server.application().test(.router) { client in
            do {
                let answer = try await quiz("stats", client)
                #expect(answer.contains("haven't answered any quiz questions"), "\(answer)")
            }
            do {
                let answer = try await quiz("leaderboard", client)
                #expect(answer.contains("Nobody in this channel"), "\(answer)")
            }
            do {
                let answer = try await quiz("leaderboard join", client)
                #expect(answer.contains("on this channel's quiz leaderboard"), "\(answer)")
            }
            let started = try await quiz("time-off", client)
            let shown = try Shown(try #require(JSONSerialization.jsonObject(with: Data(started.utf8)) as? [String: Any]))
            try await client.slack(.interactions, shown.click(right: true, trigger: "s1", responseURL: server.responseURL), server: server)
            _ = try await sink.waitForRequests(2)
            do {
                let answer = try await quiz("leaderboard", client)
                #expect(answer.contains("<@U2147483697>: 1 right of 1"), "\(answer)")
            }
            do {
                let answer = try await quiz("stats", client)
                #expect(answer.contains("Streak: 1 day"), "\(answer)")
            }
            do {
                let answer = try await quiz("stop", client)
                #expect(answer.contains("Quiz stopped after 1 of 5 questions"), "\(answer)")
            }
            do {
                let answer = try await quiz("stop", client)
                #expect(answer.contains("no quiz running"), "\(answer)")
            }
            do {
                let answer = try await quiz("help", client)
                #expect(answer.contains("leaderboard"), "\(answer)")
            }
            do {
                let answer = try await quiz("astrology", client)
                #expect(answer.contains("no quiz topic or command"), "\(answer)")
            }
            do {
                let answer = try await quiz("leaderboard leave", client)
                #expect(answer.contains("off this channel's quiz leaderboard"), "\(answer)")
            }
            do {
                let answer = try await quiz("leaderboard", client)
                #expect(answer.contains("Nobody in this channel"), "\(answer)")
            }
            // A button of the stopped quiz is stale.
            let next = try #require(await sink.received().last?.json)
            let stale = try Shown(next)
            try await client.slack(.interactions, stale.click(right: true, trigger: "s2", responseURL: server.responseURL), server: server)
            let received = try await sink.waitForRequests(3)
            #expect(received.last?.text.contains("That quiz was stopped") == true)
        }
    }
}
