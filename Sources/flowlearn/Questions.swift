import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation

/// `flowlearn questions`: what people asked, newest first; `--unanswered` for the content team's to-do list.
struct Questions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List logged questions (those without a nugget with --unanswered).")

    @OptionGroup var options: ConfigurationOptions

    @Flag(name: .long, help: "Only questions that got 'no nugget yet'.")
    var unanswered = false

    @Option(name: .long, help: "How many to show.")
    var limit = 50

    func run() async throws {
        let store = try await options.openStore()
        let entries = try await store.recentQuestions(unansweredOnly: unanswered, limit: max(0, limit))
        let formatter = ISO8601DateFormatter()
        for entry in entries {
            let near = entry.candidates.prefix(2).map { "\($0.nuggetID) \(String(format: "%.2f", $0.confidence))" }.joined(separator: ", ")
            print("\(formatter.string(from: entry.askedAt))  \(entry.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(entry.nuggetID ?? "-")  \"\(entry.text)\"" + (near.isEmpty ? "" : "  [near: \(near)]"))
        }
        if entries.isEmpty { StandardError.print("no questions logged yet") }
    }
}
