import Foundation
import Synchronization

/// A linear classifier over words, word pairs and character n-grams, learned from each nugget's
/// example questions when the content loads, and stored as a keyword index: each feature's postings
/// list the nuggets it speaks for, with learned weights. Scoring a question is a sum of postings.
public struct LinearIntentModel: Sendable {
    /// Training knobs; the defaults suit content sets from a few dozen to a few thousand nuggets.
    public struct Settings: Sendable, Hashable, Codable {
        /// How the weights are learned.
        public var solver: Solver = .softmax
        /// Softmax: passes over the examples, the starting learning rate (it falls linearly to zero)
        /// and the L2 strength per example.
        public var epochs = 10
        public var learningRate: Float = 1
        public var l2: Float = 1e-6
        /// Softmax: feature dropout rates to choose from. Each is tried on the held-out folds and the
        /// one with the best held-out accuracy trains the model: dropping features at random while
        /// training regularises towards many weak cues (good with plenty of examples), keeping them
        /// all suits a handful of examples per nugget.
        public var dropoutCandidates: [Float] = [0, 0.6]
        /// Softmax: how much nuggets whose titles share a word share their weights (0: not at all). A
        /// question about one card nugget is then evidence for the other card nuggets too, which helps
        /// most when each nugget has few example questions.
        public var titleSharing: Float = 0.25
        /// SVM: regularisation (larger fits the training data more closely) and passes.
        public var cost: Float = 1
        public var maxEpochs = 20
        /// Held-out folds used to choose the dropout, calibrate confidences and pick the threshold; nil:
        /// 5 when out-of-scope examples are given (so that every nugget takes a turn at standing for an
        /// unseen subject), 3 otherwise; 0: none (the first candidate, uncalibrated: for rankings only).
        public var folds: Int? = nil
        /// How bad a wrong answer is compared with a right one (for the threshold).
        public var wrongAnswerCost: Double = 0.5
        /// How bad offering a choice without the right nugget is (for the offer threshold); nil: as a
        /// wrong answer.
        public var wrongOfferCost: Double? = nil
        /// When out-of-scope examples are given, each fold also holds out this share of the nuggets,
        /// whose questions then stand for subjects the content does not cover.
        public var unseenNuggetShare: Double = 0.2
        /// Postings below this share of the largest weight are dropped.
        public var pruning: Float = 1e-3
        /// The length of a sentence embedding among the features, against 1 for the word block and 1
        /// for the character block.
        public var embeddingScale: Float = 1

        public enum Solver: String, Sendable, Hashable, Codable {
            /// Multinomial logistic regression (all classes compete), by SGD.
            case softmax
            /// One-vs-rest linear SVMs, by dual coordinate descent.
            case svm
        }

        /// How much the nearest example's similarity (a cosine) adds to a nugget's score, candidates
        /// chosen on the held-out folds (0: not at all); used with sentence embeddings and at most
        /// `NearestExamples.limit` examples.
        public var nearestWeightCandidates: [Float] = [0, 4, 8, 16]

        /// How much the sentence embedding weighs, candidates chosen between on the held-out folds
        /// with the dropout rates (times `embeddingScale`): meaning counts for more when the examples
        /// are few or worded unlike the questions, for less when words already separate the nuggets.
        public var embeddingScaleCandidates: [Float] = [1, 2]

        /// The trainers to choose between on the held-out folds; `groups`: classes that share part of
        /// their weights (see `titleSharing`); `denseStart`: the first embedding feature, if any.
        func candidates(groups: [[Int]] = [], denseStart: Int? = nil) -> [any LinearTrainer] {
            switch solver {
            case .svm:
                var trainer = LinearSVMTrainer()
                trainer.cost = cost
                trainer.maxEpochs = maxEpochs
                return [trainer]
            case .softmax:
                let factors = denseStart == nil || embeddingScaleCandidates.isEmpty ? [1] : embeddingScaleCandidates
                return factors.flatMap { factor in (dropoutCandidates.isEmpty ? [0] : dropoutCandidates).map { (factor, $0) } }.map { factor, dropout in
                    var trainer = SoftmaxTrainer()
                    if let denseStart {
                        trainer.denseStart = Int32(denseStart)
                        trainer.denseFactor = factor
                    }
                    trainer.epochs = epochs
                    trainer.learningRate = learningRate
                    trainer.l2 = l2
                    trainer.dropout = dropout
                    trainer.groups = groups
                    trainer.groupRate = titleSharing
                    return trainer
                }
            }
        }

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
    /// Sentence embeddings as extra dense features (feature ids from `vectorizer.featureCount`), times
    /// `embeddingScale`; nil when trained on text features alone.
    let embedding: EmbeddingFeatures?

    /// Where a text's sentence embedding sits among the features, and how much it weighs against the
    /// unit-length word and character blocks.
    struct EmbeddingFeatures: Sendable {
        var start: Int
        var dimension: Int
        var scale: Float

        func append(_ embedding: [Float], to vector: inout SparseVector) {
            guard embedding.count == dimension else { return }
            vector.indices.append(contentsOf: (0..<Int32(dimension)).map { Int32(start) + $0 })
            vector.values.append(contentsOf: embedding.map { $0 * scale })
        }
    }

    /// The examples' embeddings and the weight of the nearest one's similarity (semantic engine, small
    /// content sets).
    let nearest: NearestExamples?
    let nearestWeight: Float
    /// Each class's mean example embedding, for the calibration's similarity input.
    let centroids: Centroids?

    /// The examples' embeddings for the calibration's nearest-example input.
    let nearestForCalibration: NearestExamples?

    /// The question's similarity to the nearest example of every class (nil when not needed).
    public func nearestSimilarities(_ embedding: [Float]?) -> [Float]? {
        guard let embedding, let examples = nearest ?? nearestForCalibration else { return nil }
        return examples.similarities(embedding, classes: classCount)
    }

    /// The question's similarity to a class's centroid (0 without embeddings).
    public func centroidSimilarity(_ embedding: [Float]?, to klass: Int) -> Float {
        guard let centroids, let embedding else { return 0 }
        return centroids.similarity(embedding, to: klass)
    }

    /// Whether questions must come with their sentence embedding (`evaluate(tokens:embedding:)`).
    public var usesEmbeddings: Bool { embedding != nil }

    /// Learns from the examples, then calibrates on held-out folds. The final model and the folds'
    /// models train at the same time, one per core. `titles[c]` names class `c` (nuggets whose titles
    /// share a word share part of their weights; none given, none shared).
    ///
    /// `embeddings`, when given, holds each example's unit-length sentence embedding (same order): the
    /// model then learns from words, character n-grams and meaning together (early fusion), and every
    /// question needs its embedding too.
    public static func train(
        _ examples: [Example], classes: Int, titles: [String] = [], stemmer: SnowballStemmer, stopwords: Set<String> = [], settings: Settings = Settings(),
        embeddings: [[Float]]? = nil
    ) -> LinearIntentModel {
        let (vectorizer, textVectors) = TextVectorizer.fit(examples.map(\.text), stemmer: stemmer, stopwords: stopwords)
        var vectors = textVectors
        var dense: EmbeddingFeatures?
        if let embeddings, embeddings.count == examples.count, let dimension = embeddings.first?.count, dimension > 0 {
            let features = EmbeddingFeatures(start: vectorizer.featureCount, dimension: dimension, scale: settings.embeddingScale)
            for row in vectors.indices { features.append(embeddings[row], to: &vectors[row]) }
            dense = features
        }
        let featureCount = vectorizer.featureCount + (dense?.dimension ?? 0)
        let exampleLabels = examples.map { Int32($0.label ?? -1) }
        let nearest = dense == nil ? nil : embeddings.flatMap { NearestExamples(embeddings: $0, labels: exampleLabels, classes: classes) }
        let centroids = dense == nil ? nil : embeddings.flatMap { Centroids(embeddings: $0, labels: exampleLabels, classes: classes) }
        var rowsMatrix = SparseMatrix()
        for vector in vectors { rowsMatrix.append(vector) }
        let matrix = rowsMatrix
        let labels = examples.map { Int32($0.label ?? -1) }
        let rowWeights = examples.map(\.weight)
        let folds = Folds(labels: labels, classes: classes, settings: settings)
        let all = settings.candidates(
            groups: TitleGroups.groups(titles: titles, stemmer: stemmer, stopwords: stopwords), denseStart: dense?.start)
        let candidates = folds == nil ? Array(all.prefix(1)) : all
        /// Trains the given (candidate, fold) jobs one per core; fold nil is the final model on all rows.
        func trainAll(_ jobs: [(candidate: Int, fold: Int?)]) -> [LinearWeights] {
            let results = Mutex([LinearWeights?](repeating: nil, count: jobs.count))
            DispatchQueue.concurrentPerform(iterations: jobs.count) { job in
                let trainer = candidates[jobs[job].candidate]
                let weights: LinearWeights
                if let fold = jobs[job].fold {
                    let part = folds!.training(fold, matrix: matrix, labels: labels, rowWeights: rowWeights)
                    weights = trainer.train(
                        part.matrix, labels: part.labels, rowWeights: part.rowWeights, activeClasses: part.active, classes: classes,
                        features: featureCount)
                } else {
                    weights = trainer.train(
                        matrix, labels: labels, rowWeights: rowWeights, activeClasses: Array(0..<classes), classes: classes,
                        features: featureCount)
                }
                results.withLock { $0[job] = weights }
            }
            return results.withLock { $0.map { $0! } }
        }
        guard let folds else {
            let weights = trainAll([(0, nil)])[0]
            dense?.scale *= (candidates[0] as? SoftmaxTrainer)?.denseFactor ?? 1
            // Nothing to choose the nearest example's weight on: leave it out.
            let weight: Float = 0
            return LinearIntentModel(
                vectorizer: vectorizer, postings: Postings(weights, pruning: settings.pruning), bias: (0..<classes).map(weights.bias),
                classCount: classes, calibration: .uncalibrated, embedding: dense, nearest: weight > 0 ? nearest : nil, nearestWeight: weight,
                centroids: nil, nearestForCalibration: nil)
        }
        // The candidates compete on the first two folds (the best held-out accuracy on answerable rows
        // wins); then the winner trains the final model and the other folds, which complete its
        // held-out predictions for calibration. Two folds choose about as well as all of them, and
        // the losers never train more than those two.
        let selectionFolds = candidates.count > 1 ? min(2, folds.count) : 0
        let contest = trainAll((0..<candidates.count).flatMap { candidate in (0..<selectionFolds).map { (candidate, $0) } })
        // Each candidate trainer with each weight of the nearest example's similarity.
        let weights = nearest?.complete != true ? [Float(0)] : (settings.nearestWeightCandidates.isEmpty ? [0] : settings.nearestWeightCandidates)
        // Each held-out row's nearest-example similarities, per fold: the same for every candidate.
        let nearestByFold = Mutex([[Int: [Float]]](repeating: [:], count: folds.count))
        if let nearest, let embeddings {
            DispatchQueue.concurrentPerform(iterations: folds.count) { fold in
                var found: [Int: [Float]] = [:]
                for row in 0..<labels.count where folds.rowFold[row] == fold && row < embeddings.count {
                    found[row] = nearest.similarities(embeddings[row], classes: classes) { folds.rowFold[$0] == fold }
                }
                nearestByFold.withLock { $0[fold] = found }
            }
        }
        let nearestSimilarities = nearestByFold.withLock { $0 }
        var chosen = 0
        var chosenWeight = weights[0]
        var best: (right: Int, heldOut: [HeldOut]) = (-1, [])
        for candidate in 0..<(selectionFolds > 0 ? candidates.count : 0) {
            var heldOut: [HeldOut] = []
            for fold in 0..<selectionFolds {
                heldOut += folds.heldOut(
                    fold, weights: contest[candidate * selectionFolds + fold], matrix: matrix, labels: labels, trainer: candidates[candidate],
                    nearest: nearestSimilarities[fold], embeddings: embeddings)
            }
            for weight in weights {
                let right = HeldOut.samples(heldOut, nearestWeight: weight).reduce(0) { $0 + ($1.correct ? 1 : 0) }
                if right > best.right {
                    best = (right, heldOut)
                    chosen = candidate
                    chosenWeight = weight
                }
            }
        }
        let rest = trainAll([(chosen, nil)] + (selectionFolds..<folds.count).map { (chosen, $0) })
        var heldOut = selectionFolds > 0 ? best.heldOut : []
        for fold in selectionFolds..<folds.count {
            heldOut += folds.heldOut(
                fold, weights: rest[1 + fold - selectionFolds], matrix: matrix, labels: labels, trainer: candidates[chosen],
                nearest: nearestSimilarities[fold], embeddings: embeddings)
        }
        if selectionFolds == 0, weights.count > 1 {
            // One trainer: the folds still choose the nearest example's weight.
            chosenWeight = weights.max { HeldOut.samples(heldOut, nearestWeight: $0).filter(\.correct).count < HeldOut.samples(heldOut, nearestWeight: $1).filter(\.correct).count } ?? 0
        }
        let samples = HeldOut.samples(heldOut, nearestWeight: chosenWeight)
        let calibration = Calibration.fit(samples, wrongAnswerCost: settings.wrongAnswerCost, wrongOfferCost: settings.wrongOfferCost)
        let final = rest[0]
        dense?.scale *= (candidates[chosen] as? SoftmaxTrainer)?.denseFactor ?? 1
        return LinearIntentModel(
            vectorizer: vectorizer, postings: Postings(final, pruning: settings.pruning), bias: (0..<classes).map(final.bias),
            classCount: classes, calibration: calibration, embedding: dense, nearest: chosenWeight > 0 ? nearest : nil, nearestWeight: chosenWeight,
            centroids: calibration.similarityWeight != 0 ? centroids : nil, nearestForCalibration: calibration.nearestWeight != 0 ? nearest : nil)
    }

    /// Scores of every class for a text (higher is better).
    public func scores(_ text: String) -> [Float] {
        evaluate(text).scores
    }

    /// Scores of every class, and the share of the text's content words the model knows.
    public func evaluate(_ text: String) -> (scores: [Float], coverage: Double) {
        evaluate(tokens: Tokenizer.tokens(text))
    }

    /// `evaluate` for a text already split into tokens.
    public func evaluate(tokens: [String], embedding: [Float]? = nil) -> (scores: [Float], coverage: Double) {
        let (scores, coverage, _) = evaluateWithNearest(tokens: tokens, embedding: embedding)
        return (scores, coverage)
    }

    /// `evaluate`, with the nearest-example similarities of every class when the model uses them
    /// (in its scores or its calibration), computed once for both.
    public func evaluateWithNearest(tokens: [String], embedding: [Float]?) -> (scores: [Float], coverage: Double, nearest: [Float]?) {
        var scores = bias
        var (vector, coverage) = vectorizer.analyse(tokens: tokens)
        if let dense = self.embedding, let embedding { dense.append(embedding, to: &vector) }
        let similarities = nearestSimilarities(embedding)
        if let similarities, nearest != nil, nearestWeight != 0 {
            for klass in scores.indices { scores[klass] += nearestWeight * similarities[klass] }
        }
        postings.accumulate(vector, into: &scores)
        return (scores, coverage, similarities)
    }

    /// Size of the index: features and postings.
    public var size: (features: Int, postings: Int) { postings.size }

    /// Whether the text shares any feature with the training data at all.
    public func knows(_ text: String) -> Bool { !vectorizer.vector(text).isEmpty }

}
