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
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    var actionURL: String { settings.publicURL.trimmingSuffix("/") + settings.actionsPath }

    func register(on router: Router<BasicRequestContext>) {
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
            let message = InboundMessage(
                kind: .command, conversation: ConversationRef(platform: "mattermost", channel: command.channel), user: command.user,
                text: command.text, receivedAt: at)
            let response = content.assistant.respond(to: message, command: settings.command)
            if let log = response.log { try await store.record(log) }
            return HTTPReply.json(.ok, Mattermost.response(response.reply))
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
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
            text: post.text, receivedAt: now())
        let response = content.assistant.respond(to: message, command: settings.command)
        do {
            guard try await store.claimEvent(platform: "mattermost", eventID: post.postID, at: now(), logging: response.log) else {
                return HTTPReply.json(.ok, [:])  // the same post again: answered already
            }
        } catch {
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        return HTTPReply.json(.ok, Mattermost.response(response.reply, responseType: "comment"))
    }

    func action(_ request: Request) async -> Response {
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
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
