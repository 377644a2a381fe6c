/// The sentence embeddings of a nugget set's examples (questions, titles, body passages), for the
/// semantic engine's second signal: how close a question comes to the nearest example of each
/// nugget. A linear model over embeddings learns each nugget's average meaning; the nearest example
/// keeps the one sentence of a body that a question paraphrases.
///
/// At most `limit` examples are kept (the cost per question grows with them): beyond that, the
/// same number from every class, in their order. The nearest example's similarity is also a
/// calibration input: a question close to no example at all is likely out of scope.
struct NearestExamples: Sendable {
    static let limit = 4_000

    let dimension: Int
    /// Row-major: one unit-length embedding per example.
    let vectors: [Float]
    let labels: [Int32]
    /// Each example's row in the training data (for leaving held-out rows out).
    let rows: [Int]

    /// Whether every example was kept (the similarity can then also weigh in the scores).
    let complete: Bool

    init?(embeddings: [[Float]], labels: [Int32], classes: Int) {
        guard let dimension = embeddings.first?.count, dimension > 0, embeddings.count == labels.count, classes > 0 else { return nil }
        let total = labels.filter { $0 >= 0 }.count
        let perClass = total <= Self.limit ? Int.max : max(1, Self.limit / classes)
        var taken = [Int](repeating: 0, count: classes)
        var vectors: [Float] = []
        var kept: [Int32] = []
        var rows: [Int] = []
        for (row, (embedding, label)) in zip(embeddings, labels).enumerated()
        where label >= 0 && Int(label) < classes && embedding.count == dimension && taken[Int(label)] < perClass {
            taken[Int(label)] += 1
            vectors += embedding
            kept.append(label)
            rows.append(row)
        }
        guard !kept.isEmpty else { return nil }
        self.complete = kept.count == total
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
                guard let vectorsStart = vectors.baseAddress, let queryStart = query.baseAddress else { return }
                let raw = UnsafeRawPointer(vectorsStart)
                let queryRaw = UnsafeRawPointer(queryStart)
                let lanes = dimension / 8
                for (index, label) in labels.enumerated() where Int(label) < classes && !skip(rows[index]) {
                    let base = index * dimension
                    var sum = SIMD8<Float>.zero
                    for lane in 0..<lanes {
                        sum += raw.loadUnaligned(fromByteOffset: (base + lane * 8) * 4, as: SIMD8<Float>.self)
                            * queryRaw.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
                    }
                    var dot = sum.sum()
                    for column in lanes * 8..<dimension { dot += vectors[base + column] * query[column] }
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

/// Each class's centroid: the unit-length mean of its examples' embeddings. How close a question
/// comes to the centroid of the class it was put in is a calibration input: out-of-scope questions
/// land in some class, but far from what its examples say.
struct Centroids: Sendable {
    let dimension: Int
    /// classes × dimension, zero rows for classes without examples.
    let vectors: [Float]

    /// From the rows `include` accepts (all by default).
    init?(embeddings: [[Float]], labels: [Int32], classes: Int, include: (Int) -> Bool = { _ in true }) {
        guard let dimension = embeddings.first?.count, dimension > 0, embeddings.count == labels.count else { return nil }
        var sums = [Float](repeating: 0, count: classes * dimension)
        for (row, label) in labels.enumerated() where label >= 0 && Int(label) < classes && include(row) {
            let embedding = embeddings[row]
            guard embedding.count == dimension else { continue }
            let base = Int(label) * dimension
            for column in 0..<dimension { sums[base + column] += embedding[column] }
        }
        for klass in 0..<classes {
            let base = klass * dimension
            var norm: Float = 0
            for column in 0..<dimension { norm += sums[base + column] * sums[base + column] }
            guard norm > 0 else { continue }
            let scale = 1 / norm.squareRoot()
            for column in 0..<dimension { sums[base + column] *= scale }
        }
        self.dimension = dimension
        self.vectors = sums
    }

    /// The cosine similarity of a unit-length query to a class's centroid (0 when it has none).
    func similarity(_ query: [Float], to klass: Int) -> Float {
        guard query.count == dimension, (klass + 1) * dimension <= vectors.count else { return 0 }
        var dot: Float = 0
        let base = klass * dimension
        for column in 0..<dimension { dot += vectors[base + column] * query[column] }
        return dot
    }
}
