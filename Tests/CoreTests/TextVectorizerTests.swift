import Foundation
import Testing

@testable import FlowLearnCore

@Suite("Text vectorizer")
struct TextVectorizerTests {
    static let training = [
        "How do I get reimbursed for a taxi ride?",
        "taxi taxi receipts for the airport",
        "Who approves my expense claims",
        "The VPN keeps disconnecting at home",
        "Où est la gare ? Café crème",
    ]

    static func vectorizer() throws -> TextVectorizer {
        let analyzer = try TextAnalyzer(language: "english")
        return TextVectorizer.fit(training, stemmer: analyzer.stemmer, stopwords: analyzer.stopwords).0
    }

    /// The vector as feature id → weight, so that the order of its entries does not matter.
    static func weights(_ vector: SparseVector) -> [Int32: Float] {
        Dictionary(uniqueKeysWithValues: zip(vector.indices, vector.values))
    }

    @Test func knownWordsResolvedAtTrainingGiveTheSameVectorsAsStemmingEveryWord() throws {
        let vectorizer = try Self.vectorizer()
        #expect(vectorizer.known.count >= 20)
        let questions = Self.training + [
            "taxi",
            "reimbursment for a taxxi",  // typos: new words, partly known n-grams
            "the the the",  // stopwords only
            "who approves the VPN expense at the airport airport",  // repeats across known words
            "completely unrelated gibberish zyxw",
            "café taxi 🚕 $20",
            "",
        ]
        for question in questions {
            let tokens = Tokenizer.tokens(question)
            let fast = vectorizer.analyse(tokens: tokens)
            let slow = vectorizer.analyseWithoutKnownTokens(tokens: tokens)
            let fastWeights = Self.weights(fast.vector)
            let slowWeights = Self.weights(slow.vector)
            #expect(fastWeights.keys.sorted() == slowWeights.keys.sorted(), "'\(question)'")
            for (id, weight) in slowWeights {
                #expect(abs((fastWeights[id] ?? 0) - weight) < 1e-5, "'\(question)' feature \(String(id))")
            }
            #expect(abs(fast.coverage - slow.coverage) < 1e-6, "'\(question)': \(fast.coverage) vs \(slow.coverage)")
        }
        // A known word counts fully, an unrelated one not at all, a typo partly.
        #expect(vectorizer.analyse(tokens: ["taxi"]).coverage == 1)
        #expect(vectorizer.analyse(tokens: ["zyxw"]).coverage < 0.1)  // only "w$" is known
        let typo = vectorizer.analyse(tokens: ["taxxi"]).coverage
        #expect(typo > 0.2 && typo < 1)
    }
}
