import FlowLearnCore
import Foundation
import Testing

@Suite("Answer ids")
struct AnswerIDTests {
    @Test("24 hex digits, later ones sort later, all different")
    func orderedAndDistinct() {
        let start = Date(timeIntervalSince1970: 1_764_500_000.123)
        var previous = ""
        var seen = Set<String>()
        for step in 0..<2_000 {
            // The middle of each millisecond, so rounding cannot move it to a neighbour.
            let id = AnswerFeedback.makeAnswerID(at: Date(timeIntervalSince1970: (1_764_500_000_123.5 + Double(step / 10)) / 1000))
            #expect(id.utf8.count == 24 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            if step % 10 == 0 { #expect(id > previous, "a later millisecond sorts later") }
            previous = id
            seen.insert(id)
        }
        #expect(seen.count == 2_000)
        #expect(AnswerFeedback.makeAnswerID(at: start).hasPrefix("19ad4654d7b"), "the milliseconds come first")
        #expect(AnswerFeedback.makeAnswerID(at: Date(timeIntervalSince1970: -5)).hasPrefix("00000000000"), "no trap before 1970")
    }
}
