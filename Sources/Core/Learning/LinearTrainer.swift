/// Learns one weight per (class, feature) plus a bias per class from sparse rows.
protocol LinearTrainer: Sendable {
    /// - Parameters:
    ///   - labels: each row's class, or -1 for a row that belongs to no class (out of scope).
    ///   - rowWeights: how much each row counts (1 when nil).
    ///   - activeClasses: the classes to train; the others keep zero weights and never win.
    func train(
        _ matrix: SparseMatrix, labels: [Int32], rowWeights: [Float]?, activeClasses: [Int], classes: Int, features: Int
    ) -> LinearWeights
}

/// A trained linear model before it becomes postings.
struct LinearWeights: Sendable {
    let classes: Int
    let features: Int
    /// Feature-major: `(features + 1) × classes`, one row of class weights per feature, the last row
    /// the biases. Scoring a sparse row reads a few contiguous rows.
    var values: [Float]

    init(classes: Int, features: Int, featureMajor values: [Float]) {
        precondition(values.count == (features + 1) * classes)
        self.classes = classes
        self.features = features
        self.values = values
    }

    /// From `classes × (features + 1)` weights, each class's bias last.
    init(classes: Int, features: Int, classMajor: [Float]) {
        var values = [Float](repeating: 0, count: (features + 1) * classes)
        for klass in 0..<classes {
            for feature in 0...features { values[feature * classes + klass] = classMajor[klass * (features + 1) + feature] }
        }
        self.init(classes: classes, features: features, featureMajor: values)
    }

    func weight(_ klass: Int, _ feature: Int) -> Float { values[feature * classes + klass] }
    func bias(_ klass: Int) -> Float { values[features * classes + klass] }

    /// Every class's score for one row of a matrix: bias plus the weighted sum of the row's features
    /// (those from `denseStart` on times `denseFactor`, as the trainer saw them).
    func scores(row: Int, of matrix: SparseMatrix, into scores: inout [Float], denseStart: Int32 = .max, denseFactor: Float = 1) {
        let classes = self.classes
        values.withUnsafeBufferPointer { w in
            scores.withUnsafeMutableBufferPointer { s in
                let bias = w.baseAddress! + features * classes
                for klass in 0..<classes { s[klass] = bias[klass] }
                for position in matrix.rowStart[row]..<matrix.rowStart[row + 1] {
                    let x = matrix.values[position] * (matrix.columns[position] >= denseStart ? denseFactor : 1)
                    let weights = w.baseAddress! + Int(matrix.columns[position]) * classes
                    for klass in 0..<classes { s[klass] += weights[klass] * x }
                }
            }
        }
    }
}
