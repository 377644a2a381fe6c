/// Maps a question to nuggets through a keyword index: tokenise, stem, correct typos, sum posting
/// weights, and turn the best scores into a decision (answer, choice of two, or "don't know").
public struct Matcher: Sendable {
    public let nuggets: [Nugget]
    public let settings: MatcherSettings
    public let index: KeywordIndex
    let analyzer: TextAnalyzer
    /// Known surface words → term id, so most query words skip the stemmer.
    let surfaceTerms: [String: Int32]
    let typos: TypoCorrector?
    /// Normalised example question → nugget: an exact phrasing is a sure hit.
    let exactQuestions: [String: Int]
    /// The mass of a word no nugget uses (idf of a term with document frequency 0, scaled).
    let unknownMass: Float

    public init(nuggets: [Nugget], settings: MatcherSettings = MatcherSettings(), bm25: BM25Parameters = BM25Parameters())
        throws(MatcherError)
    {
        self.nuggets = nuggets
        self.settings = settings
        let analyzer = try TextAnalyzer(language: settings.language)
        self.analyzer = analyzer

        var surface: [String: String] = [:]
        var surfaceDocuments: [String: Set<Int>] = [:]
        var exact: [String: Int] = [:]
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
            for question in nugget.questions {
                exact[ContentLinter.normalizedQuestion(question), default: number] = exact[ContentLinter.normalizedQuestion(question)] ?? number
            }
        }
        let index = BM25Weighting.index(documents: documents, parameters: bm25)
        self.index = index
        self.surfaceTerms = surface.compactMapValues { index.id(of: $0) }
        self.exactQuestions = exact
        self.typos = settings.typoTolerance ? TypoCorrector(vocabulary: surfaceDocuments.mapValues(\.count)) : nil
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

    /// The best nuggets for a question, best first, at most `limit`.
    public func rank(_ question: String, limit: Int = 5) -> [Match] {
        let (terms, unknown) = queryTerms(question)
        guard !terms.isEmpty else { return [] }
        var scores = [Float](repeating: 0, count: nuggets.count)
        var touched: [Int32] = []
        var mass = unknown
        for term in terms {
            index.accumulate(term: term.id, factor: term.factor, into: &scores, touched: &touched)
            mass += term.factor * index.termMass[Int(term.id)]
        }
        let exact = exactQuestions[ContentLinter.normalizedQuestion(question)]
        var ranked = touched.map { (document: Int($0), score: scores[Int($0)]) }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.document < $1.document }
        if let exact, let position = ranked.firstIndex(where: { $0.document == exact }) {
            let hit = ranked.remove(at: position)
            ranked.insert((hit.document, max(hit.score, (ranked.first?.score ?? 0) * 1.0001)), at: 0)
        }
        return ranked.prefix(limit).enumerated().map { position, entry in
            let isExact = position == 0 && entry.document == exact
            let confidence = isExact ? 1 : min(1, mass > 0 ? Double(entry.score / mass) : 0)
            return Match(
                nuggetID: nuggets[entry.document].id, title: nuggets[entry.document].title,
                score: Double(entry.score), confidence: confidence, exact: isExact)
        }
    }

    /// Answer, offer two, or admit not knowing.
    public func decide(_ question: String) -> MatchDecision {
        let ranked = rank(question, limit: 3)
        guard let best = ranked.first, best.confidence >= settings.threshold else {
            return .unknown(nearMisses: ranked)
        }
        if ranked.count > 1, !best.exact, ranked[1].confidence >= settings.threshold,
            ranked[1].score >= settings.ambiguityRatio * best.score
        {
            return .choice(best, ranked[1])
        }
        return .answer(best)
    }

}

extension String {
    func replacingDashes() -> String {
        String(map { $0 == "-" || $0 == "_" ? " " : $0 })
    }
}
