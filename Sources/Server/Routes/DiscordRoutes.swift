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
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
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
                // Not a question for the matcher (nor a gap in the content): say what exists instead.
                return HTTPReply.json(.ok, DiscordInteractions.json(["type": 4, "data": [
                    "content": "Personal nudges aren't available on Discord yet (FlowLearn can't open a direct message here). "
                        + "A channel can get a nugget a day: ask whoever runs FlowLearn to add it to nudges.channels.",
                    "flags": 64,
                ] as [String: Any]]))
            }
            return await respond(context) {
                let message = InboundMessage(
                    kind: .command, conversation: ConversationRef(platform: "discord", channel: context.channel), user: context.user, text: text,
                    receivedAt: now())
                let response = content.assistant.respond(to: message, command: "/" + settings.command)
                _ = try await store.claimEvent(platform: "discord", eventID: context.interactionID, at: now(), logging: response.log)
                var payload = DiscordInteractions.message(response.reply)
                if var data = payload["data"] as? [String: Any] {
                    data["flags"] = 64
                    payload["data"] = data
                }
                return .init(payload)
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
            let learner = Learner(platform: "discord", team: context.guild, user: context.user)
            return await respond(context) {
                let reply = try await content.quizmaster.answer(
                    sessionID: sessionID, position: position, picks: picks, actionID: "discord:" + context.interactionID, learner: learner,
                    at: now(), store: store)
                if case .stale = reply { return .init(DiscordInteractions.message(reply, type: 4)) }
                return .init(DiscordInteractions.message(reply, type: 7))
            }
        }
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
