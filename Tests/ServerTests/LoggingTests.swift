import FlowLearnCore
import FlowLearnPoster
@testable import FlowLearnServer
import FlowLearnStore
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Logs: JSON lines, request ids, no secrets", .serialized)
struct LoggingTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func write(_ line: String) { lines.withLock { $0.append(line) } }
    }

    @Test func aJSONLineHasTimeLevelMessageSourceAndTheRequestID() throws {
        let lines = Lines()
        var logger = Logger(label: "flowlearn.test") { label in
            LineLogHandler(.json, label: label, metadataProvider: FlowLearnLogging.requestIDProvider, write: lines.write)
        }
        logger[metadataKey: "component"] = "test"
        RequestID.$current.withValue("req-42") {
            logger.warning("something \"quoted\"\nand a new line", metadata: ["status": "500"])
        }
        logger.info("outside any request")
        logger.info("nested", metadata: ["tags": ["a", "b\\"], "inner": ["z": "1", "a": ["x"]]])
        let third = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[2].utf8)) as? [String: Any])
        let nested = try #require(third["metadata"] as? [String: Any])
        #expect(nested["tags"] as? [String] == ["a", "b\\"] && (nested["inner"] as? [String: Any])?["a"] as? [String] == ["x"])
        #expect(lines.all[2].contains(#""inner":{"a":["x"],"z":"1"}"#), "keys sorted at every level")
        #expect(lines.all.count == 3 && lines.all.allSatisfy { $0.hasSuffix("}\n") && $0.filter { $0 == "\n" }.count == 1 })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(first["level"] as? String == "warning" && first["message"] as? String == "something \"quoted\"\nand a new line")
        #expect(first["label"] as? String == "flowlearn.test" && (first["source"] as? String)?.isEmpty == false)
        #expect((first["time"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
        #expect((first["metadata"] as? [String: String]) == ["component": "test", "status": "500", "request_id": "req-42"])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[1].utf8)) as? [String: Any])
        #expect((second["metadata"] as? [String: String])?["request_id"] == nil)
    }

    @Test func aTextLineIsSwiftLogsStreamFormatWithSortedMetadata() throws {
        let lines = Lines()
        var logger = Logger(label: "flowlearn.test") { label in
            LineLogHandler(.text, label: label, metadataProvider: FlowLearnLogging.requestIDProvider, write: lines.write)
        }
        logger[metadataKey: "component"] = "test"
        struct Broken: Error, CustomStringConvertible { var description: String { "disk full" } }
        RequestID.$current.withValue("req-42") {
            logger.warning("store failed", metadata: ["status": "503", "tags": ["a", "b"]])
        }
        logger.info("plain", metadata: ["component": "override"])
        logger.handler.log(event: LogEvent(level: .error, message: "with an error", error: Broken(), metadata: nil, source: "S", file: #file, function: #function, line: #line))
        let all = lines.all
        #expect(all.count == 3 && all.allSatisfy { $0.hasSuffix("\n") && $0.filter { $0 == "\n" }.count == 1 })
        let first = try #require(all.first)
        #expect(first.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} warning flowlearn\.test: component=test request_id=req-42 status=503 tags=\["a", "b"\] \[[A-Za-z]+\] store failed\n/) != nil, "\(first)")
        #expect(all[1].hasSuffix(" info flowlearn.test: component=override [\(all[1].split(separator: "[")[1].split(separator: "]")[0])] plain\n"))
        #expect(all[2].contains(" error flowlearn.test: component=test error.message=disk full error.type="), "\(all[2])")
        #expect(all[2].hasSuffix(" [S] with an error\n"))
    }

    @Test func logTimesAreTheCLibrarysAndFoundationsTexts() throws {
        var formatter = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        formatter.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // A whole millisecond and 0.4 more (so that a Double a hair below the millisecond cannot
            // make either side truncate to the one before).
            let date = Date(timeIntervalSince1970: Double(Int64.random(in: 0..<253_402_300_799_000, using: &generator)) / 1000 + 0.0004)
            #expect(LogClock.utcMilliseconds(date) == date.formatted(formatter), "\(date.timeIntervalSince1970)")
            var time = time_t(Int(date.timeIntervalSince1970.rounded(.down)))
            var local = tm()
            _ = localtime_r(&time, &local)
            var buffer = [CChar](repeating: 0, count: 64)
            let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
            #expect(LogClock.localSecond(date) == String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        #expect(LogClock.utcMilliseconds(Date(timeIntervalSince1970: 1_764_621_374.1239)) == "2025-12-01T20:36:14.123Z")
        #expect(LogClock.utcMilliseconds(Date(timeIntervalSince1970: .nan)) == "<unknown>" && LogClock.localSecond(Date(timeIntervalSince1970: .infinity)) == "<unknown>")
    }

    @Test func keptRepliesCarryTheRequestThatCausedThem() async throws {
        let store = try SQLiteStore.inMemory()
        let outbox = ReplyOutbox(poster: RefusingPoster(), store: store, logger: Logger(label: "test"))
        await RequestID.$current.withValue("req-7") {
            await outbox.enqueue(OutboundRequest(url: "http://127.0.0.1:9/x", headers: [], body: [], purpose: "test"), platform: "matrix")
        }
        #expect(try await store.keptReplies().map(\.requestID) == ["req-7"])
    }

    @Test func aFullRunLogsJSONLinesWithoutASecretAndWithTheRequestIDOnThePostersLines() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FlowLearnProcess.binary), "build first: swift build")
        let sink = try await LocalHTTPSink(answers: [.init(status: .internalServerError, body: "{}"), .init()])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-json-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secrets = [
            "SLACK_SIGNING_SECRET": SlackRequests.secret, "SLACK_BOT_TOKEN": "xoxb-json-log-bot-token", "MATRIX_AS_TOKEN": "as-json-log-token",
            "MATRIX_HS_TOKEN": "hs-json-log-token", "TEAMS_SECURITY_TOKEN": Data("teams-json-log-security-token-32b".utf8).base64EncodedString(),
            "DISCORD_BOT_TOKEN": "discord-json-log-bot-token", "MATTERMOST_COMMAND_TOKENS": "mm-json-log-command-token",
            "MATTERMOST_OUTGOING_TOKEN": "mm-json-log-outgoing-token", "MATTERMOST_ACTION_SECRET": "mm-json-log-action-secret",
            "MATTERMOST_INCOMING_WEBHOOK_URL": "http://127.0.0.1:1/hooks/mm-json-log-webhook", "FLOWLEARN_METRICS_TOKEN": "metrics-json-log-token",
        ]
        let configuration: [String: Any] = [
            "server": ["port": 0], "content": ["intents": TestServer.repositoryRoot + "/Intents"], "matcher": ["model": "keyword"],
            "store": ["path": folder.appendingPathComponent("flowlearn.sqlite").path],
            "slack": ["apiBaseURL": sink.baseURL + "/api", "responseURLHosts": ["127.0.0.1"]],
            "matrix": ["enabled": true, "homeserverURL": sink.baseURL], "teams": ["enabled": true],
            "discord": ["enabled": true, "apiBaseURL": sink.baseURL + "/discord"], "mattermost": ["enabled": true],
            "poster": ["backoffSeconds": 0.01], "nudges": ["enabled": false], "log": ["level": "debug", "format": "json"],
        ]
        let config = folder.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: config))
        let log = folder.appendingPathComponent("serve.log")
        let server = try FlowLearnProcess.launch(["serve", "--config", config], environment: secrets, log: log)
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let port = try #require(try await FlowLearnProcess.servingPort(log: log, process: server))
        let base = "http://127.0.0.1:\(port)"
        var settings = PosterSettings()
        settings.maxAttempts = 1
        let client = CurlPoster(settings: settings)
        defer { client.shutdown() }

        // A signed mention (its reply meets a 500 first, so the poster logs a retry), forged and
        // token-bearing requests on each platform, metrics with its token.
        let mention = SlackRequests.appMention(eventID: "Ev0JSONLOG", text: "how do I get reimbursed for a taxi ride")
        var headers = SlackRequests(now: Date()).headers(for: mention, contentType: "application/json").map {
            OutboundRequest.Header($0.name.rawName, $0.value)
        }
        headers.append(.init("X-Request-ID", "req-json-log-1"))
        #expect(await client.post(OutboundRequest(url: base + "/slack/events", headers: headers, body: mention, purpose: "test")).status == 200)
        let body = SlackRequests.slashCommand(text: "how do I get reimbursed for a taxi ride", responseURL: sink.baseURL + "/commands/T0001/1/json")
        let forged = await client.post(OutboundRequest(
            url: base + "/slack/commands", headers: [.init("X-Slack-Signature", "v0=00"), .init("X-Slack-Request-Timestamp", "1")], body: body,
            purpose: "test"))
        #expect(forged.status == 401 || forged.status == 403)
        let matrix = await client.post(OutboundRequest(
            method: "PUT", url: base + "/_matrix/app/v1/transactions/t1?access_token=hs-json-log-token",
            headers: [.init("Content-Type", "application/json")], body: Array(#"{"events": []}"#.utf8), purpose: "test"))
        #expect(matrix.status == 200)
        let mattermost = await client.post(OutboundRequest(
            url: base + "/mattermost/commands", headers: [.init("Authorization", "Token mm-json-log-command-token"), .init("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("command=%2Flearn&text=help&user_id=u1&channel_id=c1&team_id=t1&token=mm-json-log-command-token".utf8), purpose: "test"))
        #expect(mattermost.status == 200)
        #expect(await client.post(OutboundRequest(
            url: base + "/teams/messages", headers: [.init("Authorization", "HMAC Zm9yZ2Vk")], body: Array("{}".utf8), purpose: "test")).status == 401)
        #expect(await client.post(OutboundRequest(
            method: "GET", url: base + "/metrics", headers: [.init("Authorization", "Bearer metrics-json-log-token")], body: [], purpose: "test")).status == 200)
        #expect(try await sink.waitForRequests(2).count == 2, "the reply was retried and delivered")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()

        let text = try String(contentsOf: log, encoding: .utf8)
        var objects: [[String: Any]] = []
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object {
                #expect(object["time"] is String && object["level"] is String && object["message"] is String && object["source"] is String)
                objects.append(object)
            }
        }
        #expect(objects.count >= 5, "\(objects.count) lines")
        for (name, value) in secrets { #expect(!text.contains(value), "\(name)'s value is in the log") }
        let lines = objects.filter { ($0["metadata"] as? [String: Any])?["request_id"] as? String == "req-json-log-1" }
        #expect(lines.contains { $0["label"] as? String == "flowlearn.poster" }, "the poster's retry carries the request id: \(lines.map { $0["message"] ?? "" })")
    }
}

private struct RefusingPoster: RequestPoster {
    func post(_ request: OutboundRequest) async -> PostOutcome { PostOutcome(status: 500, body: [], attempts: 1, error: nil) }
}
