import Foundation
import Testing

@testable import FlowLearnCore
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

    @Test("ASCII case and runs of white space do not change the ids (what the decision cache relies on)")
    func caseAndSpacesDoNotMatter() throws {
        let tokenizer = try EncoderFixtures.encoder.get().tokenizer
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let csv = try String(contentsOf: root.appendingPathComponent("bench/questions/starter-dev.csv"), encoding: .utf8)
        let questions = csv.split(separator: "\n").dropFirst().compactMap { line in line.lastIndex(of: ",").map { String(line[..<$0]) } }
        #expect(questions.count >= 100)
        var generator = SplitMix64(seed: 17)
        for question in questions {
            let variant = question.map { character -> String in
                if character == " " { return [" ", "  ", "\t", " \n ", "\r\n"].randomElement(using: &generator) ?? " " }
                return Bool.random(using: &generator) ? character.uppercased() : String(character)
            }.joined()
            #expect(tokenizer.ids(" " + variant + "\t") == tokenizer.ids(question), "\(variant.debugDescription)")
        }
        #expect(tokenizer.ids("what is [CLS]") != tokenizer.ids("what is [cls]"), "special tokens are case-sensitive")
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
            let single = encoder.embed([item.text])[0]
            #expect(EncoderFixtures.cosine(single, item.embedding ?? []) >= 0.9999)
            #expect(abs(single.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
    }
}

@Suite("Tokenizer edge cases and the embedding cache")
struct EncoderEdgeTests {
    @Test("CJK extension ranges as the reference tokenizer has them (U+2B920 splits, U+2B820 does not)")
    func chineseRanges() throws {
        let tokenizer = try EncoderFixtures.encoder.get().tokenizer
        // Ids from the reference: [CLS] a [UNK] b [SEP] and [CLS] [UNK] [SEP].
        #expect(tokenizer.ids("a\u{2B920}b") == [101, 1037, 100, 1038, 102])
        #expect(tokenizer.ids("a\u{2B820}b") == [101, 100, 102])
    }

    @Test("a question is embedded from its first 64 tokens; shorter ones exactly as content is")
    func questionLimit() throws {
        let encoder = try EncoderFixtures.encoder.get()
        #expect(encoder.tokenizer.ids(String(repeating: "taxi ", count: 100), limit: MiniLMEncoder.questionTokens).count == 64)
        let short = "how do I claim back a taxi fare after a late client dinner?"
        #expect(encoder.embed(question: short) == encoder.embed([short])[0])
        let long = String(repeating: "taxi receipt ", count: 100)
        #expect(EncoderFixtures.cosine(encoder.embed(question: long), encoder.embed([String(repeating: "taxi receipt ", count: 31)])[0]) > 0.9999)
    }

    @Test("a 40,000-character message is cut to 128 tokens without splitting all of it")
    func longMessage() throws {
        let tokenizer = try EncoderFixtures.encoder.get().tokenizer
        let blob = String(repeating: "aGVsbG8gd29ybGQ", count: 2_700)  // one 40,500-character word: [UNK]
        #expect(tokenizer.ids(blob) == [101, 100, 102])
        let words = String(repeating: "taxi receipt ", count: 3_100)
        #expect(tokenizer.ids(words).count == 128)
    }

    @Test("the cache returns the encoder's vectors, keeps them across instances, and drops damaged records")
    func cache() throws {
        let encoder = try EncoderFixtures.encoder.get()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowlearn-cache-test-\(getpid()).cache")
        defer { try? FileManager.default.removeItem(at: file) }
        let texts = ["how do I claim a taxi", "vpn keeps dropping", "how do I claim a taxi"]
        let first = EmbeddingCache(encoder: encoder, fingerprint: 7, file: file).embed(texts)
        #expect(EncoderFixtures.cosine(first[0], encoder.embed(question: texts[0])) > 0.99999)
        #expect(first[0] == first[2])
        let reopened = EmbeddingCache(encoder: encoder, fingerprint: 7, file: file)
        #expect(reopened.count == 2)
        #expect(reopened.embed([texts[1]])[0] == first[1])
        // Another model's fingerprint: nothing reused.
        #expect(EmbeddingCache(encoder: encoder, fingerprint: 8, file: file).count == 0)
        // A damaged record (a NaN written over the first vector's first value) is dropped.
        var bytes = try Data(contentsOf: file)
        let header = EmbeddingCache.header(dimension: encoder.dimension, fingerprint: 7).count
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { bytes.replaceSubrange(header + 8..<header + 12, with: $0) }
        try bytes.write(to: file)
        #expect(EmbeddingCache(encoder: encoder, fingerprint: 7, file: file).count == 1)
    }
}

