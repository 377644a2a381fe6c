import FlowLearnCore
import Foundation
import Testing

@Suite("Stale content")
struct StaleContentTests {
    /// 2026-12-01 00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_796_083_200)

    func nugget(_ id: String, owner: String, reviewed: String) -> Nugget {
        Nugget(id: id, title: id.capitalized, topic: "t", owner: owner, reviewed: reviewed)
    }

    @Test func lintWarnsAtTheReviewedLineOnlyWhenAskedAndOnlyPastTheCycle() throws {
        let text = ContentLintTests.valid.replacingOccurrences(of: "reviewed: 2026-10-01", with: "reviewed: 2026-05-01")
        let file = SourceFile(path: "taxi.md", text: text)
        #expect(ContentLinter.lint([file]).diagnostics.isEmpty, "no policy, no warning: lint output does not depend on the day")
        let report = ContentLinter.lint([file], stale: StalePolicy(afterDays: 180, now: Self.now))
        let warning = try #require(report.diagnostics.first)
        #expect(warning.severity == .warning && report.errorCount == 0 && report.nuggets.count == 1, "a stale nugget still serves")
        #expect(warning.description == "taxi.md:10: warning: reviewed 2026-05-01, 214 days ago (content.staleAfterDays is 180): finance@lumio.example should check it and update 'reviewed'")
        #expect(ContentLinter.lint([file], stale: StalePolicy(afterDays: 214, now: Self.now)).diagnostics.isEmpty, "214 days is not past a 214-day cycle")
        #expect(ContentLinter.lint([file], stale: StalePolicy(afterDays: 0, now: Self.now)).diagnostics.isEmpty, "0 turns it off")
    }

    @Test func listsStaleNuggetsByOwnerMostServedFirst() {
        let nuggets = [
            nugget("vpn", owner: "it@x", reviewed: "2025-01-10"), nugget("wifi", owner: "it@x", reviewed: "2025-03-01"),
            nugget("taxi", owner: "finance@x", reviewed: "2024-12-31"), nugget("fresh", owner: "finance@x", reviewed: "2026-11-20"),
        ]
        let stale = StaleNugget.list(nuggets, served: ["wifi": 40, "vpn": 3, "fresh": 900], policy: StalePolicy(afterDays: 180, now: Self.now))
        #expect(stale.map(\.id) == ["taxi", "wifi", "vpn"])
        #expect(stale.map(\.served) == [0, 40, 3])
        #expect(stale.first?.daysSinceReview == 700)
    }

    @Test func datesThatAreNotDatesAreNeverStale() {
        let policy = StalePolicy(afterDays: 1, now: Self.now)
        #expect(!policy.isStale("2025-02-30") && !policy.isStale("yesterday") && !policy.isStale("2025-1-1"))
        #expect(policy.isStale("2025-02-28"))
    }
}
