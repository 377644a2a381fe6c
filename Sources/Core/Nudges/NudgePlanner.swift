import Foundation

/// A person's daily nudge subscription, made from chat (`/learn nudges on 09:30 security`).
public struct NudgeSubscription: Sendable, Hashable, Codable {
    public var learner: Learner
    /// Where the nudge is posted (Slack: the user id, which opens the direct conversation with the bot).
    public var channel: String
    public var time: LocalTime
    public var topics: [String]
    /// IANA name; nil until the platform told us (then the configured default applies).
    public var timeZone: String?
    public var pausedUntil: Date?
    public var enabled: Bool

    public init(
        learner: Learner, channel: String, time: LocalTime, topics: [String] = [], timeZone: String? = nil, pausedUntil: Date? = nil,
        enabled: Bool = true
    ) {
        self.learner = learner
        self.channel = channel
        self.time = time
        self.topics = topics
        self.timeZone = timeZone
        self.pausedUntil = pausedUntil
        self.enabled = enabled
    }
}

/// A "nugget of the day" in a channel, from the configuration file.
public struct ChannelNudge: Sendable, Hashable, Codable {
    public var platform = "slack"
    public var channel: String
    public var time: LocalTime
    public var timeZone: String
    public var weekdays: [String] = ["mon", "tue", "wed", "thu", "fri"]
    public var topics: [String] = []

    public init(platform: String = "slack", channel: String, time: LocalTime, timeZone: String, weekdays: [String] = ["mon", "tue", "wed", "thu", "fri"], topics: [String] = []) {
        self.platform = platform
        self.channel = channel
        self.time = time
        self.timeZone = timeZone
        self.weekdays = weekdays
        self.topics = topics
    }

    enum CodingKeys: String, CodingKey { case platform, channel, time, timeZone, weekdays, topics }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        platform = try c.decodeIfPresent(String.self, forKey: .platform) ?? "slack"
        channel = try c.decode(String.self, forKey: .channel)
        time = try c.decode(LocalTime.self, forKey: .time)
        timeZone = try c.decode(String.self, forKey: .timeZone)
        weekdays = try c.decodeIfPresent([String].self, forKey: .weekdays) ?? ["mon", "tue", "wed", "thu", "fri"]
        topics = try c.decodeIfPresent([String].self, forKey: .topics) ?? []
    }
}

/// What a nudge holds.
public enum NudgeContent: Sendable, Hashable, Codable {
    /// A spaced-repetition question that is due, answered with buttons.
    case question(id: String)
    /// A nugget the person has not seen yet.
    case nugget(id: String)
}

/// One nudge to send: to whom, what, when, and why; `key` makes planning it twice a no-op.
public struct PlannedNudge: Sendable, Hashable {
    public var key: String
    public var recipient: String
    public var platform: String
    public var channel: String
    public var learner: Learner?
    public var localDate: String
    public var slot: LocalTime
    public var dueAt: Date
    public var content: NudgeContent
    public var reason: String
}

/// What the planner knows about one person besides the subscription (read in bulk from the store).
public struct LearnerHistory: Sendable, Hashable {
    /// Question ids with a card due now, most overdue first.
    public var dueQuestions: [String] = []
    /// Nuggets already nudged, with when.
    public var seenNuggets: [String: Date] = [:]
    /// Topics of the person's recent questions, most recent first.
    public var askedTopics: [String] = []

    public init(dueQuestions: [String] = [], seenNuggets: [String: Date] = [:], askedTopics: [String] = []) {
        self.dueQuestions = dueQuestions
        self.seenNuggets = seenNuggets
        self.askedTopics = askedTopics
    }
}

/// Decides who gets which nudge at an instant. Pure: the clock, the subscriptions and each person's
/// history come in; planned nudges come out.
public struct NudgePlanner: Sendable {
    public var rules: NudgeRules
    public var defaultTimeZone: TimeZone
    let nuggets: [Nugget]
    let byTopic: [String: [Nugget]]
    let questions: [String: QuizQuestion]

    public init(nuggets: [Nugget], questions: [QuizQuestion], rules: NudgeRules = NudgeRules(), defaultTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.rules = rules
        self.defaultTimeZone = defaultTimeZone
        self.nuggets = nuggets.sorted { $0.id < $1.id }
        self.byTopic = Dictionary(grouping: self.nuggets, by: \.topic)
        self.questions = Dictionary(questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The key under which at most one nudge per recipient and local day is planned.
    public static func key(recipient: String, localDate: String, slot: LocalTime) -> String {
        "\(recipient)|\(localDate)|\(slot)"
    }

    /// The subscriptions whose slot is due at `now` (so only their histories need reading).
    public func due(_ subscriptions: [NudgeSubscription], at now: Date) -> [NudgeSubscription] {
        var slots: [String: Bool] = [:]
        return subscriptions.filter { subscription in
            guard subscription.enabled else { return false }
            if let paused = subscription.pausedUntil, now < paused { return false }
            let zoneName = subscription.timeZone ?? defaultTimeZone.identifier
            let memo = "\(zoneName)|\(subscription.time.minutes)"
            if let known = slots[memo] { return known }
            let isDue = rules.slot(
                subscription.time, days: rules.workingDays, zone: TimeZone(identifier: zoneName) ?? defaultTimeZone, at: now) != nil
            slots[memo] = isDue
            return isDue
        }
    }

    /// Personal nudges due at `now`.
    public func plan(_ subscriptions: [NudgeSubscription], histories: [String: LearnerHistory], at now: Date) -> [PlannedNudge] {
        var planned: [PlannedNudge] = []
        planned.reserveCapacity(subscriptions.count / 8)
        // Everyone in one zone with one time shares a slot: work each out once.
        var slots: [String: (instant: Date, localDate: String)?] = [:]
        for subscription in subscriptions where subscription.enabled {
            if let paused = subscription.pausedUntil, now < paused { continue }
            let zoneName = subscription.timeZone ?? defaultTimeZone.identifier
            let memo = "\(zoneName)|\(subscription.time.minutes)"
            let known = slots[memo]
            let computed = known ?? rules.slot(
                subscription.time, days: rules.workingDays, zone: TimeZone(identifier: zoneName) ?? defaultTimeZone, at: now)
            if known == nil { slots[memo] = .some(computed) }
            guard let slot = computed else { continue }
            let history = histories[subscription.learner.key] ?? LearnerHistory()
            guard let (content, reason) = pick(topics: subscription.topics, history: history, personal: subscription.learner.key) else {
                continue
            }
            let recipient = subscription.learner.key
            planned.append(PlannedNudge(
                key: Self.key(recipient: recipient, localDate: slot.localDate, slot: subscription.time), recipient: recipient,
                platform: subscription.learner.platform, channel: subscription.channel, learner: subscription.learner,
                localDate: slot.localDate, slot: subscription.time, dueAt: slot.instant, content: content, reason: reason))
        }
        return planned
    }

    /// Channel nudges ("nugget of the day") due at `now`; `seen` holds each channel's nudged nuggets.
    public func plan(_ channels: [ChannelNudge], seen: [String: [String: Date]], at now: Date) -> [PlannedNudge] {
        channels.compactMap { channel in
            let zone = TimeZone(identifier: channel.timeZone) ?? defaultTimeZone
            let days = channel.weekdays.compactMap(Weekday.init(name:))
            guard let slot = rules.slot(channel.time, days: days, zone: zone, at: now) else { return nil }
            let recipient = "\(channel.platform):channel:\(channel.channel)"
            let history = LearnerHistory(seenNuggets: seen[recipient] ?? [:])
            guard let (content, reason) = pick(topics: channel.topics, history: history, personal: recipient, questionsAllowed: false) else {
                return nil
            }
            return PlannedNudge(
                key: Self.key(recipient: recipient, localDate: slot.localDate, slot: channel.time), recipient: recipient,
                platform: channel.platform, channel: channel.channel, learner: nil, localDate: slot.localDate, slot: channel.time,
                dueAt: slot.instant, content: content, reason: "nugget of the day; " + reason)
        }
    }

    /// First a due review question, else a nugget not seen yet from the subscribed topics, then from the
    /// topics the person asked about, then from anything; when every nugget in scope was seen, the one
    /// seen longest ago. Among unseen nuggets the order is a per-person shuffle, stable across runs.
    func pick(topics: [String], history: LearnerHistory, personal: String, questionsAllowed: Bool = true) -> (NudgeContent, String)? {
        if questionsAllowed, let due = history.dueQuestions.first(where: { questions[$0] != nil }) {
            return (.question(id: due), "review question \(due) is due")
        }
        let seed = Self.seed(personal)
        func freshest(_ candidates: [Nugget]) -> Nugget? {
            var best: (order: UInt64, nugget: Nugget)?
            for nugget in candidates where history.seenNuggets[nugget.id] == nil {
                let order = Self.order(seed, nugget.id)
                if best == nil || order < best!.order { best = (order, nugget) }
            }
            return best?.nugget
        }
        if let choice = freshest(topics.flatMap { byTopic[$0] ?? [] }) {
            return (.nugget(id: choice.id), "unseen nugget \(choice.id), from your topics")
        }
        if let choice = freshest(history.askedTopics.flatMap { byTopic[$0] ?? [] }) {
            return (.nugget(id: choice.id), "unseen nugget \(choice.id), from topics you asked about")
        }
        if topics.isEmpty, let choice = freshest(nuggets) {
            return (.nugget(id: choice.id), "unseen nugget \(choice.id), new to you")
        }
        let scope = topics.isEmpty ? nuggets : topics.flatMap { byTopic[$0] ?? [] }
        guard let oldest = scope.min(by: { (history.seenNuggets[$0.id] ?? .distantPast) < (history.seenNuggets[$1.id] ?? .distantPast) })
        else { return nil }
        return (.nugget(id: oldest.id), "every nugget in scope seen; \(oldest.id) was seen longest ago")
    }

    /// FNV-1a over `key|`, continued per nugget id by `order`.
    static func seed(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (hash ^ UInt64(UInt8(ascii: "|"))) &* 0x100_0000_01b3
    }

    static func order(_ seed: UInt64, _ id: String) -> UInt64 {
        var hash = seed
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
