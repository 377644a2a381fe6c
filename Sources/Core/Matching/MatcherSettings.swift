/// The matcher's knobs, all with defaults that suit a small, hand-written content pack.
public struct MatcherSettings: Sendable, Codable, Equatable {
    /// Snowball algorithm for stemming (`english`, `german`, `french`, …).
    public var language: String = "english"
    /// Which engine ranks nuggets.
    public var model: Model = .auto
    /// Below this confidence the answer is "I don't have a nugget for that yet"; nil: calibrated from
    /// the content for the learned model, `keywordThreshold` for the keyword ranker.
    public var threshold: Double? = nil
    /// When the runner-up scores at least this fraction of the best, both are offered.
    public var ambiguityRatio: Double = 0.85
    /// Whether words one edit away from a known word count as that word.
    public var typoTolerance: Bool = true
    /// How much a corrected word counts compared with an exact one.
    public var typoPenalty: Double = 0.8
    /// How much a word the content never uses weighs against a match, as a share of a rare known word.
    public var unknownWordWeight: Double = 1.0

    /// Training of the learned model.
    public var learning = LinearIntentModel.Settings()
    /// Semantic engine: how much one body passage counts as an example of its nugget (a question: 1).
    public var passageWeight: Float = 0.3
    /// A choice offers the runners-up whose probability is at least this share of the best one's.
    public var offerRatio: Double = 0.25
    /// Semantic engine: the cost of a wrong outright answer against a right one, which sets the
    /// answer threshold, and of a choice ("did you mean") without the right nugget, which sets the
    /// lower threshold for offering one to three nuggets. Measured in BENCHMARKS.md: offers at 0.5
    /// / 0.35 / 0.25 give banking77-oos in-scope 0.896 / 0.902 / 0.907 at out-of-scope recall
    /// 0.738 / 0.721 / 0.695.
    public var semanticWrongAnswerCost = 1.0
    public var semanticWrongOfferCost = 0.35

    /// The keyword ranker's default threshold (its confidence is the share of the question explained).
    public static let keywordThreshold = 0.35

    public enum Model: String, Sendable, Codable, CaseIterable {
        /// Learned model while training stays affordable (`Matcher.learnedModelWork`) and there are
        /// enough example questions per nugget (`Matcher.autoEngine`: 8, or 3 when it also answers
        /// held-out questions better), keyword ranker otherwise.
        case auto
        case learned
        case keyword
        /// The learned model over words, character n-grams and sentence embeddings (MiniLM), with each
        /// body passage as a weak example: needs the encoder's model files.
        case semantic
    }

    public init() {}

    /// Training knobs stay out of configuration files; everything else is configurable.
    enum CodingKeys: String, CodingKey {
        case language, model, threshold, ambiguityRatio, typoTolerance, typoPenalty, unknownWordWeight, offerRatio
    }
}

/// One ranked candidate for a question.
public struct Match: Sendable, Hashable, Codable {
    public var nuggetID: String
    public var title: String
    /// Index score: the sum of posting weights (keyword engine) or the log-probability (learned engine);
    /// compare it only within one question.
    public var score: Double
    /// Share of the question's content the nugget explains, 0…1; compared with the threshold.
    public var confidence: Double
    /// The question is, word for word, one of the nugget's example questions.
    public var exact: Bool

    public init(nuggetID: String, title: String, score: Double, confidence: Double, exact: Bool = false) {
        self.nuggetID = nuggetID
        self.title = title
        self.score = score
        self.confidence = confidence
        self.exact = exact
    }
}

/// What to do with a question.
public enum MatchDecision: Sendable, Hashable {
    /// One nugget answers it.
    case answer(Match)
    /// None is sure enough alone, but one of these two or three (best first) very likely is: offer them.
    case choice([Match])
    /// Nothing is confident enough; the near misses are kept for the content team.
    case unknown(nearMisses: [Match])
}
