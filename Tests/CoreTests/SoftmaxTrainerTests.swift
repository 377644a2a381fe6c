import Foundation
import Testing

@testable import FlowLearnCore

@Suite("Softmax trainer and calibration")
struct SoftmaxTrainerTests {
    /// Three classes, each with its own two features and one feature shared by all; row 6 is out of
    /// scope and has only a feature of its own plus the shared one.
    static func problem() -> (SparseMatrix, [Int32]) {
        var matrix = SparseMatrix()
        let rows: [([Int32], Int32)] = [
            ([0, 6], 0), ([1, 6], 0), ([2, 6], 1), ([3, 6], 1), ([4, 6], 2), ([5, 6], 2), ([7, 6], -1),
        ]
        for (features, _) in rows { matrix.append(SparseVector(indices: features, values: features.map { _ in 0.7071 })) }
        return (matrix, rows.map(\.1))
    }

    static func probabilities(_ weights: LinearWeights, _ features: [Int32]) -> [Float] {
        let scores = (0..<weights.classes).map { klass in
            features.reduce(weights.bias(klass)) { $0 + weights.weight(klass, Int($1)) * 0.7071 }
        }
        let normaliser = logSumExp(scores)
        return scores.map { exp($0 - normaliser) }
    }

    @Test(arguments: [Float(0), 0.6])
    func learnsTheClassesAndLeavesOutOfScopeRowsUndecided(dropout: Float) {
        let (matrix, labels) = Self.problem()
        var trainer = SoftmaxTrainer()
        trainer.epochs = 200
        trainer.dropout = dropout
        let weights = trainer.train(matrix, labels: labels, rowWeights: nil, activeClasses: [0, 1, 2], classes: 3, features: 8)
        for (row, label) in labels.enumerated() where label >= 0 {
            let features = Array(matrix.columns[matrix.rowStart[row]..<matrix.rowStart[row + 1]])
            let p = Self.probabilities(weights, features)
            #expect(p.firstIndex(of: p.max()!) == Int(label))
            #expect(p[Int(label)] > 0.8, "row \(row): \(p)")
        }
        // The out-of-scope row's own feature pulls towards uniform: no class is likely.
        #expect(Self.probabilities(weights, [7, 6]).max()! < 0.5)
    }

    @Test func heldOutClassesKeepZeroWeightsAndTheirRowsAreSkipped() {
        let (matrix, labels) = Self.problem()
        let weights = SoftmaxTrainer().train(matrix, labels: labels, rowWeights: nil, activeClasses: [0, 2], classes: 3, features: 8)
        let heldOut = (0...8).map { weights.values[$0 * 3 + 1] }
        #expect(heldOut.count == 9 && heldOut.allSatisfy { $0 == 0 })
        #expect((0..<8).allSatisfy { weights.weight(1, $0) == 0 } && weights.bias(1) == 0)
        let first: Float = weights.weight(0, 0)
        let third: Float = weights.weight(2, 4)
        #expect(first > 0)
        #expect(third > 0)
    }

    /// Four classes: 0 "card lost", 1 "card fees", 2 "transfer fees", 3 "transfer lost". Feature 0
    /// appears only in class 0's questions, feature 1 in classes 1 and 2 alike, 2 in 0 and 3; 3-6
    /// are each class's own. A question with features 0 and 1 is about fees, and its feature 0 was
    /// only ever seen with a card nugget: with sharing, the card fee nugget should lead.
    @Test func classesThatShareATitleWordShareEvidence() {
        var matrix = SparseMatrix()
        let rows: [([Int32], Int32)] = [([0, 2, 3], 0), ([0, 3], 0), ([1, 4], 1), ([1, 4], 1), ([1, 5], 2), ([1, 5], 2), ([2, 6], 3), ([2, 6], 3)]
        for (features, _) in rows { matrix.append(SparseVector(indices: features, values: features.map { _ in 0.6 })) }
        func gap(_ rate: Float) -> Float {
            var trainer = SoftmaxTrainer()
            trainer.epochs = 50
            trainer.groups = [[0, 1], [2, 3]]
            trainer.groupRate = rate
            let weights = trainer.train(matrix, labels: rows.map(\.1), rowWeights: nil, activeClasses: [0, 1, 2, 3], classes: 4, features: 7)
            let p = Self.probabilities(weights, [0, 1])
            return p[1] - p[2]
        }
        #expect(abs(gap(0)) < 0.02, "without sharing, feature 0 says nothing about fees: \(gap(0))")
        #expect(gap(0.25) > 0.06, "the card group carries feature 0 to the card fee nugget: \(gap(0.25))")
        #expect(gap(0.5) > gap(0.25))
    }

    @Test func titleGroupsAreSharedContentWords() throws {
        let stemmer = try SnowballStemmer(language: "english")
        let titles = ["Card arrival", "Lost or stolen cards", "Transfer fees", "Card fee", "Or"]
        #expect(TitleGroups.groups(titles: titles, stemmer: stemmer, stopwords: ["or"]) == [[0, 1, 3], [2, 3]])
        #expect(TitleGroups.groups(titles: titles, stemmer: stemmer, stopwords: []) == [[0, 1, 3], [2, 3], [1, 4]])
        #expect(TitleGroups.groups(titles: ["Taxi", "Hotel"], stemmer: stemmer, stopwords: []).isEmpty)
    }

    @Test func withoutOutOfScopeExamplesTheThresholdIsTheBayesDecision() {
        var samples: [Calibration.Sample] = []
        for index in 0..<200 {
            let top = Float(index % 10)
            let margin = Float(index % 7)
            let logProbability = -Float(index % 5)
            samples.append(.init(top: top, margin: margin, logProbability: logProbability, correct: index % 3 != 0, outOfScope: false))
        }
        #expect(Calibration.fit(samples, wrongAnswerCost: 0.5).threshold == 0.5 / 1.5)
        #expect(Calibration.fit(samples, wrongAnswerCost: 1).threshold == 0.5)
    }

    @Test func withOutOfScopeExamplesTheThresholdSeparatesThem() {
        // Right answers score high, out-of-scope questions low: the threshold falls between them.
        var samples: [Calibration.Sample] = []
        for index in 0..<50 {
            samples.append(.init(top: 5 + Float(index % 5), margin: 3, logProbability: -0.1, correct: true, outOfScope: false))
            samples.append(.init(top: Float(index % 3), margin: 0.5, logProbability: -1.5, correct: false, outOfScope: true))
        }
        let calibration = Calibration.fit(samples, wrongAnswerCost: 0.5)
        #expect(calibration.confidence(top: 7, margin: 3, logProbability: -0.1) >= calibration.threshold)
        #expect(calibration.confidence(top: 1, margin: 0.5, logProbability: -1.5) < calibration.threshold)
    }
}
