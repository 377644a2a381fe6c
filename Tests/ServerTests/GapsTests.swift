import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

@Suite("Gaps from the question log")
struct GapsTests {
    func entry(_ text: String, outcome: QuestionLogEntry.Outcome, user: String, at date: Date) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: date, platform: "slack", user: user, channel: "C1", text: text, outcome: outcome, nuggetID: outcome == .unknown ? nil : "n1",
            confidence: 0.2, candidates: [])
    }

    @Test func theCLIListsClustersOfThePeriodAndHidesTheOnesMarkedDone() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FlowLearnProcess.binary), "build first: swift build")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-gaps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("flowlearn.sqlite").path
        let now = Date()
        do {
            let store = try SQLiteStore(path: storePath)
            for (index, text) in ["where can I park my car at the office", "is there parking at the office", "office parking for visitors"].enumerated() {
                try await store.record(entry(text, outcome: .unknown, user: "U\(index)", at: now.addingTimeInterval(-3600 * Double(index + 1))))
            }
            try await store.record(entry("gym membership discount", outcome: .choice, user: "U9", at: now.addingTimeInterval(-600)))
            try await store.record(entry("old parking question", outcome: .unknown, user: "U8", at: now.addingTimeInterval(-40 * 86_400)))
            try await store.record(entry("how do I claim a taxi", outcome: .answered, user: "U7", at: now.addingTimeInterval(-60)))
            let recent = try await store.unansweredQuestions(since: now.addingTimeInterval(-30 * 86_400), limit: 100)
            #expect(recent.map(\.text) == ["office parking for visitors", "is there parking at the office", "where can I park my car at the office", "gym membership discount"])
        }
        let config = folder.appendingPathComponent("config.json")
        try Data(#"{"content": {"intents": "\#(TestServer.repositoryRoot)/Intents", "encoder": ""}, "store": {"path": "\#(storePath)"}}"#.utf8).write(to: config)
        func run(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: FlowLearnProcess.binary)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(arguments)")
            return String(decoding: data, as: UTF8.self)
        }
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(try run(["gaps", "--config", config.path, "--json"]).utf8)) as? [[String: Any]])
        #expect(listed.map { $0["count"] as? Int } == [3, 1], "the parking cluster of the last 30 days, then the gym question")
        let parking = try #require(listed.first?["key"] as? String)
        #expect(listed.first?["people"] as? Int == 3)
        _ = try run(["gaps", "mark", "--config", config.path, parking, "done"])
        let after = try #require(try JSONSerialization.jsonObject(with: Data(try run(["gaps", "--config", config.path, "--json"]).utf8)) as? [[String: Any]])
        #expect(after.map { $0["count"] as? Int } == [1], "a cluster marked done is hidden")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(try run(["gaps", "--config", config.path, "--json", "--all"]).utf8)) as? [[String: Any]])
        #expect(all.first { $0["key"] as? String == parking }?["status"] as? String == "done")
    }
}
