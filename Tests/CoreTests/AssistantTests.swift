import FlowLearnCore
import Foundation
import Testing

@Suite("Assistant")
struct AssistantTests {
    let assistant = Assistant(matcher: try! Matcher(nuggets: Fixtures.nuggets))

    func ask(_ text: String) -> Assistant.Response {
        assistant.respond(
            to: InboundMessage(
                kind: .command, conversation: ConversationRef(platform: "test", channel: "C1"), user: "U1", text: text,
                receivedAt: Date(timeIntervalSince1970: 100)),
            command: "/learn")
    }

    @Test func answersWithTheNuggetAndLogsIt() {
        let response = ask("how do I get reimbursed for a taxi")
        guard case .nugget(let nugget, _) = response.reply else {
            Issue.record("expected a nugget, got \(response.reply)")
            return
        }
        #expect(nugget.id == "taxi")
        #expect(response.log?.outcome == .answered)
        #expect(response.log?.nuggetID == "taxi")
        #expect(response.log?.user == "U1")
        #expect(response.log?.askedAt == Date(timeIntervalSince1970: 100))
    }

    @Test func unknownQuestionsAreLoggedWithNearMisses() {
        let response = ask("how do I expense a coffee machine")
        #expect(response.reply == .unknown(question: "how do I expense a coffee machine"))
        #expect(response.log?.outcome == .unknown)
        #expect(response.log?.nuggetID == nil)
    }

    @Test func helpAndEmptyTextAreNotQuestions() {
        for text in ["", "  ", "help", "HELP"] {
            let response = ask(text)
            #expect(response.reply == .help(command: "/learn"))
            #expect(response.log == nil)
        }
    }

    @Test func choicesNameBothNuggets() {
        let response = ask("vpn")
        guard case .choice(let offered, _) = response.reply, offered.count == 2, let a = offered.first, let b = offered.last else {
            Issue.record("expected a choice")
            return
        }
        #expect(Set([a.id, b.id]) == ["vpn-connect", "vpn-slow"])
        #expect(response.log?.outcome == .choice)
        #expect(response.log?.candidates.count == 2)
    }
}
