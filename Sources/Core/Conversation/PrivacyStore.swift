import Foundation

/// Everything stored about one person, for a data-subject request: read it all out, or erase it.
public protocol PrivacyStore: Sendable {
    /// Every row about the person, by table, as a JSON object (`{"table": [{column: value}]}`).
    func exportPerson(_ learner: Learner) async throws -> Data
    /// Deletes the person's rows everywhere (quizzes, cards, reviews, subscriptions, feedback, nudges
    /// planned for them) and anonymises their questions in the question log (the text stays for the
    /// content team, without who asked or where). Returns the rows changed per table.
    func forgetPerson(_ learner: Learner) async throws -> [String: Int]
}

extension Learner {
    /// Reads `platform:team:user` (or `platform:user` where there are no teams), as the CLI takes it.
    public init?(key: String) {
        let parts = key.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 3 where !parts[0].isEmpty && !parts[2].isEmpty: self.init(platform: parts[0], team: parts[1], user: parts[2])
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: self.init(platform: parts[0], user: parts[1])
        default: return nil
        }
    }

    /// The workspace part of the key.
    public var team: String {
        let parts = key.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[1]) : ""
    }
}
