import Foundation

/// Where a piece of a nugget's text sits, and so how much a match there counts.
public enum NuggetField: String, Sendable, CaseIterable, Codable {
    case questions, keywords, title, topic, body
}

/// Field weights and BM25F constants for the first matcher.
public struct BM25Parameters: Sendable, Codable, Equatable {
    public var k1: Double = 1.2
    public var weights: [NuggetField: Double] = [.questions: 3.0, .keywords: 2.5, .title: 2.0, .topic: 0.5, .body: 0.6]
    public var lengthNormalisation: [NuggetField: Double] = [.questions: 0.75, .keywords: 0.3, .title: 0.4, .topic: 0.0, .body: 0.75]

    public init() {}

    /// The saturation a term reaches by appearing once in an average-length questions field: a "full"
    /// match, used to scale confidences so a clean hit lands near 1.
    var referenceSaturation: Double {
        let w = weights[.questions] ?? 1
        return w / (k1 + w)
    }
}

/// Builds a `KeywordIndex` whose weights are BM25F scores over a nugget's fields:
/// weight(t, d) = idf(t) · tf′ / (k1 + tf′), with tf′ = Σ_fields w_f · tf_f / (1 − b_f + b_f · len_f / avglen_f).
public enum BM25Weighting {
    /// - Parameter statisticsFrom: how many of the first documents the corpus statistics (document
    ///   frequencies, average field lengths) come from; the others are weighted by those statistics
    ///   without changing them (out-of-scope examples: adding them leaves the nuggets' weights alone).
    public static func index(
        documents: [[NuggetField: [String]]], parameters: BM25Parameters = BM25Parameters(), statisticsFrom: Int? = nil
    ) -> KeywordIndex {
        let count = min(statisticsFrom ?? documents.count, documents.count)
        var averageLength: [NuggetField: Double] = [:]
        for field in NuggetField.allCases {
            let total = documents.prefix(count).reduce(0) { $0 + ($1[field]?.count ?? 0) }
            averageLength[field] = max(1, Double(total) / Double(max(1, count)))
        }
        // term → document → weighted, length-normalised frequency
        var pseudoFrequency: [String: [Int32: Double]] = [:]
        for (document, fields) in documents.enumerated() {
            for (field, terms) in fields where !terms.isEmpty {
                let weight = parameters.weights[field] ?? 1
                let b = parameters.lengthNormalisation[field] ?? 0.75
                let norm = 1 - b + b * Double(terms.count) / averageLength[field]!
                var counts: [String: Int] = [:]
                for term in terms { counts[term, default: 0] += 1 }
                for (term, frequency) in counts {
                    pseudoFrequency[term, default: [:]][Int32(document), default: 0] += weight * Double(frequency) / norm
                }
            }
        }
        var index = KeywordIndex(documentCount: documents.count)
        for term in pseudoFrequency.keys.sorted() {
            let byDocument = pseudoFrequency[term]!
            let frequency = count == documents.count ? byDocument.count : byDocument.keys.reduce(0) { $0 + ($1 < count ? 1 : 0) }
            let idf = inverseDocumentFrequency(documentCount: count, frequency: frequency)
            let postings = byDocument.sorted { $0.key < $1.key }.map { document, tf in
                KeywordIndex.Posting(document: document, weight: Float(idf * tf / (parameters.k1 + tf)))
            }
            index.add(term: term, postings: postings, mass: Float(idf * parameters.referenceSaturation))
        }
        return index
    }

    /// BM25's idf, never negative: ln(1 + (N − df + 0.5) / (df + 0.5)).
    public static func inverseDocumentFrequency(documentCount: Int, frequency: Int) -> Double {
        log(1 + (Double(documentCount) - Double(frequency) + 0.5) / (Double(frequency) + 0.5))
    }
}
