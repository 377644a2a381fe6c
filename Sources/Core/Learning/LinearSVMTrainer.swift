import Foundation

/// Trains one-vs-rest linear support vector machines (L2-regularised, squared hinge loss) by dual
/// coordinate descent (Hsieh et al., ICML 2008, the method behind LIBLINEAR's default solver).
///
/// Each class is a separate, independent problem, so classes train in parallel on all cores. The
/// result is a dense weight row per class plus a bias; `LinearIntentModel` turns it into postings.
struct LinearSVMTrainer: LinearTrainer {
    /// Regularisation: larger fits the training data more closely.
    var cost: Float = 1
    var maxEpochs = 20
    /// Stop when the projected gradient's spread falls below this (LIBLINEAR's default).
    var tolerance: Float = 0.1
    /// Value of the constant feature that carries the bias.
    var biasFeature: Float = 1
    var seed: UInt64 = 0x5EED

    /// - Parameters:
    ///   - labels: each row's class, or -1 for a row that belongs to no class (a negative for all).
    ///   - rowWeights: scales the cost per row (1 when nil).
    ///   - activeClasses: the classes to train; the others keep zero weights.
    func train(
        _ matrix: SparseMatrix, labels: [Int32], rowWeights: [Float]? = nil, activeClasses: [Int], classes: Int, features: Int
    ) -> LinearWeights {
        let stride = features + 1
        var values = [Float](repeating: 0, count: classes * stride)
        let rows = matrix.rowCount
        var squaredNorms = [Float](repeating: 0, count: rows)
        for row in 0..<rows {
            var sum = biasFeature * biasFeature
            for position in matrix.rowStart[row]..<matrix.rowStart[row + 1] { sum += matrix.values[position] * matrix.values[position] }
            squaredNorms[row] = sum
        }
        let norms = squaredNorms
        values.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedBuffer(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: activeClasses.count) { position in
                let klass = activeClasses[position]
                let w = UnsafeMutableBufferPointer(start: shared.base + klass * stride, count: stride)
                solve(klass: Int32(klass), weights: w, matrix: matrix, labels: labels, rowWeights: rowWeights, squaredNorms: norms, features: features)
            }
        }
        return LinearWeights(classes: classes, features: features, classMajor: values)
    }

    /// A pointer handed to worker threads that each write a disjoint row.
    private struct SharedBuffer: @unchecked Sendable {
        let base: UnsafeMutablePointer<Float>
    }

    private func solve(
        klass: Int32, weights w: UnsafeMutableBufferPointer<Float>, matrix: SparseMatrix, labels: [Int32],
        rowWeights: [Float]?, squaredNorms: [Float], features: Int
    ) {
        let rows = matrix.rowCount
        var alpha = [Float](repeating: 0, count: rows)
        var order = Array(0..<rows)
        var random = SplitMix64(seed: seed &+ UInt64(klass))
        matrix.withRows { starts, columns, values in
            for _ in 0..<maxEpochs {
                random.shuffle(&order)
                var maxGradient = -Float.infinity
                var minGradient = Float.infinity
                for row in order {
                    let y: Float = labels[row] == klass ? 1 : -1
                    let c = cost * (rowWeights?[row] ?? 1)
                    let diagonal = 0.5 / c
                    var dot = w[features] * biasFeature
                    for position in starts[row]..<starts[row + 1] {
                        dot += w[Int(columns[position])] * values[position]
                    }
                    let gradient = y * dot - 1 + diagonal * alpha[row]
                    let projected = alpha[row] == 0 ? min(gradient, 0) : gradient
                    maxGradient = max(maxGradient, projected)
                    minGradient = min(minGradient, projected)
                    guard abs(projected) > 1e-12 else { continue }
                    let old = alpha[row]
                    alpha[row] = max(old - gradient / (squaredNorms[row] + diagonal), 0)
                    let step = (alpha[row] - old) * y
                    guard step != 0 else { continue }
                    for position in starts[row]..<starts[row + 1] {
                        w[Int(columns[position])] += step * values[position]
                    }
                    w[features] += step * biasFeature
                }
                if maxGradient - minGradient < tolerance { break }
            }
        }
    }
}

/// A small, fast, seedable random generator (SplitMix64), so training is reproducible.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher–Yates, with this generator's draws (the same order for the same seed everywhere).
    mutating func shuffle(_ order: inout [Int]) {
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(index, Int(next() % UInt64(index + 1)))
        }
    }
}
