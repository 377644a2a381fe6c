import FlowLearnCore
import Foundation
import Testing

@Suite("Gaps: unanswered questions in clusters")
struct GapClusterTests {
    func entry(_ text: String, user: String, minute: Double, near: [(String, String)] = []) -> QuestionLogEntry {
        QuestionLogEntry(
            askedAt: Date(timeIntervalSince1970: 1_764_500_000 + minute * 60), platform: "slack", user: user, channel: "C1", text: text,
            outcome: .unknown, nuggetID: nil, confidence: 0.1,
            candidates: near.map { Match(nuggetID: $0.0, title: $0.1, score: 1, confidence: 0.2) })
    }

    @Test func similarQuestionsGroupTogetherWithCountsPeopleTimesSamplesAndNearestNuggets() throws {
        let analyzer = try TextAnalyzer(language: "english")
        let entries = [
            entry("where can I park my car at the office?", user: "U1", minute: 1, near: [("travel-booking", "Booking travel")]),
            entry("is there parking at the office", user: "U2", minute: 2),
            entry("how do I get a gym membership discount", user: "U3", minute: 3),
            entry("office parking spots for visitors?", user: "U1", minute: 4, near: [("travel-booking", "Booking travel")]),
            entry("can I park in the office garage", user: "U4", minute: 5),
            entry("gym membership through the company", user: "U5", minute: 6),
            entry("what's the wifi password on the 3rd floor", user: "U6", minute: 7),
            entry("is there parking at the office", user: "U7", minute: 8),
            entry("the and of", user: "U8", minute: 9),
        ]
        let clusters = GapClustering.clusters(entries, analyzer: analyzer)
        let parking = try #require(clusters.first)
        #expect(parking.count == 5 && parking.people == 4, "\(clusters.map { ($0.key, $0.count) })")
        #expect(parking.terms.contains("park") && parking.terms.contains("offic"))
        #expect(parking.samples.first == "is there parking at the office" && parking.samples.count == 4, "distinct, most recent first")
        #expect(parking.firstAsked == entries[0].askedAt && parking.lastAsked == entries[7].askedAt)
        #expect(parking.nearestNuggets.first?.nuggetID == "travel-booking" && parking.nearestNuggets.first?.questions == 2)
        let gym = try #require(clusters.first { $0.terms.contains("gym") })
        #expect(gym.count == 2 && gym.people == 2)
        #expect(clusters.contains { $0.count == 1 && $0.samples == ["what's the wifi password on the 3rd floor"] })
        #expect(clusters.contains { $0.key == "(no words)" && $0.count == 1 })
        #expect(clusters.map(\.count).reduce(0, +) == entries.count, "every question is in exactly one cluster")
        let again = GapClustering.clusters(entries.reversed(), analyzer: analyzer)
        #expect(again.map(\.key) == clusters.map(\.key), "the same questions in another order give the same clusters")
    }
}
