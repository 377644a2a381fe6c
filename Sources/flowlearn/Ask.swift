import ArgumentParser
import FlowLearnConsole
import FlowLearnCore
import Foundation

/// `flowlearn ask "QUESTION"`: the ranking and the decision for one question.
struct Ask: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the best nuggets for a question, with scores.")

    @Argument(help: "The question, as a person would type it in chat.")
    var question: String

    @OptionGroup var content: ContentOptions

    @Option(name: .long, help: "How many candidates to show.")
    var limit = 5

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let assistant = try content.assistant()
        let matches = assistant.matcher.rank(question, limit: limit)
        let decision = assistant.matcher.decide(question)
        if json {
            try printJSON(matches: matches, decision: decision)
            return
        }
        switch decision {
        case .answer(let match): print("Answer: \(match.nuggetID) (confidence \(format(match.confidence)))")
        case .choice(let matches): print("Did you mean: \(matches.map(\.nuggetID).joined(separator: " / "))")
        case .unknown: print("No nugget yet: \(ReplyWording.unknownLead)")
        }
        print("")
        if matches.isEmpty { print("  (no nugget shares a word with the question)") }
        for (rank, match) in matches.enumerated() {
            print("  \(rank + 1). \(match.nuggetID.padding(toLength: 32, withPad: " ", startingAt: 0)) confidence \(format(match.confidence))  score \(format(match.score))  \(match.title)")
        }
    }

    private func printJSON(matches: [Match], decision: MatchDecision) throws {
        struct Output: Encodable {
            var question: String
            var decision: String
            var nuggets: [String]
            var matches: [Match]
        }
        let (kind, ids): (String, [String]) =
            switch decision {
            case .answer(let m): ("answer", [m.nuggetID])
            case .choice(let matches): ("choice", matches.map(\.nuggetID))
            case .unknown: ("unknown", [])
            }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Output(question: question, decision: kind, nuggets: ids, matches: matches))
        print(String(decoding: data, as: UTF8.self))
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
