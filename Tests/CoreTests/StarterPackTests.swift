import FlowLearnCore
import Testing

@Suite("The shipped Intents/ starter pack")
struct StarterPackTests {
    let files: [SourceFile]

    init() throws {
        files = try ContentDirectory.read(Fixtures.repositoryRoot + "/Intents")
    }

    @Test func lintsClean() {
        let report = ContentLinter.lint(files)
        #expect(report.diagnostics.map(\.description) == [])
    }

    @Test func isLargeEnough() throws {
        let nuggets = try ContentLinter.load(files)
        #expect(nuggets.count >= 40)
        #expect(Set(nuggets.map(\.topic)).count >= 6)
        for nugget in nuggets {
            #expect(nugget.questions.count >= 4, "\(nugget.id) has fewer than 4 example questions")
            #expect(nugget.body.count <= 2500, "\(nugget.id) is too long for chat")
        }
    }

    @Test func isServedByTheEngineThatAnswersItsHeldOutQuestionsBetter() async throws {
        // 4–8 questions per nugget: auto holds questions out and lets both engines answer them. The
        // keyword ranker, which reads titles, keywords and bodies too, wins on this pack (README).
        let nuggets = try ContentLinter.load(files)
        #expect(Matcher.autoEngine(nuggets: nuggets.count, examples: nuggets.reduce(0) { $0 + $1.questions.count }) == .heldOutContest)
        #expect(try await offThePool { try Matcher(nuggets: nuggets) }.engineName == "keyword")
    }

    @Test func answersTheQuestionsThePackWasWrittenFor() async throws {
        let files = self.files
        let matcher = try await offThePool { try Matcher(nuggets: ContentLinter.load(files)) }
        let cases = [
            ("how do I get reimbursed for a taxi ride", "expenses-taxi-rideshare"),
            ("my laptop got stolen", "security-lost-device"),
            ("how many vacation days are left for me this year", "time-off-balance"),
            ("someone emailed me asking for my password", "security-report-phishing"),
            ("how many approvals before I can merge", "code-review-merging"),
            ("customer was charged twice", "escalation-refunds-credits"),
        ]
        for (question, expected) in cases {
            guard case .answer(let match) = matcher.decide(question) else {
                Issue.record("'\(question)' got no single answer: \(matcher.decide(question))")
                continue
            }
            #expect(match.nuggetID == expected, "'\(question)'")
        }
    }

    @Test func admitsNotKnowingUnrelatedThings() async throws {
        let files = self.files
        let matcher = try await offThePool { try Matcher(nuggets: ContentLinter.load(files)) }
        for question in ["what is the capital of France", "can I bring my dog to the office", "recommend a pizza place", "who won the football last night"] {
            guard case .unknown = matcher.decide(question) else {
                Issue.record("'\(question)' should get the 'no nugget yet' answer, got \(matcher.decide(question))")
                continue
            }
        }
    }
}
