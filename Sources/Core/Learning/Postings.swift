/// A learned model's feature → nugget weights, dense or sparse by size.
enum Postings: Sendable {
    /// `features × classes` weights, one row per feature.
    case dense(weights: [Float], classes: Int)
    /// Sparse postings lists (the keyword index shape), small weights pruned.
    case sparse(KeywordIndex)

    /// Dense rows while they take at most this many weights (64 Mi floats, 256 MB).
    static let denseLimit = 1 << 26

    init(_ trained: LinearSVMTrainer.Weights, pruning: Float) {
        let classes = trained.classes
        let features = trained.features
        if features * classes <= Self.denseLimit {
            var weights = [Float](repeating: 0, count: features * classes)
            for klass in 0..<classes {
                for feature in 0..<features { weights[feature * classes + klass] = trained.weight(klass, feature) }
            }
            self = .dense(weights: weights, classes: classes)
            return
        }
        var index = KeywordIndex(documentCount: classes)
        let largest = trained.values.reduce(0) { max($0, abs($1)) }
        let floor = largest * pruning
        for feature in 0..<features {
            var list: [KeywordIndex.Posting] = []
            for klass in 0..<classes {
                let w = trained.weight(klass, feature)
                if abs(w) > floor { list.append(.init(document: Int32(klass), weight: w)) }
            }
            index.add(term: String(feature), postings: list, mass: 0)
        }
        self = .sparse(index)
    }

    var size: (features: Int, postings: Int) {
        switch self {
        case .dense(let weights, let classes): return (classes == 0 ? 0 : weights.count / classes, weights.count)
        case .sparse(let index): return (index.postings.count, index.postings.reduce(0) { $0 + $1.count })
        }
    }

    /// Adds the vector's weighted postings into per-class scores.
    func accumulate(_ vector: SparseVector, into scores: inout [Float]) {
        switch self {
        case .dense(let weights, let classes):
            scores.withUnsafeMutableBufferPointer { out in
                weights.withUnsafeBufferPointer { rows in
                    for (feature, value) in zip(vector.indices, vector.values) {
                        let row = rows.baseAddress! + Int(feature) * classes
                        for klass in 0..<classes { out[klass] += value * row[klass] }
                    }
                }
            }
        case .sparse(let index):
            scores.withUnsafeMutableBufferPointer { out in
                for (feature, value) in zip(vector.indices, vector.values) {
                    for posting in index.postings[Int(feature)] { out[Int(posting.document)] += value * posting.weight }
                }
            }
        }
    }
}
