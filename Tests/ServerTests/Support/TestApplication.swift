import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Logging

/// The real application, wired to a local sink and an in-memory store, with a fixed clock.
struct TestServer {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let now = Date(timeIntervalSince1970: 1_764_500_000)

    let store: SQLiteStore
    let sink: LocalHTTPSink
    let slack = SlackRequests(now: TestServer.now)
    var configuration = FlowLearnConfiguration()
    var environment = ["SLACK_SIGNING_SECRET": SlackRequests.secret, "SLACK_BOT_TOKEN": "xoxb-test-token"]

    init(sink: LocalHTTPSink) throws {
        self.sink = sink
        self.store = try SQLiteStore.inMemory()
        configuration.content.intents = TestServer.repositoryRoot + "/Intents"
        configuration.slack.apiBaseURL = sink.baseURL + "/api"
        configuration.slack.responseURLHosts = ["127.0.0.1"]
        configuration.poster.backoffSeconds = 0.01
    }

    static let logger: Logger = {
        var logger = Logger(label: "flowlearn.test")
        logger.logLevel = .warning
        return logger
    }()

    func application(content: ContentLibrary? = nil) throws -> some ApplicationProtocol {
        try FlowLearnApplication.build(
            ApplicationSetup(
                configuration: configuration, baseDirectory: TestServer.repositoryRoot, environment: environment,
                now: { TestServer.now }, logger: Self.logger, store: store, content: content))
    }

    var responseURL: String { sink.baseURL + "/commands/T0001/1234/abcd" }
}

extension TestClientProtocol {
    /// Sends a body to a Slack route signed as Slack would (or with the headers given) and returns the response.
    @discardableResult
    func slack(_ route: SlackRoute, _ body: [UInt8], server: TestServer, headers: HTTPFields? = nil) async throws -> TestResponse {
        try await execute(
            uri: route.path, method: .post, headers: headers ?? server.slack.headers(for: body, contentType: route.contentType),
            body: ByteBuffer(bytes: body)) { $0 }
    }
}

enum SlackRoute {
    case commands, events, interactions

    var path: String {
        switch self {
        case .commands: return "/slack/commands"
        case .events: return "/slack/events"
        case .interactions: return "/slack/interactions"
        }
    }

    var contentType: String { self == .events ? "application/json" : "application/x-www-form-urlencoded" }
}

import FlowLearnPoster

enum FlowLearnPosterFactory {
    static func make(_ settings: PosterSettings) -> CurlPoster { CurlPoster(settings: settings, logger: TestServer.logger) }
}
