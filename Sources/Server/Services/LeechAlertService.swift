import FlowLearnConfig
import FlowLearnCore
import FlowLearnDiscord
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnSlack
import FlowLearnTeams
import Foundation
import Logging
import ServiceLifecycle

/// Tells nugget owners about questions that became leeches: into the channel
/// `quiz.leechAlertPlatform` / `quiz.leechAlertChannel` names, at most once per question per week.
/// An alert that cannot be sent is claimed again in the next round.
public final class LeechAlertService: Service, Sendable {
    public static let week: TimeInterval = 7 * 86_400

    let store: any QuizStore
    let content: ContentLibrary
    let poster: any RequestPoster
    let platform: String
    let channel: String
    /// Builds the unauthenticated request for a text; nil when the platform cannot post.
    let request: @Sendable (String) -> OutboundRequest?
    let credentials: @Sendable (String, OutboundRequest) -> OutboundRequest?
    let interval: Double
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        store: any QuizStore, content: ContentLibrary, poster: any RequestPoster, platform: String, channel: String,
        request: @escaping @Sendable (String) -> OutboundRequest?, credentials: @escaping @Sendable (String, OutboundRequest) -> OutboundRequest?,
        interval: Double = 3600, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.store = store
        self.content = content
        self.poster = poster
        self.platform = platform
        self.channel = channel
        self.request = request
        self.credentials = credentials
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// The request that posts a text into the configured channel, per platform (before credentials).
    public static func requestBuilder(_ configuration: FlowLearnConfiguration, matrix: MatrixAppService?) -> @Sendable (String) -> OutboundRequest? {
        let platform = configuration.quiz.leechAlertPlatform
        let channel = configuration.quiz.leechAlertChannel
        let slackBase = configuration.slack.apiBaseURL
        let discordBase = configuration.discord.apiBaseURL
        return { text in
            switch platform {
            case "slack": return SlackReplyEncoder.channelText(text, channel: channel, apiBaseURL: slackBase)
            case "discord": return DiscordInteractions.channelText(text, channel: channel, apiBaseURL: discordBase)
            case "mattermost": return Mattermost.incomingWebhookPost(text: text, channel: channel, url: "mattermost-webhook:")
            case "teams": return TeamsOutgoingWebhook.workflowText(text, url: "teams-workflow:" + channel)
            case "matrix":
                return matrix?.notice(text, room: channel, transactionID: MatrixAppService.transactionID(replyingTo: "leech:" + text))
            default: return nil
            }
        }
    }

    /// One round: claims the leeches due an alert and posts one message each; returns how many were sent.
    @discardableResult
    public func alertOnce() async throws -> Int {
        let at = now()
        let due = try await store.claimLeechAlerts(at: at, every: Self.week)
        let quizmaster = content.quizmaster
        let assistant = content.assistant
        let questions = Dictionary(quizmaster.questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var sent = 0
        for leech in due {
            guard let question = questions[leech.questionID] else { continue }  // gone from the content: nothing to fix
            let text = QuizWording.leechAlert(
                question, nugget: assistant.nugget(id: question.nuggetID), learners: leech.learners, lapses: quizmaster.settings.leechLapses)
            guard let unsigned = request(text), let signed = credentials(platform, unsigned) else {
                logger.warning("leech alert not sent: the alert platform is not configured", metadata: ["platform": "\(platform)"])
                try await store.releaseLeechAlert(questionID: leech.questionID, claimedAt: at)
                continue
            }
            let outcome = await poster.post(signed)
            let refusal = platform == "slack" && outcome.succeeded ? SlackReplyEncoder.apiError(in: outcome.body) : nil
            if outcome.succeeded, refusal == nil {
                sent += 1
                logger.info("leech alert sent", metadata: ["question": "\(leech.questionID)", "people": "\(leech.learners)"])
            } else {
                logger.warning(
                    "leech alert not delivered; will try again",
                    metadata: ["question": "\(leech.questionID)", "error": "\(refusal ?? outcome.error ?? "HTTP \(outcome.status ?? 0)")"])
                try await store.releaseLeechAlert(questionID: leech.questionID, claimedAt: at)
            }
        }
        return sent
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await alertOnce()
            } catch {
                logger.error("leech alert round failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
        }
    }
}
