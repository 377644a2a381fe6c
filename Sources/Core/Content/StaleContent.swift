import Foundation

/// Nuggets whose `reviewed` date is older than the content team's review cycle
/// (`content.staleAfterDays`): `flowlearn lint` warns about them, `flowlearn content stale` lists
/// them by owner, most served first, so the owner knows what to check before it misleads someone.
public struct StalePolicy: Sendable, Hashable {
    /// Days after `reviewed` at which a nugget is stale; 0 turns the check off.
    public var afterDays: Int
    public var now: Date

    public init(afterDays: Int, now: Date) {
        self.afterDays = afterDays
        self.now = now
    }

    /// Whole days since `reviewed` (a `YYYY-MM-DD` date, midnight UTC); nil when it is not a date.
    public func age(of reviewed: String) -> Int? {
        guard let date = Self.date(reviewed) else { return nil }
        return Int((now.timeIntervalSince(date) / 86_400).rounded(.down))
    }

    /// Whether a nugget reviewed on this date is stale now.
    public func isStale(_ reviewed: String) -> Bool {
        guard afterDays > 0, let age = age(of: reviewed) else { return false }
        return age > afterDays
    }

    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// One stale nugget, as `flowlearn content stale` and the console list it.
public struct StaleNugget: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var owner: String
    public var reviewed: String
    public var daysSinceReview: Int
    /// Times it was the answer to a question (the question log, as far as it is kept).
    public var served: Int

    /// The stale nuggets of a pack, grouped by owner (owners in alphabetical order), most served first.
    public static func list(_ nuggets: [Nugget], served: [String: Int], policy: StalePolicy) -> [StaleNugget] {
        nuggets.compactMap { nugget -> StaleNugget? in
            guard policy.isStale(nugget.reviewed), let age = policy.age(of: nugget.reviewed) else { return nil }
            return StaleNugget(
                id: nugget.id, title: nugget.title, owner: nugget.owner, reviewed: nugget.reviewed, daysSinceReview: age,
                served: served[nugget.id] ?? 0)
        }
        .sorted { ($0.owner, -$0.served, $0.id) < ($1.owner, -$1.served, $1.id) }
    }
}
