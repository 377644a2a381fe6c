import Foundation

/// A nudge ready to be sent, as the outbox keeps it. The request is stored without secrets; the
/// delivery worker adds the platform's credentials when it sends.
public struct NudgeOutboxItem: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, sending, sent, dead
    }

    public var id: Int64
    public var key: String
    public var recipient: String
    public var platform: String
    public var channel: String
    public var localDate: String
    public var dueAt: Date
    public var content: NudgeContent
    public var reason: String
    public var request: OutboundRequest
    public var state: State
    public var attempts: Int
    public var lastError: String?

    public init(
        id: Int64 = 0, key: String, recipient: String, platform: String, channel: String, localDate: String, dueAt: Date,
        content: NudgeContent, reason: String, request: OutboundRequest, state: State = .pending, attempts: Int = 0, lastError: String? = nil
    ) {
        self.id = id
        self.key = key
        self.recipient = recipient
        self.platform = platform
        self.channel = channel
        self.localDate = localDate
        self.dueAt = dueAt
        self.content = content
        self.reason = reason
        self.request = request
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// Counts of the outbox by state, and the nudges that gave up.
public struct NudgeOutboxStatus: Sendable, Hashable {
    public var counts: [NudgeOutboxItem.State: Int]
    public var dead: [NudgeOutboxItem]
    public var subscribers: Int

    public init(counts: [NudgeOutboxItem.State: Int], dead: [NudgeOutboxItem], subscribers: Int) {
        self.counts = counts
        self.dead = dead
        self.subscribers = subscribers
    }
}

/// What nudges keep: subscriptions, the durable outbox, feedback. Every change is one transaction.
public protocol NudgeStore: Sendable {
    func subscription(for learner: Learner) async throws -> NudgeSubscription?
    func saveSubscription(_ subscription: NudgeSubscription) async throws
    func setTimeZone(_ zone: String, for learner: Learner) async throws
    /// Every enabled subscription.
    func subscriptions() async throws -> [NudgeSubscription]
    /// Due review questions, nudged nuggets and asked-about topics of these people, in bulk;
    /// `topicOf` maps a nugget id to its topic.
    func histories(for learners: [Learner], at now: Date, topicOf: [String: String]) async throws -> [String: LearnerHistory]
    /// Nuggets nudged to each channel recipient, with when.
    func channelHistory() async throws -> [String: [String: Date]]
    /// Adds planned nudges to the outbox; one per recipient and local day, so planning twice adds
    /// nothing. A question nudge's one-question quiz session is saved in the same transaction.
    /// Returns how many were added.
    func enqueue(_ items: [(item: NudgeOutboxItem, session: QuizSession?)]) async throws -> Int
    /// Claims up to `limit` nudges due by `now` for this replica and returns them (marked sending),
    /// oldest first: pending ones, and ones left sending by a replica whose lease has expired (it
    /// died or stopped mid-send). Each is leased to this replica until `now` plus its lease duration;
    /// no two replicas hold the same nudge at once.
    func claimNudges(dueBy now: Date, limit: Int) async throws -> [NudgeOutboxItem]
    /// Extends this replica's leases on nudges it is still sending, to `now` plus the lease duration;
    /// returns how many it still held.
    func renewNudgeLeases(_ ids: [Int64], at now: Date) async throws -> Int
    /// Sent: the lease ends with it.
    func markSent(_ id: Int64, at: Date) async throws
    /// A failed attempt: back to pending at `retryAt`, or dead when `retryAt` is nil; the lease ends.
    func markFailed(_ id: Int64, error: String, retryAt: Date?) async throws
    /// At start: nudges left "sending" by an earlier process that may be taken back now go back to
    /// pending. SQLite (one process per file): all of them, so a restart after a crash resends at
    /// once; PostgreSQL (several replicas): those whose lease has expired by `now`. Returns how many.
    func requeueInFlight(at now: Date) async throws -> Int
    func nudgeStatus(deadLimit: Int) async throws -> NudgeOutboxStatus
    func recordFeedback(nudgeKey: String, learner: Learner, useful: Bool, at: Date) async throws
}

extension NudgeStore {
    /// `requeueInFlight(at:)` as of the wall clock.
    public func requeueInFlight() async throws -> Int { try await requeueInFlight(at: Date()) }
}

/// `/learn nudges …`: subscribe, unsubscribe, pause, resume, status.
public struct NudgeDesk: Sendable {
    public var rules: NudgeRules
    public var defaultTime: LocalTime
    public var defaultTimeZone: String
    public let topics: [String]

    public init(rules: NudgeRules, defaultTime: LocalTime, defaultTimeZone: String, topics: [String]) {
        self.rules = rules
        self.defaultTime = defaultTime
        self.defaultTimeZone = defaultTimeZone
        self.topics = topics
    }

    /// Whether a command text is for the nudge desk (`nudges …`, `nudge …`).
    public static func handles(_ text: String) -> Bool {
        let first = text.firstWord
        guard first.utf8.count == 5 || first.utf8.count == 6 else { return false }
        let word = first.lowercased()
        return word == "nudges" || word == "nudge"
    }

    /// Handles the words after `nudges`. `channel` is where personal nudges go (Slack: the user id;
    /// Matrix: the direct chat). `command` is what people type before `nudges` (empty: nothing).
    public func command(_ text: String, learner: Learner, channel: String, at now: Date, store: some NudgeStore, command: String = "/learn")
        async throws -> String
    {
        let prefix = command.isEmpty ? "" : command + " "
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if let first = words.first, ["nudges", "nudge"].contains(first.lowercased()) { words.removeFirst() }
        let verb = words.first?.lowercased()
        let rest = Array(words.dropFirst())
        let current = try await store.subscription(for: learner)
        switch verb {
        case "on", "start", "subscribe":
            var time = current?.time ?? defaultTime
            var chosen: [String] = []
            var zone: String?
            for word in rest {
                if let parsed = LocalTime(word) {
                    time = parsed
                } else if let named = Self.timeZone(word) {
                    zone = named
                } else if let topic = matchTopic(word) {
                    if !chosen.contains(topic) { chosen.append(topic) }
                } else {
                    return "I don't know \"\(word)\": give a time like 09:30, a time zone like Europe/Berlin, and topics from: \(topics.joined(separator: ", "))."
                }
            }
            if rules.isQuiet(time) {
                return "\(time) is inside quiet hours (\(rules.quietStart)–\(rules.quietEnd)): pick a time between \(rules.quietEnd) and \(rules.quietStart)."
            }
            var subscription = current ?? NudgeSubscription(learner: learner, channel: channel, time: time)
            subscription.time = time
            subscription.channel = channel
            subscription.topics = chosen.isEmpty ? (current?.topics ?? []) : chosen
            if let zone { subscription.timeZone = zone }
            subscription.enabled = true
            subscription.pausedUntil = nil
            try await store.saveSubscription(subscription)
            return "Nudges are on: one short nugget or review question at \(time) your time (\(subscription.timeZone ?? defaultTimeZone)) on working days"
                + (subscription.topics.isEmpty ? "." : ", about \(subscription.topics.joined(separator: ", ")).")
                + " `\(prefix)nudges off` stops them."
        case "off", "stop", "unsubscribe":
            guard var subscription = current, subscription.enabled else { return "Nudges are already off." }
            subscription.enabled = false
            try await store.saveSubscription(subscription)
            return "Nudges are off. `\(prefix)nudges on` brings them back."
        case "pause":
            guard var subscription = current, subscription.enabled else { return "You have no nudges to pause: `\(prefix)nudges on` starts them." }
            guard let requested = rest.first.flatMap(Self.pauseLength) else {
                return "How long? For example `\(prefix)nudges pause 2w` (days: 3d, weeks: 2w)."
            }
            guard case .seconds(let length) = requested else {
                return "A pause can last a year at most: for example `\(prefix)nudges pause 52w`, or `\(prefix)nudges off` to stop them."
            }
            let until = now.addingTimeInterval(length)
            subscription.pausedUntil = until
            try await store.saveSubscription(subscription)
            return "Nudges paused until \(Self.day(until, zone: subscription.timeZone ?? defaultTimeZone)). `\(prefix)nudges resume` restarts them sooner."
        case "resume", "unpause":
            guard var subscription = current, subscription.enabled else { return "You have no nudges: `\(prefix)nudges on` starts them." }
            subscription.pausedUntil = nil
            try await store.saveSubscription(subscription)
            return "Nudges resumed: the next one comes at \(subscription.time) on a working day."
        case "status", nil:
            guard let subscription = current, subscription.enabled else {
                return "Nudges are off. `\(prefix)nudges on [HH:MM] [topic …]` gets you one short nugget a working day."
            }
            var text = "Nudges are on at \(subscription.time) (\(subscription.timeZone ?? defaultTimeZone)) on working days"
            text += subscription.topics.isEmpty ? "" : ", about \(subscription.topics.joined(separator: ", "))"
            if let paused = subscription.pausedUntil, paused > now {
                text += "; paused until \(Self.day(paused, zone: subscription.timeZone ?? defaultTimeZone))"
            }
            return text + "."
        default:
            return "Nudges: `\(prefix)nudges on [HH:MM] [topic …]`, `\(prefix)nudges off`, `\(prefix)nudges pause 2w`, "
                + "`\(prefix)nudges resume`, `\(prefix)nudges status`."
        }
    }

    /// An IANA time zone name (`Europe/Berlin`, `UTC`), as the system knows it; nil for anything else.
    static func timeZone(_ word: String) -> String? {
        guard word.contains("/") || word.uppercased() == "UTC" else { return nil }
        let known = TimeZone.knownTimeZoneIdentifiers.first { $0.lowercased() == word.lowercased() } ?? (word.uppercased() == "UTC" ? "UTC" : nil)
        return known.flatMap { TimeZone(identifier: $0) == nil ? nil : $0 }
    }

    func matchTopic(_ word: String) -> String? {
        let wanted = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ",;"))
        if topics.contains(wanted) { return wanted }
        let candidates = topics.filter { $0.hasPrefix(wanted) || $0.split(separator: "-").contains { $0.hasPrefix(wanted) } }
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// A pause as asked for: its length, or longer than a year (refused with a reason).
    enum PauseLength: Equatable {
        case seconds(TimeInterval)
        case tooLong
    }

    /// `3d`, `2w`, `1m` (30 days), `10` (days) → seconds; more than a year is `.tooLong`, whatever the
    /// number (no arithmetic on it can overflow); nil when it is not a length at all.
    static func pauseLength(_ text: String) -> PauseLength? {
        let lower = text.lowercased()
        let unit = lower.last.flatMap { $0.isLetter ? $0 : nil }
        let number = unit == nil ? lower : String(lower.dropLast())
        guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber) else { return nil }
        let perUnit: Int
        switch unit {
        case nil, "d": perUnit = 1
        case "w": perUnit = 7
        case "m": perUnit = 30
        default: return nil
        }
        guard let count = Int(number) else { return .tooLong }  // digits only, so too large for Int
        guard count > 0 else { return nil }
        guard count <= 366 / perUnit + 1 else { return .tooLong }
        let days = count * perUnit
        return days <= 366 ? .seconds(TimeInterval(days) * 86_400) : .tooLong
    }

    /// `pauseLength` in seconds, nil unless it is a length of at most a year.
    static func duration(_ text: String) -> TimeInterval? {
        if case .seconds(let seconds) = pauseLength(text) { return seconds }
        return nil
    }

    static func day(_ date: Date, zone: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
