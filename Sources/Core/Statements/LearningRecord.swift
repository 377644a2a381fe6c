import Foundation

/// Something a person did that a learning record store should hear about, as plain facts: kept by
/// the store in the same transaction as the row it describes, turned into an xAPI statement later.
///
/// Facts only, no content: titles, prompts and choices are looked up when the statement is built,
/// so the outbox stays small and the store needs to know nothing about nuggets or xAPI.
public struct LearningRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A question to the assistant (answered or not).
        case asked
        /// A nugget given to a person: as an answer, or in a nudge.
        case experienced
        /// A quiz question answered.
        case answered
        /// A vote on an answer: helpful or not.
        case voted
    }

    public var kind: Kind
    /// When it happened, from the stored row (the statement's timestamp).
    public var at: Date
    public var platform: String
    /// The workspace (Slack team, Discord guild); empty where the platform has none.
    public var team: String
    public var user: String
    /// The stored row this record describes, as `table/key…`: with `kind`, the name the statement id
    /// is derived from, so the same row always gives the same statement id.
    public var source: String

    /// asked: the question's text, the outcome (`answered`, `choice`, `unknown`) and the matcher's confidence.
    public var question: String?
    public var outcome: String?
    public var confidence: Double?
    /// asked (when answered), experienced, voted: the nugget.
    public var nuggetID: String?
    /// experienced: `answer` or `nudge`.
    public var via: String?
    /// experienced (via an answer) and voted: the source of the `asked` record it follows.
    public var askedSource: String?
    /// answered: the quiz question, the quiz session, the picked choices and whether they were right.
    public var quizQuestionID: String?
    public var sessionID: String?
    public var picks: [Int]?
    public var correct: Bool?
    /// voted: helpful (true) or not helpful (false).
    public var helpful: Bool?

    public init(kind: Kind, at: Date, learner: Learner, source: String) {
        self.kind = kind
        self.at = at
        self.platform = learner.platform
        self.team = learner.team
        self.user = learner.user
        self.source = source
    }

    public var learner: Learner { Learner(platform: platform, team: team, user: user) }

    /// The name the statement id is derived from (UUIDv5): kind and source row.
    public var statementName: String { "\(kind.rawValue) \(source)" }

    /// Milliseconds since 1970, as sources name rows by time.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        return value.isFinite && abs(value) < 9e15 ? Int64(value) : 0
    }

    /// The source of a question log row's records.
    public static func questionSource(id: Int64, askedAt: Date) -> String { "question_log/\(id)/\(milliseconds(askedAt))" }

    /// JSON as the store keeps it (dates as milliseconds since 1970, keys sorted).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads what `encoded()` wrote; nil for a row that does not decode (never a trap).
    public static func decode(_ data: Data) -> LearningRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(LearningRecord.self, from: data)
    }
}

extension LearningRecordStore {
    /// `pendingLearningRecords(limit:at:)` as of the wall clock.
    public func pendingLearningRecords(limit: Int) async throws -> [PendingLearningRecord] {
        try await pendingLearningRecords(limit: limit, at: Date())
    }
}

/// A kept record waiting for delivery.
public struct PendingLearningRecord: Sendable, Hashable {
    /// The outbox row.
    public var id: Int64
    /// Nil when the stored row does not decode (it is set aside, not sent).
    public var record: LearningRecord?
    public var attempts: Int

    public init(id: Int64, record: LearningRecord?, attempts: Int) {
        self.id = id
        self.record = record
        self.attempts = attempts
    }
}

/// The outbox of learning records (xAPI statements to be): filled by the store in the same
/// transaction as the rows they describe while recording is on, emptied as the record store confirms.
public protocol LearningRecordStore: Sendable {
    /// Turns keeping records on or off for this process (on only when a record store is configured,
    /// so the outbox does not grow without anyone to send it to).
    func keepLearningRecords(_ on: Bool)
    /// Claims the oldest pending records for this replica, at most `limit`: those no other replica
    /// holds under a lease running at `now` (its own claims included, for a retry after a failure).
    /// Each is leased to this replica until `now` plus its lease duration.
    func pendingLearningRecords(limit: Int, at now: Date) async throws -> [PendingLearningRecord]
    /// The record store has them (stored, or already had them): forget them.
    func deliveredLearningRecords(_ ids: [Int64]) async throws
    /// The record store refused this one for good (or it does not decode): keep it aside with why, no longer pending.
    func rejectLearningRecord(_ id: Int64, reason: String) async throws
    /// Pending and set-aside records.
    func learningRecordCounts() async throws -> (pending: Int, rejected: Int)
    /// Whether a record is still waiting to be sent by this process (a person forgotten meanwhile, or
    /// another replica that took it over after this one's lease ran out: no longer).
    func isLearningRecordPending(_ id: Int64) async throws -> Bool
    /// A delivery failed for a reason that may pass (LRS down, 5xx): counts the attempt, and sets the
    /// record aside after `maximumAttempts`; returns whether it was set aside.
    func retryLearningRecord(_ id: Int64, reason: String, maximumAttempts: Int) async throws -> Bool
    /// At start: takes back the records an earlier process held when it stopped. SQLite (one process
    /// per file) takes back every lease at once; PostgreSQL none (claims take expired leases anyway,
    /// and a live replica's must stay). Returns how many.
    func requeueLearningRecordsInFlight() async throws -> Int
    /// Puts every set-aside record back in the queue (after the cause was fixed); returns how many.
    func requeueRejectedLearningRecords() async throws -> Int
}
