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
