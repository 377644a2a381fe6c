import FlowLearnConfig
import FlowLearnCore
import Foundation
import HummingbirdTesting
import Testing

@Suite("Readiness and configuration check")
struct ReadinessTests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func readyWhenContentStoreAndEveryEnabledPlatformAreAndNotOtherwise() async throws {
        let sink = try await LocalHTTPSink()
        let server = try TestServer(sink: sink)
        try await server.application().test(.router) { (client: any TestClientProtocol) async throws in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(body["ready"] as? Bool == true && body["store"] as? String == "writable")
            #expect((body["platforms"] as? [String: String]) == ["slack": "ready"])
        }
        var withDiscord = try TestServer(sink: sink)
        withDiscord.configuration.discord.enabled = true
        let configured = withDiscord
        try await configured.application().test(.router) { (client: any TestClientProtocol) async throws in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            let body = try Self.json(response)
            #expect((body["problems"] as? [String]) == ["discord: missing DISCORD_PUBLIC_KEY"])
            #expect(!String(buffer: response.body).contains(SlackRequests.secret), "never a secret")
        }
    }

    @Test func configCheckSaysWhatIsOnAndMissingWithoutSecretsAndFailsOnErrors() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: FlowLearnProcess.binary), "build first: swift build")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-config-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.json")
        try Data("""
            {"content": {"intents": "\(TestServer.repositoryRoot)/Intents", "encoder": ""}, "store": {"path": "state/flowlearn.sqlite"},
             "discord": {"enabled": true}}
            """.utf8).write(to: good)
        let (status, output) = try run(["config", "check", "--config", good.path], environment: ["SLACK_SIGNING_SECRET": "s3cret-signing-value", "DISCORD_PUBLIC_KEY": ""])
        #expect(status == 0, "\(output)")
        #expect(output.contains("content: ") && output.contains("45 nuggets"))
        #expect(output.contains("encoder: off"))
        #expect(output.contains("/state/flowlearn.sqlite: writable"))
        #expect(output.contains("slack: on; SLACK_BOT_TOKEN not set"))
        #expect(output.contains("discord: on; missing DISCORD_PUBLIC_KEY"))
        #expect(output.contains("matrix: off"))
        #expect(!output.contains("s3cret-signing-value"), "the secret is never printed")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("state").path), "checking creates nothing")

        let bad = folder.appendingPathComponent("bad.json")
        try Data(#"{"content": {"intents": "/nonexistent/intents"}}"#.utf8).write(to: bad)
        let (badStatus, badOutput) = try run(["config", "check", "--config", bad.path], environment: [:])
        #expect(badStatus == 1 && badOutput.contains("error: content: /nonexistent/intents"), "\(badOutput)")
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowLearnProcess.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "DISCORD_PUBLIC_KEY", "DISCORD_BOT_TOKEN"] { env[name] = nil }
        process.environment = env.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
