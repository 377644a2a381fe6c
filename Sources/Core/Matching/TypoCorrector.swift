/// Finds the known word a misspelt one was meant to be: one insertion, deletion, substitution or swap of
/// neighbours away ("reimbursment" → "reimbursement", "vnp" → "vpn").
///
/// Every known word of four letters or more is stored under itself and under each form with one letter
/// removed; a query word meets its candidates through the same removals (the symmetric-delete method),
/// so a look-up costs a handful of hash probes instead of a scan of the vocabulary.
struct TypoCorrector: Sendable {
    static let minimumLength = 4
    private var variants: [String: [Int32]] = [:]
    private var words: [[Unicode.Scalar]] = []
    private var frequencies: [Int] = []
    /// The longest known word: a word two or more letters longer is no typo of any, and skipping it
    /// keeps a pasted 40,000-character token from costing its length squared in deletions.
    private var longest = 0

    /// - Parameter vocabulary: known words with how many documents use each (the tie-breaker).
    init(vocabulary: [String: Int]) {
        for (word, frequency) in vocabulary.sorted(by: { $0.key < $1.key }) {
            let scalars = Array(word.unicodeScalars)
            guard scalars.count >= Self.minimumLength else { continue }
            let id = Int32(words.count)
            words.append(scalars)
            frequencies.append(frequency)
            longest = max(longest, scalars.count)
            for variant in Self.deletions(scalars, includingSelf: true) {
                variants[variant, default: []].append(id)
            }
        }
    }

    /// The closest known word, preferring the most widely used; nil when none is one edit away.
    func correct(_ word: String) -> String? {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count >= Self.minimumLength, scalars.count <= longest + 1 else { return nil }
        var best: Int32?
        for variant in Self.deletions(scalars, includingSelf: true) {
            guard let candidates = variants[variant] else { continue }
            for candidate in candidates where Self.withinOneEdit(scalars, words[Int(candidate)]) {
                if best == nil || frequencies[Int(candidate)] > frequencies[Int(best!)] { best = candidate }
            }
        }
        return best.map { String(String.UnicodeScalarView(words[Int($0)])) }
    }

    static func deletions(_ scalars: [Unicode.Scalar], includingSelf: Bool) -> Set<String> {
        var out: Set<String> = includingSelf ? [String(String.UnicodeScalarView(scalars))] : []
        for index in scalars.indices {
            var copy = scalars
            copy.remove(at: index)
            out.insert(String(String.UnicodeScalarView(copy)))
        }
        return out
    }

    /// Optimal-string-alignment distance ≤ 1 (a swap of neighbours counts as one edit).
    static func withinOneEdit(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Bool {
        if a == b { return false }  // identical words are not typos of each other
        if abs(a.count - b.count) > 1 { return false }
        var i = 0
        while i < min(a.count, b.count), a[i] == b[i] { i += 1 }
        if a.count == b.count {
            if a[(i + 1)...] == b[(i + 1)...] { return true }  // substitution
            return i + 1 < a.count && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)...] == b[(i + 2)...]
        }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        return long[(i + 1)...] == short[i...]
    }
}
