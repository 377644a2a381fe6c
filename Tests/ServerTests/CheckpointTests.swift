import FlowLearnCore
@testable import FlowLearnStore
import Foundation
import GRDB
import Testing

@Suite("Background checkpoints")
struct CheckpointTests {
    @Test func theLogIsCopiedIntoTheFileWithoutTheWriterAndStopsWithTheStore() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("store.sqlite").path
        var store: SQLiteStore? = try SQLiteStore(path: path)
        let fileSize = { ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0 }
        let before = fileSize()
        // About 500 KB of questions, some 200 pages of log: below the writer's own checkpoint (512
        // pages), so only the background can move them into the file.
        try await Self.ask(100, into: try #require(store))
        let deadline = ContinuousClock.now + .seconds(10)
        while fileSize() < before + 250_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(fileSize() >= before + 250_000, "the questions reached the database file (\(fileSize()) bytes, \(before) before)")
        let counts = try #require(store?.checkpointer?.counts)
        #expect(counts.passes > 0 && counts.failures == 0)

        weak let checkpointer = store?.checkpointer
        store = nil
        let gone = ContinuousClock.now + .seconds(5)
        while checkpointer != nil, ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(20)) }
        #expect(checkpointer == nil, "a closed store's checkpoints stop")
    }

    @Test func anInMemoryStoreHasNone() throws {
        #expect(try SQLiteStore.inMemory().checkpointer == nil)
    }

    /// `count` questions of about 5 KB, ten at a time.
    static func ask(_ count: Int, into store: SQLiteStore) async throws {
        for round in 0..<(count / 10) {
            let text = String(repeating: "question \(round) ", count: 400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for person in 0..<10 {
                    group.addTask {
                        try await store.record(
                            QuestionLogEntry(
                                askedAt: Date(), platform: "slack", user: "U\(person)", channel: "C", text: text, outcome: .unknown, nuggetID: nil,
                                confidence: 0, candidates: []))
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
