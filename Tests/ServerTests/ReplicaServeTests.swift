import FlowLearnCore
import FlowLearnPoster
import Foundation
import Testing

/// Two real `flowlearn serve` processes on one PostgreSQL database, as behind a load balancer: a
/// platform's retry that lands on the other replica is answered once, and a reply kept by a replica
/// killed with `kill -9` is posted by the other one once the dead replica's lease has expired.
@Suite("Two replicas of flowlearn serve on one PostgreSQL database", .serialized,
    .enabled(if: StoreEngine.postgresURL != nil, "FLOWLEARN_TEST_POSTGRES_URL is not set"))
struct ReplicaServeTests {
    static let client: CurlPoster = {
        var settings = PosterSettings()
        settings.maxAttempts = 1
        return CurlPoster(settings: settings)
    }()

    struct Replica {
        let process: Process
        let port: Int
    }

    /// Starts a replica with `config`; its log goes to `log`.
    func start(_ config: String, log: URL) async throws -> Replica {
        let process = try FlowLearnProcess.launch(
            ["serve", "--config", config],
            environment: [
                "SLACK_SIGNING_SECRET": SlackRequests.secret, "SLACK_BOT_TOKEN": "xoxb-replica-test",
                "TEST_PG_PASSWORD": StoreEngine.postgresPassword ?? "",
            ], log: log)
        guard let port = try await FlowLearnProcess.servingPort(log: log, process: process) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw FlowLearnProcessError(description: "a replica did not start: " + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
        }
        return Replica(process: process, port: port)
    }

    func configuration(_ folder: URL, database: String, sink: LocalHTTPSink) throws -> String {
        let object: [String: Any] = [
            "server": ["port": 0],
            "content": ["intents": TestServer.repositoryRoot + "/Intents", "encoder": ""],
            "matcher": ["model": "keyword"],
            "store": ["url": database, "passwordEnv": "TEST_PG_PASSWORD", "leaseSeconds": 5],
            "slack": ["apiBaseURL": sink.baseURL + "/api", "responseURLHosts": ["127.0.0.1"]],
            "poster": ["backoffSeconds": 0.01],
            "nudges": ["enabled": false],
            "log": ["level": "info"],
        ]
        let path = folder.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    func post(_ body: [UInt8], to path: String, port: Int, contentType: String) async -> Int? {
        let headers = SlackRequests(now: Date()).headers(for: body, contentType: contentType).map { OutboundRequest.Header($0.name.rawName, $0.value) }
        return await Self.client.post(OutboundRequest(url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: body, purpose: "test")).status
    }

    @Test func aRetryOnTheOtherReplicaIsAnsweredOnceAndAKeptReplyOutlivesItsReplica() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FlowLearnProcess.binary), "build first: swift build")
        try await StoreDatabase.withDatabase(.postgres) { database in
            // The first two replies are answered at once; the third hangs (its replica is killed meanwhile).
            let sink = try await LocalHTTPSink(answers: [.init(), .init(), .init(delay: .seconds(30)), .init()])
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-replicas-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = try configuration(folder, database: try #require(database.postgresURL), sink: sink)
            let a = try await start(config, log: folder.appendingPathComponent("a.log"))
            defer { if a.process.isRunning { kill(a.process.processIdentifier, SIGKILL) } }
            let b = try await start(config, log: folder.appendingPathComponent("b.log"))
            defer { if b.process.isRunning { kill(b.process.processIdentifier, SIGTERM) } }

            // Slack retries an event; the retry lands on the other replica.
            let event = SlackRequests.appMention(eventID: "Ev-replicas-1", text: "how do I get reimbursed for a taxi ride", channel: "C-ONE")
            #expect(await post(event, to: "/slack/events", port: a.port, contentType: "application/json") == 200)
            #expect(await post(event, to: "/slack/events", port: b.port, contentType: "application/json") == 200)
            // A later event through B: once its reply is in, any reply B made for the retry would be too.
            let marker = SlackRequests.appMention(eventID: "Ev-replicas-2", text: "how do I get reimbursed for a taxi ride", channel: "C-TWO")
            #expect(await post(marker, to: "/slack/events", port: b.port, contentType: "application/json") == 200)
            let replies = try await sink.waitForRequests(2, timeout: .seconds(30))
            #expect(replies.filter { $0.text.contains("C-ONE") }.count == 1, "answered once across both replicas")
            #expect(replies.filter { $0.text.contains("C-TWO") }.count == 1)

            // A mention's reply is kept by A (A holds its lease); A dies while posting it.
            let third = SlackRequests.appMention(eventID: "Ev-replicas-3", text: "how do I get reimbursed for a taxi ride", channel: "C-THREE")
            #expect(await post(third, to: "/slack/events", port: a.port, contentType: "application/json") == 200)
            #expect(try await sink.waitForRequests(3).count == 3, "A is posting the reply (the sink holds it)")
            kill(a.process.processIdentifier, SIGKILL)
            a.process.waitUntilExit()
            // B takes the batch once A's 5-second lease has run out, and posts it.
            let all = try await sink.waitForRequests(4, timeout: .seconds(30))
            #expect(all.count == 4)
            #expect(all.last?.text.contains("C-THREE") == true, "the other replica posted the dead one's reply")
            await sink.stop()
        }
    }
}

struct FlowLearnProcessError: Error, CustomStringConvertible {
    var description: String
}
