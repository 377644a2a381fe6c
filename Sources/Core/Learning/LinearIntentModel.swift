import Foundation

/// A linear classifier over words, word pairs and character n-grams, learned from each nugget's
/// example questions when the content loads, and stored as a keyword index: each feature's postings
/// list the nuggets it speaks for, with learned weights. Scoring a question is a sum of postings.
public struct LinearIntentModel: Sendable {
    /// Training knobs; the defaults suit content sets from a few dozen to a few thousand nuggets.
    public struct Settings: Sendable, Hashable, Codable {
        public var cost: Float = 1
        public var maxEpochs = 20
        /// Held-out folds used to calibrate confidences and pick the threshold.
        public var folds = 3
        /// How bad a wrong answer is compared with a right one (for the threshold).
        public var wrongAnswerCost: Double = 0.5
        /// When out-of-scope examples are given, each fold also holds out this share of the nuggets,
        /// whose questions then stand for subjects the content does not cover.
        public var unseenNuggetShare: Double = 0.2
        /// Postings below this share of the largest weight are dropped.
        public var pruning: Float = 1e-3

        public init() {}
    }

    /// One training example: a text and the class it belongs to (nil: out of scope, answer nothing).
    public struct Example: Sendable, Hashable {
        public var text: String
        public var label: Int?
        public var weight: Float

        public init(text: String, label: Int?, weight: Float = 1) {
            self.text = text
            self.label = label
            self.weight = weight
        }
    }

    let vectorizer: TextVectorizer
    /// Feature → nugget weights. With few nuggets every feature speaks for every nugget, so the
    /// postings are kept as one dense row per feature (a cache-friendly, vectorised sum); with many,
    /// as sparse postings lists with the smallest weights pruned.
    let postings: Postings
    let bias: [Float]
    public let classCount: Int
    public let calibration: Calibration

    /// Learns from the examples, then calibrates on held-out folds.
    public static func train(
        _ examples: [Example], classes: Int, stemmer: SnowballStemmer, stopwords: Set<String> = [], settings: Settings = Settings()
    ) -> LinearIntentModel {
        let (vectorizer, vectors) = TextVectorizer.fit(examples.map(\.text), stemmer: stemmer, stopwords: stopwords)
        var matrix = SparseMatrix()
        for vector in vectors { matrix.append(vector) }
        let labels = examples.map { Int32($0.label ?? -1) }
        let rowWeights = examples.map(\.weight)
        var trainer = LinearSVMTrainer()
        trainer.cost = settings.cost
        trainer.maxEpochs = settings.maxEpochs
        let weights = trainer.train(
            matrix, labels: labels, rowWeights: rowWeights, activeClasses: Array(0..<classes), classes: classes,
            features: vectorizer.featureCount)
        let calibration = calibrate(
            matrix: matrix, labels: labels, rowWeights: rowWeights, classes: classes, features: vectorizer.featureCount,
            trainer: trainer, settings: settings)
        return LinearIntentModel(
            vectorizer: vectorizer, postings: Postings(weights, pruning: settings.pruning), bias: (0..<classes).map(weights.bias),
            classCount: classes, calibration: calibration)
    }

    /// Scores of every class for a text (higher is better).
    public func scores(_ text: String) -> [Float] {
        evaluate(text).scores
    }

    /// Scores of every class, and the share of the text's content words the model knows.
    public func evaluate(_ text: String) -> (scores: [Float], coverage: Double) {
        var scores = bias
        let (vector, coverage) = vectorizer.analyse(text)
        postings.accumulate(vector, into: &scores)
        return (scores, coverage)
    }

    /// Size of the index: features and postings.
    public var size: (features: Int, postings: Int) { postings.size }

    /// Whether the text shares any feature with the training data at all.
    public func knows(_ text: String) -> Bool { !vectorizer.vector(text).isEmpty }

    /// Held-out predictions: in each fold, a share of the rows is held out. When the examples include
    /// out-of-scope questions (so such questions are expected), a share of whole classes is held out
    /// too, and their rows play questions about subjects no nugget covers, as unseen ones will.
    static func calibrate(
        matrix: SparseMatrix, labels: [Int32], rowWeights: [Float], classes: Int, features: Int, trainer: LinearSVMTrainer,
        settings: Settings
    ) -> Calibration {
        let folds = max(2, settings.folds)
        guard classes >= folds, matrix.rowCount >= 2 * folds else { return .uncalibrated }
        var random = SplitMix64(seed: 0xCA11B)
        let simulateUnseen = labels.contains(-1)
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
        var samples: [Calibration.Sample] = []
        for fold in 0..<folds {
            var training = SparseMatrix()
            var trainingLabels: [Int32] = []
            var trainingWeights: [Float] = []
            var heldOut: [Int] = []
            for row in 0..<labels.count {
                let label = labels[row]
                let classHeldOut = label >= 0 && classFold[Int(label)] == fold
                if rowFold[row] == fold {
                    heldOut.append(row)
                } else if !classHeldOut {
                    let range = matrix.rowStart[row]..<matrix.rowStart[row + 1]
                    training.append(SparseVector(indices: Array(matrix.columns[range]), values: Array(matrix.values[range])))
                    trainingLabels.append(label)
                    trainingWeights.append(rowWeights[row])
                }
            }
            let active = (0..<classes).filter { classFold[$0] != fold }
            let weights = trainer.train(
                training, labels: trainingLabels, rowWeights: trainingWeights, activeClasses: active, classes: classes, features: features)
            for row in heldOut {
                var top: (klass: Int, score: Float) = (-1, -.infinity)
                var second: Float = -.infinity
                for klass in active {
                    var score = weights.bias(klass)
                    for position in matrix.rowStart[row]..<matrix.rowStart[row + 1] {
                        score += weights.weight(klass, Int(matrix.columns[position])) * matrix.values[position]
                    }
                    if score > top.score {
                        second = top.score
                        top = (klass, score)
                    } else if score > second {
                        second = score
                    }
                }
                let label = labels[row]
                let outOfScope = label < 0 || classFold[Int(label)] == fold
                samples.append(.init(top: top.score, margin: top.score - second, correct: !outOfScope && top.klass == Int(label), outOfScope: outOfScope))
            }
        }
        return Calibration.fit(samples, wrongAnswerCost: settings.wrongAnswerCost)
    }
}
