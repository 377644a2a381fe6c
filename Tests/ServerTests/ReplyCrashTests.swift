import FlowLearnCore
import FlowLearnPoster
import Foundation
import Testing

/// A reply survives `kill -9`: the real `flowlearn serve` acknowledges a mention, is killed
/// while its reply is still in flight (the chat API is slow to answer), and is started again; the
/// next process posts the reply.
@Suite("Chat replies survive kill -9", .serialized)
struct ReplyCrashTests {
    static let binary = FlowLearnProcess.binary
    /// The test's own HTTP client: one attempt per call.
    static let client: CurlPoster = {
        var settings = PosterSettings()
        settings.maxAttempts = 1
        return CurlPoster(settings: settings)
    }()

    func launch(config: String, log: URL) throws -> Process {
        try FlowLearnProcess.launch(
            ["serve", "--config", config], environment: ["SLACK_SIGNING_SECRET": SlackRequests.secret, "SLACK_BOT_TOKEN": "xoxb-crash-test"],
            log: log)
    }

    /// Polls `/healthz` until the server answers (or gives up).
    func waitUntilServing(port: Int, process: Process) async throws -> Bool {
        let health = OutboundRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz", headers: [], body: [], purpose: "test.healthz")
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline {
            if await Self.client.post(health).status == 200 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func killedWhileAReplyIsInFlightThenRestartedPostsIt() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build (the test runs .build/debug/flowlearn)")
        // The first post hangs (the process is killed meanwhile); later ones are answered at once.
        let sink = try await LocalHTTPSink(answers: [.init(delay: .seconds(20)), .init()])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-reply-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration: [String: Any] = [
            "server": ["port": 0],  // the system picks a free port; the log says which
            "content": ["intents": TestServer.repositoryRoot + "/Intents"],
            "matcher": ["model": "keyword"],  // no training at start-up: this test is about the reply
            "store": ["path": folder.appendingPathComponent("flowlearn.sqlite").path],
            "slack": ["apiBaseURL": sink.baseURL + "/api", "responseURLHosts": ["127.0.0.1"]],
            "poster": ["backoffSeconds": 0.01],
            "nudges": ["enabled": false],
            "log": ["level": "info"],
        ]
        let config = folder.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: config))

        let firstLog = folder.appendingPathComponent("first.log")
        let first = try launch(config: config, log: firstLog)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let port = try #require(try await FlowLearnProcess.servingPort(log: firstLog, process: first), "the server did not say it was serving")
        #expect(try await waitUntilServing(port: port, process: first))
        let body = SlackRequests.appMention(eventID: "Ev0CRASH", text: "how do I get reimbursed for a taxi ride", channel: "C-CRASH")
        let headers = SlackRequests(now: Date()).headers(for: body, contentType: "application/json").map {
            OutboundRequest.Header($0.name.rawName, $0.value)
        }
        let command = OutboundRequest(url: "http://127.0.0.1:\(port)/slack/events", headers: headers, body: body, purpose: "test.mention")
        #expect(await Self.client.post(command).status == 200)
        #expect(try await sink.waitForRequests(1).count == 1)  // the reply is in flight: the sink holds it
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)

        let secondLog = folder.appendingPathComponent("second.log")
        let second = try launch(config: config, log: secondLog)
        defer { if second.isRunning { kill(second.processIdentifier, SIGTERM) } }
        let secondPort = try #require(try await FlowLearnProcess.servingPort(log: secondLog, process: second))
        #expect(try await waitUntilServing(port: secondPort, process: second))
        let received = try await sink.waitForRequests(2, timeout: .seconds(30))
        #expect(received.count == 2, "the reply the first process never finished is posted by the second")
        let repost = try #require(received.last)
        #expect(repost.path == "/api/chat.postMessage")
        #expect(repost.text.contains("C-CRASH"))
        #expect(repost.text.contains("Spendly"))
    }
}
