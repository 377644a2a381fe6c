import Foundation

/// Held-out folds of the training data, for calibration: in each fold, a share of the rows is held
/// out. When the examples include out-of-scope questions (so such questions are expected), a share
/// of whole classes is held out too, and their rows play questions about subjects no nugget covers,
/// as unseen ones will.
struct Folds: Sendable {
    let count: Int
    let classes: Int
    let classFold: [Int]
    let rowFold: [Int]

    init?(labels: [Int32], classes: Int, settings: LinearIntentModel.Settings) {
        guard settings.folds != 0 else { return nil }
        let simulateUnseen = labels.contains(-1)
        // Never more folds than nuggets: a handful of nuggets with out-of-scope examples still calibrates.
        let folds = max(2, min(settings.folds ?? (simulateUnseen ? 5 : 3), classes))
        guard classes >= folds, labels.count >= 2 * folds else { return nil }
        var random = SplitMix64(seed: 0xCA11B)
        let groups = max(folds, Int((1 / max(0.01, settings.unseenNuggetShare)).rounded()))
        var classFold = (0..<classes).map { simulateUnseen ? $0 % groups : -1 }
        classFold.shuffle(using: &random)
        var rowFold = [Int](repeating: 0, count: labels.count)
        var seen = [Int](repeating: 0, count: classes + 1)
        for (row, label) in labels.enumerated() {
            let key = label < 0 ? classes : Int(label)
            rowFold[row] = (seen[key] + key) % folds
            seen[key] += 1
        }
        self.count = folds
        self.classes = classes
        self.classFold = classFold
        self.rowFold = rowFold
    }

    /// The rows a fold trains on, and its classes.
    func training(_ fold: Int, matrix: SparseMatrix, labels: [Int32], rowWeights: [Float]) -> (
        matrix: SparseMatrix, labels: [Int32], rowWeights: [Float], active: [Int]
    ) {
        var training = SparseMatrix()
        var trainingLabels: [Int32] = []
        var trainingWeights: [Float] = []
        for row in 0..<labels.count where rowFold[row] != fold {
            let label = labels[row]
            if label >= 0 && classFold[Int(label)] == fold { continue }
            let range = matrix.rowStart[row]..<matrix.rowStart[row + 1]
            training.append(SparseVector(indices: Array(matrix.columns[range]), values: Array(matrix.values[range])))
            trainingLabels.append(label)
            trainingWeights.append(rowWeights[row])
        }
        return (training, trainingLabels, trainingWeights, (0..<classes).filter { classFold[$0] != fold })
    }

    /// The fold model's scores on the rows it did not see, with each row's nearest-example
    /// similarities (over the fold's training rows) when there are example embeddings.
    func heldOut(
        _ fold: Int, weights: LinearWeights, matrix: SparseMatrix, labels: [Int32], trainer: any LinearTrainer,
        nearest: [Int: [Float]], embeddings: [[Float]]?
    ) -> [HeldOut] {
        let softmax = trainer as? SoftmaxTrainer
        let active = (0..<classes).filter { classFold[$0] != fold }
        var records: [HeldOut] = []
        var all = [Float](repeating: 0, count: classes)
        // The fold's centroids, from the rows it trained on.
        let centroids = embeddings.flatMap { embeddings in
            Centroids(embeddings: embeddings, labels: labels, classes: classes) { rowFold[$0] != fold }
        }
        for row in 0..<labels.count where rowFold[row] == fold {
            weights.scores(row: row, of: matrix, into: &all, denseStart: softmax?.denseStart ?? .max, denseFactor: softmax?.denseFactor ?? 1)
            let similarities = nearest[row].map { all in active.map { all[$0] } } ?? []
            let label = labels[row]
            let outOfScope = label < 0 || classFold[Int(label)] == fold
            var centroidSimilarities: [Float] = []
            if let centroids, let embeddings, row < embeddings.count {
                centroidSimilarities = active.map { centroids.similarity(embeddings[row], to: $0) }
            }
            records.append(
                HeldOut(
                    scores: active.map { all[$0] }, similarities: similarities, centroidSimilarities: centroidSimilarities,
                    answer: outOfScope ? nil : active.firstIndex(of: Int(label))))
        }
        return records
    }
}

/// One held-out row: the fold model's scores over its active classes, the nearest-example
/// similarities (empty without embeddings) and the position of the right class (nil: out of scope).
struct HeldOut: Sendable {
    var scores: [Float]
    var similarities: [Float]
    /// The row's similarity to each active class's centroid (empty without embeddings).
    var centroidSimilarities: [Float]
    var answer: Int?

    /// Calibration samples for the scores plus `nearestWeight` times the similarities.
    static func samples(_ records: [HeldOut], nearestWeight: Float) -> [Calibration.Sample] {
        records.map { record in
            var scores = record.scores
            if nearestWeight != 0, record.similarities.count == scores.count {
                for index in scores.indices { scores[index] += nearestWeight * record.similarities[index] }
            }
            let best = Matcher.top(scores, limit: 1)[0]
            return Calibration.Sample(
                top: best.score, margin: best.margin, logProbability: best.score - logSumExp(scores),
                correct: record.answer == best.document, outOfScope: record.answer == nil,
                similarity: best.document < record.centroidSimilarities.count ? record.centroidSimilarities[best.document] : nil,
                nearest: best.document < record.similarities.count ? record.similarities[best.document] : nil)
        }
    }
}
