import FlowLearnCore
import FlowLearnXAPI
import Foundation
import Testing

/// The statements' JSON shapes and ids, from plain records: no store, no network.
@Suite("xAPI statements")
struct XAPIStatementTests {
    static let at = Date(timeIntervalSince1970: 1_764_500_000.25)
    static let learner = Learner(platform: "slack", team: "T0001", user: "U2147483697")
    static let base = "https://learning.example.com/flowlearn"
    static let question = QuizQuestion(
        id: "taxi-commute", nuggetID: "expenses-taxi-rideshare", kind: .multiple, prompt: "Which rides can be claimed?",
        choices: ["A taxi to a client", "The daily commute", "A ride-share to the airport"], answers: [2, 0], explanation: "")
    static let truth = QuizQuestion(
        id: "vpn-home", nuggetID: "vpn", kind: .trueFalse, prompt: "The VPN is needed at home.", choices: ["True", "False"], answers: [0],
        explanation: "")
    static let builder = XAPIStatementBuilder(
        activityBase: base + "/", language: "en",
        nuggetTitle: { $0 == "expenses-taxi-rideshare" ? "Taxi and ride-share expenses" : nil },
        quizQuestion: { id in [question, truth].first { $0.id == id } })

    static func json(_ record: LearningRecord) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(builder.body(record))) as? [String: Any])
    }

    static func asked(outcome: String = "answered", nugget: String? = "expenses-taxi-rideshare") -> LearningRecord {
        var record = LearningRecord(kind: .asked, at: at, learner: learner, source: "question_log/7/1764500000250")
        record.question = "how do I get reimbursed for a taxi?"
        record.outcome = outcome
        record.confidence = 0.87654
        record.nuggetID = nugget
        return record
    }

    @Test func uuidV5MatchesTheRFC4122Vector() {
        let id = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.com")
        #expect(id.uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.org") != id)
    }

    @Test func askedCarriesTheAccountTheQuestionTheOutcomeAndTheNugget() throws {
        let record = Self.asked()
        let statement = try Self.json(record)
        #expect(statement["id"] as? String == Self.builder.statementID(record).uuidString.lowercased())
        let id = try #require(statement["id"] as? String)
        #expect(UUID(uuidString: id).map { String($0.uuidString.lowercased().dropFirst(14).prefix(1)) } == "5", "a version 5 UUID")
        let actor = try #require(statement["actor"] as? [String: Any])
        #expect(actor["objectType"] as? String == "Agent")
        let account = try #require(actor["account"] as? [String: String])
        #expect(account == ["homePage": "https://app.slack.com/client/T0001", "name": "U2147483697"])
        #expect((statement["verb"] as? [String: Any])?["id"] as? String == "http://adlnet.gov/expapi/verbs/asked")
        #expect(statement["timestamp"] as? String == "2025-11-30T10:53:20.250Z")
        let object = try #require(statement["object"] as? [String: Any])
        #expect(object["id"] as? String == Self.base + "/assistant", "the trailing slash of the base is dropped")
        let result = try #require(statement["result"] as? [String: Any])
        #expect(result["response"] as? String == "how do I get reimbursed for a taxi?")
        #expect(result["success"] as? Bool == true)
        let extensions = try #require(result["extensions"] as? [String: Any])
        #expect(extensions[Self.base + "/extensions/outcome"] as? String == "answered")
        #expect(extensions[Self.base + "/extensions/confidence"] as? Double == 0.877)
        let context = try #require(statement["context"] as? [String: Any])
        #expect(context["platform"] as? String == "Slack" && context["language"] as? String == "en")
        let other = try #require((context["contextActivities"] as? [String: Any])?["other"] as? [[String: Any]])
        #expect(other.first?["id"] as? String == Self.base + "/nuggets/expenses-taxi-rideshare")
        #expect(((other.first?["definition"] as? [String: Any])?["name"] as? [String: String]) == ["en": "Taxi and ride-share expenses"])

        let unanswered = try Self.json(Self.asked(outcome: "unknown", nugget: nil))
        #expect((unanswered["result"] as? [String: Any])?["success"] as? Bool == false)
        #expect((unanswered["context"] as? [String: Any])?["contextActivities"] == nil)
        let stored = try #require(LearningRecord.decode(try record.encoded()))
        #expect(Self.builder.body(stored) == Self.builder.body(record), "a record read back from the store gives the same bytes")
    }

    @Test func idsDependOnKindSourceAndActivityBaseOnly() {
        let asked = Self.asked()
        var experienced = asked
        experienced.kind = .experienced
        #expect(Self.builder.statementID(asked) != Self.builder.statementID(experienced))
        var edited = asked
        edited.question = "another text"
        #expect(Self.builder.statementID(asked) == Self.builder.statementID(edited), "the id names the row, not its content")
        let elsewhere = XAPIStatementBuilder(activityBase: "https://other.example.com/flowlearn")
        #expect(elsewhere.statementID(asked) != Self.builder.statementID(asked), "two installations never share ids")
    }

    @Test func experiencedNamesTheNuggetHowItCameAndTheQuestionItAnswered() throws {
        var record = LearningRecord(kind: .experienced, at: Self.at, learner: Self.learner, source: "question_log/7/1764500000250")
        record.nuggetID = "expenses-taxi-rideshare"
        record.via = "answer"
        record.askedSource = "question_log/7/1764500000250"
        let statement = try Self.json(record)
        #expect((statement["verb"] as? [String: Any])?["id"] as? String == "http://adlnet.gov/expapi/verbs/experienced")
        let object = try #require(statement["object"] as? [String: Any])
        #expect(object["id"] as? String == Self.base + "/nuggets/expenses-taxi-rideshare")
        #expect((object["definition"] as? [String: Any])?["type"] as? String == "http://adlnet.gov/expapi/activities/lesson")
        let context = try #require(statement["context"] as? [String: Any])
        #expect((context["extensions"] as? [String: String])?[Self.base + "/extensions/via"] == "answer")
        let reference = try #require(context["statement"] as? [String: String])
        #expect(reference == ["objectType": "StatementRef", "id": Self.builder.statementID(Self.asked()).uuidString.lowercased()])
    }

    @Test func answeredIsACmiInteractionWithChoicesResponseAndSuccess() throws {
        var record = LearningRecord(kind: .answered, at: Self.at, learner: Self.learner, source: "quiz_answer/s1/0")
        record.quizQuestionID = "taxi-commute"
        record.sessionID = "s1"
        record.picks = [0, 2]
        record.correct = true
        let statement = try Self.json(record)
        #expect((statement["verb"] as? [String: Any])?["id"] as? String == "http://adlnet.gov/expapi/verbs/answered")
        let object = try #require(statement["object"] as? [String: Any])
        #expect(object["id"] as? String == Self.base + "/quiz/questions/taxi-commute")
        let definition = try #require(object["definition"] as? [String: Any])
        #expect(definition["type"] as? String == "http://adlnet.gov/expapi/activities/cmi.interaction")
        #expect(definition["interactionType"] as? String == "choice")
        #expect(definition["name"] as? [String: String] == ["en": "Which rides can be claimed?"])
        let choices = try #require(definition["choices"] as? [[String: Any]])
        #expect(choices.map { $0["id"] as? String } == ["a", "b", "c"])
        #expect(choices.last?["description"] as? [String: String] == ["en": "A ride-share to the airport"])
        #expect(definition["correctResponsesPattern"] as? [String] == ["a[,]c"])
        let result = try #require(statement["result"] as? [String: Any])
        #expect(result["response"] as? String == "a[,]c" && result["success"] as? Bool == true)
        let context = try #require(statement["context"] as? [String: Any])
        #expect(context["registration"] as? String == UUIDv5.make(namespace: Self.builder.namespace, name: "quiz_session/s1").uuidString.lowercased())
        let activities = try #require(context["contextActivities"] as? [String: Any])
        #expect((activities["parent"] as? [[String: Any]])?.first?["id"] as? String == Self.base + "/quiz")
        #expect((activities["grouping"] as? [[String: Any]])?.first?["id"] as? String == Self.base + "/nuggets/expenses-taxi-rideshare")

        var wrong = record
        wrong.quizQuestionID = "vpn-home"
        wrong.picks = [1]
        wrong.correct = false
        let trueFalse = try Self.json(wrong)
        let tf = try #require((trueFalse["object"] as? [String: Any])?["definition"] as? [String: Any])
        #expect(tf["interactionType"] as? String == "true-false" && tf["correctResponsesPattern"] as? [String] == ["true"])
        #expect((trueFalse["result"] as? [String: Any])?["response"] as? String == "false")
        #expect((trueFalse["result"] as? [String: Any])?["success"] as? Bool == false)

        var gone = record
        gone.quizQuestionID = "removed-question"
        let unknown = try #require((try Self.json(gone))["object"] as? [String: Any])
        #expect(unknown["definition"] == nil, "a question gone from the content has no definition (a partial one could replace the LRS's)")
        #expect(unknown["id"] as? String == Self.base + "/quiz/questions/removed-question")
    }

    @Test func votesAreVotedUpOrDownOnTheNuggetAndReferToTheQuestion() throws {
        var record = LearningRecord(kind: .voted, at: Self.at, learner: Self.learner, source: "answer_feedback/abc/slack:T0001:U1/1/1")
        record.helpful = true
        record.nuggetID = "expenses-taxi-rideshare"
        record.askedSource = "question_log/7/1764500000250"
        let up = try Self.json(record)
        #expect((up["verb"] as? [String: Any])?["id"] as? String == "http://id.tincanapi.com/verb/voted-up")
        #expect((up["object"] as? [String: Any])?["id"] as? String == Self.base + "/nuggets/expenses-taxi-rideshare")
        #expect(((up["context"] as? [String: Any])?["statement"] as? [String: String])?["id"] == Self.builder.statementID(Self.asked()).uuidString.lowercased())
        record.helpful = false
        #expect((try Self.json(record)["verb"] as? [String: Any])?["id"] as? String == "http://id.tincanapi.com/verb/voted-down")
    }

    @Test func actorsHaveTheirWorkspaceAsHomePage() throws {
        func homePage(_ learner: Learner) throws -> String? {
            let record = LearningRecord(kind: .asked, at: Self.at, learner: learner, source: "x")
            return ((try Self.json(record)["actor"] as? [String: Any])?["account"] as? [String: String])?["homePage"]
        }
        #expect(try homePage(Learner(platform: "discord", team: "G1", user: "1")) == "https://discord.com", "one Discord person in every server")
        #expect(try homePage(Learner(platform: "discord", user: "1")) == "https://discord.com")
        #expect(try homePage(Learner(platform: "mattermost", team: "Équipe", user: "u")) == Self.base + "/workspaces/mattermost/%C3%89quipe", "ASCII only")
        #expect(try homePage(Learner(platform: "matrix", user: "@alice:example.org")) == "https://example.org")
        #expect(try homePage(Learner(platform: "teams", user: "29:abc")) == "https://teams.microsoft.com")
        #expect(try homePage(Learner(platform: "mattermost", team: "team 1", user: "u")) == Self.base + "/workspaces/mattermost/team%201")
    }

    @Test func thePutIsIdempotentVersionedAndKeepsItsSecretHidden() {
        let endpoint = XAPIEndpoint(endpoint: "http://127.0.0.1:9/xAPI/", key: "flowlearn", secret: "s3cret")
        let id = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.com")
        let request = endpoint.put(statementID: id, body: [1])
        #expect(request.method == "PUT")
        #expect(request.url == "http://127.0.0.1:9/xAPI/statements?statementId=2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(request.headers.contains { $0.name == "X-Experience-API-Version" && $0.value == "1.0.3" })
        let authorization = request.headers.first { $0.name == "Authorization" }
        #expect(authorization?.value == "Basic " + Data("flowlearn:s3cret".utf8).base64EncodedString() && authorization?.isSecret == true)
        #expect(XAPIEndpoint.verdict(status: 204) == .stored && XAPIEndpoint.verdict(status: 409) == .conflict)
        #expect(XAPIEndpoint.verdict(status: 401) == .unauthorized && XAPIEndpoint.verdict(status: 403) == .unauthorized)
        #expect(XAPIEndpoint.verdict(status: 400) == .rejected && XAPIEndpoint.verdict(status: 500) == .retry)
        #expect(XAPIEndpoint.verdict(status: nil) == .retry && XAPIEndpoint.verdict(status: 429) == .retry && XAPIEndpoint.verdict(status: 404) == .retry)
    }

    @Test func storedRecordsThatDoNotDecodeAreNil() throws {
        #expect(LearningRecord.decode(Data("{\"kind\":\"nonsense\"}".utf8)) == nil)
        #expect(LearningRecord.decode(Data([0xff, 0x00])) == nil)
        let record = Self.asked()
        #expect(LearningRecord.decode(try record.encoded()) == record)
    }
}
