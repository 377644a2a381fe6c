import FlowLearnConfig
import FlowLearnCore
import FlowLearnMatrix
import Foundation
import Hummingbird
import Logging

/// The Matrix application-service API: transactions of events pushed by the homeserver. Each
/// request must carry the `hs_token` (403 `M_FORBIDDEN` otherwise). Each event is claimed by its id
/// in SQLite before it is acted on, so a resent transaction changes nothing. The bot joins rooms it
/// is invited to, answers in direct chats and where it is mentioned, runs quizzes by text, and takes
/// `nudges …` in a direct chat (personal nudges then come to that chat).
struct MatrixRoutes: Sendable {
    let service: MatrixAppService
    let content: ContentLibrary
    let store: any LearningStore
    let outbox: ReplyOutbox
    let nudges: FlowLearnConfiguration.NudgesSection
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    func register(on router: Router<FlowLearnRequestContext>) {
        for prefix in ["/_matrix/app/v1", ""] {
            router.put(RouterPath("\(prefix)/transactions/:txnId")) { request, context in
                await transaction(request, txnID: context.parameters.get("txnId") ?? "")
            }
            router.get(RouterPath("\(prefix)/users/:userId")) { request, context in
                guard authorised(request) else { return forbidden() }
                return context.parameters.get("userId") == service.botUserID
                    ? HTTPReply.json(.ok, [:]) : HTTPReply.json(.notFound, ["errcode": "M_NOT_FOUND", "error": "no such user"])
            }
            router.get(RouterPath("\(prefix)/rooms/:alias")) { request, _ in
                guard authorised(request) else { return forbidden() }
                return HTTPReply.json(.notFound, ["errcode": "M_NOT_FOUND", "error": "no such room"])
            }
        }
        router.post("/_matrix/app/v1/ping") { request, _ in
            authorised(request) ? HTTPReply.json(.ok, [:]) : forbidden()
        }
    }

    private func authorised(_ request: Request) -> Bool {
        service.isFromHomeserver(authorization: request.header("Authorization"), accessToken: request.uri.queryParameters.get("access_token"))
    }

    private func forbidden() -> Response {
        HTTPReply.json(.forbidden, ["errcode": "M_FORBIDDEN", "error": "bad or missing hs_token"])
    }

    func transaction(_ request: Request, txnID: String) async -> Response {
        guard authorised(request) else {
            logger.notice("refused a Matrix transaction without the homeserver's token", metadata: ["txn": "\(txnID)"])
            return forbidden()
        }
        guard let body = await request.rawBody(limit: maxBodyBytes) else { return HTTPReply.error(.contentTooLarge, "body too large") }
        let events: [MatrixAppService.Event]
        do {
            events = try service.decodeTransaction(body)
        } catch {
            return HTTPReply.json(.badRequest, ["errcode": "M_BAD_JSON", "error": error.description])
        }
        // Each event is handled on its own: one that fails is noted and the others go on. If any
        // failed, the transaction is not acknowledged, so the homeserver sends it again: handled
        // events are skipped then, and an event that failed or crashed the server twice is set aside
        // as poisoned (`flowlearn poisoned`) instead of being tried forever.
        var failed = 0
        for event in events {
            do {
                try await handle(event)
            } catch {
                failed += 1
                if let eventID = event.eventID { try? await store.failEvent(platform: "matrix", eventID: eventID, reason: "\(error)") }
                logger.error(
                    "a Matrix event failed; the homeserver will resend the transaction",
                    metadata: ["txn": "\(txnID)", "event": "\(event.eventID ?? "-")", "error": "\(error)"])
            }
        }
        guard failed == 0 else {
            return HTTPReply.json(.serviceUnavailable, ["errcode": "M_UNKNOWN", "error": "temporarily unavailable"])
        }
        return HTTPReply.json(.ok, [:])
    }

    /// Counts an attempt at an event before handling it; false for one handled before or poisoned.
    private func admit(_ eventID: String) async throws -> Bool {
        switch try await store.beginEvent(platform: "matrix", eventID: eventID, at: now()) {
        case .handle: return true
        case .done: return false
        case .poisoned:
            logger.warning("poisoned Matrix event skipped (see flowlearn poisoned)", metadata: ["event": "\(eventID)"])
            return false
        }
    }

    private func handle(_ event: MatrixAppService.Event) async throws {
        switch event {
        case .ignored:
            return
        case .invite(let room, let eventID, let sender, let isDirect):
            guard try await admit(eventID) else { return }
            guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: now(), logging: nil) else { return }
            try await store.setRoom(platform: "matrix", room: room, isDirect: isDirect)
            await outbox.enqueue(service.join(room: room), platform: "matrix")
            logger.info("joining a Matrix room", metadata: ["room": "\(room)", "inviter": "\(sender)", "direct": "\(isDirect)"])
        case .message(let room, let eventID, let sender, let text, let mentionsBot):
            let direct = try await store.isDirectRoom(platform: "matrix", room: room)
            guard direct || mentionsBot, !text.isEmpty else { return }
            guard try await admit(eventID) else { return }
            let learner = Learner(platform: "matrix", user: sender)
            let at = now()
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
            if let first = words.first?.lowercased(), ["quiz", "!quiz", "/quiz"].contains(first) {
                guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: at, logging: nil) else { return }
                let reply = try await content.quizmaster.command(
                    words.dropFirst().joined(separator: " "), learner: learner, channel: room, at: at, store: store, command: "quiz")
                await send(MatrixAppService.text(reply), to: room, replyingTo: eventID)
                return
            }
            if let first = words.first?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "!/")), NudgeDesk.handles(first) {
                guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: at, logging: nil) else { return }
                guard direct else {
                    await send("Personal nudges come to a direct chat: start one with me and write `nudges on` there.", to: room, replyingTo: eventID)
                    return
                }
                let topics = Array(Set(content.assistant.matcher.nuggets.map(\.topic))).sorted()
                let desk = NudgeDesk(rules: nudges.rules, defaultTime: nudges.defaultTime, defaultTimeZone: nudges.defaultTimeZone, topics: topics)
                let text = try await desk.command(
                    words.dropFirst().joined(separator: " "), learner: learner, channel: room, at: at, store: store, command: "")
                await send(text, to: room, replyingTo: eventID)
                return
            }
            if AnswerFeedback.typedVote(text) != nil {
                guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: at, logging: nil) else { return }
                if let thanks = try await AnswerFeedback.typed(text, learner: learner, store: store, at: at) {
                    await send(thanks, to: room, replyingTo: eventID)
                }
                return
            }
            if let reply = try await content.quizmaster.textAnswer(text, messageID: "matrix:" + eventID, learner: learner, at: at, store: store) {
                // The answer is recorded once by its event id; claiming keeps a resend from replying twice.
                guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: at, logging: nil) else { return }
                await send(MatrixAppService.text(reply), to: room, replyingTo: eventID)
                return
            }
            let message = InboundMessage(
                kind: direct ? .direct : .mention, conversation: ConversationRef(platform: "matrix", channel: room), user: sender, text: text,
                receivedAt: at)
            let response = await content.respond(to: message, command: "")
            guard try await store.claimEvent(platform: "matrix", eventID: eventID, at: at, logging: response.log) else { return }
            let hint = response.log?.answerID == nil ? "" : "\n\n" + AnswerFeedback.typedHint
            await send(MatrixAppService.text(response.reply) + hint, to: room, replyingTo: eventID)
            logger.info(
                "question answered",
                metadata: ["platform": "matrix", "outcome": "\(response.log?.outcome.rawValue ?? "help")", "nugget": "\(response.log?.nuggetID ?? "-")"])
        }
    }

    private func send(_ text: String, to room: String, replyingTo eventID: String) async {
        await outbox.enqueue(service.notice(text, room: room, transactionID: MatrixAppService.transactionID(replyingTo: eventID)), platform: "matrix")
    }
}
