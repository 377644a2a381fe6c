import Foundation

/// Turns a linear model's raw scores into the probability that its top answer is right, and picks the
/// rejection threshold, both from held-out predictions on the training data.
///
/// The probability is a logistic function of the top score and its margin over the runner-up (Platt
/// scaling with two inputs). The threshold maximises a held-out utility: +1 for a right answer or a
/// rightly rejected out-of-scope question, −`wrongAnswerCost` for a wrong answer, 0 for rejecting a
/// question that had an answer.
public struct Calibration: Sendable, Hashable, Codable {
    /// Weights of score, margin and the constant, for the top answer's probability.
    public var scoreWeight: Double
    public var marginWeight: Double
    public var intercept: Double
    /// Weights of score and constant alone, to compare candidates with each other.
    public var candidateScoreWeight: Double
    public var candidateIntercept: Double
    /// Answer only at or above this probability.
    public var threshold: Double

    public static let uncalibrated = Calibration(
        scoreWeight: 4, marginWeight: 4, intercept: -2, candidateScoreWeight: 4, candidateIntercept: -2, threshold: 0.5)

    public func confidence(top: Float, margin: Float) -> Double {
        Self.sigmoid(scoreWeight * Double(top) + marginWeight * Double(margin) + intercept)
    }

    /// A candidate's standalone likelihood, for "are the top two close?".
    public func likelihood(_ score: Float) -> Double {
        Self.sigmoid(candidateScoreWeight * Double(score) + candidateIntercept)
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// One held-out prediction.
    struct Sample {
        var top: Float
        var margin: Float
        /// The top answer is the right nugget.
        var correct: Bool
        /// The question has no nugget (it should be rejected).
        var outOfScope: Bool
        /// How much the sample counts in the fit and the threshold.
        var weight: Double = 1
    }

    static func fit(_ samples: [Sample], wrongAnswerCost: Double) -> Calibration {
        guard samples.contains(where: \.correct), samples.contains(where: { !$0.correct }) else { return .uncalibrated }
        let weights = samples.map(\.weight)
        let full = logistic(samples.map { [Double($0.top), Double($0.margin), 1] }, samples.map(\.correct), weights: weights)
        let single = logistic(samples.map { [Double($0.top), 1] }, samples.map(\.correct), weights: weights)
        var calibration = Calibration(
            scoreWeight: full[0], marginWeight: full[1], intercept: full[2], candidateScoreWeight: single[0],
            candidateIntercept: single[1], threshold: 0.5)
        // Choose the threshold on the held-out confidences.
        let scored = samples.map { (calibration.confidence(top: $0.top, margin: $0.margin), $0) }.sorted { $0.0 < $1.0 }
        // Utility when rejecting everything below each candidate threshold; start with "answer everything".
        var utility = scored.reduce(0.0) { sum, item in sum + item.1.weight * (item.1.correct ? 1 : -wrongAnswerCost) }
        var best = (utility: utility, threshold: 0.0)
        for (confidence, sample) in scored {
            // Raising the threshold just above this sample rejects it.
            utility -= sample.weight * (sample.correct ? 1 : -wrongAnswerCost)
            if sample.outOfScope { utility += sample.weight }
            if utility > best.utility { best = (utility, min(0.99, confidence + 1e-9)) }
        }
        calibration.threshold = best.threshold
        return calibration
    }

    /// Logistic regression by Newton's method with a small ridge, for a handful of inputs.
    static func logistic(_ inputs: [[Double]], _ targets: [Bool], weights sampleWeights: [Double], ridge: Double = 1e-3, iterations: Int = 25) -> [Double] {
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
