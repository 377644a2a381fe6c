@testable import FlowLearnCore
import Foundation
import Synchronization
import Testing

/// Counts the questions it embeds, so a test can see which decisions were computed afresh.
final class CountingEncoder: SentenceEncoding, Sendable {
    let inner = ConceptEncoder()
    private let questions = Mutex(0)
    var dimension: Int { inner.dimension }
    var embeddedQuestions: Int { questions.withLock { $0 } }

    func embed(_ texts: [String]) -> [[Float]] { inner.embed(texts) }
    func embed(question: String) -> [Float] {
        questions.withLock { $0 += 1 }
        return inner.vector(question)
    }
}

@Suite("Decision cache")
struct DecisionCacheTests {
    func semanticMatcher(_ encoder: CountingEncoder) throws -> Matcher {
        var settings = MatcherSettings()
        settings.model = .semantic
        return try Matcher(nuggets: SemanticMatcherTests.nuggets, outOfScope: SemanticMatcherTests.outOfScope, settings: settings, encoder: encoder)
    }

    @Test("a repeated wording is decided once, with the same decision, and is then quick")
    func repeatedWordingIsDecidedOnce() throws {
        let encoder = CountingEncoder()
        let matcher = try semanticMatcher(encoder)
        let question = "can I expense a cab home"
        #expect(matcher.quickDecision(question) == nil, "not kept yet: it must be embedded")
        let first = matcher.decide(question)
        let embedded = encoder.embeddedQuestions
        #expect(embedded >= 1)
        #expect(matcher.quickDecision(question) == first)
        for _ in 0..<4 { #expect(matcher.decide(question) == first) }
        #expect(encoder.embeddedQuestions == embedded, "the repeats were not embedded again")
        #expect(first == matcher.freshDecision(question), "the kept decision is the one computed afresh")
        // Another wording is another question.
        _ = matcher.decide("Can I expense a cab home?")
        #expect(encoder.embeddedQuestions > embedded)
        let counts = matcher.decisionCacheCounts
        #expect(counts.hits == 5)
        #expect(counts.misses == 3, "the quick look before the first decision, the first decision, the other wording")
    }

    @Test("a lexical engine decides every question quickly")
    func lexicalEngineIsQuick() throws {
        var settings = MatcherSettings()
        settings.model = .keyword
        let matcher = try Matcher(nuggets: SemanticMatcherTests.nuggets, settings: settings)
        let question = "anything at all, never asked"
        #expect(matcher.quickDecision(question) == matcher.freshDecision(question))
        #expect(matcher.quickDecision(String(repeating: "a long question ", count: 30)) == nil, "long ones go to the matching queue")
    }

    @Test("the cache holds at most two generations and keeps what is asked again")
    func boundedByTwoGenerations() {
        let cache = DecisionCache(capacity: 3)
        let decision = MatchDecision.unknown(nearMisses: [])
        for number in 0..<3 { cache.keep(decision, for: "q\(number)") }
        cache.keep(decision, for: "q3")  // the first generation is now the older one
        #expect(cache.decision(for: "q0") != nil)  // promoted into the current generation
        cache.keep(decision, for: "q4")
        cache.keep(decision, for: "q5")  // current (q3, q0, q4) full: it becomes the older one, q1 and q2 go
        #expect(cache.counts.entries <= 6)
        #expect(!cache.contains("q1"))
        #expect(!cache.contains("q2"))
        #expect(cache.contains("q0"))
        #expect(cache.contains("q5"))
    }

    @Test("long messages are not kept")
    func longMessagesAreNotKept() {
        let cache = DecisionCache(capacity: 10)
        let long = String(repeating: "word ", count: 100)
        cache.keep(.unknown(nearMisses: []), for: long)
        #expect(!cache.contains(long))
        #expect(cache.decision(for: long) == nil)
    }
}

@Suite("Question log candidates JSON")
struct CandidatesJSONTests {
    @Test("written directly, read back by JSONDecoder as they were")
    func roundTrips() throws {
        let matches = [
            Match(nuggetID: "taxi", title: "Taxi \"cabs\" \\ rides/\n\u{1}é 👩🏽‍💻", score: -1.25e-7, confidence: 0.871_234_567, exact: true),
            Match(nuggetID: "vpn", title: "", score: 12_345_678.5, confidence: 0, exact: false),
        ]
        let json = Match.json(matches)
        let decoded = try JSONDecoder().decode([Match].self, from: Data(json.utf8))
        #expect(decoded == matches)
        #expect(Match.json([]) == "[]")
        let odd = try JSONDecoder().decode([Match].self, from: Data(Match.json([Match(nuggetID: "a", title: "b", score: .nan, confidence: .infinity)]).utf8))
        #expect(odd.first?.score == 0 && odd.first?.confidence == 0, "JSON has no NaN or infinity: written as 0")
    }
}

@Suite("Decision cache: wordings that share an entry")
struct DecisionCacheKeyTests {
    @Test("ASCII case and runs of white space are one entry; other differences are not")
    func keys() {
        #expect(DecisionCache.key("How do I  reset\tmy Password?\n") == "how do i reset my password?")
        #expect(DecisionCache.key("  taxi\r\n receipts ") == "taxi receipts")
        #expect(DecisionCache.key("how do i reset my password?") == "how do i reset my password?")
        #expect(DecisionCache.key("Émile's taxi") == "Émile's taxi", "non-ASCII letters keep their case")
        #expect(DecisionCache.key("what is [CLS] for") == "what is [CLS] for", "special tokens are read case-sensitively")
        #expect(DecisionCache.key("What is [CLS]") == "What is [CLS]", "a [ after a change is seen too")
        #expect(DecisionCache.key(" what  is [cls]") == " what  is [cls]")
        #expect(DecisionCache.key("taxi\u{00A0}receipts") == "taxi\u{00A0}receipts")
        #expect(DecisionCache.key(String(repeating: "a", count: DecisionCache.longestKept + 1)) == nil)
        #expect(DecisionCache.key("") == "")
    }

    @Test("another casing and spacing of a question kept is answered from its entry, not embedded again")
    func variantsShareTheEntry() throws {
        let encoder = CountingEncoder()
        var settings = MatcherSettings()
        settings.model = .semantic
        let matcher = try Matcher(nuggets: SemanticMatcherTests.nuggets, outOfScope: SemanticMatcherTests.outOfScope, settings: settings, encoder: encoder)
        let first = matcher.decide("can I expense a cab home")
        let embedded = encoder.embeddedQuestions
        #expect(matcher.quickDecision("Can I  expense a CAB home") == first)
        #expect(encoder.embeddedQuestions == embedded)
    }

    /// The starter pack's development questions, each with its letters' case and its spaces changed.
    static func variants() throws -> [(String, String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let csv = try String(contentsOf: root.appendingPathComponent("bench/questions/starter-dev.csv"), encoding: .utf8)
        var generator = SplitMix64(seed: 17)
        return csv.split(separator: "\n").dropFirst().compactMap { line -> (String, String)? in
            // text,label with the text quoted when it holds a comma: the text is all but the last field.
            guard let comma = line.lastIndex(of: ",") else { return nil }
            var text = String(line[..<comma])
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") }
            let changed = text.map { character -> String in
                if character == " " { return [" ", "  ", "\t", " \n "].randomElement(using: &generator) ?? " " }
                return Bool.random(using: &generator) ? character.uppercased() : String(character)
            }.joined()
            return (text, changed)
        }
    }

    @Test("the lexical engines decide each variant of the starter questions as they decide the question")
    func lexicalEnginesAgree() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let pack = try ContentLinter.loadPack(ContentDirectory.read(root.appendingPathComponent("Intents").path))
        let pairs = try Self.variants()
        #expect(pairs.count >= 100)
        for model in [MatcherSettings.Model.keyword, .learned] {
            var settings = MatcherSettings()
            settings.model = model
            let matcher = try Matcher(nuggets: pack.nuggets, outOfScope: pack.outOfScope, settings: settings)
            for (question, variant) in pairs {
                let key = try #require(DecisionCache.key(variant))
                #expect(key == DecisionCache.key(question), "\(variant.debugDescription)")
                #expect(matcher.freshDecision(variant) == matcher.freshDecision(question), "\(model): \(variant.debugDescription)")
            }
        }
    }
}

