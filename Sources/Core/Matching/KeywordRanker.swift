/// Ranks nuggets by BM25F over their fields with typo correction: the matcher for content sets too
/// large to learn from (and the first matcher FlowLearn had). Confidence is the share of the
/// question's weight the nugget explains.
struct KeywordRanker: Sendable {
    let nuggets: [Nugget]
    let settings: MatcherSettings
    let index: KeywordIndex
    let analyzer: TextAnalyzer
    /// Known surface words → term id, so most query words skip the stemmer.
    let surfaceTerms: [String: Int32]
    let typos: TypoCorrector?
    /// The mass of a word no nugget uses (idf of a term with document frequency 0, scaled).
    let unknownMass: Float
    /// Documents from this number on are out-of-scope example questions, not nuggets.
    var firstOutOfScope: Int { nuggets.count }
    var hasOutOfScope: Bool { index.documentCount > nuggets.count }

    /// - Parameter outOfScope: questions no nugget should answer. Each is a document of its own (with
    ///   only a questions field) weighted by the nuggets' statistics, so the nuggets' own weights are
    ///   the same with or without them; a question whose best document is one of them is not answered.
    init(
        nuggets: [Nugget], outOfScope: [String] = [], settings: MatcherSettings, analyzer: TextAnalyzer,
        bm25: BM25Parameters = BM25Parameters()
    ) {
        self.nuggets = nuggets
        self.settings = settings
        self.analyzer = analyzer

        var surface: [String: String] = [:]
        var surfaceDocuments: [String: Set<Int>] = [:]
        func analyse(_ text: String, document: Int) -> [String] {
            analyzer.words(text).map { word in
                surfaceDocuments[word, default: []].insert(document)
                if let stem = surface[word] { return stem }
                let stem = analyzer.stemmer.stem(word)
                surface[word] = stem
                return stem
            }
        }
        var documents: [[NuggetField: [String]]] = []
        for (number, nugget) in nuggets.enumerated() {
            var fields: [NuggetField: [String]] = [:]
            fields[.questions] = nugget.questions.flatMap { analyse($0, document: number) }
            fields[.keywords] = nugget.keywords.flatMap { analyse($0, document: number) }
            fields[.title] = analyse(nugget.title, document: number)
            fields[.topic] = analyse(nugget.topic.replacingDashes(), document: number)
            fields[.body] = analyse(nugget.body, document: number)
            documents.append(fields)
        }
        for (offset, question) in outOfScope.enumerated() {
            documents.append([.questions: analyse(question, document: nuggets.count + offset)])
        }
        let index = BM25Weighting.index(documents: documents, parameters: bm25, statisticsFrom: nuggets.count)
        self.index = index
        self.surfaceTerms = surface.compactMapValues { index.id(of: $0) }
        // Typos are corrected towards the nuggets' words only (as without out-of-scope examples).
        let nuggetCount = nuggets.count
        let vocabulary = outOfScope.isEmpty
            ? surfaceDocuments.mapValues(\.count)
            : surfaceDocuments.mapValues { documents in documents.count { $0 < nuggetCount } }.filter { $0.value > 0 }
        self.typos = settings.typoTolerance ? TypoCorrector(vocabulary: vocabulary) : nil
        let rareIDF = BM25Weighting.inverseDocumentFrequency(documentCount: nuggets.count, frequency: 0)
        self.unknownMass = Float(rareIDF * bm25.referenceSaturation * settings.unknownWordWeight)
    }

    /// The query's terms as index ids with their factor (1, or the typo penalty), and the mass of
    /// words the index does not know.
    func queryTerms(_ question: String) -> (terms: [(id: Int32, factor: Float)], unknownMass: Float) {
        var terms: [(id: Int32, factor: Float)] = []
        var seen: Set<Int32> = []
        var unknown: Float = 0
        var seenUnknown: Set<String> = []
        for word in analyzer.words(question) {
            var id = surfaceTerms[word]
            var factor: Float = 1
            if id == nil { id = index.id(of: analyzer.stemmer.stem(word)) }
            if id == nil, let typos, let corrected = typos.correct(word) {
                id = surfaceTerms[corrected]
                factor = Float(settings.typoPenalty)
            }
            if let id {
                if seen.insert(id).inserted { terms.append((id, factor)) }
            } else if seenUnknown.insert(word).inserted {
                unknown += unknownMass
            }
        }
        return (terms, unknown)
    }

    /// The best documents for a question, best first, at most `limit`: (document number, score,
    /// confidence). Numbers from `firstOutOfScope` on are out-of-scope examples.
    func rank(_ question: String, limit: Int) -> [(document: Int, score: Float, confidence: Double)] {
        let (terms, unknown) = queryTerms(question)
        guard !terms.isEmpty else { return [] }
        var scores = [Float](repeating: 0, count: index.documentCount)
        var touched: [Int32] = []
        var mass = unknown
        for term in terms {
            index.accumulate(term: term.id, factor: term.factor, into: &scores, touched: &touched)
            mass += term.factor * index.termMass[Int(term.id)]
        }
        // Keep the best `limit` in one pass: with many nuggets a question touches tens of thousands,
        // and sorting them all would cost more than scoring them.
        var ranked: [(document: Int, score: Float)] = []
        ranked.reserveCapacity(limit + 1)
        func before(_ a: (document: Int, score: Float), _ b: (document: Int, score: Float)) -> Bool {
            a.score != b.score ? a.score > b.score : a.document < b.document
        }
        for document in touched {
            let entry = (document: Int(document), score: scores[Int(document)])
            if ranked.count == limit, let last = ranked.last, !before(entry, last) { continue }
            let position = ranked.firstIndex { before(entry, $0) } ?? ranked.count
            ranked.insert(entry, at: position)
            if ranked.count > limit { ranked.removeLast() }
        }
        return ranked.map { entry in
            (entry.document, entry.score, min(1, mass > 0 ? Double(entry.score / mass) : 0))
        }
    }
}
