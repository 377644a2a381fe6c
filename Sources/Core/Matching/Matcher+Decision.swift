import Foundation

/// Turning a ranking into a decision: answer, offer, or admit not knowing; the decision cache.
extension Matcher {
    /// Answer, offer two or three, or admit not knowing. A wording asked recently is answered from
    /// the decision cache: the same question gets the same decision while the content is the same.
    public func decide(_ question: String) -> MatchDecision {
        if let kept = decisions.decision(for: question) { return kept }
        let decision = freshDecision(question)
        decisions.keep(decision, for: question)
        return decision
    }

    /// The decision when it is cheap, with no sentence to embed: the one kept for this wording, or a
    /// lexical engine's (then kept); nil otherwise. Cheap decisions are made on the request's own
    /// thread; a long question is never cheap.
    public func quickDecision(_ question: String) -> MatchDecision? {
        guard question.utf8.count <= DecisionCache.longestKept else { return nil }
        if let kept = decisions.decision(for: question) { return kept }
        guard !usesEmbeddings else { return nil }
        let decision = freshDecision(question)
        decisions.keep(decision, for: question)
        return decision
    }

    /// Decisions answered from the cache, those that were not, and the wordings kept.
    public var decisionCacheCounts: (hits: Int, misses: Int, entries: Int) { decisions.counts }

    /// The decision, computed (no cache): what evaluations and benchmarks time.
    public func freshDecision(_ question: String) -> MatchDecision {
        let (ranked, groupConfidence, outOfScope) = ranking(question, limit: 3)
        guard let best = ranked.first, !outOfScope else { return .unknown(nearMisses: ranked) }
        guard best.confidence >= threshold else {
            // Not sure enough to answer, but the question is likely about this nugget or one of two or
            // three: offer the smallest such group rather than nothing. (A single nugget only with
            // sentence embeddings, whose offer threshold is lower than its answer threshold.)
            let candidates = [best] + ranked.dropFirst().prefix { isOffered(best, $0) }
            let confidences = (usesEmbeddings ? [best.confidence] : [0]) + groupConfidence
            for size in 1...candidates.count where size - 1 < confidences.count && confidences[size - 1] >= offerThreshold {
                return .choice(Array(candidates.prefix(size)))
            }
            return .unknown(nearMisses: ranked)
        }
        if ranked.count > 1, !best.exact, isClose(best, ranked[1]) {
            return .choice(Array(ranked.prefix(2)))
        }
        return .answer(best)
    }

    /// Whether the engine reads sentence embeddings (semantic).
    var usesEmbeddings: Bool {
        if case .learned(let model) = engine { return model.usesEmbeddings }
        return false
    }

    /// Whether the runner-up is nearly as likely as the best.
    func isClose(_ best: Match, _ second: Match) -> Bool {
        switch engine {
        case .keyword:
            return second.confidence >= threshold && second.score >= settings.ambiguityRatio * best.score
        case .learned(let model):
            // Learned scores are log-probabilities (see `rank`).
            let first = model.calibration.likelihood(logProbability: Float(best.score))
            let other = model.calibration.likelihood(logProbability: Float(second.score))
            return other >= settings.ambiguityRatio * first
        }
    }

    /// Whether a runner-up belongs in a choice offered because no nugget is sure enough alone.
    func isOffered(_ best: Match, _ other: Match) -> Bool {
        switch engine {
        case .keyword: return isClose(best, other)
        case .learned(let model):
            guard model.usesEmbeddings else { return isClose(best, other) }
            return exp(other.score - best.score) >= settings.offerRatio  // a ratio of probabilities
        }
    }
}
