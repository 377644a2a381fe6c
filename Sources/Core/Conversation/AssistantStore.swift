import Foundation

/// What the assistant keeps: processed event ids (so a retried delivery is answered once) and the
/// question log. SQLite implements it; another engine can slot in behind the same protocol.
public protocol AssistantStore: Sendable {
    /// Records that an event was taken, and its question with it, in one transaction; false (and
    /// nothing written) when the event had been taken before: a retry or a duplicate delivery.
    func claimEvent(platform: String, eventID: String, at: Date, logging entry: QuestionLogEntry?) async throws -> Bool
    func record(_ entry: QuestionLogEntry) async throws
    /// Most recent first.
    func recentQuestions(unansweredOnly: Bool, limit: Int) async throws -> [QuestionLogEntry]
    /// How many logged questions had each outcome (for `/metrics`).
    func questionCounts() async throws -> [QuestionLogEntry.Outcome: Int]
    /// Per nugget, how many logged questions it answered outright.
    func servedCounts() async throws -> [String: Int]
    /// Writes and commits a heartbeat row: throws when the store cannot take writes (for `/readyz`).
    func checkWritable(at: Date) async throws
    /// Records a person's vote on an answer (once per person and answer; a second vote changes it).
    func recordAnswerVote(answerID: String, learner: Learner, helpful: Bool, at: Date) async throws -> AnswerVote
    /// The id of the last answer given to this person since `since`, for a typed +1 / -1.
    func latestAnswer(for learner: Learner, since: Date) async throws -> String?
    /// Votes on answers so far: helpful and not helpful.
    func answerVoteCounts() async throws -> (helpful: Int, notHelpful: Int)
    /// Questions asked since `since` that were not answered outright ("no nugget yet", or a "did you
    /// mean"), oldest first, at most `limit`: the content gaps.
    func unansweredQuestions(since: Date, limit: Int) async throws -> [QuestionLogEntry]
    /// What the learning team decided about gap clusters, by cluster key.
    func gapStatuses() async throws -> [String: GapStatus]
    func setGapStatus(_ status: GapStatus, key: String, at: Date) async throws

    /// Counts an attempt at handling an inbound event, before handling it, in its own transaction:
    /// an event that made the server fail or crash `EventAdmission.maximumAttempts` times is set
    /// aside as poisoned and skipped from then on, instead of crashing the server at every resend.
    func beginEvent(platform: String, eventID: String, at: Date) async throws -> EventAdmission
    /// Notes why handling an event failed (the reason kept if it is poisoned later).
    func failEvent(platform: String, eventID: String, reason: String) async throws
    /// Poisoned events, newest first.
    func poisonedEvents(limit: Int) async throws -> [PoisonedEvent]
}

/// Whether to handle an inbound event.
public enum EventAdmission: Sendable, Hashable {
    /// Handle it; this is attempt number `attempt` (1, then 2 after a failure or crash).
    case handle(attempt: Int)
    /// Handled before (a retry or a duplicate delivery).
    case done
    /// It failed or crashed too often: skipped.
    case poisoned

    public static let maximumAttempts = 2
}

/// An inbound event set aside after failing or crashing twice.
public struct PoisonedEvent: Sendable, Hashable {
    public var platform: String
    public var eventID: String
    public var attempts: Int
    public var reason: String
    public var firstSeen: Date
    public var poisonedAt: Date

    public init(platform: String, eventID: String, attempts: Int, reason: String, firstSeen: Date, poisonedAt: Date) {
        self.platform = platform
        self.eventID = eventID
        self.attempts = attempts
        self.reason = reason
        self.firstSeen = firstSeen
        self.poisonedAt = poisonedAt
    }
}

/// Everything FlowLearn keeps, as one store (SQLite implements all of it).
public typealias LearningStore = AssistantStore & QuizStore & NudgeStore & RoomStore & ReplyStore & RetentionStore & PrivacyStore
    & InsightsStore & LearningRecordStore

/// Replies between the acknowledgement and the post, so a crash or restart does not lose them. Secret
/// headers are not kept: the platform's credentials are added again when a kept reply is sent.
///
/// A kept batch is either queued (held in a process's memory for sending) or waiting in the store
/// only, when the in-memory queue was full: the outbox claims waiting batches as it has room.
public protocol ReplyStore: Sendable {
    /// Keeps requests that must be sent in this order; returns their batch's id. `queued`: the caller
    /// holds them in memory and sends them, under this replica's lease from `at`; false: they wait to
    /// be claimed.
    func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date, queued: Bool, requestID: String?) async throws -> Int64
    /// Claims up to `limit` batches for this replica and returns them, oldest first: waiting ones, and
    /// queued ones whose lease expired by `now` (the replica that kept them died). Each is leased to
    /// this replica until `now` plus its lease duration.
    func claimKeptReplies(limit: Int, at now: Date) async throws -> [KeptReplies]
    /// Extends this replica's leases on batches it holds, to `now` plus the lease duration; returns
    /// the ones it still holds (a batch missing was taken by another replica after its lease expired).
    func renewReplyLeases(_ ids: [Int64], at now: Date) async throws -> Set<Int64>
    /// At start: marks the kept batches that may be taken back now waiting. SQLite (one process per
    /// file): all of them, the memory that held the queued ones is gone; PostgreSQL (several
    /// replicas): those whose lease has expired by `now`. Returns how many.
    func requeueKeptReplies(at now: Date) async throws -> Int
    /// The batch was sent (or given up on): forget it.
    func forgetReplies(_ id: Int64) async throws
    /// Batches kept and not yet forgotten, oldest first.
    func keptReplies() async throws -> [KeptReplies]
}

extension ReplyStore {
    /// Keeps requests the caller sends itself (queued).
    public func keepReplies(_ requests: [OutboundRequest], platform: String, at: Date) async throws -> Int64 {
        try await keepReplies(requests, platform: platform, at: at, queued: true, requestID: nil)
    }

    /// `claimKeptReplies(limit:at:)` as of the wall clock.
    public func claimKeptReplies(limit: Int) async throws -> [KeptReplies] { try await claimKeptReplies(limit: limit, at: Date()) }

    /// `requeueKeptReplies(at:)` as of the wall clock.
    public func requeueKeptReplies() async throws -> Int { try await requeueKeptReplies(at: Date()) }
}

public struct KeptReplies: Sendable, Hashable {
    public var id: Int64
    public var platform: String
    /// In order; secret headers left out.
    public var requests: [OutboundRequest]
    /// Per request: whether it carried secret headers (the platform's credentials go back on).
    public var needsCredentials: [Bool]
    /// When it was kept.
    public var keptAt: Date
    /// The inbound request that caused it, for the log lines of its delivery.
    public var requestID: String?

    public init(
        id: Int64, platform: String, requests: [OutboundRequest], needsCredentials: [Bool], keptAt: Date = .distantPast, requestID: String? = nil
    ) {
        self.requestID = requestID
        self.id = id
        self.platform = platform
        self.requests = requests
        self.needsCredentials = needsCredentials
        self.keptAt = keptAt
    }

    /// How long a request's own credential stays valid, for requests whose URL is the secret: a
    /// Slack `response_url` (30 minutes) and a Discord interaction webhook (15 minutes). Past it the
    /// request can only fail, and the secret must not be kept.
    public static func validity(platform: String, request: OutboundRequest, needsCredentials: Bool) -> TimeInterval? {
        if platform == "discord", request.url.contains("/webhooks/") { return 15 * 60 }
        if platform == "slack", !needsCredentials { return 30 * 60 }
        return nil
    }
}

/// Rooms the bot is in, per platform, and whether each is a direct chat (answered without a mention).
public protocol RoomStore: Sendable {
    func setRoom(platform: String, room: String, isDirect: Bool) async throws
    func isDirectRoom(platform: String, room: String) async throws -> Bool
}

/// How a store has written since it opened, for `/metrics`: requests' writes committed together
/// (group commit) and the background checkpoints of its write-ahead log. A store without such
/// machinery (PostgreSQL commits each change itself) does not conform.
public protocol WriteCounting: Sendable {
    var writeCounters: WriteCounters { get }
}

public struct WriteCounters: Sendable, Equatable {
    /// Transactions the group committer committed, and the requests' writes they held.
    public var commits: Int
    public var writes: Int
    /// Background checkpoint passes, and those that failed (nil: no background checkpoints).
    public var checkpointPasses: Int?
    public var checkpointFailures: Int?

    public init(commits: Int, writes: Int, checkpointPasses: Int? = nil, checkpointFailures: Int? = nil) {
        self.commits = commits
        self.writes = writes
        self.checkpointPasses = checkpointPasses
        self.checkpointFailures = checkpointFailures
    }
}
