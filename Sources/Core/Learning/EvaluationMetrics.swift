/// Accuracy figures for a labelled test set, where `nil` means "out of scope" (expected) or
/// "rejected" (predicted).
public struct EvaluationMetrics: Sendable, Hashable, Codable {
    /// All rows; an out-of-scope row is right when rejected.
    public var accuracy: Double
    /// In-scope rows only; a rejection counts as wrong.
    public var inScopeAccuracy: Double
    /// Share of out-of-scope rows rejected; nil when the test set has none.
    public var outOfScopeRecall: Double?
    /// Share of rejections that were out-of-scope rows; nil when the test set has none.
    public var outOfScopePrecision: Double?
    /// Unweighted mean F1 over the labels in the test set (out of scope counted as one label).
    public var macroF1: Double

    public static func compute(expected: [String?], predicted: [String?]) -> EvaluationMetrics {
        precondition(expected.count == predicted.count)
        let pairs = zip(expected, predicted)
        let right = pairs.filter { $0.0 == $0.1 }.count
        let inScope = pairs.filter { $0.0 != nil }
        let inScopeRight = inScope.filter { $0.0 == $0.1 }.count
        let outOfScope = expected.filter { $0 == nil }.count
        let rejected = predicted.filter { $0 == nil }.count
        let rightlyRejected = pairs.filter { $0.0 == nil && $0.1 == nil }.count

        let oos = "\u{0}oos"
        var truePositive: [String: Int] = [:]
        var falsePositive: [String: Int] = [:]
        var falseNegative: [String: Int] = [:]
        for (wanted, got) in pairs {
            let w = wanted ?? oos
            let g = got ?? oos
            if w == g {
                truePositive[w, default: 0] += 1
            } else {
                falseNegative[w, default: 0] += 1
                falsePositive[g, default: 0] += 1
            }
        }
        let labels = Set(expected.map { $0 ?? oos })
        let f1s = labels.map { label -> Double in
            let tp = Double(truePositive[label] ?? 0)
            let denominator = 2 * tp + Double(falsePositive[label] ?? 0) + Double(falseNegative[label] ?? 0)
            return denominator == 0 ? 0 : 2 * tp / denominator
        }
        return EvaluationMetrics(
            accuracy: expected.isEmpty ? 0 : Double(right) / Double(expected.count),
            inScopeAccuracy: inScope.isEmpty ? 0 : Double(inScopeRight) / Double(inScope.count),
            outOfScopeRecall: outOfScope == 0 ? nil : Double(rightlyRejected) / Double(outOfScope),
            outOfScopePrecision: outOfScope == 0 ? nil : (rejected == 0 ? 0 : Double(rightlyRejected) / Double(rejected)),
            macroF1: f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count))
    }
}

extension Matcher {
    /// A matcher trained from labelled rows: each label becomes a nugget whose example questions are
    /// its rows; rows labelled `oos` teach it what to reject.
    public init(
        labelledRows rows: [LabelledCSV.Row], settings: MatcherSettings = MatcherSettings(), encoder: (any SentenceEncoding)? = nil
    ) throws(MatcherError) {
        var order: [String] = []
        var questions: [String: [String]] = [:]
        var outOfScope: [String] = []
        for row in rows {
            if row.label == "oos" {
                outOfScope.append(row.text)
                continue
            }
            if questions[row.label] == nil { order.append(row.label) }
            questions[row.label, default: []].append(row.text)
        }
        let nuggets = order.map { Nugget(id: $0, title: $0, questions: questions[$0]!) }
        try self.init(nuggets: nuggets, outOfScope: outOfScope, settings: settings, encoder: encoder)
    }

    /// The nugget id a decision gives (the first of a choice), nil for a rejection; decided afresh
    /// (evaluations time it, and must not time the decision cache).
    public func answer(_ question: String) -> String? {
        switch freshDecision(question) {
        case .answer(let match): return match.nuggetID
        case .choice(let matches): return matches.first?.nuggetID
        case .unknown: return nil
        }
    }
}
