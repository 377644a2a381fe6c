import FlowLearnCore
import FlowLearnSlack
import Foundation
import Testing

@Suite("Slack quiz payloads: block_actions in, Block Kit out")
struct SlackQuizPayloadTests {
    func form(_ fixture: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(fixture)", withExtension: "json"))
        let json = try String(contentsOf: url, encoding: .utf8)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Array("payload=\(json.addingPercentEncoding(withAllowedCharacters: allowed)!)".utf8)
    }

    @Test func buttonClickIsAnAnswer() throws {
        guard case .quizAnswer(let click) = try SlackInteraction.decode(form("block_actions_button")) else {
            Issue.record("expected an answer")
            return
        }
        #expect(click.sessionID == "qt6abc123" && click.position == 1 && click.picks == [2])
        #expect(click.actionID == "12466734323.1395872398.4f2a8b2e8e3f7")
        #expect(click.learner == Learner(platform: "slack", team: "T0001", user: "U2147483697"))
        #expect(click.channel == "C2147483705")
        #expect(click.responseURL == "https://hooks.slack.com/actions/T0001/1234567890/AbCdEfGhIjKl")
    }

    @Test func tickingACheckboxIsNotAnAnswerSubmittingIs() throws {
        guard case .ignored = try SlackInteraction.decode(form("block_actions_checkbox_tick")) else {
            Issue.record("a tick is not an answer")
            return
        }
        guard case .quizAnswer(let click) = try SlackInteraction.decode(form("block_actions_checkbox_submit")) else {
            Issue.record("expected an answer")
            return
        }
        #expect(click.position == 3 && click.picks == [0, 2])
    }

    @Test func malformedPayloadsAreErrors() {
        #expect(throws: SlackDecodingError.self) { try SlackInteraction.decode(Array("text=hello".utf8)) }
        #expect(throws: SlackDecodingError.self) { try SlackInteraction.decode(Array("payload=%7B%22type%22%3A1%7D".utf8)) }
        let badValue = #"{"type":"block_actions","user":{"id":"U1"},"response_url":"https://hooks.slack.com/x","actions":[{"action_id":"quiz.pick.0","value":"nonsense"}]}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        #expect(throws: SlackDecodingError.self) {
            try SlackInteraction.decode(Array("payload=\(badValue.addingPercentEncoding(withAllowedCharacters: allowed)!)".utf8))
        }
    }

    @Test func questionEncodesAsTheDocumentedBlockKit() throws {
        let question = QuizQuestion(
            id: "password-length", nuggetID: "security-password-manager", topic: "security", kind: .single,
            prompt: "How long must your Lumio account password be?", choices: ["At least 8 characters", "At least 14 characters"],
            answers: [1], explanation: "At least 14.")
        let prompt = QuizPrompt(sessionID: "qt6abc123", position: 1, total: 5, question: question, isReview: true)
        let encoded = try JSONSerialization.jsonObject(with: Data(SlackQuizEncoder.immediateResponse(.question(prompt)))) as! NSDictionary
        let url = try #require(Bundle.module.url(forResource: "Fixtures/quiz_question_single", withExtension: "json"))
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! NSDictionary
        #expect(encoded == expected)
    }

    @Test func resultReplacesTheQuestionThenTheNextOneFollows() throws {
        let question = QuizQuestion(
            id: "usb", nuggetID: "security-usb", topic: "security", kind: .trueFalse, prompt: "USB sticks work <if> scanned.",
            choices: ["True", "False"], answers: [1], explanation: "USB storage is **blocked**.")
        let feedback = QuizFeedback(
            question: question, picks: [0], correct: false, position: 0, total: 2, nugget: nil, score: nil, nextReview: Date())
        let next = QuizPrompt(sessionID: "s", position: 1, total: 2, question: question, isReview: false)
        let requests = SlackQuizEncoder.responseURLMessages(.result(feedback, next: next), responseURL: "https://hooks.slack.com/x")
        #expect(requests.count == 2)
        let result = try JSONSerialization.jsonObject(with: Data(requests[0].body)) as! [String: Any]
        #expect(result["replace_original"] as? Bool == true)
        let text = String(decoding: requests[0].body, as: UTF8.self)
        #expect(text.contains("Not quite: the answer is B: False."))
        #expect(text.contains("&lt;if&gt;"), "question text is escaped")
        #expect(text.contains("*blocked*"), "explanation Markdown becomes mrkdwn")
        let following = try JSONSerialization.jsonObject(with: Data(requests[1].body)) as! [String: Any]
        #expect(following["replace_original"] as? Bool == false)
        let blocks = following["blocks"] as! [[String: Any]]
        let buttons = (blocks[1]["elements"] as! [[String: Any]]).map { ($0["text"] as! [String: Any])["text"] as! String }
        #expect(buttons == ["True", "False"])
    }
}

@Suite("Slack nudge encoding")
struct SlackNudgeEncodingTests {
    @Test func templateFillsChannelAndKeyAsJSONWouldAndStoresNoToken() throws {
        let nugget = Nugget(
            id: "taxi", title: "Taxi \"expenses\"", topic: "expenses", links: [NuggetLink(title: "Policy", url: "https://intranet.example/policy")],
            body: "Claim it in **Spendly** <now>.")
        let request = SlackNudgeEncoder.nugget(nugget, key: #"slack:T1:U1|2026-12-01|09:30"#, channel: "U1", apiBaseURL: "https://slack.com/api/")
        #expect(request.url == "https://slack.com/api/chat.postMessage")
        #expect(request.headers.allSatisfy { !$0.isSecret && $0.name != "Authorization" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(json["channel"] as? String == "U1")
        #expect(json["text"] as? String == "Today's nugget: Taxi \"expenses\"")
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        let actions = try #require(blocks.last)
        #expect(actions["block_id"] as? String == "nudge:slack:T1:U1|2026-12-01|09:30")
        let values = (actions["elements"] as? [[String: Any]])?.compactMap { $0["value"] as? String }
        #expect(values == ["slack:T1:U1|2026-12-01|09:30", "slack:T1:U1|2026-12-01|09:30"])
        #expect(String(decoding: request.body, as: UTF8.self).contains("Claim it in *Spendly* &lt;now&gt;."))
        let odd = SlackNudgeEncoder.nugget(nugget, key: "k\"\\", channel: "C\"1", apiBaseURL: "https://slack.com/api")
        let oddJSON = try #require(try JSONSerialization.jsonObject(with: Data(odd.body)) as? [String: Any])
        #expect(oddJSON["channel"] as? String == "C\"1")
    }

    @Test func timeZoneComesFromUsersInfo() {
        #expect(SlackNudgeEncoder.timeZone(inUserInfo: Array(#"{"ok":true,"user":{"id":"U1","tz":"America/New_York","tz_offset":-18000}}"#.utf8)) == "America/New_York")
        #expect(SlackNudgeEncoder.timeZone(inUserInfo: Array(#"{"ok":false,"error":"user_not_found"}"#.utf8)) == nil)
        #expect(SlackNudgeEncoder.timeZone(inUserInfo: Array(#"{"ok":true,"user":{"tz":"Mars/Olympus"}}"#.utf8)) == nil)
        let request = SlackNudgeEncoder.userInfo("U 1", apiBaseURL: "https://slack.com/api", botToken: "xoxb-1")
        #expect(request.method == "GET" && request.url == "https://slack.com/api/users.info?user=U%201")
        #expect(request.headers.contains { $0.isSecret && $0.value == "Bearer xoxb-1" })
    }
}
