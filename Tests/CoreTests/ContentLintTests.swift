@testable import FlowLearnCore
import Foundation
import Testing

@Suite("Content parsing and lint")
struct ContentLintTests {
    static let valid = """
        ---
        id: taxi
        title: Taxi expenses
        topic: expenses
        keywords: [taxi, cab]
        questions:
          - How do I claim a taxi?
          - Can I expense a cab?
        owner: finance@lumio.example
        reviewed: 2026-10-01
        ---

        Claim it in **Spendly**.
        """

    func lint(_ files: [(String, String)]) -> ContentLinter.Report {
        ContentLinter.lint(files.map { SourceFile(path: $0.0, text: $0.1) })
    }

    func messages(_ text: String) -> [String] {
        lint([("n.md", text)]).diagnostics.map(\.description)
    }

    @Test func parsesAValidFile() throws {
        let report = lint([("taxi.md", Self.valid)])
        #expect(report.diagnostics.isEmpty)
        let nugget = try #require(report.nuggets.first)
        #expect(nugget.id == "taxi")
        #expect(nugget.keywords == ["taxi", "cab"])
        #expect(nugget.questions.count == 2)
        #expect(nugget.reviewed == "2026-10-01")
        #expect(nugget.body == "Claim it in **Spendly**.")
        #expect(nugget.source == "taxi.md")
    }

    @Test func reportsMissingKeysAtTheFrontMatter() {
        let text = Self.valid.replacingOccurrences(of: "owner: finance@lumio.example\n", with: "")
        #expect(messages(text) == ["n.md:2: error: missing required key 'owner'"])
    }

    @Test func reportsYAMLErrorsWithTheirLine() {
        let text = Self.valid.replacingOccurrences(of: "keywords: [taxi, cab]", with: "keywords: [taxi, cab")
        let found = messages(text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("n.md:") == true)
        #expect(found.first?.contains("YAML error") == true)
        let line = Int(found.first!.split(separator: ":")[1])!
        #expect((5...7).contains(line))  // at or just after the unclosed list
    }

    @Test func reportsUnknownKeysWithAHint() {
        let text = Self.valid.replacingOccurrences(of: "keywords:", with: "keyword:")
        #expect(messages(text).contains("n.md:5: error: unknown key 'keyword' (did you mean 'keywords'?)"))
    }

    @Test func reportsEmptyBodies() {
        let text = Self.valid.replacingOccurrences(of: "Claim it in **Spendly**.", with: "")
        #expect(messages(text) == ["n.md:11: error: the nugget body is empty: write the answer below the closing '---'"])
    }

    @Test func reportsBadValues() {
        let text = Self.valid
            .replacingOccurrences(of: "id: taxi", with: "id: Taxi Claims")
            .replacingOccurrences(of: "reviewed: 2026-10-01", with: "reviewed: last week")
            .replacingOccurrences(of: "questions:\n  - How do I claim a taxi?\n  - Can I expense a cab?", with: "questions: How do I claim a taxi?")
        #expect(messages(text) == [
            "n.md:2: error: id 'Taxi Claims' must use lowercase letters, digits and dashes only",
            "n.md:6: error: 'questions' must be a list (one '- item' per line)",
            "n.md:8: error: reviewed 'last week' is not a date of the form YYYY-MM-DD",
        ])
    }

    @Test func reportsMissingFrontMatter() {
        #expect(messages("Just text") == ["n.md:1: error: missing front matter: the file must start with a line '---'"])
        #expect(messages("---\nid: x\n") == ["n.md:1: error: front matter is not closed: add a line '---' after the last key"])
    }

    @Test func reportsBadLinks() {
        let text = Self.valid.replacingOccurrences(of: "reviewed: 2026-10-01", with: "reviewed: 2026-10-01\nlinks:\n  - not a url")
        #expect(messages(text) == ["n.md:12: error: each link needs an http(s) URL, as '- https://…' or '- {title: …, url: https://…}'"])
    }

    @Test func reportsDuplicateIdsAndQuestionsAcrossFiles() {
        let second = Self.valid.replacingOccurrences(of: "Can I expense a cab?", with: "Can I take a cab home?")
            .replacingOccurrences(of: "How do I claim a taxi?", with: "how do I claim a TAXI")
        let report = lint([("a.md", Self.valid), ("b.md", second)])
        #expect(report.diagnostics.map(\.description) == [
            "b.md:2: error: duplicate id 'taxi' (also used in a.md:2)",
            "b.md:7: error: question \"how do I claim a TAXI\" is duplicated (also at a.md:7); each phrasing must lead to one nugget",
        ])
        #expect(report.nuggets.isEmpty)
        #expect(report.errorCount == 2)
    }

    @Test func outOfScopeQuestionsAreReadLineByLineAndMayNotBeANuggetsQuestion() {
        let list = "# not work questions\n\nwhat's the weather tomorrow\r\n  tell me a joke  \nhow do I claim a TAXI\n?!\nTell me a joke.\n"
        let report = lint([("n.md", Self.valid), ("misc/out-of-scope.txt", list)])
        #expect(report.diagnostics.map(\.description) == [
            "misc/out-of-scope.txt:5: error: question \"how do I claim a TAXI\" is out of scope here but an example question of nugget 'taxi' (n.md:7); keep it in one place",
            "misc/out-of-scope.txt:6: error: \"?!\" has no words to match",
            "misc/out-of-scope.txt:7: error: question \"Tell me a joke.\" is out of scope here but listed already (line 4); keep it in one place",
        ])
        #expect(report.outOfScope.isEmpty, "nothing loads while there are errors")
        let fixed = lint([("n.md", Self.valid), ("misc/out-of-scope.txt", "# not work questions\n\nwhat's the weather tomorrow\r\n  tell me a joke  \n")])
        #expect(fixed.diagnostics.isEmpty)
        #expect(fixed.outOfScope == ["what's the weather tomorrow", "tell me a joke"])
    }

    @Test func readsADirectorySkippingReadmeAndDrafts() throws {
        let files = try ContentDirectory.read(Fixtures.root + "/pack")
        #expect(files.map { ($0.path as NSString).lastPathComponent } == ["good.md", "out-of-scope.txt"])
        #expect(try ContentLinter.loadPack(files).outOfScope == ["what's the weather tomorrow"])
        let nuggets = try ContentLinter.load(files)
        #expect(nuggets.first?.links == [
            NuggetLink(title: "https://example.com/a", url: "https://example.com/a"),
            NuggetLink(title: "Second", url: "https://example.com/b"),
        ])
    }

    @Test func missingDirectoryIsAnError() {
        #expect(throws: ContentError.directoryMissing("/nonexistent/intents")) {
            try ContentDirectory.read("/nonexistent/intents")
        }
    }
}
