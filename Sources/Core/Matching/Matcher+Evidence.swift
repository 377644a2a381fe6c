import Foundation

/// Why a nugget ranked where it did, for the console's "Try it" page: the example question of the
/// nugget that comes closest to what was typed, and the typed words the nugget also uses.
public struct MatchEvidence: Sendable, Hashable {
    public var match: Match
    /// The nugget's example question (or its title) closest to the question; nil when it has none.
    public var closestExample: String?
    /// How close, 0…1: the cosine similarity of their sentence embeddings with the semantic engine,
    /// else the share of content words they have in common.
    public var exampleSimilarity: Double
    /// Words of the question, as typed, whose stem occurs in the nugget (title, keywords, example
    /// questions or body).
    public var sharedWords: [String]
}

extension Matcher {
    /// The decision and the top candidates with their evidence; nothing is logged.
    public func explain(_ question: String, limit: Int = 5) -> (decision: MatchDecision, candidates: [MatchEvidence]) {
        let text = Self.bounded(question)
        let decision = decide(text)
        let matches = rank(text, limit: limit)
        guard let analyzer = try? TextAnalyzer(language: settings.language) else {
            return (decision, matches.map { MatchEvidence(match: $0, closestExample: nil, exampleSimilarity: 0, sharedWords: []) })
        }
        let words = analyzer.words(text)
        let questionTerms = Set(words.map(analyzer.stemmer.stem))
        let questionEmbedding = usesEmbeddings ? encoder?.embed(question: text) : nil
        let byID = Dictionary(nuggets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        let evidence = matches.map { match -> MatchEvidence in
            guard let nugget = byID[match.nuggetID] else {
                return MatchEvidence(match: match, closestExample: nil, exampleSimilarity: 0, sharedWords: [])
            }
            let examples = Array((nugget.questions + (nugget.title.isEmpty ? [] : [nugget.title])).prefix(50))
            var best: (text: String, similarity: Double)?
            if let questionEmbedding, let encoder, !examples.isEmpty {
                for (example, vector) in zip(examples, encoder.embed(examples)) where vector.count == questionEmbedding.count {
                    var dot: Float = 0
                    for index in vector.indices { dot += vector[index] * questionEmbedding[index] }
                    if Double(dot) > best?.similarity ?? -2 { best = (example, Double(dot)) }
                }
            } else {
                for example in examples {
                    let terms = Set(analyzer.terms(example))
                    let union = terms.union(questionTerms).count
                    let overlap = union > 0 ? Double(terms.intersection(questionTerms).count) / Double(union) : 0
                    if overlap > best?.similarity ?? -1 { best = (example, overlap) }
                }
            }
            let nuggetText = ([nugget.title] + nugget.keywords + nugget.questions + [nugget.body]).joined(separator: "\n")
            let nuggetTerms = Set(analyzer.terms(nuggetText))
            var shared: [String] = []
            for word in words where nuggetTerms.contains(analyzer.stemmer.stem(word)) && !shared.contains(word) { shared.append(word) }
            return MatchEvidence(
                match: match, closestExample: best?.text, exampleSimilarity: max(0, min(1, best?.similarity ?? 0)), sharedWords: shared)
        }
        return (decision, evidence)
    }
}
