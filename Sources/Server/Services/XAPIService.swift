import FlowLearnConfig
import FlowLearnCore
import FlowLearnXAPI
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Sends the learning records the store keeps to the learning record store, oldest first, one PUT
/// per statement with its UUIDv5 id, and forgets a record only once the LRS has it (204, or 409:
/// it had that id already). After a crash the unconfirmed ones are sent again under the same ids,
/// so the LRS stores each once. Off the request path: requests only add a row in their own transaction.
public final class XAPIService: Service, Sendable {
    public enum Round: Sendable, Hashable {
        /// The outbox is empty now.
        case empty
        /// A full batch went out; there may be more.
        case more
        /// The LRS could not be reached or refused; try again after the backoff.
        case failed
    }

    let store: any LearningRecordStore
    let poster: any RequestPoster
    let builder: XAPIStatementBuilder
    /// Nil while the key or secret is missing: records wait in the outbox.
    let endpoint: XAPIEndpoint?
    let settings: FlowLearnConfiguration.XAPISection
    let missingVariables: [String]
    let logger: Logger
    /// Statements by result since start.
    private let totals = Mutex<[String: Int]>([:])
    /// Deliveries confirmed between two deletes: a crash resends at most this many (harmlessly).
    static let confirmBatch = 25
    public static let results = ["delivered", "already_stored", "rejected", "failed"]

    public init(
        store: any LearningRecordStore, poster: any RequestPoster, builder: XAPIStatementBuilder, settings: FlowLearnConfiguration.XAPISection,
        environment: [String: String], logger: Logger
    ) {
        self.store = store
        self.poster = poster
        self.builder = builder
        self.settings = settings
        self.logger = logger
        let key = environment[settings.keyEnv] ?? ""
        let secret = environment[settings.secretEnv] ?? ""
        missingVariables = [(settings.keyEnv, key), (settings.secretEnv, secret)].filter { $0.1.isEmpty }.map(\.0)
        endpoint = missingVariables.isEmpty ? XAPIEndpoint(endpoint: settings.endpoint, key: key, secret: secret) : nil
    }

    /// Statements built from the content as it is now (titles, prompts and choices).
    public static func builder(_ settings: FlowLearnConfiguration.XAPISection, content: ContentLibrary) -> XAPIStatementBuilder {
        XAPIStatementBuilder(
            activityBase: settings.activityBase, language: settings.language,
            nuggetTitle: { content.assistant.nugget(id: $0)?.title },
            quizQuestion: { id in content.quizmaster.questions.first { $0.id == id } })
    }

    /// Refusals (4xx) in a row after which delivery pauses instead of setting more statements aside.
    static let rejectionsBeforePause = 3
    /// Failed tries (5xx, no answer) of one statement after which it is set aside, so one statement
    /// the LRS cannot store does not hold up the rest for ever (about a day at the longest backoff).
    static let maximumAttempts = 300

    /// Sends up to `batchSize` pending statements, in order, stopping at the first that cannot be delivered now.
    @discardableResult
    public func deliverOnce() async throws -> Round {
        guard let endpoint else {
            logger.warning(
                "xAPI statements wait in the outbox: the LRS key and secret are not set",
                metadata: ["variables": "\(missingVariables.joined(separator: ", "))"])
            return .failed
        }
        let pending = try await store.pendingLearningRecords(limit: settings.batchSize)
        var confirmed: [Int64] = []
        var rejectedInARow = 0
        func confirm() async throws {
            try await store.deliveredLearningRecords(confirmed)
            confirmed.removeAll()
        }
        for item in pending {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            // A person forgotten since the batch was read: their statements must not leave.
            guard try await store.isLearningRecordPending(item.id) else { continue }
            guard let record = item.record else {
                try await store.rejectLearningRecord(item.id, reason: "the stored record does not decode")
                count("rejected")
                continue
            }
            let statementID = builder.statementID(record)
            let outcome = await poster.post(endpoint.put(statementID: statementID, body: builder.body(record)))
            let status = outcome.status.map(String.init) ?? "none"
            switch XAPIEndpoint.verdict(status: outcome.status) {
            case .stored, .conflict:
                rejectedInARow = 0
                confirmed.append(item.id)
                count(outcome.status == 409 ? "already_stored" : "delivered")
                if confirmed.count >= Self.confirmBatch { try await confirm() }
            case .rejected:
                try await confirm()
                let answer = String(decoding: outcome.body.prefix(300), as: UTF8.self)
                rejectedInARow += 1
                if rejectedInARow >= Self.rejectionsBeforePause {
                    try await confirm()
                    // Several refusals in a row say more about the LRS (or a proxy before it) than about the
                    // statements: keep this one and the rest, and try again later.
                    count("failed")
                    logger.error(
                        "the LRS refused several xAPI statements in a row; delivery pauses and they wait",
                        metadata: ["status": "\(status)", "answer": "\(answer)"])
                    return .failed
                }
                try await store.rejectLearningRecord(item.id, reason: "HTTP \(status): \(answer)")
                count("rejected")
                logger.warning(
                    "the LRS refused an xAPI statement; it is set aside (flowlearn xapi requeue puts it back)",
                    metadata: ["statement": "\(statementID.uuidString.lowercased())", "kind": "\(record.kind.rawValue)", "status": "\(status)", "answer": "\(answer)"])
            case .unauthorized:
                try await confirm()
                count("failed")
                logger.error(
                    "the LRS refused FlowLearn's credentials; statements wait until they are fixed",
                    metadata: ["status": "\(status)", "variables": "\(settings.keyEnv), \(settings.secretEnv)"])
                return .failed
            case .retry:
                try await confirm()
                count("failed")
                let setAside = try await store.retryLearningRecord(
                    item.id, reason: "HTTP \(status) \(outcome.error ?? "")", maximumAttempts: Self.maximumAttempts)
                logger.warning(
                    setAside
                        ? "an xAPI statement failed \(Self.maximumAttempts) times and is set aside (flowlearn xapi requeue puts it back)"
                        : "the LRS did not take an xAPI statement; will try again",
                    metadata: ["status": "\(status)", "error": "\(outcome.error ?? "")", "pending_from": "\(item.id)"])
                return .failed
            }
        }
        try await confirm()
        return pending.count < settings.batchSize ? .empty : .more
    }

    func count(_ result: String) { totals.withLock { $0[result, default: 0] += 1 } }

    public var resultTotals: [String: Int] { totals.withLock { $0 } }

    public func run() async throws {
        // What a process killed mid-delivery held is sent again now (same ids: the LRS keeps one).
        if let taken = try? await store.requeueLearningRecordsInFlight(), taken > 0 {
            logger.notice("xAPI statements in flight when the last process stopped are sent again", metadata: ["statements": "\(taken)"])
        }
        var backoff = settings.retryBackoffSeconds
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let round: Round
            do {
                round = try await deliverOnce()
            } catch {
                logger.error("xAPI delivery round failed; will try again", metadata: ["error": "\(error)"])
                round = .failed
            }
            let wait: Double
            switch round {
            case .more:
                backoff = settings.retryBackoffSeconds
                continue
            case .empty:
                backoff = settings.retryBackoffSeconds
                wait = settings.intervalSeconds
            case .failed:
                wait = backoff
                backoff = min(backoff * 2, settings.maxBackoffSeconds)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
        }
    }

    /// The `/metrics` lines: statements by result since start, and what waits in the outbox.
    public func exposition() async -> String {
        let totals = resultTotals
        var text = """
            # HELP flowlearn_xapi_statements_total xAPI statements sent to the learning record store since start, by result (already_stored: 409, the LRS had that id; failed: tried again later).
            # TYPE flowlearn_xapi_statements_total counter

            """
        for result in Self.results { text += "flowlearn_xapi_statements_total{result=\"\(result)\"} \(totals[result] ?? 0)\n" }
        if let counts = try? await store.learningRecordCounts() {
            text += """
                # HELP flowlearn_xapi_pending xAPI statements waiting in the outbox.
                # TYPE flowlearn_xapi_pending gauge
                flowlearn_xapi_pending \(counts.pending)
                # HELP flowlearn_xapi_rejected xAPI statements the LRS refused, kept aside in the outbox.
                # TYPE flowlearn_xapi_rejected gauge
                flowlearn_xapi_rejected \(counts.rejected)

                """
        }
        return text
    }
}
