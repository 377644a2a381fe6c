import FlowLearnCore
import Foundation
import Testing

/// Our FSRS-6 scheduler against the reference implementation (`fsrs` 6.x on PyPI), on the histories
/// `scripts/fsrs-vectors.py` wrote: due times to the second, stability and difficulty within 1e-6.
@Suite("FSRS-6 agrees with the reference")
struct FSRSReplayTests {
    static let path = Fixtures.root + "/fsrs/reference.jsonl"

    @Test("every reference history replays to the same states")
    func replaysReference() async throws {
        let path = Self.path
        let (histories, reviews, settingsSeen, mismatches) = try await offThePool { () throws -> (Int, Int, Int, [String]) in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            var reviews = 0
            var mismatches: [String] = []
            var settingsSeen = Set<[Double]>()
            for (number, line) in lines.enumerated() {
                let reference = try FSRSHistory.decode(line)
                settingsSeen.insert(reference.scheduler.learning_steps + [-1] + reference.scheduler.relearning_steps)
                let ours = try reference.replayed()
                for (index, (expected, actual)) in zip(reference.reviews, ours.reviews).enumerated() {
                    reviews += 1
                    guard let want = expected.card, let got = actual.card else {
                        mismatches.append("line \(number + 1): reference card missing")
                        continue
                    }
                    let close = { (a: Double?, b: Double?) -> Bool in
                        guard let a, let b else { return a == nil && b == nil }
                        return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-12)
                    }
                    if want.due != got.due || want.state != got.state || want.step != got.step || want.last_review != got.last_review
                        || !close(want.stability, got.stability) || !close(want.difficulty, got.difficulty)
                    {
                        mismatches.append("line \(number + 1) review \(index + 1): want \(want), got \(got)")
                    }
                }
            }
            return (lines.count, reviews, settingsSeen.count, mismatches)
        }
        #expect(histories >= 2000)
        #expect(reviews > 8000)
        #expect(settingsSeen >= 3, "the fixture covers several step settings")
        let count = mismatches.count
        let first = mismatches.prefix(3).joined(separator: "\n")
        #expect(count == 0, "\(count) mismatches; first:\n\(first)")
    }

    @Test("a wrong answer comes back sooner than a right one")
    func wrongSoonerThanRight() {
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for scheduler in [FSRSScheduler(), FSRSScheduler(learningSteps: [], relearningSteps: [])] {
            let wrong = scheduler.review(FSRSCard(due: start), rating: .again, at: start)
            let right = scheduler.review(FSRSCard(due: start), rating: .good, at: start)
            #expect(wrong.due < right.due)
            #expect(wrong.stability! < right.stability!)
            #expect(wrong.difficulty! > right.difficulty!)
        }
    }

    @Test("dates round-trip through the history format")
    func dateFormat() throws {
        for text in ["1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-11-30T13:05:09Z", "2399-12-31T12:00:00Z"] {
            let date = try #require(FSRSHistory.parse(text))
            #expect(FSRSHistory.format(date) == text)
        }
        #expect(FSRSHistory.parse("2026-11-30 13:05:09") == nil)
        #expect(FSRSHistory.parse("2026-13-01T00:00:00Z") == nil)
    }

    @Test("histories with fuzzing or bad ratings are refused with a reason")
    func refusesBadHistories() throws {
        let fuzzed = #"{"scheduler":{"parameters":[0.212,1.2931,2.3065,8.2956,6.4133,0.8334,3.0194,0.001,1.8722,0.1666,0.796,1.4835,0.0614,0.2629,1.6483,0.6014,1.8729,0.5425,0.0912,0.0658,0.1542],"desired_retention":0.9,"learning_steps":[60,600],"relearning_steps":[600],"maximum_interval":36500,"enable_fuzzing":true},"reviews":[{"rating":3,"review_datetime":"2026-01-01T00:00:00Z"}]}"#
        #expect(throws: FSRSHistory.Problem.self) { try FSRSHistory.decode(fuzzed).replayed() }
        let badRating = fuzzed.replacingOccurrences(of: "true", with: "false").replacingOccurrences(of: #""rating":3"#, with: #""rating":7"#)
        #expect(throws: FSRSHistory.Problem.self) { try FSRSHistory.decode(badRating).replayed() }
        let good = fuzzed.replacingOccurrences(of: "true", with: "false")
        let replayed = try FSRSHistory.decode(good).replayed()
        #expect(replayed.reviews[0].card?.state == 1)
        #expect(replayed.line().contains(#""step":1"#))
    }
}
