import Synchronization

/// The decisions a matcher gave for recent questions, by wording. People ask the same questions
/// again and again ("how do I reset my password"), and a decision depends only on the question and
/// the content the matcher was built from, so a repeated question is answered without embedding or
/// ranking it again. The cache belongs to one matcher: a content reload builds a new matcher and
/// starts an empty cache.
///
/// Wordings that differ only in ASCII letter case and in runs of spaces, tabs and line breaks share
/// an entry ("How do I  reset my Password?" and "how do i reset my password?"): every engine reads
/// text that way (the keyword tokenizer and the uncased WordPiece tokenizer both lower-case letters
/// and split on white space), so their decisions are the same (tested on the starter pack's
/// questions with both engines). Other differences, non-ASCII case among them, are other entries.
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
    func decision(for wording: String) -> MatchDecision? {
        guard let question = Self.key(wording) else { return nil }
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
    func contains(_ wording: String) -> Bool {
        guard let question = Self.key(wording) else { return false }
        return state.withLock { $0.current[question] != nil || $0.previous[question] != nil }
    }

    func keep(_ decision: MatchDecision, for wording: String) {
        guard let question = Self.key(wording) else { return }
        state.withLock { Self.insert(decision, for: question, into: &$0, capacity: capacity) }
    }

    /// Lookups answered from the cache, and those that were not.
    var counts: (hits: Int, misses: Int, entries: Int) {
        state.withLock { ($0.hits, $0.misses, $0.current.count + $0.previous.count) }
    }

    /// The entry a wording is kept under: ASCII letters lower-cased, each run of spaces, tabs and line
    /// breaks one space, none at the ends; nil for a wording too long to keep. Most wordings need no
    /// change and are their own key, and so is one with a `[` (it may hold a special token).
    static func key(_ wording: String) -> String? {
        let bytes = wording.utf8
        guard bytes.count <= longestKept else { return nil }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        // The encoder reads [CLS], [SEP] and the like typed in a question case-sensitively: such a
        // wording is kept as it is.
        if bytes.contains(UInt8(ascii: "[")) { return wording }
        var plain = true
        var previous: UInt8 = 0x20  // a space before the start: one at the start is a change
        for byte in bytes {
            if (0x41...0x5A).contains(byte) || (isSpace(byte) && (byte != 0x20 || previous == 0x20)) {
                plain = false
                break
            }
            previous = byte
        }
        if plain, previous != 0x20 || bytes.isEmpty { return wording }
        var key: [UInt8] = []
        key.reserveCapacity(bytes.count)
        var pendingSpace = false
        for byte in bytes {
            if isSpace(byte) {
                pendingSpace = !key.isEmpty
                continue
            }
            if pendingSpace { key.append(0x20) }
            pendingSpace = false
            key.append((0x41...0x5A).contains(byte) ? byte + 32 : byte)
        }
        return String(decoding: key, as: UTF8.self)
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
