import FlowLearnCore
import FlowLearnSlack
import Foundation
import HummingbirdTesting
import Testing

/// Questions become reviews: a nugget someone needed at work comes back in their next quiz.
@Suite("Asked nuggets come back as reviews")
struct AskedReviewTests {
    static let learner = Learner(platform: "slack", team: "T0001", user: "U2147483697")
    static let taxiQuestions: Set<String> = ["taxi-late-night", "taxi-commute"]

    @Test func askingForANuggetSchedulesOneOfItsQuestionsOnceAndTheNextQuizStartsWithIt() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let ask = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: server.responseURL)
        try await server.application().test(.router) { client in
            #expect(try await client.slack(.commands, ask, server: server).status == .ok)
            let cards = try await server.store.cards(for: Self.learner)
            #expect(cards.count == 1, "one question of the taxi nugget: \(cards.keys.sorted())")
            let (question, card) = try #require(cards.first)
            #expect(Self.taxiQuestions.contains(question))
            #expect(card.due <= TestServer.now && card.lastReview == nil, "due now, never reviewed")

            #expect(try await client.slack(.commands, ask, server: server).status == .ok)
            #expect(try await server.store.cards(for: Self.learner).count == 1, "once per nugget")

            let quiz = SlackRequests.slashCommand(text: "", responseURL: server.responseURL, command: "/quiz")
            #expect(try await client.slack(.commands, quiz, server: server).status == .ok)
            let session = try #require(try await server.store.activeSession(for: Self.learner))
            #expect(session.questionIDs.first == question, "the due review comes first: \(session.questionIDs)")
        }
        let logged = try await server.store.recentQuestions(unansweredOnly: false, limit: 5)
        #expect(logged.allSatisfy { $0.team == "T0001" }, "the log keeps the workspace, so the asker is known as a learner")
    }

    @Test func offWhenConfiguredAndNeverForUnansweredQuestions() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        let unknown = SlackRequests.slashCommand(text: "what is the airspeed velocity of an unladen swallow", responseURL: server.responseURL)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.slack(.commands, unknown, server: server).status == .ok)
            #expect(try await server.store.cards(for: Self.learner).isEmpty)
        }
        var off = try TestServer(sink: sink)
        off.configuration.quiz.reviewAskedNuggets = false
        let configured = off
        let ask = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: configured.responseURL)
        try await configured.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.slack(.commands, ask, server: configured).status == .ok)
            #expect(try await configured.store.cards(for: Self.learner).isEmpty)
        }
    }
}
