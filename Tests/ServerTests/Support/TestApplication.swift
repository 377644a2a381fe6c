import FlowLearnConfig
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
                now: { TestServer.now }, logger: Self.logger, store: store, content: content ?? sharedStarterContent()))
    }

    /// The starter pack, loaded once for every test server that serves it with the default settings.
    /// Loading it runs the matcher's held-out contest (a training); thirty servers each doing that on
    /// Swift's cooperative pool held up the other tests' local sinks on a loaded CI machine.
    private func sharedStarterContent() throws -> ContentLibrary? {
        guard configuration.content.intents == TestServer.repositoryRoot + "/Intents", configuration.matcher == MatcherSettings(),
            configuration.quiz == QuizSettings()
        else { return nil }
        return try Self.starterContent.get()
    }

    private static let starterContent = Result {
        try ContentLibrary(
            folder: TestServer.repositoryRoot + "/Intents", settings: MatcherSettings(), quiz: QuizSettings(), logger: TestServer.logger)
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

extension TestServer {
    /// The nudge planner and delivery worker as `serve` builds them, on this server's store and
    /// configuration, posting through a real libcurl poster (shut it down after use).
    func nudgeWorkers() throws -> (planning: NudgePlanning, courier: NudgeCourier, poster: CurlPoster) {
        let content = try sharedStarterContent() ?? ContentLibrary(
            folder: TestServer.repositoryRoot + "/Intents", settings: MatcherSettings(), quiz: configuration.quiz, logger: TestServer.logger)
        let setup = ApplicationSetup(configuration: configuration, environment: environment, logger: TestServer.logger, store: store)
        let poster = CurlPoster(settings: configuration.poster, logger: TestServer.logger)
        let (planning, courier) = FlowLearnApplication.nudgeWorkers(setup, content: content, store: store, poster: poster)
        return (planning, courier, poster)
    }
}
