import FlowLearnCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The assistant and quizmaster the routes answer with, rebuilt from the content folder on SIGHUP
/// (or `reload()`), so authors' changes go live without a restart. A reload whose content does not
/// lint keeps the content that was serving and logs why.
public final class ContentLibrary: Service, Sendable {
    struct Loaded: Sendable {
        var assistant: Assistant
        var quizmaster: Quizmaster
    }

    private let current: Mutex<Loaded>
    private let folder: String
    private let settings: MatcherSettings
    private let quizSettings: QuizSettings
    private let logger: Logger
    private let encoder: (any SentenceEncoding)?
    /// "on", or "off: <why>": semantic matching, for /healthz and the log.
    public let semanticStatus: String
    /// Questions are matched here, off the event loops and Swift's cooperative pool: embedding a
    /// question takes milliseconds of CPU, which must not hold up acknowledging other webhooks.
    /// One question per core at a time; a burst waits in the queue instead of starting a thread each.
    private let matching: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "flowlearn-matching"
        queue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
        queue.qualityOfService = .userInitiated
        return queue
    }()

    /// Loads the content once; throws when it does not lint, so a broken pack stops start-up.
    /// - Parameters:
    ///   - encoder: the sentence encoder, nil when semantic matching is off; `semanticStatus` says why.
    public init(
        folder: String, settings: MatcherSettings, quiz: QuizSettings = QuizSettings(), logger: Logger,
        encoder: (any SentenceEncoding)? = nil, semanticStatus: String = "off: no encoder configured"
    ) throws {
        self.folder = folder
        self.settings = settings
        self.quizSettings = quiz
        self.logger = logger
        self.encoder = encoder
        self.semanticStatus = encoder == nil ? semanticStatus : "on"
        self.current = Mutex(try Self.load(folder: folder, settings: settings, quiz: quiz, logger: logger, encoder: encoder))
    }

    /// The assistant's response to a message: computed on the matching queue when the question must
    /// be embedded, on the caller's thread when that is cheap (help, a lexical engine, a wording asked
    /// recently), which spares two thread hand-overs.
    public func respond(to message: InboundMessage, command: String) async -> Assistant.Response {
        let assistant = self.assistant
        // (Fewer bytes than the limit means fewer scalars too: most messages are not counted.)
        let length = message.text.utf8.count > Matcher.maximumQuestionLength ? message.text.unicodeScalars.count : 0
        if length > Matcher.maximumQuestionLength {
            logger.notice(
                "long message matched on its first characters",
                metadata: [
                    "platform": "\(message.conversation.platform)", "characters": "\(length)", "matched_characters": "\(Matcher.maximumQuestionLength)",
                ])
        }
        var response: Assistant.Response
        if let quick = assistant.quickResponse(to: message, command: command) {
            response = quick
        } else {
            response = await onMatchingQueue { assistant.respond(to: message, command: command) }
        }
        if let log = response.log, log.outcome == .answered, let nuggetID = log.nuggetID {
            response.log?.answerID = AnswerFeedback.makeAnswerID()
            if quizSettings.reviewAskedNuggets {
                response.log?.reviewQuestionID = quizmaster.reviewQuestion(forNugget: nuggetID, learner: log.learner)
            }
        }
        return response
    }

    /// Runs matcher work on the matching queue and waits for its result.
    func onMatchingQueue<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            matching.addOperation { continuation.resume(returning: work()) }
        }
    }

    /// The assistant serving now.
    public var assistant: Assistant { current.withLock { $0.assistant } }
    /// The quizmaster serving now.
    public var quizmaster: Quizmaster { current.withLock { $0.quizmaster } }

    /// Rebuilds from the folder; returns false (and keeps serving the old content) on errors.
    @discardableResult
    public func reload() -> Bool {
        do {
            let fresh = try Self.load(folder: folder, settings: settings, quiz: quizSettings, logger: logger, encoder: encoder)
            current.withLock { $0 = fresh }
            return true
        } catch {
            logger.error("content reload failed; still serving the previous content", metadata: ["error": "\(error)"])
            return false
        }
    }

    static func load(
        folder: String, settings: MatcherSettings, quiz: QuizSettings, logger: Logger, encoder: (any SentenceEncoding)?
    ) throws -> Loaded {
        let started = ContinuousClock.now
        let pack = try ContentLinter.loadPack(ContentDirectory.read(folder))
        let nuggets = pack.nuggets
        let matcher = try Matcher(nuggets: nuggets, outOfScope: pack.outOfScope, settings: settings, encoder: encoder)
        let elapsed = ContinuousClock.now - started
        logger.info(
            "content loaded",
            metadata: [
                "nuggets": "\(nuggets.count)", "out_of_scope": "\(pack.outOfScope.count)", "quiz_questions": "\(pack.questions.count)", "folder": "\(folder)", "engine": "\(matcher.engineName)",
                "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        return Loaded(assistant: Assistant(matcher: matcher), quizmaster: Quizmaster(questions: pack.questions, nuggets: nuggets, settings: quiz))
    }

    /// Reloads on each SIGHUP until shutdown.
    public func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP)
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        for await _ in hangups.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading content")
            await reloadOnItsOwnThread()
        }
    }

    /// `reload()` on a thread of its own. A reload can train the learned model (about 15 s at the
    /// engine's budget); on Swift's cooperative pool, one thread per core, that would hold half of a
    /// 2-core server's request handling for as long. The old content serves until the new is ready.
    @discardableResult
    public func reloadOnItsOwnThread() async -> Bool {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.reload()) }
            thread.name = "flowlearn-content-reload"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
