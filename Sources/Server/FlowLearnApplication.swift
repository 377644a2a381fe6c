import FlowLearnConfig
import FlowLearnCore
import FlowLearnEncoder
import FlowLearnDiscord
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnTeams
import FlowLearnPoster
import FlowLearnPostgresStore
import FlowLearnSlack
import FlowLearnStore
import FlowLearnWebConsole
import FlowLearnXAPI
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What the composition root needs from the outside world; tests replace any part of it.
public struct ApplicationSetup: Sendable {
    public var configuration: FlowLearnConfiguration
    /// Relative paths in the configuration are taken from here (the configuration file's folder).
    public var baseDirectory: String
    /// Where secrets are read from (the process environment in production).
    public var environment: [String: String]
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Replaces the store built from the configuration (SQLite, or PostgreSQL when `store.url` is set).
    public var store: (any LearningStore)?
    /// This process as a replica: its id on the rows it claims, and how long a claim holds.
    public var lease: LeaseHolder
    /// Replaces the libcurl poster built from the configuration.
    public var poster: (any RequestPoster)?
    /// Replaces the content library loaded from `content.intents`.
    public var content: ContentLibrary?

    public init(
        configuration: FlowLearnConfiguration, baseDirectory: String = ".",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "flowlearn"),
        store: (any LearningStore)? = nil, poster: (any RequestPoster)? = nil, content: ContentLibrary? = nil, lease: LeaseHolder? = nil
    ) {
        self.lease = lease ?? .thisProcess(duration: configuration.store.leaseSeconds)
        self.configuration = configuration
        self.baseDirectory = baseDirectory
        self.environment = environment
        self.now = now
        self.logger = logger
        self.store = store
        self.poster = poster
        self.content = content
    }

    /// A path from the configuration, resolved against the configuration file's folder.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || path == ":memory:" ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }
}

extension FlowLearnApplication {
    /// The content library with the sentence encoder when its files are there; without them the
    /// server still starts, on the lexical engines, and the log and /healthz say why.
    public static func loadContent(_ setup: ApplicationSetup) throws -> ContentLibrary {
        let configuration = setup.configuration
        let logger = setup.logger
        var encoder: (any SentenceEncoding)?
        var status = "off: content.encoder is empty"
        if !configuration.content.encoder.isEmpty && configuration.matcher.model != .keyword && configuration.matcher.model != .learned {
            let folder = setup.resolve(configuration.content.encoder)
            do {
                encoder = try SemanticEncoder.load(folder: folder)
                logger.info("sentence encoder loaded", metadata: ["folder": "\(folder)"])
            } catch {
                status = "off: \(error.description)"
                logger.warning("semantic matching off", metadata: ["reason": "\(error.description)"])
            }
        } else if configuration.matcher.model == .keyword || configuration.matcher.model == .learned {
            status = "off: matcher.model is \(configuration.matcher.model.rawValue)"
        }
        return try ContentLibrary(
            folder: setup.resolve(configuration.content.intents), settings: configuration.matcher, quiz: configuration.quiz, logger: logger,
            encoder: encoder, semanticStatus: status)
    }
}

/// Builds the whole server: content and matcher, store, poster, outbox, routes, in one place.
/// Services start in order (outbox, then the content library's SIGHUP listener) and stop in reverse.
public enum FlowLearnApplication {
    public static func build(_ setup: ApplicationSetup) throws -> some ApplicationProtocol {
        let configuration = setup.configuration
        let logger = setup.logger
        let content = try setup.content ?? loadContent(setup)

        let store = try setup.store ?? makeStore(setup)
        logger.info("replica", metadata: ["id": "\(setup.lease.id)", "lease_seconds": "\(setup.lease.duration)"])
        let poster = setup.poster ?? CurlPoster(settings: configuration.poster, logger: Logger(label: "flowlearn.poster"))
        let outbox = ReplyOutbox(
            poster: poster, store: store, credentials: credentials(setup),
            inspectors: ["slack": { SlackReplyEncoder.apiError(in: $0.body) }], now: setup.now, leaseRenewal: setup.leaseRenewal,
            logger: Logger(label: "flowlearn.outbox"))
        let retention = RetentionService(
            store: store, policy: configuration.store.retention, interval: configuration.store.pruneIntervalSeconds, now: setup.now,
            logger: Logger(label: "flowlearn.retention"))
        var services: [any Service] = [outbox, content, retention]
        if !configuration.quiz.leechAlertChannel.isEmpty {
            services.append(LeechAlertService(
                store: store, content: content, poster: poster, platform: configuration.quiz.leechAlertPlatform,
                channel: configuration.quiz.leechAlertChannel,
                request: LeechAlertService.requestBuilder(configuration, matrix: configuration.matrix.enabled ? matrixService(setup) : nil),
                credentials: credentials(setup), now: setup.now, logger: Logger(label: "flowlearn.leeches")))
        }
        if configuration.nudges.enabled, configuration.slack.enabled || configuration.matrix.enabled || configuration.teams.enabled
            || configuration.discord.enabled || configuration.mattermost.enabled
        {
            let (planning, courier) = nudgeWorkers(setup, content: content, store: store, poster: poster)
            services.append(NudgeService(
                planning: planning, courier: courier, interval: configuration.nudges.planIntervalSeconds, now: setup.now,
                logger: Logger(label: "flowlearn.nudges")))
        }

        // xAPI: the store keeps a record beside each row a statement is made from, and the service sends them.
        let xapi: XAPIService? = configuration.xapi.enabled
            ? XAPIService(
                store: store, poster: poster, builder: XAPIService.builder(configuration.xapi, content: content), settings: configuration.xapi,
                environment: setup.environment, logger: Logger(label: "flowlearn.xapi"))
            : nil
        if let service = xapi {
            store.keepLearningRecords(true)
            services.append(service)
            if !service.missingVariables.isEmpty {
                logger.warning(
                    "xAPI statements wait in the outbox until the LRS key and secret are set",
                    metadata: ["variables": "\(service.missingVariables.joined(separator: ", "))"])
            }
        }
        let xapiReadiness = PlatformReadiness.xapi(configuration, environment: setup.environment)

        let router = Router(context: FlowLearnRequestContext.self)
        let metrics = HTTPMetrics()
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.get("/healthz") { _, _ in
            HTTPReply.json(.ok, [
                "status": "ok", "nuggets": "\(content.assistant.matcher.nuggets.count)", "engine": content.assistant.matcher.engineName,
                "semantic": content.semanticStatus,
            ])
        }
        // Ready for traffic: content loaded, the store takes writes, and every enabled platform has the
        // secrets it needs; 503 otherwise, with what is missing (never the secrets themselves).
        let platforms = PlatformReadiness.report(configuration, environment: setup.environment)
        router.get("/readyz") { _, _ in
            var problems: [String] = []
            let nuggets = content.assistant.matcher.nuggets.count
            if nuggets == 0 { problems.append("content: no nuggets loaded") }
            var storeState = "writable"
            do {
                try await store.checkWritable(at: setup.now())
            } catch {
                storeState = "not writable: \(error)"
                problems.append("store: not writable")
            }
            var platformStates: [String: String] = [:]
            for platform in platforms where platform.enabled {
                platformStates[platform.platform] = platform.ready ? "ready" : "missing " + platform.missing.joined(separator: ", ")
                if !platform.ready { problems.append("\(platform.platform): missing \(platform.missing.joined(separator: ", "))") }
            }
            // Missing LRS secrets do not stop chat (statements wait in the outbox): said, not failed.
            let xapiState = !xapiReadiness.enabled ? "off" : xapiReadiness.missing.isEmpty ? "ready" : "missing " + xapiReadiness.missing.joined(separator: ", ")
            let object: [String: Any] = [
                "ready": problems.isEmpty, "nuggets": nuggets, "store": storeState, "platforms": platformStates, "problems": problems,
                "xapi": xapiState,
            ]
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let metricsAccess = MetricsAccess(token: setup.environment[configuration.server.metricsTokenEnv])
        router.get("/metrics") { request, _ in
            guard metricsAccess.allows(authorization: request.headers[.authorization]) else {
                return Response(
                    status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "/metrics needs Authorization: Bearer <token>\n")))
            }
            var page = await MetricsPage.render(http: metrics, matcher: content.assistant.matcher, store: store) + retention.exposition()
            if let xapi { page += await xapi.exposition() }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        if !configuration.console.usersFile.isEmpty {
            try webConsole(setup, store: store, content: content).register(on: router) { $0.remoteAddress?.ipAddress }
        }
        if configuration.slack.enabled {
            slackRoutes(setup, content: content, store: store, outbox: outbox, poster: poster).register(on: router)
        }
        if configuration.matrix.enabled {
            matrixRoutes(setup, content: content, store: store, outbox: outbox).register(on: router)
        }
        if configuration.discord.enabled {
            let interactions = DiscordInteractions(
                publicKeyHex: setup.environment[configuration.discord.publicKeyEnv] ?? "", tolerance: configuration.discord.signatureToleranceSeconds)
            if !interactions.isConfigured {
                logger.warning(
                    "the Discord route answers 503 until the public key is set (hex, from the developer portal)",
                    metadata: ["variable": "\(configuration.discord.publicKeyEnv)"])
            }
            DiscordRoutes(
                settings: configuration.discord, interactions: interactions, content: content, store: store, outbox: outbox, poster: poster,
                botToken: setup.environment[configuration.discord.botTokenEnv] ?? "", nudges: configuration.nudges,
                maxBodyBytes: configuration.server.maxBodyBytes, now: setup.now, logger: logger
            ).register(on: router)
        }
        if configuration.mattermost.enabled {
            let settings = configuration.mattermost
            let tokens = (setup.environment[settings.commandTokensEnv] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if tokens.isEmpty {
                logger.warning("Mattermost slash commands answer 401 until their tokens are set", metadata: ["variable": "\(settings.commandTokensEnv)"])
            }
            let mattermost = Mattermost(
                commandTokens: tokens, outgoingToken: setup.environment[settings.outgoingTokenEnv] ?? "",
                actionSecret: setup.environment[settings.actionSecretEnv] ?? "")
            MattermostRoutes(
                settings: settings, mattermost: mattermost, content: content, store: store, nudges: configuration.nudges,
                incomingWebhookConfigured: !(setup.environment[settings.incomingWebhookEnv] ?? "").isEmpty,
                maxBodyBytes: configuration.server.maxBodyBytes,
                now: setup.now, logger: logger
            ).register(on: router)
        }
        if configuration.teams.enabled {
            let token = setup.environment[configuration.teams.securityTokenEnv] ?? ""
            let webhook = TeamsOutgoingWebhook(securityToken: token)
            if !webhook.isConfigured {
                logger.warning(
                    "the Teams route answers 503 until the security token is set (base64, as Teams shows it)",
                    metadata: ["variable": "\(configuration.teams.securityTokenEnv)"])
            }
            TeamsRoutes(
                path: configuration.teams.path, webhook: webhook, content: content, store: store,
                maxBodyBytes: configuration.server.maxBodyBytes, now: setup.now, logger: logger
            ).register(on: router)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "FlowLearn"),
            services: services,
            onServerRunning: { channel in
                logger.info("serving", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
    }
}
