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

/// The chat platforms' routes and credentials, and the nudge workers, as the configuration asks for them.
extension FlowLearnApplication {
    /// The Matrix application service as configured, with its tokens from the environment.
    public static func matrixService(_ setup: ApplicationSetup) -> MatrixAppService {
        let matrix = setup.configuration.matrix
        return MatrixAppService(
            homeserverURL: matrix.homeserverURL, serverName: matrix.serverName, botLocalpart: matrix.botLocalpart,
            asToken: setup.environment[matrix.asTokenEnv] ?? "", hsToken: setup.environment[matrix.hsTokenEnv] ?? "")
    }

    static func matrixRoutes(_ setup: ApplicationSetup, content: ContentLibrary, store: any LearningStore, outbox: ReplyOutbox) -> MatrixRoutes {
        let service = matrixService(setup)
        if service.hsToken.isEmpty || service.asToken.isEmpty {
            setup.logger.warning(
                "Matrix routes refuse every transaction until both tokens are set",
                metadata: ["variables": "\(setup.configuration.matrix.asTokenEnv), \(setup.configuration.matrix.hsTokenEnv)"])
        }
        return MatrixRoutes(
            service: service, content: content, store: store, outbox: outbox, nudges: setup.configuration.nudges,
            maxBodyBytes: setup.configuration.server.maxBodyBytes,
            now: setup.now, logger: setup.logger)
    }

    /// Puts a platform's secrets back on a stored request (nudges, and replies kept across a restart),
    /// which never holds them; nil when the platform is not configured.
    public static func credentials(_ setup: ApplicationSetup) -> @Sendable (String, OutboundRequest) -> OutboundRequest? {
        let configuration = setup.configuration
        let token = setup.environment[configuration.slack.botTokenEnv] ?? ""
        let matrix = configuration.matrix.enabled ? matrixService(setup) : nil
        return { platform, stored in
            var request = stored
            switch platform {
            case "slack":
                request.headers += SlackNudgeEncoder.authorization(botToken: token)
            case "matrix":
                guard let matrix else { return nil }
                request.headers.append(.init("Authorization", "Bearer \(matrix.asToken)", isSecret: true))
            case "discord":
                let discordToken = setup.environment[configuration.discord.botTokenEnv] ?? ""
                guard !discordToken.isEmpty else { return nil }
                request.headers.append(.init("Authorization", "Bot \(discordToken)", isSecret: true))
            case "mattermost":
                guard let url = setup.environment[configuration.mattermost.incomingWebhookEnv], !url.isEmpty else { return nil }
                request.url = url
            case "teams":
                let name = String(request.url.dropFirst("teams-workflow:".count))
                guard let variable = configuration.teams.workflowWebhookEnvs[name], let url = setup.environment[variable], !url.isEmpty
                else { return nil }
                request.url = url
            default:
                return nil
            }
            return request
        }
    }

    /// The nudge planner and delivery worker (also used by `flowlearn nudges`).
    public static func nudgeWorkers(
        _ setup: ApplicationSetup, content: ContentLibrary, store: any LearningStore, poster: any RequestPoster
    ) -> (NudgePlanning, NudgeCourier) {
        let configuration = setup.configuration
        let matrix = configuration.matrix.enabled ? matrixService(setup) : nil
        var planning = NudgePlanning(
            settings: configuration.nudges, slackAPIBaseURL: configuration.slack.apiBaseURL, matrix: matrix, content: content, store: store)
        planning.discordAPIBaseURL = configuration.discord.apiBaseURL
        planning.mattermostQuizCommand = configuration.mattermost.quizCommand
        let courier = NudgeCourier(
            settings: configuration.nudges, store: store, poster: poster,
            credentials: credentials(setup), leaseRenewal: setup.leaseRenewal,
            logger: Logger(label: "flowlearn.nudges"))
        return (planning, courier)
    }

    static func slackRoutes(
        _ setup: ApplicationSetup, content: ContentLibrary, store: any LearningStore, outbox: ReplyOutbox, poster: any RequestPoster
    ) -> SlackRoutes {
        let slack = setup.configuration.slack
        let secret = setup.environment[slack.signingSecretEnv].flatMap { $0.isEmpty ? nil : $0 }
        let token = setup.environment[slack.botTokenEnv] ?? ""
        if secret == nil {
            setup.logger.warning(
                "Slack routes answer 503 until the signing secret is set",
                metadata: ["key": "slack.signingSecretEnv", "variable": "\(slack.signingSecretEnv)"])
        }
        if token.isEmpty {
            setup.logger.warning(
                "no bot token: mentions and direct messages cannot be answered (slash commands still work)",
                metadata: ["key": "slack.botTokenEnv", "variable": "\(slack.botTokenEnv)"])
        }
        return SlackRoutes(
            settings: slack,
            signature: secret.map { SlackSignature(signingSecret: $0, tolerance: slack.signatureToleranceSeconds) },
            encoder: SlackReplyEncoder(apiBaseURL: slack.apiBaseURL, botToken: token),
            policy: SlackResponseURLPolicy(allowedHosts: slack.responseURLHosts),
            content: content, store: store, outbox: outbox, poster: poster, nudges: setup.configuration.nudges,
            botToken: token, maxBodyBytes: setup.configuration.server.maxBodyBytes,
            now: setup.now, logger: setup.logger)
    }
}
