import FlowLearnConfig
import FlowLearnCore
import FlowLearnSlack
import Foundation
import Hummingbird
import Logging

/// Slack's entry points: the Events API, slash commands (`/learn` and `/quiz`) and interactivity
/// (quiz buttons). Each verifies the signature over the raw body before anything else, answers within
/// Slack's 3 s window, and leaves later chat API calls to the outbox.
struct SlackRoutes: Sendable {
    let settings: FlowLearnConfiguration.SlackSection
    /// Nil when the signing secret is not set: the routes then answer 503 and do nothing.
    let signature: SlackSignature?
    let encoder: SlackReplyEncoder
    let policy: SlackResponseURLPolicy
    let content: ContentLibrary
    let store: any LearningStore
    let outbox: ReplyOutbox
    /// For `users.info` (time zones), which needs its answer.
    let poster: any RequestPoster
    let nudges: FlowLearnConfiguration.NudgesSection
    let botToken: String
    let maxBodyBytes: Int
    let now: @Sendable () -> Date
    let logger: Logger

    enum Verified {
        case body([UInt8])
        case refused(Response)
    }

    func register(on router: Router<FlowLearnRequestContext>) {
        router.post(RouterPath(settings.eventsPath)) { request, _ in await events(request) }
        router.post(RouterPath(settings.commandsPath)) { request, _ in await command(request) }
        router.post(RouterPath(settings.interactionsPath)) { request, _ in await interaction(request) }
    }

    /// Verifies and returns the body, or the response that refuses the request.
    private func verifiedBody(_ request: Request) async -> Verified {
        guard let signature else {
            return .refused(HTTPReply.error(.serviceUnavailable, "Slack is not configured: signing secret missing"))
        }
        guard let body = await request.rawBody(limit: maxBodyBytes) else {
            return .refused(HTTPReply.error(.contentTooLarge, "body too large"))
        }
        do {
            try signature.verify(
                timestamp: request.header(SlackSignature.timestampHeader), signature: request.header(SlackSignature.signatureHeader),
                body: body, now: now())
        } catch {
            logger.notice("refused unsigned or badly signed Slack request", metadata: ["path": "\(request.uri.path)", "reason": "\(error)"])
            return .refused(HTTPReply.error(.unauthorized, error.description))
        }
        return .body(body)
    }

    func events(_ request: Request) async -> Response {
        let body: [UInt8]
        switch await verifiedBody(request) {
        case .refused(let refusal): return refusal
        case .body(let bytes): body = bytes
        }
        let decoded: SlackEventRequest
        do {
            decoded = try SlackEventDecoder.decode(body, botUserID: settings.botUserID, receivedAt: now())
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        switch decoded {
        case .urlVerification(let challenge):
            return HTTPReply.json(.ok, ["challenge": challenge])
        case .ignored(let eventID, let reason):
            logger.debug("Slack event ignored", metadata: ["event_id": "\(eventID ?? "-")", "reason": "\(reason)"])
            return HTTPReply.empty()
        case .question(let eventID, let message):
            do {
                // Counted before it is handled: an event that fails or crashes the server twice is set
                // aside (200, so Slack stops retrying) instead of failing at every retry.
                switch try await store.beginEvent(platform: "slack", eventID: eventID, at: now()) {
                case .done:
                    logger.info("duplicate Slack event ignored", metadata: ["event_id": "\(eventID)"])
                    return HTTPReply.empty()
                case .poisoned:
                    logger.warning("poisoned Slack event skipped (see flowlearn poisoned)", metadata: ["event_id": "\(eventID)"])
                    return HTTPReply.empty()
                case .handle:
                    break
                }
                let response = await content.respond(to: message, command: settings.command)
                guard try await store.claimEvent(platform: "slack", eventID: eventID, at: now(), logging: response.log) else {
                    logger.info("duplicate Slack event ignored", metadata: [
                        "event_id": "\(eventID)", "retry": "\(request.header("X-Slack-Retry-Num") ?? "0")",
                    ])
                    return HTTPReply.empty()
                }
                await outbox.enqueue(encoder.postMessage(response.reply, to: message.conversation, answerID: response.log?.answerID), platform: "slack")
                logAnswer(response, eventID: eventID)
                return HTTPReply.empty()
            } catch {
                try? await store.failEvent(platform: "slack", eventID: eventID, reason: "\(error)")
                logger.error("store failed; Slack will retry", metadata: ["error": "\(error)"])
                return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
            }
        }
    }

    func command(_ request: Request) async -> Response {
        let received = ContinuousClock.now
        let body: [UInt8]
        switch await verifiedBody(request) {
        case .refused(let refusal): return refusal
        case .body(let bytes): body = bytes
        }
        let command: SlackSlashCommand
        do {
            command = try SlackSlashCommand.decode(body)
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        if command.command == settings.quizCommand {
            return await quiz(command)
        }
        if NudgeDesk.handles(command.text) {
            return await nudgeCommand(command)
        }
        let response = await content.respond(to: command.message(receivedAt: now()), command: settings.command)
        guard let log = response.log else {
            return HTTPReply.json(.ok, SlackReplyEncoder.immediateResponse(response.reply))  // help
        }
        // Slack's own requests carry its response_url; another host means the request is not what it
        // claims, even if the answer does not use that URL.
        guard policy.allows(command.responseURL) else {
            logger.warning("refused response_url outside the allowed hosts", metadata: ["user": "\(command.userID)"])
            return HTTPReply.error(.badRequest, "response_url host is not allowed")
        }
        // The answer travels in the acknowledgement (Slack shows it at once, no second request), once
        // the question is stored. A crash before the answer leaves shows the asker Slack's timeout
        // notice, and asking again answers; the question is kept either way. An answer that took too
        // long (a backlog of questions to embed) would miss Slack's 3 s: it is kept and posted to the
        // command's response_url instead, like any other reply.
        do {
            try await store.record(log)
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        logAnswer(response, eventID: nil)
        guard ContinuousClock.now - received <= inlineAnswerBudget else {
            logger.notice("answer too late for the acknowledgement: posted to response_url", metadata: ["user": "\(command.userID)"])
            await outbox.enqueue(
                SlackReplyEncoder.responseURLMessage(response.reply, responseURL: command.responseURL, answerID: log.answerID), platform: "slack")
            return HTTPReply.empty()
        }
        return HTTPReply.json(.ok, SlackReplyEncoder.immediateResponse(response.reply, answerID: log.answerID))
    }

    /// How long a `/learn` answer may take and still go in the acknowledgement.
    var inlineAnswerBudget: Duration {
        let seconds = settings.inlineAnswerSeconds
        guard seconds.isFinite, seconds > 0 else { return .zero }
        return .milliseconds(Int64((min(seconds, 2.9) * 1000).rounded()))
    }

    /// `/quiz …`: answered in the response body (a question with buttons, stats, a leaderboard); the
    /// quiz state is stored before the answer leaves.
    func quiz(_ command: SlackSlashCommand) async -> Response {
        let learner = Learner(platform: "slack", team: command.teamID, user: command.userID)
        do {
            let reply = try await content.quizmaster.command(
                SlackText.removingMentions(command.text), learner: learner, channel: command.channelID, at: now(), store: store,
                command: settings.quizCommand)
            if case .question(let prompt) = reply {
                logger.info("quiz started", metadata: ["session": "\(prompt.sessionID)", "questions": "\(prompt.total)"])
            }
            return HTTPReply.json(.ok, SlackQuizEncoder.immediateResponse(reply))
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
    }

    /// A quiz button click: the answer is recorded (once) before the empty 200 acknowledges it; the
    /// result and the next question go out through the click's `response_url`.
    func interaction(_ request: Request) async -> Response {
        let body: [UInt8]
        switch await verifiedBody(request) {
        case .refused(let refusal): return refusal
        case .body(let bytes): body = bytes
        }
        let interaction: SlackInteraction
        do {
            interaction = try SlackInteraction.decode(body)
        } catch {
            return HTTPReply.error(.badRequest, error.description)
        }
        if case .quizRefine(let sessionID, let position, let easy, let learner, let responseURL) = interaction {
            guard policy.allows(responseURL) else { return HTTPReply.error(.badRequest, "response_url host is not allowed") }
            do {
                let reply = try await content.quizmaster.refine(
                    sessionID: sessionID, position: position, easy: easy, learner: learner, at: now(), store: store)
                await outbox.enqueue(inOrder: SlackQuizEncoder.responseURLMessages(reply, responseURL: responseURL), platform: "slack")
                return HTTPReply.empty()
            } catch {
                logger.error("store failed", metadata: ["error": "\(error)"])
                return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
            }
        }
        if case .nudgeFeedback(let key, let useful, let learner, let responseURL) = interaction {
            return await nudgeFeedback(key: key, useful: useful, learner: learner, responseURL: responseURL)
        }
        if case .answerFeedback(let answerID, let helpful, let learner, let responseURL) = interaction {
            return await answerFeedback(answerID: answerID, helpful: helpful, learner: learner, responseURL: responseURL)
        }
        guard case .quizAnswer(let click) = interaction else {
            if case .ignored(let reason) = interaction { logger.debug("Slack interaction ignored", metadata: ["reason": "\(reason)"]) }
            return HTTPReply.empty()
        }
        guard policy.allows(click.responseURL) else {
            logger.warning("refused response_url outside the allowed hosts", metadata: ["user": "\(click.learner.user)"])
            return HTTPReply.error(.badRequest, "response_url host is not allowed")
        }
        let reply: QuizReply
        do {
            reply = try await content.quizmaster.answer(
                sessionID: click.sessionID, position: click.position, picks: click.picks, actionID: click.actionID, learner: click.learner,
                at: now(), store: store)
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        switch reply {
        case .result(let feedback, _):
            logger.info(
                "quiz answer", metadata: ["session": "\(click.sessionID)", "question": "\(feedback.question.id)", "correct": "\(feedback.correct)"])
        case .stale(let reason):
            logger.info("quiz click changed nothing", metadata: ["session": "\(click.sessionID)", "reason": "\(reason)"])
        default:
            break
        }
        await outbox.enqueue(inOrder: SlackQuizEncoder.responseURLMessages(reply, responseURL: click.responseURL), platform: "slack")
        return HTTPReply.empty()
    }

    /// `/learn nudges …`: answered inline. Turning nudges on also asks Slack for the person's time zone
    /// (`users.info`, through the poster) when it is not known yet.
    func nudgeCommand(_ command: SlackSlashCommand) async -> Response {
        let learner = Learner(platform: "slack", team: command.teamID, user: command.userID)
        let topics = Array(Set(content.assistant.matcher.nuggets.map(\.topic))).sorted()
        let desk = NudgeDesk(rules: nudges.rules, defaultTime: nudges.defaultTime, defaultTimeZone: nudges.defaultTimeZone, topics: topics)
        do {
            let text = try await desk.command(command.text, learner: learner, channel: command.userID, at: now(), store: store, command: settings.command)
            if let subscription = try await store.subscription(for: learner), subscription.enabled, subscription.timeZone == nil, !botToken.isEmpty {
                let poster = self.poster
                let store = self.store
                let request = SlackNudgeEncoder.userInfo(command.userID, apiBaseURL: settings.apiBaseURL, botToken: botToken)
                let logger = self.logger
                Task {
                    let outcome = await poster.post(request)
                    guard let zone = SlackNudgeEncoder.timeZone(inUserInfo: outcome.body) else {
                        logger.warning("no time zone from users.info; the default applies", metadata: ["user": "\(learner.user)"])
                        return
                    }
                    try? await store.setTimeZone(zone, for: learner)
                }
            }
            return HTTPReply.json(.ok, SlackReplyEncoder.immediateText(text))
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
    }

    /// "More like this" / "Not useful": stored (once per person and nudge), thanked ephemerally.
    func nudgeFeedback(key: String, useful: Bool, learner: Learner, responseURL: String) async -> Response {
        guard policy.allows(responseURL) else { return HTTPReply.error(.badRequest, "response_url host is not allowed") }
        do {
            try await store.recordFeedback(nudgeKey: key, learner: learner, useful: useful, at: now())
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        let text = useful ? "Thanks! You'll get more like this." : "Thanks, noted: the learning team sees which nuggets miss the mark."
        await outbox.enqueue(SlackReplyEncoder.responseURLText(text, responseURL: responseURL), platform: "slack")
        return HTTPReply.empty()
    }

    /// "Helpful" / "Not helpful" under an answer: one vote per person and answer (a second click
    /// changes it), thanked ephemerally.
    func answerFeedback(answerID: String, helpful: Bool, learner: Learner, responseURL: String) async -> Response {
        guard policy.allows(responseURL) else { return HTTPReply.error(.badRequest, "response_url host is not allowed") }
        let vote: AnswerVote
        do {
            vote = try await store.recordAnswerVote(answerID: answerID, learner: learner, helpful: helpful, at: now())
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            return HTTPReply.error(.serviceUnavailable, "temporarily unavailable")
        }
        let text = vote == .unknownAnswer ? AnswerFeedback.unknownAnswer : AnswerFeedback.thanks(helpful: helpful)
        await outbox.enqueue(SlackReplyEncoder.responseURLText(text, responseURL: responseURL), platform: "slack")
        return HTTPReply.empty()
    }

    private func logAnswer(_ response: Assistant.Response, eventID: String?) {
        guard let log = response.log else { return }
        logger.info(
            "question answered",
            metadata: [
                "platform": "slack", "outcome": "\(log.outcome.rawValue)", "nugget": "\(log.nuggetID ?? "-")",
                "confidence": "\(LogFormat.twoDecimals(log.confidence))", "event_id": "\(eventID ?? "-")",
            ])
    }
}
