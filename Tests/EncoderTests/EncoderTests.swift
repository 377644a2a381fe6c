import Foundation
import Testing

@testable import FlowLearnEncoder

@Suite("MiniLM encoder against the reference implementation")
struct EncoderTests {
    @Test("token ids equal the reference tokenizer's on every fixture (200 sentences and 44 tricky texts)")
    func tokenIDs() throws {
        let encoder = try EncoderFixtures.encoder.get()
        var cases = try EncoderFixtures.load("minilm-reference").cases
        cases += try EncoderFixtures.load("minilm-tokens").cases
        #expect(cases.count >= 240)
        var wrong: [String] = []
        for item in cases where encoder.tokenizer.ids(item.text) != item.ids {
            wrong.append("\(item.text.debugDescription): \(encoder.tokenizer.ids(item.text)) != \(item.ids)")
        }
        #expect(wrong.isEmpty, "\(wrong.count) texts tokenised differently:\n\(wrong.prefix(5).joined(separator: "\n"))")
    }

    @Test("known ids for a plain sentence, accents, punctuation and a word past 100 characters")
    func knownIDs() throws {
        let tokenizer = try EncoderFixtures.encoder.get().tokenizer
        // [CLS] how do i get reimbursed for a taxi ? [SEP], from the model's vocab.txt
        #expect(tokenizer.ids("How do I get reimbursed for a taxi?") == [101, 2129, 2079, 1045, 2131, 24964, 14905, 28393, 2094, 2005, 1037, 10095, 1029, 102])
        #expect(tokenizer.ids("café") == tokenizer.ids("CAFE\u{301}"))
        #expect(tokenizer.ids(String(repeating: "a", count: 101)) == [101, 100, 102])
        #expect(tokenizer.ids("") == [101, 102])
        #expect(tokenizer.ids(String(repeating: "word ", count: 500)).count == 128)
    }

    @Test("embeddings agree with sentence-transformers: cosine ≥ 0.9999 on all 200 sentences, batched or one by one")
    func embeddings() throws {
        let encoder = try EncoderFixtures.encoder.get()
        let cases = try EncoderFixtures.load("minilm-reference").cases.filter { $0.embedding != nil }
        #expect(cases.count == 200)
        let batched = encoder.embed(cases.map(\.text))
        var worst = 1.0
        var worstText = ""
        for (item, vector) in zip(cases, batched) {
            let cosine = EncoderFixtures.cosine(vector, item.embedding ?? [])
            if cosine < worst { (worst, worstText) = (cosine, item.text) }
        }
        #expect(worst >= 0.9999, "worst cosine \(worst) for \(worstText.debugDescription)")
        for item in cases.prefix(20) {
            let single = encoder.embed(question: item.text)
            #expect(EncoderFixtures.cosine(single, item.embedding ?? []) >= 0.9999)
            #expect(abs(single.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
    }
}
