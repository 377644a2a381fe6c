import FlowLearnConfig
import FlowLearnCore
import FlowLearnDiscord
import Foundation
import Hummingbird
import Logging
import Synchronization

/// Discord's interactions endpoint. Verifies the Ed25519 signature (and the timestamp's age) before
/// anything else; answers PING, `/learn`, `/quiz` and quiz buttons within Discord's 3 s window, or,
/// when the work takes longer than `deferAfter`, answers "deferred" and posts the result as a
/// follow-up through the interaction webhook.
struct DiscordRoutes: Sendable {
    let settings: FlowLearnConfiguration.DiscordSection
    let interactions: DiscordInteractions
    let content: ContentLibrary
    let store: any LearningStore
    let outbox: ReplyOutbox
    /// Opens direct-message channels for personal nudges (a call whose answer is needed at once).
    let poster: any RequestPoster
    let botToken: String
    let nudges: FlowLearnConfiguration.NudgesSection
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    func register(on router: Router<FlowLearnRequestContext>) {
        router.post(RouterPath(settings.path)) { request, _ in await interaction(request) }
    }

    func interaction(_ request: Request) async -> Response {
        guard interactions.isConfigured else { return HTTPReply.error(.serviceUnavailable, "Discord is not configured: public key missing") }
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        do {
            try interactions.verify(
                signature: request.header(DiscordInteractions.signatureHeader), timestamp: request.header(DiscordInteractions.timestampHeader),
                body: body, now: now())
        } catch {
            logger.notice("refused unsigned or badly signed Discord request", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.unauthorized, error.description)
        }
        let interaction: DiscordInteractions.Interaction
        do {
            interaction = try DiscordInteractions.decode(body)
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        switch interaction {
        case .ping:
            return HTTPReply.json(.ok, DiscordInteractions.pong)
        case .ignored(let reason):
            logger.debug("Discord interaction ignored", metadata: ["reason": "\(reason)"])
            return HTTPReply.json(.ok, DiscordInteractions.json(["type": 4, "data": ["content": "That button does nothing any more.", "flags": 64]]))
        case .command(let name, let text, let context):
            let learner = Learner(platform: "discord", team: context.guild, user: context.user)
            if name == settings.quizCommand {
                return await respond(context) {
                    let reply = try await content.quizmaster.command(
                        text, learner: learner, channel: context.channel, at: now(), store: store, command: "/" + settings.quizCommand)
                    return .init(DiscordInteractions.message(reply))
                }
            }
            if NudgeDesk.handles(text) {
                return await respond(context) {
                    let answer = try await nudgeCommand(text, learner: learner)
                    return .init(["type": 4, "data": ["content": answer, "flags": 64, "allowed_mentions": ["parse": [String]()]] as [String: Any]])
                }
            }
            return await respond(context) {
                let message = InboundMessage(
                    kind: .command, conversation: ConversationRef(platform: "discord", channel: context.channel), user: context.user,
                    team: context.guild, text: text,
                    receivedAt: now())
                let response = await content.respond(to: message, command: "/" + settings.command)
                _ = try await store.claimEvent(platform: "discord", eventID: context.interactionID, at: now(), logging: response.log)
                var payload = DiscordInteractions.message(response.reply, answerID: response.log?.answerID)
                if var data = payload["data"] as? [String: Any] {
                    data["flags"] = 64
                    payload["data"] = data
                }
                return .init(payload)
            }
        case .answerFeedback(let answerID, let helpful, let context):
            let learner = Learner(platform: "discord", team: context.guild, user: context.user)
            return await respond(context) {
                let vote = try await store.recordAnswerVote(answerID: answerID, learner: learner, helpful: helpful, at: now())
                let text = vote == .unknownAnswer ? AnswerFeedback.unknownAnswer : AnswerFeedback.thanks(helpful: helpful)
                return .init(["type": 4, "data": ["content": text, "flags": 64, "allowed_mentions": ["parse": [String]()]] as [String: Any]])
            }
        case .quizRefine(let sessionID, let position, let easy, let context):
            let learner = Learner(platform: "discord", team: context.guild, user: context.user)
            return await respond(context) {
                // A message of its own: the one with the buttons keeps the next question.
                let reply = try await content.quizmaster.refine(
                    sessionID: sessionID, position: position, easy: easy, learner: learner, at: now(), store: store)
                return .init(DiscordInteractions.message(reply, type: 4))
            }
        case .quizAnswer(let sessionID, let position, let picks, let context):
            let learner = try? await sameLearnerInDirectMessages(sessionID: sessionID, context: context)
            return await respond(context) {
                let reply = try await content.quizmaster.answer(
                    sessionID: sessionID, position: position, picks: picks, actionID: "discord:" + context.interactionID,
                    learner: learner ?? Learner(platform: "discord", team: context.guild, user: context.user),
                    at: now(), store: store)
                if case .stale = reply { return .init(DiscordInteractions.message(reply, type: 4)) }
                return .init(DiscordInteractions.message(reply, type: 7))
            }
        }
    }

    /// `/learn nudges …`. Turning them on opens the bot's direct-message channel with the person,
    /// where the nudges then go; without a bot token, or when Discord refuses, nobody is subscribed.
    func nudgeCommand(_ text: String, learner: Learner) async throws -> String {
        let verb = text.split(whereSeparator: \.isWhitespace).dropFirst().first?.lowercased()
        var channel = try await store.subscription(for: learner)?.channel ?? ""
        if ["on", "start", "subscribe"].contains(verb ?? "") {
            guard !botToken.isEmpty else {
                return "Personal nudges need the bot's token, which FlowLearn does not have: ask whoever runs it to set \(settings.botTokenEnv)."
            }
            var request = DiscordInteractions.openDirectMessage(user: learner.user, apiBaseURL: settings.apiBaseURL)
            request.headers.append(.init("Authorization", "Bot \(botToken)", isSecret: true))
            let outcome = await poster.post(request)
            guard outcome.succeeded, let opened = DiscordInteractions.directMessageChannel(in: outcome.body) else {
                logger.warning("Discord refused to open a direct message", metadata: ["status": "\(outcome.status ?? 0)", "error": "\(outcome.error ?? "-")"])
                return "I couldn't open a direct message with you, so nudges can't reach you (do you accept direct messages from this server's members?)."
            }
            channel = opened
        }
        let topics = Array(Set(content.assistant.matcher.nuggets.map(\.topic))).sorted()
        let desk = NudgeDesk(rules: nudges.rules, defaultTime: nudges.defaultTime, defaultTimeZone: nudges.defaultTimeZone, topics: topics)
        return try await desk.command(text, learner: learner, channel: channel, at: now(), store: store, command: "/" + settings.command)
    }

    /// A quiz button pressed in the person's direct messages (a review-question nudge) comes without the
    /// server it was started from; Discord user ids are global, so the session's own learner is the
    /// one pressing when the user is the same. Nil: not such a case.
    func sameLearnerInDirectMessages(sessionID: String, context: DiscordInteractions.Context) async throws -> Learner? {
        guard context.guild.isEmpty, let session = try await store.session(id: sessionID) else { return nil }
        return session.learner.platform == "discord" && session.learner.user == context.user ? session.learner : nil
    }

    private enum Race { case pending, answered, deferred }

    /// Answers with the payload when it is ready within `deferAfterSeconds`; otherwise answers
    /// "deferred" and sends the payload as a follow-up when it is ready.
    private func respond(
        _ context: DiscordInteractions.Context, produce: @escaping @Sendable () async throws -> DiscordInteractions.Response
    ) async -> Response {
        // 0 means "always defer" (the answer always goes through the follow-up webhook).
        let race = Mutex<Race>(settings.deferAfterSeconds <= 0 ? .deferred : .pending)
        let outbox = self.outbox
        let apiBaseURL = settings.apiBaseURL
        let logger = self.logger
        let work = Task { () -> DiscordInteractions.Response? in
            let payload: DiscordInteractions.Response?
            do {
                payload = try await produce()
            } catch {
                logger.error("store failed", metadata: ["error": "\(error)"])
                payload = .init(["type": 4, "data": ["content": "Sorry, something went wrong on my side. Please try again in a minute.", "flags": 64]])
            }
            let late = race.withLock { state -> Bool in
                if state == .deferred { return true }
                state = .answered
                return false
            }
            if late, let payload { await outbox.enqueue(DiscordInteractions.followUp(payload, context: context, apiBaseURL: apiBaseURL), platform: "discord") }
            return payload
        }
        let deferAfter = max(0, settings.deferAfterSeconds)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await work.value }
            group.addTask { try? await Task.sleep(for: .seconds(deferAfter)) }
            await group.next()
            group.cancelAll()
        }
        let inline = race.withLock { state -> Bool in
            if state == .answered { return true }
            state = .deferred
            return false
        }
        guard inline, let payload = await work.value else {
            logger.info("Discord answer deferred; it follows through the interaction webhook", metadata: ["interaction": "\(context.interactionID)"])
            return HTTPReply.json(.ok, DiscordInteractions.deferred(ephemeral: true))
        }
        return HTTPReply.json(.ok, payload.body)
    }
}
