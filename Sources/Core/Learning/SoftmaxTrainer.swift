import Foundation

/// Trains a multinomial logistic regression (softmax over all classes at once) by stochastic
/// gradient descent: rows in a fresh random order each epoch, a learning rate that falls linearly to
/// zero, and L2 regularisation applied to the whole weight matrix through one shared scale factor, so
/// a step touches only the row's own features.
///
/// Unlike one-vs-rest, the classes compete for every example, which gives better-ranked and better
/// calibrated scores when intents are close to each other. A row with no class (an out-of-scope
/// example) is trained towards the uniform distribution: such questions should leave every class
/// equally unlikely, so the top probability stays low (Hendrycks et al., "outlier exposure", 2019).
struct SoftmaxTrainer: LinearTrainer {
    var epochs = 15
    var learningRate: Float = 0.5
    /// L2 strength per example (λ in λ/2·‖W‖²); 0 leaves only early stopping.
    var l2: Float = 1e-6
    var biasFeature: Float = 1
    /// Share of a row's features left out at random in each step (their survivors scaled up to match).
    var dropout: Float = 0
    var seed: UInt64 = 0x50F7
    /// Groups of classes that share part of their weights (nuggets whose titles share a word), and how
    /// much: each class's weights are its own plus one shared vector per group it belongs to. Trained in
    /// place: a step on one class's loss also moves every class of its groups by `groupRate` times the
    /// group's summed gradient, which is exactly that model's update at no extra memory.
    var groups: [[Int]] = []
    var groupRate: Float = 0
    /// Features from `denseStart` on (a sentence embedding) are multiplied by `denseFactor`: how much
    /// meaning weighs against words is a candidate chosen on held-out folds.
    var denseStart: Int32 = .max
    var denseFactor: Float = 1

    func train(
        _ matrix: SparseMatrix, labels: [Int32], rowWeights: [Float]?, activeClasses: [Int], classes: Int, features: Int
    ) -> LinearWeights {
        let k = activeClasses.count
        var compact = [Int32](repeating: -1, count: classes)
        for (position, klass) in activeClasses.enumerated() { compact[klass] = Int32(position) }
        // Feature-major weights over the active classes, the bias as feature `features`.
        var w = [Float](repeating: 0, count: (features + 1) * k)
        let rows = matrix.rowCount
        var order = Array(0..<rows)
        var random = SplitMix64(seed: seed)
        var scores = [Float](repeating: 0, count: k)
        var scale: Float = 1
        let steps = Float(max(1, epochs * rows))
        var step: Float = 0
        let uniform = 1 / Float(max(1, k))
        var kept: [Int] = []
        // The groups over the active classes' positions (a group needs two active members to share anything).
        let groupMembers: [[Int]] = groupRate > 0
            ? groups.map { $0.compactMap { compact[$0] >= 0 ? Int(compact[$0]) : nil } }.filter { $0.count >= 2 } : []
        var groupGradient = [Float](repeating: 0, count: groupMembers.count)

        let keepScale = 1 / (1 - dropout)
        w.withUnsafeMutableBufferPointer { w in
            scores.withUnsafeMutableBufferPointer { s in
                matrix.withRows { starts, columns, values in
                    for _ in 0..<epochs {
                        random.shuffle(&order)
                        for row in order {
                            let label = labels[row]
                            let target = label < 0 ? -1 : compact[Int(label)]
                            // A row of a class held out of this training is skipped.
                            if label >= 0 && target < 0 { step += 1; continue }
                            let rate = learningRate * (1 - step / steps)
                            step += 1
                            // Scores over the active classes.
                            let biasRow = w.baseAddress! + features * k
                            kept.removeAll(keepingCapacity: true)
                            for position in starts[row]..<starts[row + 1] {
                                if dropout > 0, Float(random.next() >> 40) * 0x1p-24 < dropout { continue }
                                kept.append(position)
                            }
                            for c in 0..<k { s[c] = biasRow[c] * biasFeature }
                            for position in kept {
                                let x = values[position] * keepScale * (columns[position] >= denseStart ? denseFactor : 1)
                                let weights = w.baseAddress! + Int(columns[position]) * k
                                for c in 0..<k { s[c] += weights[c] * x }
                            }
                            var top = -Float.infinity
                            for c in 0..<k { s[c] *= scale; top = max(top, s[c]) }
                            var sum: Float = 0
                            for c in 0..<k {
                                s[c] = exp(s[c] - top)
                                sum += s[c]
                            }
                            // Gradient of the loss in each score: p − target, scaled by the row's weight.
                            let g = (rowWeights?[row] ?? 1) / sum
                            for c in 0..<k { s[c] *= g }
                            let weight = rowWeights?[row] ?? 1
                            if target >= 0 { s[Int(target)] -= weight } else { for c in 0..<k { s[c] -= weight * uniform } }
                            if !groupMembers.isEmpty {
                                for (group, members) in groupMembers.enumerated() {
                                    var sum: Float = 0
                                    for c in members { sum += s[c] }
                                    groupGradient[group] = sum * groupRate
                                }
                                for (group, members) in groupMembers.enumerated() {
                                    for c in members { s[c] += groupGradient[group] }
                                }
                            }
                            // Shrink everything (through the scale), then step on the row's features.
                            scale *= 1 - rate * l2
                            let move = rate / scale
                            for position in kept {
                                let x = values[position] * keepScale * move * (columns[position] >= denseStart ? denseFactor : 1)
                                let weights = w.baseAddress! + Int(columns[position]) * k
                                for c in 0..<k { weights[c] -= s[c] * x }
                            }
                            let bx = biasFeature * move
                            for c in 0..<k { biasRow[c] -= s[c] * bx }
                            if scale < 1e-4 {
                                for index in 0..<w.count { w[index] *= scale }
                                scale = 1
                            }
                        }
                    }
                }
            }
        }
        var values = [Float](repeating: 0, count: (features + 1) * classes)
        for feature in 0...features {
            let factor = feature == features ? scale * biasFeature : scale
            for (position, klass) in activeClasses.enumerated() { values[feature * classes + klass] = w[feature * k + position] * factor }
        }
        return LinearWeights(classes: classes, features: features, featureMajor: values)
    }
}
