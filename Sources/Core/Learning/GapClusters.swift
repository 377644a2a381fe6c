import Foundation

/// Questions the content did not answer (or answered with low confidence), grouped into clusters of
/// similar questions, so the learning team sees what is missing, how often, and for how many people:
/// the console's "Gaps" page. Uses the matcher's own analysis (stemmed content words) with TF-IDF
/// weights over the questions themselves, and groups them in one pass, oldest first: a question
/// joins the most similar cluster when its cosine similarity to the cluster's centroid reaches
/// `similarity`, else it starts a new one.
public struct GapCluster: Sendable, Hashable {
    /// A stable name for the cluster across periods (its three heaviest terms, sorted), for marking
    /// it done or ignored.
    public var key: String
    /// The heaviest stemmed terms, heaviest first.
    public var terms: [String]
    public var count: Int
    /// Distinct people who asked.
    public var people: Int
    public var firstAsked: Date
    public var lastAsked: Date
    /// Up to five distinct questions, most recent first.
    public var samples: [String]
    /// The nuggets the matcher came closest with, most often first (from the logged candidates).
    public var nearestNuggets: [NearNugget]

    public struct NearNugget: Sendable, Hashable {
        public var nuggetID: String
        public var title: String
        /// Questions of the cluster that had it among their candidates.
        public var questions: Int
    }
}

/// The learning team's decision on a gap cluster: a nugget now covers it, or it is out of scope.
public enum GapStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open, done, ignored
}

public enum GapClustering {
    public static func clusters(_ entries: [QuestionLogEntry], analyzer: TextAnalyzer, similarity: Double = 0.35) -> [GapCluster] {
        let ordered = entries.sorted { $0.askedAt < $1.askedAt }
        let termLists = ordered.map { Array(Set(analyzer.terms($0.text))) }
        var documentFrequency: [String: Int] = [:]
        for terms in termLists { for term in terms { documentFrequency[term, default: 0] += 1 } }
        let total = Double(max(1, ordered.count))
        func vector(_ terms: [String]) -> [String: Double] {
            var weights: [String: Double] = [:]
            for term in terms { weights[term] = log(1 + total / Double(documentFrequency[term] ?? 1)) }
            let norm = weights.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? weights.mapValues { $0 / norm } : [:]
        }

        struct Building {
            var sum: [String: Double] = [:]
            /// The squared length of `sum`, kept up to date as weights are added.
            var normSquared = 0.0
            var members: [Int] = []

            mutating func add(_ weights: [String: Double], member: Int) {
                for (term, weight) in weights {
                    let old = sum[term] ?? 0
                    sum[term] = old + weight
                    normSquared += (old + weight) * (old + weight) - old * old
                }
                members.append(member)
            }
        }
        var building: [Building] = []
        // Term → the clusters that have it: a question is compared only with clusters it shares a term with.
        var postings: [String: [Int]] = [:]
        var wordless = Building()
        for (index, terms) in termLists.enumerated() {
            let weights = vector(terms)
            guard !weights.isEmpty else {
                wordless.members.append(index)
                continue
            }
            var dots: [Int: Double] = [:]
            for (term, weight) in weights {
                for cluster in postings[term] ?? [] { dots[cluster, default: 0] += weight * (building[cluster].sum[term] ?? 0) }
            }
            var best: (cluster: Int, score: Double)?
            for (cluster, dot) in dots {
                let norm = building[cluster].normSquared.squareRoot()
                guard norm > 0 else { continue }
                let score = dot / norm
                if score >= similarity, score > (best?.score ?? -1) || (score == best?.score && cluster < (best?.cluster ?? 0)) {
                    best = (cluster, score)
                }
            }
            let target: Int
            if let best {
                target = best.cluster
            } else {
                building.append(Building())
                target = building.count - 1
            }
            for term in weights.keys where building[target].sum[term] == nil { postings[term, default: []].append(target) }
            building[target].add(weights, member: index)
        }
        if !wordless.members.isEmpty { building.append(wordless) }

        return building.map { cluster -> GapCluster in
            let members = cluster.members.map { ordered[$0] }
            let terms = cluster.sum.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map(\.key)
            var samples: [String] = []
            for entry in members.reversed() where !samples.contains(entry.text) && samples.count < 5 { samples.append(entry.text) }
            var near: [String: (title: String, questions: Int)] = [:]
            for entry in members {
                for candidate in Set(entry.candidates.map(\.nuggetID)) {
                    let title = entry.candidates.first { $0.nuggetID == candidate }?.title ?? candidate
                    near[candidate, default: (title, 0)].questions += 1
                }
            }
            let nearest = near.map { GapCluster.NearNugget(nuggetID: $0.key, title: $0.value.title, questions: $0.value.questions) }
                .sorted { ($1.questions, $0.nuggetID) < ($0.questions, $1.nuggetID) }
            return GapCluster(
                key: terms.isEmpty ? "(no words)" : terms.prefix(3).sorted().joined(separator: "+"), terms: Array(terms), count: members.count,
                people: Set(members.map { "\($0.platform):\($0.team):\($0.user)" }).count,
                firstAsked: members.first?.askedAt ?? .distantPast, lastAsked: members.last?.askedAt ?? .distantPast, samples: samples,
                nearestNuggets: Array(nearest.prefix(3)))
        }
        .sorted { ($1.count, $1.lastAsked) < ($0.count, $0.lastAsked) }
    }
}
