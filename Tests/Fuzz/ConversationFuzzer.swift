import FlowLearnConfig
import FlowLearnConsole
import FlowLearnCore
import FlowLearnDiscord
import FlowLearnMatrix
import FlowLearnMattermost
import FlowLearnSlack
import FlowLearnStore
import FlowLearnTeams
import Foundation

/// The conversation core under any text: one input is a short conversation of one person on one
/// platform, in a quiz and nudge state the input chooses, sent through the same entry points the
/// routes use (quiz commands, nudge commands, typed quiz answers, button clicks, questions) and
/// rendered by every platform's encoder.
///
/// Input: the first byte picks the platform's command grammar (low 3 bits) and the starting state
/// (bit 3: a quiz is running; bit 4: nudges are on; bit 5: nudges are paused); the rest is UTF-8
/// text, one message per line (at most 16). A line `#P C…` clicks choices C of question P of the
/// running quiz, `#easy P` / `#guessed P` refines an answer, as Slack, Discord and Mattermost buttons do.
final class ConversationFuzzer: @unchecked Sendable {
    static let shared = ConversationFuzzer()

    struct Grammar {
        var platform: String
        /// What people type before a question or `nudges` (empty: nothing).
        var learn: String
        /// What starts a quiz command.
        var quiz: String
    }

    static let grammars = [
        Grammar(platform: "slack", learn: "/learn", quiz: "/quiz"),
        Grammar(platform: "mattermost", learn: "/learn", quiz: "/quiz"),
        Grammar(platform: "discord", learn: "/learn", quiz: "/quiz"),
        Grammar(platform: "teams", learn: "", quiz: "quiz"),
        Grammar(platform: "matrix", learn: "", quiz: "!quiz"),
        Grammar(platform: "console", learn: "", quiz: "/quiz"),
    ]

    let assistant: Assistant
    let quizmaster: Quizmaster
    let desk: NudgeDesk
    private var store: SQLiteStore
    private var inputs = 0

    private init() {
        let intents = ProcessInfo.processInfo.environment["FLOWLEARN_INTENTS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Intents").path
        do {
            let pack = try ContentLinter.loadPack(ContentDirectory.read(intents))
            assistant = Assistant(matcher: try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: MatcherSettings()))
            quizmaster = Quizmaster(questions: pack.questions, nuggets: pack.nuggets)
            let nudges = FlowLearnConfiguration().nudges
            desk = NudgeDesk(
                rules: nudges.rules, defaultTime: nudges.defaultTime, defaultTimeZone: nudges.defaultTimeZone,
                topics: Array(Set(pack.nuggets.map(\.topic))).sorted())
            store = try SQLiteStore.inMemory()
        } catch {
            FileHandle.standardError.write(Data("conversation fuzzer: cannot load \(intents): \(error)\n".utf8))
            exit(2)
        }
    }

    /// Whether some message got a nugget or a quiz question back.
    func run(_ data: Data) -> Bool {
        guard let control = data.first else { return false }
        inputs += 1
        if inputs % 5000 == 0, let fresh = try? SQLiteStore.inMemory() { store = fresh }  // keep memory flat
        let grammar = Self.grammars[Int(control & 7) % Self.grammars.count]
        let learner = Learner(platform: grammar.platform, team: "T1", user: "U\(inputs)")
        let messages = String(decoding: data.dropFirst(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(16)
        let store = self.store
        let now = Date(timeIntervalSince1970: 1_764_500_000 + Double(inputs % 86_400))
        let answered = Flag()
        blocking {
            if control & 8 != 0 {
                _ = try? await self.quizmaster.command("", learner: learner, channel: "C1", at: now, store: store, command: grammar.quiz)
            }
            if control & 16 != 0 {
                _ = try? await self.desk.command("nudges on", learner: learner, channel: "C1", at: now, store: store, command: grammar.learn)
            }
            if control & 32 != 0 {
                _ = try? await self.desk.command("nudges pause 2d", learner: learner, channel: "C1", at: now, store: store, command: grammar.learn)
            }
            for (number, message) in messages.enumerated() {
                if await self.handle(String(message), number: number, grammar: grammar, learner: learner, store: store, at: now) {
                    answered.set()
                }
            }
        }
        return answered.value
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func set() { lock.withLock { raised = true } }
        var value: Bool { lock.withLock { raised } }
    }

    private func handle(_ text: String, number: Int, grammar: Grammar, learner: Learner, store: SQLiteStore, at now: Date) async -> Bool {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if !grammar.learn.isEmpty, words.first?.lowercased() == grammar.learn { words.removeFirst() }
        let rest = words.dropFirst().joined(separator: " ")
        let actionID = "\(learner.user)-\(number)"
        if words.first?.lowercased() == grammar.quiz {
            return render(try? await quizmaster.command(rest, learner: learner, channel: "C1", at: now, store: store, command: grammar.quiz))
        } else if let first = words.first, first.hasPrefix("#") {
            guard let session = try? await store.activeSession(for: learner) else { return false }
            let verb = first.dropFirst().lowercased()
            let numbers = words.dropFirst().compactMap { Int($0) }
            if verb == "easy" || verb == "guessed" {
                return render(try? await quizmaster.refine(
                    sessionID: session.id, position: numbers.first ?? session.position, easy: verb == "easy", learner: learner, at: now,
                    store: store))
            } else {
                return render(try? await quizmaster.answer(
                    sessionID: session.id, position: Int(verb) ?? session.position, picks: Set(numbers), actionID: actionID, learner: learner,
                    at: now, store: store))
            }
        } else if NudgeDesk.handles(words.joined(separator: " ")) {
            let reply = try? await desk.command(words.joined(separator: " "), learner: learner, channel: "C1", at: now, store: store, command: grammar.learn)
            _ = reply.map(SlackText.mrkdwn(fromMarkdown:))
            return false
        } else if let reply = try? await quizmaster.textAnswer(text, messageID: actionID, learner: learner, at: now, store: store) {
            return render(reply)
        } else {
            let message = InboundMessage(
                kind: .direct, conversation: ConversationRef(platform: grammar.platform, channel: "C1"), user: learner.user, text: text, receivedAt: now)
            let response = assistant.respond(to: message, command: grammar.learn)
            if let log = response.log { try? await store.record(log) }
            return render(response.reply)
        }
    }

    private func render(_ reply: Reply) -> Bool {
        _ = SlackReplyEncoder.immediateResponse(reply)
        _ = Mattermost.response(reply)
        _ = TeamsOutgoingWebhook.response(reply)
        _ = DiscordInteractions.json(DiscordInteractions.message(reply))
        _ = MatrixAppService.text(reply)
        _ = ConsoleRenderer.render(reply)
        if case .nugget = reply { return true }
        return false
    }

    private func render(_ reply: QuizReply?) -> Bool {
        guard let reply else { return false }
        _ = SlackQuizEncoder.immediateResponse(reply)
        _ = SlackQuizEncoder.responseURLMessages(reply, responseURL: "https://hooks.slack.com/commands/T1/1/x")
        _ = Mattermost.refineResponse(reply)
        _ = TeamsOutgoingWebhook.response(reply)
        _ = DiscordInteractions.json(DiscordInteractions.message(reply))
        _ = MatrixAppService.text(reply)
        _ = ConsoleQuizRenderer.render(reply)
        switch reply {
        case .question, .result: return true
        default: return false
        }
    }

    /// Runs async work to its end from the fuzzer's synchronous callback.
    private func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await work()
            done.signal()
        }
        done.wait()
    }
}
