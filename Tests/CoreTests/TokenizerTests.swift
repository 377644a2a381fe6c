@testable import FlowLearnCore
import Testing

@Suite("Tokenizer and analyzer")
struct TokenizerTests {
    @Test func lowercasesAndSplitsOnPunctuation() {
        #expect(Tokenizer.tokens("How do I get REIMBURSED for a taxi-ride?!") == ["how", "do", "i", "get", "reimbursed", "for", "a", "taxi", "ride"])
    }

    @Test func dropsApostrophesInsideWords() {
        #expect(Tokenizer.tokens("Don't use the card's PIN") == ["dont", "use", "the", "cards", "pin"])
        #expect(Tokenizer.tokens("it\u{2019}s 'quoted'") == ["its", "quoted"])
    }

    @Test func currencySymbolsAreTokensOfTheirOwn() {
        // "$20" and "£20" are different questions about money; the symbol is a word of its own, the
        // same on the ASCII fast path and the Unicode path.
        #expect(Tokenizer.tokens("I paid $20, not £20 or 20€") == ["i", "paid", "$", "20", "not", "£", "20", "or", "20", "€"])
        #expect(Tokenizer.tokens("top-up of $5") == ["top", "up", "of", "$", "5"])
        #expect(Tokenizer.tokens("top-up of $5 é") == ["top", "up", "of", "$", "5", "e"])
    }

    @Test func foldsAccentsAndKeepsOtherScripts() {
        #expect(Tokenizer.tokens("Café Überweisung") == ["cafe", "uberweisung"])
        #expect(Tokenizer.tokens("отпуск 2026") == ["отпуск", "2026"])
        #expect(Tokenizer.tokens("休暇を申請") == ["休", "暇", "を", "申", "請"])
    }

    @Test func stemsAndDropsStopwords() throws {
        let analyzer = try TextAnalyzer(language: "english")
        #expect(analyzer.terms("How do I get reimbursed for the reimbursements?") == ["get", "reimburs", "reimburs"])
    }

    @Test func otherLanguagesStemWithoutEnglishStopwords() throws {
        let analyzer = try TextAnalyzer(language: "german")
        #expect(analyzer.terms("die Urlaubsanträge") == ["die", "urlaubsantrag"])
    }

    @Test func unknownLanguageIsAnError() {
        #expect(throws: MatcherError.self) { try TextAnalyzer(language: "klingon") }
    }

    @Test func typoCorrectorFindsWordsOneEditAway() {
        let corrector = TypoCorrector(vocabulary: ["reimbursement": 3, "vacation": 2, "phishing": 1, "vpn": 4])
        #expect(corrector.correct("reimbursment") == "reimbursement")  // deletion
        #expect(corrector.correct("vacaiton") == "vacation")  // swap of neighbours
        #expect(corrector.correct("phishimg") == "phishing")  // substitution
        #expect(corrector.correct("vacations") == "vacation")  // insertion
        #expect(corrector.correct("vpm") == nil)  // too short to correct safely
        #expect(corrector.correct("vaccinate") == nil)  // too far
    }
}
