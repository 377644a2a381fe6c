/// The sentence embeddings of a nugget set's examples (questions, titles, body passages), for the
/// semantic engine's second signal: how close a question comes to the nearest example of each
/// nugget. A linear model over embeddings learns each nugget's average meaning; the nearest example
/// keeps the one sentence of a body that a question paraphrases.
///
/// Kept only for content with at most `limit` examples: the cost per question grows with them, and
/// with many examples per nugget the linear model has learned what they say.
struct NearestExamples: Sendable {
    static let limit = 4_000

    let dimension: Int
    /// Row-major: one unit-length embedding per example.
    let vectors: [Float]
    let labels: [Int32]
    /// Each example's row in the training data (for leaving held-out rows out).
    let rows: [Int]

    init?(embeddings: [[Float]], labels: [Int32]) {
        guard let dimension = embeddings.first?.count, dimension > 0, embeddings.count == labels.count else { return nil }
        var vectors: [Float] = []
        var kept: [Int32] = []
        var rows: [Int] = []
        for (row, (embedding, label)) in zip(embeddings, labels).enumerated() where label >= 0 && embedding.count == dimension {
            vectors += embedding
            kept.append(label)
            rows.append(row)
        }
        guard !kept.isEmpty, kept.count <= Self.limit else { return nil }
        self.dimension = dimension
        self.vectors = vectors
        self.labels = kept
        self.rows = rows
    }

    /// Per class, the largest cosine similarity between the query and one of its examples (0 for a
    /// class without one); examples whose training row `skip` says are left out.
    func similarities(_ query: [Float], classes: Int, skip: (Int) -> Bool = { _ in false }) -> [Float] {
        var best = [Float](repeating: 0, count: classes)
        var seen = [Bool](repeating: false, count: classes)
        guard query.count == dimension else { return best }
        vectors.withUnsafeBufferPointer { vectors in
            query.withUnsafeBufferPointer { query in
                for (index, label) in labels.enumerated() where Int(label) < classes && !skip(rows[index]) {
                    let base = index * dimension
                    var dot: Float = 0
                    for column in 0..<dimension { dot += vectors[base + column] * query[column] }
                    let klass = Int(label)
                    if !seen[klass] || dot > best[klass] {
                        best[klass] = dot
                        seen[klass] = true
                    }
                }
            }
        }
        return best
    }
}
