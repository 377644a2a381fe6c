import FlowLearnConfig
import FlowLearnCore
import FlowLearnDiscord
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnTeams
import FlowLearnSlack
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Plans the nudges due at an instant and writes them to the outbox (rendered, without secrets)
/// before anything is sent. Planning the same instant twice adds nothing: the outbox keeps one nudge
/// per recipient and local day.
public struct NudgePlanning: Sendable {
    let settings: FlowLearnConfiguration.NudgesSection
    let slackAPIBaseURL: String
    /// Renders nudges into Matrix rooms (nil when Matrix is off).
    let matrix: MatrixAppService?
    var discordAPIBaseURL = "https://discord.com/api/v10"
    /// How a Mattermost review-question nudge is answered (`/quiz 2`).
    var mattermostQuizCommand = "/quiz"
    let content: ContentLibrary
    let store: any NudgeStore

    public init(
        settings: FlowLearnConfiguration.NudgesSection, slackAPIBaseURL: String, matrix: MatrixAppService? = nil, content: ContentLibrary,
        store: any NudgeStore
    ) {
        self.settings = settings
        self.slackAPIBaseURL = slackAPIBaseURL
        self.matrix = matrix
        self.content = content
        self.store = store
    }

    /// What would be sent at `now` (nothing is written).
    public func plan(at now: Date) async throws -> [PlannedNudge] {
        let quizmaster = content.quizmaster
        let nuggets = content.assistant.matcher.nuggets
        let planner = NudgePlanner(
            nuggets: nuggets, questions: quizmaster.questions, rules: settings.rules,
            defaultTimeZone: TimeZone(identifier: settings.defaultTimeZone) ?? TimeZone(identifier: "UTC")!)
        let topics = Dictionary(nuggets.map { ($0.id, $0.topic) }, uniquingKeysWith: { first, _ in first })
        let due = planner.due(try await store.subscriptions(), at: now)
        let histories = due.isEmpty ? [:] : try await store.histories(for: due.map(\.learner), at: now, topicOf: topics)
        let personal = planner.plan(due, histories: histories, at: now)
        let channels = planner.plan(settings.channels, seen: try await store.channelHistory(), at: now)
        return personal + channels
    }

    /// Plans and writes the outbox; returns the nudges planned and how many were new.
    @discardableResult
    public func planAndEnqueue(at now: Date) async throws -> (planned: [PlannedNudge], added: Int) {
        let planned = try await plan(at: now)
        guard !planned.isEmpty else { return ([], 0) }
        let assistant = content.assistant
        let quizmaster = content.quizmaster
        let questions = Dictionary(quizmaster.questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var items: [(item: NudgeOutboxItem, session: QuizSession?)] = []
        items.reserveCapacity(planned.count)
        var templates: [String: SlackNudgeEncoder.NuggetTemplate] = [:]
        for nudge in planned {
            let request: OutboundRequest
            var session: QuizSession?
            switch (nudge.platform, nudge.content) {
            case ("slack", .nugget(let id)):
                guard let nugget = assistant.nugget(id: id) else { continue }
                let template = templates[id] ?? SlackNudgeEncoder.NuggetTemplate(nugget)
                templates[id] = template
                request = template.request(key: nudge.key, channel: nudge.channel, apiBaseURL: slackAPIBaseURL)
            case (let platform, .question(let id)):
                // A personal review question: a one-question quiz session, saved with the nudge, which
                // the platform's buttons (Slack, Discord) or typed numbers (Matrix, Mattermost) answer.
                guard let question = questions[id], let learner = nudge.learner else { continue }
                let quiz = QuizSession(
                    id: "n" + String(Quizmaster.order(learner, nudge.key), radix: 36),
                    learner: learner, channel: nudge.channel, topic: question.topic, questionIDs: [id], startedAt: now)
                let prompt = QuizPrompt(sessionID: quiz.id, position: 0, total: 1, question: question, isReview: true)
                switch platform {
                case "slack":
                    request = SlackNudgeEncoder.question(prompt, channel: nudge.channel, apiBaseURL: slackAPIBaseURL)
                case "matrix":
                    guard let matrix else { continue }
                    request = matrix.notice(
                        MatrixAppService.text(QuizReply.question(prompt)), room: nudge.channel,
                        transactionID: MatrixAppService.transactionID(replyingTo: nudge.key))
                case "discord":
                    request = DiscordInteractions.channelQuestion(prompt, channel: nudge.channel, apiBaseURL: discordAPIBaseURL)
                case "mattermost":
                    request = Mattermost.incomingWebhookPost(prompt, channel: nudge.channel, url: "mattermost-webhook:", command: mattermostQuizCommand)
                default:
                    continue
                }
                session = quiz
            case (let platform, .nugget(let id)):
                // Channel nudges on the other platforms. Secret URLs (Teams Workflows, Mattermost
                // incoming webhooks) are not stored: the courier fills them in when sending.
                guard let nugget = assistant.nugget(id: id) else { continue }
                switch platform {
                case "matrix":
                    guard let matrix else { continue }
                    let text = "Nugget of the day: " + MatrixAppService.text(.nugget(nugget, confidence: 1))
                    request = matrix.notice(text, room: nudge.channel, transactionID: MatrixAppService.transactionID(replyingTo: nudge.key))
                case "discord":
                    request = DiscordInteractions.channelMessage(nugget, channel: nudge.channel, apiBaseURL: discordAPIBaseURL)
                case "mattermost":
                    request = Mattermost.incomingWebhookPost(nugget, channel: nudge.channel, url: "mattermost-webhook:")
                case "teams":
                    request = TeamsOutgoingWebhook.workflowNudge(nugget, url: "teams-workflow:" + nudge.channel)
                default:
                    continue
                }
            default:
                continue
            }
            let item = NudgeOutboxItem(
                key: nudge.key, recipient: nudge.recipient, platform: nudge.platform, channel: nudge.channel, localDate: nudge.localDate,
                dueAt: nudge.dueAt, content: nudge.content, reason: nudge.reason, request: request)
            items.append((item, session))
        }
        return (planned, try await store.enqueue(items))
    }
}

/// Sends the outbox: bounded concurrency, a per-channel rate limit, retries with backoff (the
/// poster's own, then the outbox's), dead letters after `maxAttempts`. A nudge is marked "sending"
/// before its request leaves and "sent" after, so after a crash only the requests that were in
/// flight (at most `concurrency`) can be sent twice.
public final class NudgeCourier: Sendable {
    let settings: FlowLearnConfiguration.NudgesSection
    let store: any NudgeStore
    let poster: any RequestPoster
    /// Adds what is secret to a stored request when it is sent (a bot token header; a webhook URL
    /// kept in the environment); nil when the platform is not configured.
    let credentials: @Sendable (String, OutboundRequest) -> OutboundRequest?
    let logger: Logger
    /// How often the leases on a batch still being sent are renewed (a third of the lease duration).
    let leaseRenewal: Duration
    private let pacer = Mutex<[String: ContinuousClock.Instant]>([:])
    public static let pacerCompactionSize = 1024
    /// Channels the pacer remembers now (for tests: bounded, not one per channel ever sent to).
    public var pacedChannels: Int { pacer.withLock { $0.count } }

    public init(
        settings: FlowLearnConfiguration.NudgesSection, store: any NudgeStore, poster: any RequestPoster,
        credentials: @escaping @Sendable (String, OutboundRequest) -> OutboundRequest?,
        leaseRenewal: Duration = .seconds(LeaseHolder.defaultDuration / 3), logger: Logger
    ) {
        self.leaseRenewal = leaseRenewal
        self.settings = settings
        self.store = store
        self.poster = poster
        self.credentials = credentials
        self.logger = logger
    }

    /// Sends every nudge due by `now`, until none is left to claim; returns (sent, failed attempts).
    @discardableResult
    public func deliverDue(at now: @escaping @Sendable () -> Date) async throws -> (sent: Int, failed: Int) {
        var sent = 0
        var failed = 0
        while true {
            let batch = try await store.claimNudges(dueBy: now(), limit: max(64, settings.concurrency * 8))
            if batch.isEmpty { break }
            // The batch stays leased to this replica while it is being sent, however long pacing takes.
            let ids = batch.map(\.id)
            let renewal = leaseRenewal
            // When the leases were last known to be ours: claimed, or renewed. A replica that could not
            // renew for two renewal periods may have lost them to another, and stops sending (it does
            // not know which were taken; its own next round takes back any that were not).
            let renewed = Mutex(ContinuousClock.now)
            let renewer = Task { [store, logger] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: renewal) } catch { return }
                    do {
                        _ = try await store.renewNudgeLeases(ids, at: now())
                        renewed.withLock { $0 = ContinuousClock.now }
                    } catch {
                        logger.error("leases on nudges being sent not renewed", metadata: ["error": "\(error)"])
                    }
                }
            }
            let held: @Sendable () -> Bool = { ContinuousClock.now - renewed.withLock { $0 } < renewal * 2 }
            defer { renewer.cancel() }
            let results = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
                var results: [Bool] = []
                var running = 0
                for item in batch {
                    if running >= settings.concurrency, let result = await group.next() {
                        results.append(result)
                        running -= 1
                    }
                    group.addTask { await self.send(item, now: now, held: held) }
                    running += 1
                }
                for await result in group { results.append(result) }
                return results
            }
            sent += results.filter { $0 }.count
            failed += results.filter { !$0 }.count
        }
        return (sent, failed)
    }

    private func send(_ item: NudgeOutboxItem, now: @Sendable () -> Date, held: @Sendable () -> Bool) async -> Bool {
        await pace(item.channel)
        guard held() else {
            logger.warning("nudge not sent: its lease could not be renewed, so another replica may hold it now", metadata: ["key": "\(item.key)"])
            return false
        }
        let outcome: PostOutcome
        if let request = credentials(item.platform, item.request) {
            outcome = await poster.post(request)
        } else {
            outcome = PostOutcome(status: nil, body: [], attempts: 0, error: "\(item.platform) is not configured for nudges")
        }
        let refusal = item.platform == "slack" && outcome.succeeded ? SlackReplyEncoder.apiError(in: outcome.body) : nil
        do {
            if outcome.succeeded, refusal == nil {
                try await store.markSent(item.id, at: now())
                return true
            }
            let error = refusal ?? outcome.error ?? "HTTP \(outcome.status.map(String.init) ?? "none")"
            let attempt = item.attempts + 1
            let retryAt = attempt >= settings.maxAttempts
                ? nil : now().addingTimeInterval(settings.retryBackoffSeconds * pow(2, Double(attempt - 1)))
            try await store.markFailed(item.id, error: error, retryAt: retryAt)
            logger.warning(
                retryAt == nil ? "nudge dead-lettered" : "nudge will be retried",
                metadata: ["key": "\(item.key)", "attempt": "\(attempt)", "error": "\(error)"])
        } catch {
            logger.error("store failed while recording a delivery", metadata: ["key": "\(item.key)", "error": "\(error)"])
        }
        return false
    }

    /// Waits for the channel's next free slot under `perChannelPerSecond`.
    private func pace(_ channel: String) async {
        guard settings.perChannelPerSecond > 0 else { return }
        let gap = Duration.seconds(1 / settings.perChannelPerSecond)
        let slot = pacer.withLock { slots -> ContinuousClock.Instant in
            let now = ContinuousClock.now
            // A channel whose next free slot has passed needs no entry: forget those once there are
            // many, so the map holds only channels sent to within the last gap, not every channel ever.
            if slots.count >= Self.pacerCompactionSize { slots = slots.filter { $0.value > now } }
            let slot = max(now, slots[channel] ?? now)
            slots[channel] = slot + gap
            return slot
        }
        if slot > ContinuousClock.now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}

/// Runs planning and delivery inside `serve`: requeues what was in flight at the last stop, then
/// every `planIntervalSeconds` plans what is due and sends the outbox; stops on shutdown.
public final class NudgeService: Service, Sendable {
    let planning: NudgePlanning
    let courier: NudgeCourier
    let interval: Double
    let now: @Sendable () -> Date
    let logger: Logger

    public init(planning: NudgePlanning, courier: NudgeCourier, interval: Double, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.planning = planning
        self.courier = courier
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        let requeued = try await courier.store.requeueInFlight(at: now())
        if requeued > 0 { logger.notice("nudges that were in flight at the last stop will be sent again", metadata: ["count": "\(requeued)"]) }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let (planned, added) = try await planning.planAndEnqueue(at: now())
                if added > 0 { logger.info("nudges planned", metadata: ["due": "\(planned.count)", "new": "\(added)"]) }
                let (sent, failed) = try await courier.deliverDue(at: now)
                if sent + failed > 0 { logger.info("nudges delivered", metadata: ["sent": "\(sent)", "failed": "\(failed)"]) }
            } catch {
                logger.error("nudge round failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.interval)) }
        }
    }
}
