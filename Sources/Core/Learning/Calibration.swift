import Foundation

/// Turns a linear model's raw scores into the probability that its top answer is right, and picks the
/// rejection threshold, both from held-out predictions on the training data.
///
/// The probability is a logistic function of the top score, its margin over the runner-up and its
/// softmax log-probability among all classes (Platt scaling with three inputs). The threshold maximises a held-out utility: +1 for a right answer or a
/// rightly rejected out-of-scope question, −`wrongAnswerCost` for a wrong answer, 0 for rejecting a
/// question that had an answer.
public struct Calibration: Sendable, Hashable, Codable {
    /// Weights of score, margin, log-probability and the constant, for the top answer's probability.
    public var scoreWeight: Double
    public var marginWeight: Double
    public var logProbabilityWeight: Double
    public var intercept: Double
    /// Weights of log-probability and constant alone, to compare candidates with each other.
    public var candidateWeight: Double
    public var candidateIntercept: Double
    /// Answer only at or above this probability.
    public var threshold: Double
    /// Weight of the question's cosine similarity to the top nugget's centroid (the mean embedding of
    /// its examples): 0 without sentence embeddings. A question far from everything the nugget's
    /// examples say is less likely its question, however the scores fell.
    public var similarityWeight: Double = 0
    /// Weight of the question's similarity to the top nugget's nearest example: 0 without sentence
    /// embeddings.
    public var nearestWeight: Double = 0
    /// Offer a choice of two or three only when the chance that one of them is right is at least this.
    public var offerThreshold: Double = 0.5

    public static let uncalibrated = Calibration(
        scoreWeight: 0, marginWeight: 2, logProbabilityWeight: 2, intercept: 1, candidateWeight: 2, candidateIntercept: 1,
        threshold: 0.5)

    /// - Parameters:
    ///   - top: the class's raw score; `margin`: its lead over the best other class (negative when
    ///     another is ahead); `logProbability`: its score minus the log-sum-exp of all scores.
    public func confidence(top: Float, margin: Float, logProbability: Float, similarity: Float = 0, nearest: Float = 0) -> Double {
        Self.sigmoid(
            scoreWeight * Double(top) + marginWeight * Double(margin) + logProbabilityWeight * Double(logProbability)
                + similarityWeight * Double(similarity) + nearestWeight * Double(nearest) + intercept)
    }

    /// A candidate's standalone likelihood from its log-probability, for "are the top two close?".
    public func likelihood(logProbability: Float) -> Double {
        Self.sigmoid(candidateWeight * Double(logProbability) + candidateIntercept)
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// One held-out prediction.
    struct Sample {
        var top: Float
        var margin: Float
        var logProbability: Float
        /// The top answer is the right nugget.
        var correct: Bool
        /// The question has no nugget (it should be rejected).
        var outOfScope: Bool
        /// How much the sample counts in the fit and the threshold.
        var weight: Double = 1
        /// The question's similarity to the top class's centroid (nil without embeddings).
        var similarity: Float? = nil
        /// Its similarity to the top class's nearest example (nil without them).
        var nearest: Float? = nil
    }

    /// - Parameter wrongOfferCost: the cost of offering a choice that does not hold the right nugget
    ///   (nil: as `wrongAnswerCost`), for `offerThreshold`.
    static func fit(_ samples: [Sample], wrongAnswerCost: Double, wrongOfferCost: Double? = nil) -> Calibration {
        guard samples.contains(where: \.correct), samples.contains(where: { !$0.correct }) else { return .uncalibrated }
        let weights = samples.map(\.weight)
        let similarities = samples.allSatisfy { $0.similarity != nil }
        let nearest = samples.allSatisfy { $0.nearest != nil }
        let full = logistic(
            samples.map {
                [Double($0.top), Double($0.margin), Double($0.logProbability)] + (similarities ? [Double($0.similarity ?? 0)] : [])
                    + (nearest ? [Double($0.nearest ?? 0)] : []) + [1]
            }, samples.map(\.correct), weights: weights)
        let single = logistic(samples.map { [Double($0.logProbability), 1] }, samples.map(\.correct), weights: weights)
        var calibration = Calibration(
            scoreWeight: full[0], marginWeight: full[1], logProbabilityWeight: full[2], intercept: full[full.count - 1],
            candidateWeight: single[0], candidateIntercept: single[1], threshold: 0.5)
        if similarities { calibration.similarityWeight = full[3] }
        if nearest { calibration.nearestWeight = full[similarities ? 4 : 3] }
        calibration.threshold = threshold(samples, calibration: calibration, wrongAnswerCost: wrongAnswerCost)
        calibration.offerThreshold = threshold(samples, calibration: calibration, wrongAnswerCost: wrongOfferCost ?? wrongAnswerCost)
        return calibration
    }

    /// The rejection threshold that maximises the held-out utility at this cost of a wrong answer.
    static func threshold(_ samples: [Sample], calibration: Calibration, wrongAnswerCost: Double) -> Double {
        // Without out-of-scope examples, rejecting only ever trades a likely wrong answer for nothing:
        // answer when the calibrated chance of being right beats the cost of being wrong.
        guard samples.contains(where: \.outOfScope) else { return wrongAnswerCost / (1 + wrongAnswerCost) }
        // Otherwise choose the threshold on the held-out confidences.
        let scored = samples.map {
            (calibration.confidence(
                top: $0.top, margin: $0.margin, logProbability: $0.logProbability, similarity: $0.similarity ?? 0, nearest: $0.nearest ?? 0), $0)
        }.sorted { $0.0 < $1.0 }
        // Utility when rejecting everything below each candidate threshold; start with "answer everything".
        // A threshold that rejects a sample sits halfway to the next confidence up, not just above it,
        // so that with few samples it does not hug the last one it rejects.
        var utility = scored.reduce(0.0) { sum, item in sum + item.1.weight * (item.1.correct ? 1 : -wrongAnswerCost) }
        var best = (utility: utility, threshold: 0.0)
        for (position, (confidence, sample)) in scored.enumerated() {
            // Raising the threshold just above this sample rejects it.
            utility -= sample.weight * (sample.correct ? 1 : -wrongAnswerCost)
            if sample.outOfScope { utility += sample.weight }
            if utility > best.utility {
                let next = position + 1 < scored.count ? scored[position + 1].0 : min(1, confidence + 0.05)
                best = (utility, min(0.99, (confidence + next) / 2))
            }
        }
        return best.threshold
    }

    /// Logistic regression by Newton's method with a ridge (that matters only with few samples: it keeps a
    /// handful of separable samples from pushing the weights to infinity), for a handful of inputs.
    static func logistic(_ inputs: [[Double]], _ targets: [Bool], weights sampleWeights: [Double], ridge: Double = 1, iterations: Int = 25) -> [Double] {
        let dimension = inputs[0].count
        var weights = [Double](repeating: 0, count: dimension)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: dimension)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: dimension)
            for ((x, target), weight) in zip(zip(inputs, targets), sampleWeights) {
                let p = sigmoid(zip(weights, x).reduce(0) { $0 + $1.0 * $1.1 })
                let error = weight * (p - (target ? 1 : 0))
                let curvature = weight * max(p * (1 - p), 1e-9)
                for i in 0..<dimension {
                    gradient[i] += error * x[i]
                    for j in 0..<dimension { hessian[i][j] += curvature * x[i] * x[j] }
                }
            }
            for i in 0..<dimension {
                gradient[i] += ridge * weights[i]
                hessian[i][i] += ridge
            }
            guard let step = solve(hessian, gradient) else { break }
            for i in 0..<dimension { weights[i] -= step[i] }
            if step.map(abs).max()! < 1e-8 { break }
        }
        return weights
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ matrix: [[Double]], _ vector: [Double]) -> [Double]? {
        var a = matrix
        var b = vector
        let n = b.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), abs(a[pivot][column]) > 1e-12 else {
                return nil
            }
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = a[row][column] / a[column][column]
                for k in column..<n { a[row][k] -= factor * a[column][k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}

/// log Σ exp(scores), computed stably.
func logSumExp(_ scores: UnsafeBufferPointer<Float>) -> Float {
    guard let top = scores.max(), top > -.infinity else { return -.infinity }
    var sum: Float = 0
    for score in scores { sum += exp(score - top) }
    return top + log(sum)
}

func logSumExp(_ scores: [Float]) -> Float {
    scores.withUnsafeBufferPointer { logSumExp($0) }
}
