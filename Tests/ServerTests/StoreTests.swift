import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

@Suite("SQLite store")
struct StoreTests {
    func entry(_ text: String, outcome: QuestionLogEntry.Outcome, at seconds: TimeInterval) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: Date(timeIntervalSince1970: seconds), platform: "slack", user: "U1", channel: "C1", text: text,
            outcome: outcome, nuggetID: outcome == .unknown ? nil : "n1", confidence: 0.5,
            candidates: [Match(nuggetID: "n1", title: "N1", score: 2, confidence: 0.5)])
    }

    @Test func processedEventsSurviveARestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/flowlearn.sqlite").path
        do {
            let store = try SQLiteStore(path: path)
            #expect(try await store.claimEvent(platform: "slack", eventID: "Ev1", at: Date(), logging: entry("q", outcome: .answered, at: 1)))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await !reopened.claimEvent(platform: "slack", eventID: "Ev1", at: Date(), logging: entry("q", outcome: .answered, at: 2)))
        #expect(try await reopened.claimEvent(platform: "mattermost", eventID: "Ev1", at: Date(), logging: nil))
        let logged = try await reopened.recentQuestions(unansweredOnly: false, limit: 10)
        #expect(logged.count == 1)  // the duplicate wrote nothing
        #expect(logged.first?.candidates.first?.nuggetID == "n1")
    }

    @Test func keptRepliesSurviveARestartWithoutTheirSecrets() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-replies-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("flowlearn.sqlite").path
        let first = OutboundRequest(
            url: "https://slack.example/api/chat.postMessage",
            headers: [.init("Content-Type", "application/json"), .init("Authorization", "Bearer xoxb-secret", isSecret: true)],
            body: Array(#"{"text":"one"}"#.utf8), purpose: "slack.chat.postMessage")
        let second = OutboundRequest(url: "https://hooks.example/r/1", headers: [], body: Array("two".utf8), purpose: "slack.response_url")
        let (a, b): (Int64, Int64)
        do {
            let store = try SQLiteStore(path: path)
            a = try await store.keepReplies([first, second], platform: "slack", at: Date())
            b = try await store.keepReplies([second], platform: "discord", at: Date())
            #expect(a != b)
        }
        let reopened = try SQLiteStore(path: path)
        let kept = try await reopened.keptReplies()
        #expect(kept.map(\.id) == [a, b])
        #expect(kept[0].platform == "slack" && kept[1].platform == "discord")
        #expect(kept[0].requests.map(\.purpose) == ["slack.chat.postMessage", "slack.response_url"])
        #expect(kept[0].needsCredentials == [true, false])
        #expect(kept[0].requests[0].headers.map(\.name) == ["Content-Type"])  // the token was never written
        #expect(kept[0].requests[0].body == first.body && kept[0].requests[0].url == first.url)
        try await reopened.forgetReplies(a)
        #expect(try await reopened.keptReplies().map(\.id) == [b])
    }

    @Test func listsUnansweredNewestFirst() async throws {
        let store = try SQLiteStore.inMemory()
        try await store.record(entry("a", outcome: .unknown, at: 10))
        try await store.record(entry("b", outcome: .answered, at: 20))
        try await store.record(entry("c", outcome: .unknown, at: 30))
        let unanswered = try await store.recentQuestions(unansweredOnly: true, limit: 10)
        #expect(unanswered.map(\.text) == ["c", "a"])
        #expect(try await store.recentQuestions(unansweredOnly: false, limit: 2).map(\.text) == ["c", "b"])
        #expect(try await store.questionCounts() == [.unknown: 2, .answered: 1])
    }
}
