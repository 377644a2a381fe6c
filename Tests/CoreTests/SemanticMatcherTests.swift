@testable import FlowLearnCore
import Foundation
import Testing

/// A tiny stand-in for a sentence encoder: each word belongs to a concept (taxi and cab and ride
/// mean the same; vpn and tunnel too), and a text's vector is its concepts' sum, unit length. Words
/// of no concept get a direction of their own, from their hash, so off-topic text points elsewhere.
struct ConceptEncoder: SentenceEncoding {
    static let concepts: [String: Int] = [
        "taxi": 0, "taxis": 0, "cab": 0, "cabs": 0, "uber": 0, "ride": 0, "rideshare": 0, "lyft": 0, "bolt": 0,
        "vpn": 1, "tunnel": 1, "globalprotect": 1, "remote": 1, "intranet": 1,
        "vacation": 2, "holiday": 2, "holidays": 2, "leave": 2, "pto": 2, "off": 2,
        "expense": 3, "reimbursed": 3, "claim": 3, "receipt": 3, "pays": 3, "refund": 3,
    ]
    let dimension = 32

    func embed(_ texts: [String]) -> [[Float]] { texts.map(vector) }

    func vector(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
            if let concept = Self.concepts[String(word)] {
                vector[concept] += 1
            } else {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                vector[8 + Int(hash % 24)] += 0.5
            }
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}

@Suite("Semantic matcher (sentence embeddings with the learned engine)")
struct SemanticMatcherTests {
    /// Two nuggets whose examples never say "cab", "uber", "bolt" or "tunnel".
    static let nuggets = [
        Nugget(
            id: "taxi", title: "Taxi expenses", keywords: ["taxi"],
            questions: ["how do I get a taxi reimbursed", "taxi to the airport, who pays", "taxi receipt needed?", "taxi home after a late dinner"],
            body: "Taxis are reimbursed for work trips. Keep the receipt and claim it within 30 days."),
        Nugget(
            id: "vpn", title: "Connecting to the VPN", keywords: ["vpn"],
            questions: ["how do I connect to the vpn", "vpn keeps dropping", "vpn login fails", "do I need the vpn at home"],
            body: "Open GlobalProtect and sign in with your company account. The VPN is needed for the intranet."),
        Nugget(
            id: "vacation", title: "Requesting vacation", keywords: ["vacation"],
            questions: ["how do I request vacation", "book vacation days", "vacation approval", "when to ask for vacation"],
            body: "Request vacation in the HR tool at least two weeks ahead; your manager approves it."),
    ]
    static let outOfScope = ["what's the weather tomorrow", "tell me a joke", "who won the football match", "recommend a pizza place"]

    @Test("a synonym the examples never use reaches the right nugget, only with the encoder")
    func synonymReachesTheNugget() throws {
        var settings = MatcherSettings()
        settings.model = .semantic
        let semantic = try Matcher(nuggets: Self.nuggets, outOfScope: Self.outOfScope, settings: settings, encoder: ConceptEncoder())
        #expect(semantic.engineName == "semantic")
        #expect(semantic.rank("can I expense a cab", limit: 1).first?.nuggetID == "taxi")
        #expect(semantic.rank("bolt ride, claimable?", limit: 1).first?.nuggetID == "taxi")
        #expect(semantic.rank("my tunnel to the intranet is down", limit: 1).first?.nuggetID == "vpn")
        settings.model = .learned
        let lexical = try Matcher(nuggets: Self.nuggets, outOfScope: Self.outOfScope, settings: settings)
        // Without meaning, "bolt ride, claimable?" shares no word with any nugget.
        if case .answer(let match) = lexical.decide("bolt ride, claimable?") { #expect(match.nuggetID != "taxi") }
        switch semantic.decide("bolt ride, claimable?") {
        case .answer(let match): #expect(match.nuggetID == "taxi")
        case .choice(let matches): #expect(matches.first?.nuggetID == "taxi")
        case .unknown: Issue.record("the semantic engine should answer or offer the taxi nugget")
        }
    }

    @Test("an off-topic question stays out")
    func offTopicStaysOut() throws {
        var settings = MatcherSettings()
        settings.model = .semantic
        let semantic = try Matcher(nuggets: Self.nuggets, outOfScope: Self.outOfScope, settings: settings, encoder: ConceptEncoder())
        for question in ["what's the weather like on sunday", "tell me a funny joke", "who won the tennis match"] {
            if case .answer(let match) = semantic.decide(question) { Issue.record("'\(question)' answered with \(match.nuggetID)") }
        }
    }

    @Test("without an encoder: auto falls back to the lexical engines, semantic is refused with the reason")
    func fallbackWithoutEncoder() throws {
        let auto = try Matcher(nuggets: Self.nuggets, outOfScope: Self.outOfScope)
        #expect(auto.engineName != "semantic")
        var settings = MatcherSettings()
        settings.model = .semantic
        #expect(throws: MatcherError.noEncoder) { try Matcher(nuggets: Self.nuggets, settings: settings) }
        #expect(MatcherError.noEncoder.description.contains("install-deps.sh"))
        // With an encoder, auto picks the semantic engine for this pack (it is not significantly worse
        // on held-out examples).
        let withEncoder = try Matcher(nuggets: Self.nuggets, outOfScope: Self.outOfScope, encoder: ConceptEncoder())
        #expect(withEncoder.engineName == "semantic")
    }

    @Test("body passages: sentences and list items without Markdown, short ones joined")
    func bodyPassages() {
        let body = """
            Taxis are **reimbursed** for work. Keep the receipt!

            1. Open *Spendly* and choose [New expense](https://x.example/new).
            2. Submit.
            - Tips above 10 % are not paid.
            """
        let passages = BodyPassages.passages(body)
        #expect(passages.first == "Taxis are reimbursed for work.")
        #expect(passages.contains { $0.hasSuffix("Open Spendly and choose New expense.") })
        #expect(passages.contains("Submit. Tips above 10 % are not paid."))  // "Submit." alone is too short
        #expect(!passages.contains { $0.contains("*") || $0.contains("](") })
        #expect(passages.allSatisfy { $0.count >= 10 })
    }
}
