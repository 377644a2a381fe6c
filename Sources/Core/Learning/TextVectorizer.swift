import Foundation

/// Maps text to TF-IDF feature vectors over words, word pairs and character n-grams, with the
/// vocabulary and idf learned from the training texts. Words and character n-grams are weighted and
/// L2-normalised as two blocks, so neither drowns the other.
public struct TextVectorizer: Sendable {
    let stemmer: SnowballStemmer
    let hasher = FeatureHasher()
    /// Stems of the words seen in training (filled while fitting).
    private(set) var stems: [String: String] = [:]
    private(set) var ids = FeatureTable(capacity: 0)
    /// Every word seen in training, resolved once: its token hash → its entry in `known`. A question's
    /// known words then need one look-up each instead of a stem and one look-up per n-gram.
    private(set) var knownIndex = FeatureTable(capacity: 0)
    private(set) var known: [KnownToken] = []
    /// The feature ids of the known words' character n-grams, with repeats, `known[i].grams` into it.
    private(set) var knownGrams: [Int32] = []

    struct KnownToken: Sendable {
        /// The key of the word's stem (word pairs are built from it) and its feature id.
        var stemKey: UInt64
        var wordID: Int32
        var grams: Range<Int32>
        /// Its weight in `coverage` (the stem's idf), 0 for a stopword.
        var coverageWeight: Float
    }
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
        vectorizer.resolveKnownTokens()
        return (vectorizer, rows.map { vectorizer.vector(words: $0.words, chars: $0.chars) })
    }

    init(stemmer: SnowballStemmer) {
        self.stemmer = stemmer
    }

    /// The hash a token is known by in `knownIndex`.
    static func tokenKey(_ token: String) -> UInt64 {
        FeatureHasher.hash(.token, token)
    }

    private mutating func resolveKnownTokens() {
        knownIndex = FeatureTable(capacity: stems.count)
        known = []
        knownGrams = []
        known.reserveCapacity(stems.count)
        for (token, stem) in stems.sorted(by: { $0.key < $1.key }) {
            let stemKey = FeatureHasher.hash(.word, stem)
            guard let wordID = ids.find(stemKey) else { continue }
            let start = Int32(knownGrams.count)
            for key in hasher.keys(tokens: [token], stems: []).chars {
                if let id = ids.find(key) { knownGrams.append(id) }
            }
            knownIndex.insert(Self.tokenKey(token), Int32(known.count))
            known.append(
                KnownToken(
                    stemKey: stemKey, wordID: wordID, grams: start..<Int32(knownGrams.count),
                    coverageWeight: stopwords.contains(token) ? 0 : idf[Int(wordID)]))
        }
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

    /// `analyse` for a text already split into tokens. Words seen in training come resolved from
    /// `known`; only new words are stemmed and cut into n-grams here.
    public func analyse(tokens: [String]) -> (vector: SparseVector, coverage: Double) {
        var words: [Int32] = []
        var chars: [Int32] = []
        words.reserveCapacity(tokens.count * 2)
        chars.reserveCapacity(tokens.count * 16)
        var previous: UInt64?
        var coveredWeight: Float = 0
        var totalWeight: Float = 0
        knownGrams.withUnsafeBufferPointer { grams in
            for token in tokens {
                let stemKey: UInt64
                if let position = knownIndex.find(Self.tokenKey(token)) {
                    let entry = known[Int(position)]
                    stemKey = entry.stemKey
                    words.append(entry.wordID)
                    chars.append(contentsOf: grams[Int(entry.grams.lowerBound)..<Int(entry.grams.upperBound)])
                    coveredWeight += entry.coverageWeight
                    totalWeight += entry.coverageWeight
                } else {
                    let stem = stemmer.stem(token)
                    stemKey = FeatureHasher.hash(.word, stem)
                    let wordID = ids.find(stemKey)
                    if let wordID { words.append(wordID) }
                    var found = 0
                    let tokenGrams = hasher.keys(tokens: [token], stems: []).chars
                    for key in tokenGrams {
                        if let id = ids.find(key) {
                            chars.append(id)
                            found += 1
                        }
                    }
                    if !stopwords.contains(token) {
                        // A word the training texts never used (or a typo of one): by the share of
                        // its n-grams they know, at the weight of the rarest feature.
                        if let wordID {
                            coveredWeight += idf[Int(wordID)]
                            totalWeight += idf[Int(wordID)]
                        } else {
                            coveredWeight += rarestIDF * Float(found) / Float(max(1, tokenGrams.count))
                            totalWeight += rarestIDF
                        }
                    }
                }
                if let previous, let pair = ids.find(FeatureHasher.mix(FeatureHasher.mix(previous, FeatureHasher.Kind.pair.rawValue), stemKey)) {
                    words.append(pair)
                }
                previous = stemKey
            }
        }
        var result = SparseVector()
        result.indices.reserveCapacity(words.count + chars.count)
        result.values.reserveCapacity(words.count + chars.count)
        append(ids: words, to: &result)
        append(ids: chars, to: &result)
        return (result, totalWeight > 0 ? Double(coveredWeight / totalWeight) : 0)
    }

    /// The slow path `analyse` replaces (kept to check it against): stems and n-grams of every token.
    func analyseWithoutKnownTokens(tokens: [String]) -> (vector: SparseVector, coverage: Double) {
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

    private func append(_ keys: [UInt64], to vector: inout SparseVector) {
        append(ids: keys.compactMap { ids.find($0) }, to: &vector)
    }

    /// Adds one block: sublinear tf × idf, L2-normalised within the block. Repeated ids are counted
    /// in a small open-addressing table (no sort: this runs for every question).
    private func append(ids keys: [Int32], to vector: inout SparseVector) {
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
            for id in keys {
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
