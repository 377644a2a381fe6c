/// A learned model's feature → nugget weights, dense or sparse by size.
enum Postings: Sendable {
    /// `features × stride` weights, one row per feature, `stride` the class count rounded up to a
    /// multiple of 8 so rows are summed eight classes at a time.
    case dense(weights: [Float], classes: Int, stride: Int)
    /// Sparse postings lists (the keyword index shape), small weights pruned.
    case sparse(KeywordIndex)

    /// Dense rows while they take at most this many weights (64 Mi floats, 256 MB).
    static let denseLimit = 1 << 26

    init(_ trained: LinearWeights, pruning: Float) {
        let classes = trained.classes
        let features = trained.features
        let stride = (classes + 7) / 8 * 8
        if features * stride <= Self.denseLimit {
            var weights = [Float](repeating: 0, count: features * stride)
            for feature in 0..<features {
                for klass in 0..<classes { weights[feature * stride + klass] = trained.values[feature * classes + klass] }
            }
            self = .dense(weights: weights, classes: classes, stride: stride)
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
        case .dense(let weights, let classes, let stride):
            let features = stride == 0 ? 0 : weights.count / stride
            return (features, features * classes)
        case .sparse(let index): return (index.postings.count, index.postings.reduce(0) { $0 + $1.count })
        }
    }

    /// Adds the vector's weighted postings into per-class scores.
    func accumulate(_ vector: SparseVector, into scores: inout [Float]) {
        switch self {
        case .dense(let weights, let classes, let stride):
            let lanes = stride / 8
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: lanes) { sums in
                sums.initialize(repeating: .zero)
                weights.withUnsafeBufferPointer { rows in
                    guard let start = rows.baseAddress else { return }  // no features at all
                    let base = UnsafeRawPointer(start)
                    for (feature, value) in zip(vector.indices, vector.values) {
                        let row = base + Int(feature) * stride * MemoryLayout<Float>.stride
                        for lane in 0..<lanes {
                            sums[lane] += value * row.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
                        }
                    }
                }
                scores.withUnsafeMutableBufferPointer { out in
                    for klass in 0..<classes { out[klass] += sums[klass / 8][klass % 8] }
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
