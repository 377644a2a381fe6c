import FlowLearnCore
import FlowLearnStore
import Foundation
import Testing

/// The durable outbox under `kill -9`: the real `flowlearn nudges run` process fans out 1,200 nudges
/// to a local sink, is killed in the middle, and run again. Every nudge arrives; only the posts that
/// were in flight at the kill may arrive twice.
@Suite("Nudge delivery survives kill -9", .serialized)
struct NudgeCrashTests {
    static let binary = FlowLearnProcess.binary

    func launch(_ arguments: [String]) throws -> Process {
        try FlowLearnProcess.launch(arguments, environment: ["SLACK_BOT_TOKEN": "xoxb-crash-test"])
    }

    func waitForExit(_ process: Process, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    @Test func killedDuringFanOutThenRestartedLosesNothing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build (the test runs .build/debug/flowlearn)")
        let subscribers = 1200
        let concurrency = 8
        let sink = try await LocalHTTPSink(answers: [.init(delay: .milliseconds(8))])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("flowlearn.sqlite").path
        let configuration: [String: Any] = [
            "content": ["intents": TestServer.repositoryRoot + "/Intents"],
            "store": ["path": database],
            "slack": ["apiBaseURL": sink.baseURL + "/api"],
            "poster": ["workers": 4, "backoffSeconds": 0.01],
            "nudges": ["concurrency": concurrency, "perChannelPerSecond": 0],
            "log": ["level": "warning"],
        ]
        let configPath = folder.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: configPath))
        do {
            let store = try SQLiteStore(path: database)
            for index in 0..<subscribers {
                let user = String(format: "U%05d", index)
                let learner = Learner(platform: "slack", team: "T0001", user: user)
                try await store.saveSubscription(NudgeSubscription(learner: learner, channel: user, time: LocalTime(hour: 9, minute: 30), timeZone: "UTC"))
            }
        }
        let arguments = ["nudges", "run", "--at", "2026-12-01T09:31:00Z", "--config", configPath]

        let first = try launch(arguments)
        let deadline = ContinuousClock.now + .seconds(120)
        while await sink.received().count < 300, first.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(first.isRunning, "the first run must still be fanning out when it is killed")
        kill(first.processIdentifier, SIGKILL)
        #expect(try await waitForExit(first, timeout: .seconds(10)))
        #expect(first.terminationReason == .uncaughtSignal)
        let atKill = await sink.received().count
        #expect(atKill >= 300 && atKill < subscribers)

        let second = try launch(arguments)
        #expect(try await waitForExit(second, timeout: .seconds(120)))
        #expect(second.terminationStatus == 0)

        let channels = await sink.received().compactMap { $0.json?["channel"] as? String }
        let distinct = Set(channels)
        #expect(distinct.count == subscribers, "every planned nudge was delivered (\(distinct.count) of \(subscribers))")
        #expect(channels.count - distinct.count <= concurrency, "\(channels.count - distinct.count) sent twice; at most the \(concurrency) in flight may be")
        let status = try await SQLiteStore(path: database).nudgeStatus(deadLimit: 1)
        #expect(status.counts[.sent] == subscribers && status.counts[.pending] == nil && status.counts[.sending] == nil)
    }
}
