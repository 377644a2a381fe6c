import FlowLearnCore
import Foundation
import Testing

@Suite("White space")
struct WhitespaceTests {
    static let samples = [
        "", " ", "\n\t \r\n", "plain", "  two words  ", "\u{00A0}nbsp\u{00A0}", "\u{2028}line sep\u{2029}", "\u{3000}ideographic\u{3000}",
        "\u{0085}next line\u{0085}", "tab\tinside\t", "é\u{0301} combining ", " 👩🏽‍💻 ", "\u{200B}zero width\u{200B}", " \u{301}x", "abc \u{301}", "\u{301} ", "\t\u{0308}",
    ]

    @Test("trims what Foundation trims")
    func trimsLikeFoundation() {
        for sample in Self.samples {
            #expect(sample.trimmedWhitespace == sample.trimmingCharacters(in: .whitespacesAndNewlines), "\(sample.debugDescription)")
        }
    }

    @Test("the first word")
    func firstWord() {
        #expect("  nudges off  ".firstWord == "nudges")
        #expect("nudge".firstWord == "nudge")
        #expect("   ".firstWord == "")
        #expect("\tNUDGES\npause".firstWord == "NUDGES")
        #expect(NudgeDesk.handles("  NUDGES pause"))
        #expect(NudgeDesk.handles("nudge"))
        #expect(!NudgeDesk.handles("nudgey"))
        #expect(!NudgeDesk.handles("how do nudges work"))
    }
}
