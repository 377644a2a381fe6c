import Foundation

/// Maps text to TF-IDF feature vectors over words, word pairs and character n-grams, with the
/// vocabulary and idf learned from the training texts. Words and character n-grams are weighted and
/// L2-normalised as two blocks, so neither drowns the other.
public struct TextVectorizer: Sendable {
    let stemmer: SnowballStemmer
    let hasher = FeatureHasher()
    /// Stems of the words seen in training, so queries rarely need the (locked) stemmer.
    private(set) var stems: [String: String] = [:]
    private(set) var ids = FeatureTable(capacity: 0)
    private(set) var idf: [Float] = []

    public var featureCount: Int { idf.count }
    /// The idf of a feature seen once: the weight of a word the training texts never used.
    private(set) var rarestIDF: Float = 1
    /// Words that say nothing about the subject, left out of `coverage`.
    var stopwords: Set<String> = []

    /// Learns the vocabulary from `texts`; returns the vectorizer and the texts' vectors.
    static func fit(_ texts: [String], stemmer: SnowballStemmer, stopwords: Set<String>) -> (TextVectorizer, [SparseVector]) {
        var vectorizer = TextVectorizer(stemmer: stemmer)
        vectorizer.stopwords = stopwords
        var rows: [(words: [UInt64], chars: [UInt64])] = []
        rows.reserveCapacity(texts.count)
        var frequency: [UInt64: Int32] = [:]
        for text in texts {
            let keys = vectorizer.keys(text, learning: true)
            rows.append(keys)
            for key in Set(keys.words).union(keys.chars) { frequency[key, default: 0] += 1 }
        }
        let total = Float(texts.count)
        vectorizer.ids = FeatureTable(capacity: frequency.count)
        for (key, df) in frequency.sorted(by: { $0.key < $1.key }) {
            vectorizer.ids.insert(key, Int32(vectorizer.idf.count))
            vectorizer.idf.append(log((1 + total) / (1 + Float(df))) + 1)
        }
        vectorizer.rarestIDF = log((1 + total) / 2) + 1
        return (vectorizer, rows.map { vectorizer.vector(words: $0.words, chars: $0.chars) })
    }

    init(stemmer: SnowballStemmer) {
        self.stemmer = stemmer
    }

    /// The vector of a text; features never seen in training are left out.
    public func vector(_ text: String) -> SparseVector {
        analyse(text).vector
    }

    /// The vector, and the share (0…1) of the text's content words the training texts know, weighted
    /// by rarity. A word counts fully when seen in training, and by the share of its character
    /// n-grams seen otherwise, so a typo still counts most of the way and an unrelated word does not.
    public func analyse(_ text: String) -> (vector: SparseVector, coverage: Double) {
        analyse(tokens: Tokenizer.tokens(text))
    }

    /// `analyse` for a text already split into tokens.
    public func analyse(tokens: [String]) -> (vector: SparseVector, coverage: Double) {
        let stemmed = tokens.map { token in stems[token] ?? stemmer.stem(token) }
        let keys = hasher.keys(tokens: tokens, stems: stemmed)
        return (vector(words: keys.words, chars: keys.chars), coverage(tokens: tokens, stems: stemmed))
    }

    private func coverage(tokens: [String], stems: [String]) -> Double {
        let rarest = rarestIDF
        var known: Float = 0
        var total: Float = 0
        for (token, stem) in zip(tokens, stems) where !stopwords.contains(token) {
            if let id = ids.find(FeatureHasher.hash(.word, stem)) {
                known += idf[Int(id)]
                total += idf[Int(id)]
                continue
            }
            let grams = hasher.keys(tokens: [token], stems: []).chars
            let found = grams.reduce(0) { $0 + (ids.find($1) == nil ? 0 : 1) }
            known += rarest * Float(found) / Float(max(1, grams.count))
            total += rarest
        }
        return total > 0 ? Double(known / total) : 0
    }

    private mutating func keys(_ text: String, learning: Bool) -> (words: [UInt64], chars: [UInt64]) {
        let tokens = Tokenizer.tokens(text)
        let stemmed = tokens.map { token -> String in
            if let stem = stems[token] { return stem }
            let stem = stemmer.stem(token)
            if learning { stems[token] = stem }
            return stem
        }
        return hasher.keys(tokens: tokens, stems: stemmed)
    }

    private func vector(words: [UInt64], chars: [UInt64]) -> SparseVector {
        var result = SparseVector()
        result.indices.reserveCapacity(words.count + chars.count)
        result.values.reserveCapacity(words.count + chars.count)
        append(words, to: &result)
        append(chars, to: &result)
        return result
    }

    /// Adds one block: sublinear tf × idf, L2-normalised within the block. Repeated keys are counted
    /// in a small open-addressing table (no sort: this runs for every question).
    private func append(_ keys: [UInt64], to vector: inout SparseVector) {
        guard !keys.isEmpty else { return }
        var size = 16
        while size < keys.count * 2 { size <<= 1 }
        let mask = size - 1
        let start = vector.values.count
        var norm: Float = 0
        withUnsafeTemporaryAllocation(of: (id: Int32, count: Int32).self, capacity: size) { slots in
            slots.initialize(repeating: (-1, 0))
            var used: [Int] = []
            used.reserveCapacity(keys.count)
            for key in keys {
                guard let id = ids.find(key) else { continue }
                var slot = Int(truncatingIfNeeded: UInt32(bitPattern: id) &* 0x9E37_79B9) & mask
                while slots[slot].id != -1 && slots[slot].id != id { slot = (slot + 1) & mask }
                if slots[slot].id == -1 {
                    slots[slot] = (id, 1)
                    used.append(slot)
                } else {
                    slots[slot].count += 1
                }
            }
            for slot in used {
                let (id, count) = slots[slot]
                let value = (count == 1 ? 1 : 1 + log(Float(count))) * idf[Int(id)]
                vector.indices.append(id)
                vector.values.append(value)
                norm += value * value
            }
        }
        guard norm > 0 else { return }
        let scale = 1 / norm.squareRoot()
        for position in start..<vector.values.count { vector.values[position] *= scale }
    }
}
