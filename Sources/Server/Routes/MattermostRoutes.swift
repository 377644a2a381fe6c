import FlowLearnConfig
import FlowLearnCore
import FlowLearnMattermost
import Foundation
import Hummingbird
import Logging

/// Mattermost's entry points: slash commands (`/learn`, `/quiz`), the outgoing webhook (questions
/// in a channel, answered as a thread comment) and quiz button actions. All answered in the response.
struct MattermostRoutes: Sendable {
    let settings: FlowLearnConfiguration.MattermostSection
    let mattermost: Mattermost
    let content: ContentLibrary
    let store: any LearningStore
    let nudges: FlowLearnConfiguration.NudgesSection
    /// Personal nudges go out through the incoming webhook, as direct messages (`@username`).
    let incomingWebhookConfigured: Bool
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    var actionURL: String { settings.publicURL.trimmingSuffix("/") + settings.actionsPath }

    func register(on router: Router<FlowLearnRequestContext>) {
        router.post(RouterPath(settings.commandsPath)) { request, _ in await command(request) }
        router.post(RouterPath(settings.outgoingPath)) { request, _ in await outgoing(request) }
        router.post(RouterPath(settings.actionsPath)) { request, _ in await action(request) }
    }

    func command(_ request: Request) async -> Response {
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        do {
            try mattermost.verifyCommand(authorization: request.header("Authorization"))
        } catch {
            logger.notice("refused a Mattermost command with a bad token", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.unauthorized, error.description)
        }
        let command: Mattermost.Command
        do {
            command = try Mattermost.decodeCommand(body)
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        let learner = Learner(platform: "mattermost", team: command.team, user: command.user)
        let at = now()
        do {
            if command.command == settings.quizCommand {
                if let typed = try await content.quizmaster.textAnswer(
                    command.text, messageID: "mattermost:" + command.trigger, learner: learner, at: at, store: store)
                {
                    return HTTPReply.json(.ok, mattermost.response(typed, user: command.user, actionURL: actionURL))
                }
                let reply = try await content.quizmaster.command(
                    command.text, learner: learner, channel: command.channel, at: at, store: store, command: settings.quizCommand)
                return HTTPReply.json(.ok, mattermost.response(reply, user: command.user, actionURL: actionURL))
            }
            if NudgeDesk.handles(command.text) {
                return HTTPReply.json(.ok, Mattermost.ephemeral(try await nudgeCommand(command, learner: learner, at: at)))
            }
            let message = InboundMessage(
                kind: .command, conversation: ConversationRef(platform: "mattermost", channel: command.channel), user: command.user,
                team: command.team, text: command.text, receivedAt: at)
            let response = await content.respond(to: message, command: settings.command)
            if let log = response.log { try await store.record(log) }
            return HTTPReply.json(.ok, response.log?.answerID.map { mattermost.answerResponse(response.reply, answerID: $0, actionURL: actionURL) }
                ?? Mattermost.response(response.reply))
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
    }

    /// `/learn nudges …`: personal nudges arrive as direct messages from the incoming webhook.
    func nudgeCommand(_ command: Mattermost.Command, learner: Learner, at: Date) async throws -> String {
        guard incomingWebhookConfigured else {
            return "Personal nudges need the incoming webhook FlowLearn posts through; ask whoever runs FlowLearn to set it up."
        }
        guard let userName = command.userName else { return "Mattermost did not say who you are (no user_name): nudges can't reach you." }
        let topics = Array(Set(content.assistant.matcher.nuggets.map(\.topic))).sorted()
        let desk = NudgeDesk(rules: nudges.rules, defaultTime: nudges.defaultTime, defaultTimeZone: nudges.defaultTimeZone, topics: topics)
        return try await desk.command(command.text, learner: learner, channel: "@" + userName, at: at, store: store, command: settings.command)
    }

    func outgoing(_ request: Request) async -> Response {
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        let post: Mattermost.OutgoingPost
        do {
            post = try mattermost.decodeOutgoing(body, contentType: request.header("Content-Type"))
        } catch {
            logger.notice("refused a Mattermost outgoing webhook", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.unauthorized, error.description)
        }
        let message = InboundMessage(
            kind: .mention, conversation: ConversationRef(platform: "mattermost", channel: post.channel, thread: post.postID), user: post.user,
            team: post.team, text: post.text, receivedAt: now())
        let response = await content.respond(to: message, command: settings.command)
        do {
            guard try await store.claimEvent(platform: "mattermost", eventID: post.postID, at: now(), logging: response.log) else {
                return HTTPReply.json(.ok, [:])  // the same post again: answered already
            }
        } catch {
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        return HTTPReply.json(
            .ok, response.log?.answerID.map { mattermost.answerResponse(response.reply, answerID: $0, actionURL: actionURL, responseType: "comment") }
                ?? Mattermost.response(response.reply, responseType: "comment"))
    }

    func action(_ request: Request) async -> Response {
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        do {
            if let vote = try mattermost.decodeAnswerVote(body) {
                let learner = Learner(platform: "mattermost", team: vote.team, user: vote.user)
                do {
                    let result = try await store.recordAnswerVote(answerID: vote.answerID, learner: learner, helpful: vote.helpful, at: now())
                    let text = result == .unknownAnswer ? AnswerFeedback.unknownAnswer : AnswerFeedback.thanks(helpful: vote.helpful)
                    return HTTPReply.json(.ok, Mattermost.ephemeral(text))
                } catch {
                    return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
                }
            }
        } catch {
            logger.notice("refused a Mattermost action", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.forbidden, error.description)
        }
        let click: Mattermost.Click
        do {
            click = try mattermost.decodeClick(body)
        } catch {
            logger.notice("refused a Mattermost action", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.forbidden, error.description)
        }
        let learner = Learner(platform: "mattermost", team: click.team, user: click.user)
        do {
            if let easy = click.refine {
                let reply = try await content.quizmaster.refine(
                    sessionID: click.sessionID, position: click.position, easy: easy, learner: learner, at: now(), store: store)
                return HTTPReply.json(.ok, Mattermost.refineResponse(reply))
            }
            let reply = try await content.quizmaster.answer(
                sessionID: click.sessionID, position: click.position, picks: [click.choice], actionID: "mattermost:" + click.trigger,
                learner: learner, at: now(), store: store)
            return HTTPReply.json(.ok, mattermost.clickResponse(reply, user: click.user, actionURL: actionURL))
        } catch {
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
