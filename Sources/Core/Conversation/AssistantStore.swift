import Foundation

/// What the assistant keeps: processed event ids (so a retried delivery is answered once) and the
/// question log. SQLite implements it; another engine can slot in behind the same protocol.
public protocol AssistantStore: Sendable {
    /// Records that an event was taken, and its question with it, in one transaction; false (and
    /// nothing written) when the event had been taken before: a retry or a duplicate delivery.
    func claimEvent(platform: String, eventID: String, at: Date, logging entry: QuestionLogEntry?) async throws -> Bool
    func record(_ entry: QuestionLogEntry) async throws
    /// Most recent first.
    func recentQuestions(unansweredOnly: Bool, limit: Int) async throws -> [QuestionLogEntry]
    /// How many logged questions had each outcome (for `/metrics`).
    func questionCounts() async throws -> [QuestionLogEntry.Outcome: Int]
}

/// Everything FlowLearn keeps, as one store (SQLite implements all of it).
public typealias LearningStore = AssistantStore & QuizStore & NudgeStore & RoomStore

/// Rooms the bot is in, per platform, and whether each is a direct chat (answered without a mention).
public protocol RoomStore: Sendable {
    func setRoom(platform: String, room: String, isDirect: Bool) async throws
    func isDirectRoom(platform: String, room: String) async throws -> Bool
}
