import Foundation

/// Maps a question to nuggets and decides: answer, offer two, or admit not knowing.
///
/// Two engines sit behind one interface. With enough example questions per nugget, the matcher
/// learns a linear model over words, word pairs and character n-grams from the nuggets' example
/// questions, titles, keywords and bodies, calibrated on held-out folds (`LinearIntentModel`); for
/// small hand-written packs and very large content sets it uses the BM25F keyword ranker, which needs
/// no training (`model: auto` picks; `learned` or `keyword` force one). Both store their knowledge as postings
/// from features to nuggets with weights: a keyword index.
public struct Matcher: Sendable {
    public let nuggets: [Nugget]
    public let settings: MatcherSettings
    let engine: Engine
    /// Example question (its tokens' hash) → nugget: an exact phrasing is a sure hit.
    let exactQuestions: [UInt64: Int]
    /// The sentence encoder, when the engine is semantic: every question is embedded with it.
    let encoder: (any SentenceEncoding)?
    /// Decisions for recently asked wordings (see `DecisionCache`).
    let decisions: DecisionCache
    /// Distinct wordings whose decisions are kept (each generation of the cache).
    public static let keptDecisions = 4_096

    enum Engine: Sendable {
        case learned(LinearIntentModel)
        case keyword(KeywordRanker)
    }

    /// Below this share of known content words a question counts as (partly) off-topic.
    static let minimumCoverage = 0.6

    /// Content sets get the learned model under `model: auto` while examples × nuggets stays under
    /// this: training cost grows with both (every example scores every nugget, in the final model and
    /// in the held-out folds). BANKING77 (10,003 × 77) trains in about 3.5 s on a 2-core machine, a
    /// CLINC150-sized set (15,000 × 150) in about 9 s; this cap is about 15 s. Larger sets get the
    /// keyword ranker, which needs no training but is far less accurate (BANKING77: 0.79 against
    /// 0.92); `model: learned` forces the learned model at any size…
    public static let learnedModelWork = 4_000_000
    /// …when they give at least this many example questions per nugget. Between `contestExamples` and
    /// this many, both engines answer held-out questions and the better one serves: the learned model
    /// wins on plain labelled questions (BANKING77 with 5 per intent: 0.69 against 0.59), the keyword
    /// ranker can win where nuggets carry titles, keywords and bodies but few questions. Below, there is
    /// too little to hold out, and the keyword ranker serves.
    public static let learnedModelExamples = 8
    public static let contestExamples = 3

    /// How `model: auto` picks the engine for a content set of this size.
    public enum AutoEngine: Sendable, Equatable {
        case keyword, learned
        /// Both engines answer held-out questions; the one with more right answers serves.
        case heldOutContest
    }

    /// The engine `model: auto` uses for this many nuggets, example questions of theirs, and
    /// out-of-scope examples (which count towards the training work, not towards questions per nugget).
    public static func autoEngine(nuggets: Int, examples: Int, outOfScope: Int = 0) -> AutoEngine {
        guard nuggets >= 2, (examples + outOfScope) * nuggets <= learnedModelWork, examples >= contestExamples * nuggets else {
            return .keyword
        }
        return examples >= learnedModelExamples * nuggets ? .learned : .heldOutContest
    }

    /// - Parameter outOfScope: example questions that must not be answered: the learned model learns
    ///   to reject what is like them, and the keyword ranker does not answer a question whose closest
    ///   document is one of them.
    /// - Parameter encoder: a sentence encoder (MiniLM): with it, `auto` and `semantic` learn from what
    ///   the nuggets' questions, titles and body passages mean as well as from their words. Without it,
    ///   `semantic` is refused and `auto` chooses between the lexical engines.
    public init(
        nuggets: [Nugget], outOfScope: [String] = [], settings: MatcherSettings = MatcherSettings(), encoder: (any SentenceEncoding)? = nil
    ) throws(MatcherError) {
        self.nuggets = nuggets
        self.settings = settings
        let analyzer = try TextAnalyzer(language: settings.language)
        if settings.model == .semantic && encoder == nil { throw MatcherError.noEncoder }
        var exact: [UInt64: Int] = [:]
        for (number, nugget) in nuggets.enumerated() {
            for question in nugget.questions where exact[Self.phrasing(Tokenizer.tokens(question))] == nil {
                exact[Self.phrasing(Tokenizer.tokens(question))] = number
            }
        }
        self.exactQuestions = exact
        self.decisions = DecisionCache(capacity: Self.keptDecisions)
        // The learned engine, with the encoder's embeddings as features when there is one (semantic).
        let learner: (any SentenceEncoding)??
        switch settings.model {
        case .learned: learner = nuggets.isEmpty ? nil : .some(nil)  // nothing to learn from no nuggets
        case .semantic: learner = nuggets.isEmpty ? nil : .some(encoder)
        case .keyword: learner = nil
        case .auto:
            switch Self.autoEngine(
                nuggets: nuggets.count, examples: nuggets.reduce(0) { $0 + $1.questions.count }, outOfScope: outOfScope.count)
            {
            case .keyword: learner = nil
            case .learned: learner = nuggets.isEmpty ? nil : .some(encoder)
            case .heldOutContest:
                learner = Self.learnedWinsHeldOut(nuggets: nuggets, outOfScope: outOfScope, settings: settings, analyzer: analyzer, encoder: encoder)
                    ? .some(encoder) : nil
            }
        }
        if let learner {
            engine = .learned(Self.trainModel(nuggets: nuggets, outOfScope: outOfScope, settings: settings, analyzer: analyzer, encoder: learner))
            self.encoder = learner
        } else {
            engine = .keyword(KeywordRanker(nuggets: nuggets, outOfScope: outOfScope, settings: settings, analyzer: analyzer))
            self.encoder = nil
        }
    }

    /// Trains the learned engine: each nugget's questions, title and keywords are examples of it, its
    /// body a weaker one. With an encoder (semantic), every example also carries its sentence
    /// embedding, and each body passage is a weak example of its own.
    static func trainModel(
        nuggets: [Nugget], outOfScope: [String], settings: MatcherSettings, analyzer: TextAnalyzer, encoder: (any SentenceEncoding)? = nil
    ) -> LinearIntentModel {
        var examples: [LinearIntentModel.Example] = []
        for (number, nugget) in nuggets.enumerated() {
            for question in nugget.questions { examples.append(.init(text: question, label: number)) }
            if !nugget.title.isEmpty { examples.append(.init(text: nugget.title, label: number)) }
            if !nugget.keywords.isEmpty { examples.append(.init(text: nugget.keywords.joined(separator: " "), label: number)) }
            if !nugget.body.isEmpty { examples.append(.init(text: nugget.body, label: number, weight: 0.3)) }
            if encoder != nil {
                for passage in BodyPassages.passages(nugget.body) {
                    examples.append(.init(text: passage, label: number, weight: settings.passageWeight))
                }
            }
        }
        examples += outOfScope.map { .init(text: $0, label: nil) }
        var learning = settings.learning
        if encoder != nil {
            // With choices to fall back on, an outright answer must be likelier right than wrong, and
            // a choice (a suggestion the person can pass over) costs less.
            learning.wrongOfferCost = settings.semanticWrongOfferCost
            learning.wrongAnswerCost = settings.semanticWrongAnswerCost
        }
        return LinearIntentModel.train(
            examples, classes: nuggets.count, titles: nuggets.map(\.title), stemmer: analyzer.stemmer, stopwords: analyzer.stopwords, settings: learning,
            embeddings: encoder?.embed(examples.map(\.text)))
    }

    /// Holds out every third example question of each nugget in turn, builds both engines on the rest
    /// and counts whose best nugget is right more often; true when the learned model's is.
    ///
    /// With an encoder the learned model is semantic, and the bar is different: it wins unless the
    /// keyword ranker is right significantly more often (McNemar's test on the questions where only
    /// one of them is right, 5 %). Held-out example questions share the author's wording with the
    /// examples left in, which favours word matching; people asking in their own words do not (on
    /// the starter pack, measured in BENCHMARKS.md: keyword 0.67 answered right, semantic 0.86, while
    /// the held-out examples gave 156 against 151 of 225).
    static func learnedWinsHeldOut(
        nuggets: [Nugget], outOfScope: [String], settings: MatcherSettings, analyzer: TextAnalyzer, encoder: (any SentenceEncoding)? = nil
    ) -> Bool {
        let folds = 3
        // Only the ranking matters here: one candidate, no calibration folds of its own.
        var ranking = settings
        ranking.learning.folds = 0
        var keywordRight = 0
        var learnedRight = 0
        var onlyKeyword = 0
        var onlyLearned = 0
        for fold in 0..<folds {
            var training = nuggets
            var heldOut: [(question: String, number: Int)] = []
            for (number, nugget) in nuggets.enumerated() {
                training[number].questions = []
                for (position, question) in nugget.questions.enumerated() {
                    if (position + number) % folds == fold {
                        heldOut.append((question, number))
                    } else {
                        training[number].questions.append(question)
                    }
                }
            }
            let ranker = KeywordRanker(nuggets: training, outOfScope: outOfScope, settings: settings, analyzer: analyzer)
            let model = trainModel(nuggets: training, outOfScope: outOfScope, settings: ranking, analyzer: analyzer, encoder: encoder)
            let embeddings = encoder?.embed(heldOut.map(\.question))  // example questions: content, cached
            for (position, (question, number)) in heldOut.enumerated() {
                let keyword = ranker.rank(question, limit: 1).first?.document == number
                let scores = model.evaluate(tokens: Tokenizer.tokens(question), embedding: embeddings?[position]).scores
                let learned = top(scores, limit: 1).first?.document == number
                if keyword { keywordRight += 1 }
                if learned { learnedRight += 1 }
                if keyword && !learned { onlyKeyword += 1 }
                if learned && !keyword { onlyLearned += 1 }
            }
        }
        guard encoder != nil else { return learnedRight > keywordRight }
        let disagreements = Double(onlyKeyword + onlyLearned)
        let keywordSignificantlyBetter =
            onlyKeyword > onlyLearned && disagreements > 0 && pow(Double(onlyKeyword - onlyLearned), 2) / disagreements > 3.84
        return !keywordSignificantlyBetter
    }

    /// The confidence below which the answer is "no nugget yet": configured, or calibrated on the content.
    public var threshold: Double {
        if let configured = settings.threshold { return configured }
        switch engine {
        case .learned(let model): return model.calibration.threshold
        case .keyword: return MatcherSettings.keywordThreshold
        }
    }

    /// The confidence that one of two or three nuggets is right at which they are offered as a choice.
    public var offerThreshold: Double {
        if let configured = settings.threshold { return configured }
        switch engine {
        case .learned(let model): return model.calibration.offerThreshold
        case .keyword: return MatcherSettings.keywordThreshold
        }
    }

    /// Features (terms) and postings in the engine's index.
    public var indexSize: (features: Int, postings: Int) {
        switch engine {
        case .learned(let model): return model.size
        case .keyword(let ranker): return (ranker.index.postings.count, ranker.index.postings.reduce(0) { $0 + $1.count })
        }
    }

    /// Which engine answers: `semantic`, `learned` or `keyword`.
    public var engineName: String {
        if case .learned(let model) = engine { return model.usesEmbeddings ? "semantic" : "learned" }
        return "keyword"
    }

    /// The best nuggets for a question, best first, at most `limit`.
    public func rank(_ question: String, limit: Int = 5) -> [Match] {
        ranking(question, limit: limit).matches
    }

    /// The ranked matches; (learned engine) the calibrated chance that one of the top two, and one of
    /// the top three, is right; (keyword engine) whether an out-of-scope example question ranks above
    /// every nugget.
    func ranking(_ text: String, limit: Int) -> (matches: [Match], groupConfidence: [Double], outOfScope: Bool) {
        let question = Self.bounded(text)
        var ranked: [(document: Int, score: Float, confidence: Double)]
        var groupConfidence: [Double] = []
        var outOfScope = false
        let tokens = Tokenizer.tokens(question)
        switch engine {
        case .keyword(let ranker):
            // Out-of-scope examples rank beside the nuggets; when one comes first the question is like
            // those that must not be answered: the nuggets below it are near misses at most.
            ranked = ranker.rank(question, limit: ranker.hasOutOfScope ? limit + 1 : limit)
            if ranker.hasOutOfScope {
                outOfScope = (ranked.first?.document ?? 0) >= ranker.firstOutOfScope
                ranked = Array(ranked.lazy.filter { $0.document < ranker.firstOutOfScope }.prefix(limit))
            }
        case .learned(let model):
            // The calibrated probability; a question whose content words are mostly unknown to the content
            // (off-topic) is scaled down, since no held-out example showed the model such questions. With
            // sentence embeddings the model knows words the content never uses, so that scaling is off.
            let embedding = model.usesEmbeddings ? encoder?.embed(question: question) : nil
            let (scores, coverage, nearest) = model.evaluateWithNearest(tokens: tokens, embedding: embedding)
            let offTopic = model.usesEmbeddings ? 1 : min(1, coverage / Self.minimumCoverage)
            let normaliser = logSumExp(scores)
            let top = Self.top(scores, limit: max(limit, 4))
            ranked = top.prefix(limit).map { entry in
                let confidence = model.calibration.confidence(
                    top: entry.score, margin: entry.margin, logProbability: entry.score - normaliser,
                    similarity: model.centroidSimilarity(embedding, to: entry.document), nearest: nearest?[entry.document] ?? 0)
                return (entry.document, entry.score - normaliser, offTopic * confidence)
            }
            // The top two (three) taken as one answer: its probability is theirs summed, its margin the
            // lead over the next one.
            // (Three only with sentence embeddings, whose runners-up are related in meaning.)
            for size in model.usesEmbeddings ? [2, 3] : [2] where top.count >= size {
                let next = top.count > size ? top[size].score : top[size - 1].score
                let group = logSumExp(top.prefix(size).map(\.score)) - normaliser
                groupConfidence.append(
                    offTopic
                        * model.calibration.confidence(
                            top: top[0].score, margin: top[0].score - next, logProbability: group,
                            similarity: model.centroidSimilarity(embedding, to: top[0].document),
                            nearest: nearest?[top[0].document] ?? 0))
            }
        }
        var exactHit = false
        if let exact = exactQuestions[Self.phrasing(tokens)] {
            ranked.removeAll { $0.document == exact }
            ranked.insert((exact, (ranked.first?.score ?? 0) + 1, 1), at: 0)
            ranked = Array(ranked.prefix(limit))
            exactHit = true
            outOfScope = false
        }
        let matches = ranked.enumerated().map { position, entry in
            Match(
                nuggetID: nuggets[entry.document].id, title: nuggets[entry.document].title, score: Double(entry.score),
                confidence: entry.confidence, exact: exactHit && position == 0)
        }
        return (matches, groupConfidence, outOfScope)
    }

    /// Questions are matched on their first this many characters (Unicode scalars): a question is
    /// short, and a pasted log, token or document must not cost more than a question does.
    public static let maximumQuestionLength = 2_000

    /// The text cut to `maximumQuestionLength` scalars, at a space when there is one near the end.
    public static func bounded(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let cut = scalars.index(scalars.startIndex, offsetBy: maximumQuestionLength, limitedBy: scalars.endIndex),
            cut < scalars.endIndex
        else { return text }
        var head = String(scalars[..<cut])
        if let space = head.lastIndex(of: " "), head.distance(from: space, to: head.endIndex) < 100 { head = String(head[..<space]) }
        return head
    }

    /// A question's wording, ignoring case and punctuation, as a 64-bit hash of its tokens.
    static func phrasing(_ tokens: [String]) -> UInt64 {
        var hash = FeatureHasher.offset
        for token in tokens {
            for scalar in token.unicodeScalars { hash = FeatureHasher.mix(hash, UInt64(scalar.value)) }
            hash = FeatureHasher.mix(hash, 0x20)
        }
        return hash
    }

    /// The `limit` best classes with each one's margin over the best other class.
    static func top(_ scores: [Float], limit: Int) -> [(document: Int, score: Float, margin: Float)] {
        var best: [(document: Int, score: Float)] = []
        best.reserveCapacity(limit + 2)
        let keep = max(limit, 2)
        for (document, score) in scores.enumerated() where best.count < keep || score > best[best.count - 1].score {
            let position = best.firstIndex { score > $0.score } ?? best.count
            best.insert((document, score), at: position)
            if best.count > keep { best.removeLast() }
        }
        guard let first = best.first else { return [] }
        let runnerUp = best.count > 1 ? best[1].score : first.score
        return best.prefix(limit).enumerated().map { position, entry in
            (entry.document, entry.score, entry.score - (position == 0 ? runnerUp : first.score))
        }
    }
}

extension String {
    func replacingDashes() -> String {
        String(map { $0 == "-" || $0 == "_" ? " " : $0 })
    }
}
