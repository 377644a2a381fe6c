import Synchronization

/// The decisions a matcher gave for recent questions, by exact wording. People ask the same
/// questions again and again ("how do I reset my password"), and a decision depends only on the
/// question and the content the matcher was built from, so a repeated question is answered without
/// embedding or ranking it again. The cache belongs to one matcher: a content reload builds a new
/// matcher and starts an empty cache.
///
/// Two generations bound the memory: lookups promote an entry from the older generation; when the
/// current one is full it becomes the older one and the oldest is dropped. So the questions asked
/// within the last `capacity` distinct questions stay, at most `2 × capacity` entries in all.
final class DecisionCache: Sendable {
    private struct Generations {
        var current: [String: MatchDecision] = [:]
        var previous: [String: MatchDecision] = [:]
        var hits = 0
        var misses = 0
    }

    /// Questions longer than this are not kept: a long message is rarely asked twice word for word.
    static let longestKept = 300

    let capacity: Int
    private let state = Mutex(Generations())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The decision kept for this wording, counting a hit or a miss.
    func decision(for question: String) -> MatchDecision? {
        guard question.utf8.count <= Self.longestKept else { return nil }
        return state.withLock { state in
            if let found = state.current[question] {
                state.hits += 1
                return found
            }
            guard let found = state.previous.removeValue(forKey: question) else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            Self.insert(found, for: question, into: &state, capacity: capacity)
            return found
        }
    }

    /// Whether a decision is kept for this wording (counts nothing).
    func contains(_ question: String) -> Bool {
        guard question.utf8.count <= Self.longestKept else { return false }
        return state.withLock { $0.current[question] != nil || $0.previous[question] != nil }
    }

    func keep(_ decision: MatchDecision, for question: String) {
        guard question.utf8.count <= Self.longestKept else { return }
        state.withLock { Self.insert(decision, for: question, into: &$0, capacity: capacity) }
    }

    /// Lookups answered from the cache, and those that were not.
    var counts: (hits: Int, misses: Int, entries: Int) {
        state.withLock { ($0.hits, $0.misses, $0.current.count + $0.previous.count) }
    }

    private static func insert(_ decision: MatchDecision, for question: String, into state: inout Generations, capacity: Int) {
        if state.current.count >= capacity {
            state.previous = state.current
            state.current = [:]
            state.current.reserveCapacity(capacity)
        }
        state.current[question] = decision
    }
}
