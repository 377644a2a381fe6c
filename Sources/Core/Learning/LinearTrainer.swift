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
    /// Row-major: `classes × (features + 1)`, the last column the bias.
    var values: [Float]

    func weight(_ klass: Int, _ feature: Int) -> Float { values[klass * (features + 1) + feature] }
    func bias(_ klass: Int) -> Float { values[klass * (features + 1) + features] }
}
