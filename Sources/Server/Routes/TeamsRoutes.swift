import FlowLearnCore
import FlowLearnTeams
import Foundation
import Hummingbird
import Logging

/// The Teams outgoing webhook: verify the HMAC over the raw body, then answer in the response itself
/// (Teams waits at most 5 s and shows what comes back). Questions get a nugget card; `quiz …` and
/// numbered answers run a quiz by text.
struct TeamsRoutes: Sendable {
    let path: String
    let webhook: TeamsOutgoingWebhook
    let content: ContentLibrary
    let store: any LearningStore
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    func register(on router: Router<FlowLearnRequestContext>) {
        router.post(RouterPath(path)) { request, _ in await message(request) }
    }

    func message(_ request: Request) async -> Response {
        guard webhook.isConfigured else { return HTTPReply.error(.serviceUnavailable, "Teams is not configured: security token missing") }
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        do {
            try webhook.verify(authorization: request.header("Authorization"), body: body)
        } catch {
            logger.notice("refused unsigned or badly signed Teams request", metadata: ["reason": "\(error)"])
            return HTTPReply.error(.unauthorized, error.description)
        }
        let activity: TeamsOutgoingWebhook.Activity
        do {
            activity = try TeamsOutgoingWebhook.decode(body)
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        let learner = Learner(platform: "teams", user: activity.user)
        let at = now()
        do {
            let words = activity.text.split(whereSeparator: \.isWhitespace).map(String.init)
            if let first = words.first?.lowercased(), ["quiz", "/quiz", "!quiz"].contains(first) {
                let reply = try await content.quizmaster.command(
                    words.dropFirst().joined(separator: " "), learner: learner, channel: activity.conversation, at: at, store: store, command: "quiz")
                return HTTPReply.json(.ok, TeamsOutgoingWebhook.response(reply))
            }
            if NudgeDesk.handles(activity.text) {
                // Not a question for the matcher (nor a gap in the content): say what exists instead.
                return HTTPReply.json(.ok, TeamsOutgoingWebhook.text(
                    "Personal nudges aren't available in Teams yet (FlowLearn can't start a chat with you here). "
                        + "A channel can get a nugget a day: ask whoever runs FlowLearn to add it to nudges.channels."))
            }
            if AnswerFeedback.typedVote(activity.text) != nil {
                guard try await store.claimEvent(platform: "teams", eventID: activity.id, at: at, logging: nil) else {
                    return HTTPReply.json(.ok, TeamsOutgoingWebhook.text("Already noted."))
                }
                let thanks = try await AnswerFeedback.typed(activity.text, learner: learner, store: store, at: at) ?? AnswerFeedback.nothingToRate
                return HTTPReply.json(.ok, TeamsOutgoingWebhook.text(thanks))
            }
            if let reply = try await content.quizmaster.textAnswer(
                activity.text, messageID: "teams:" + activity.id, learner: learner, at: at, store: store)
            {
                return HTTPReply.json(.ok, TeamsOutgoingWebhook.response(reply))
            }
            let message = InboundMessage(
                kind: .mention, conversation: ConversationRef(platform: "teams", channel: activity.conversation), user: activity.user,
                text: activity.text, receivedAt: at)
            let response = await content.respond(to: message, command: "")
            _ = try await store.claimEvent(platform: "teams", eventID: activity.id, at: at, logging: response.log)
            logger.info(
                "question answered",
                metadata: ["platform": "teams", "outcome": "\(response.log?.outcome.rawValue ?? "help")", "nugget": "\(response.log?.nuggetID ?? "-")"])
            return HTTPReply.json(
                .ok, TeamsOutgoingWebhook.response(response.reply, note: response.log?.answerID == nil ? nil : AnswerFeedback.typedHint))
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.json(.ok, TeamsOutgoingWebhook.text("Sorry, something went wrong on my side. Please ask again in a minute."))
        }
    }
}
