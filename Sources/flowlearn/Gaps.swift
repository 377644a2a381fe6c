import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import Foundation

/// `flowlearn gaps`: what people asked that the content did not answer, in clusters of similar
/// questions, most asked first; `flowlearn gaps mark KEY done|ignored|open` records a decision.
struct Gaps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unanswered questions of a period in clusters of similar questions, most asked first.",
        subcommands: [List.self, Mark.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the open gap clusters (the default).")

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "The period: questions of the last N days.")
        var days = 30

        @Flag(name: .long, help: "Also show clusters marked done or ignored.")
        var all = false

        @Flag(name: .long, help: "Print JSON instead of text.")
        var json = false

        struct Line: Codable {
            var key: String
            var status: String
            var count: Int
            var people: Int
            var firstAsked: Date
            var lastAsked: Date
            var samples: [String]
            var nearestNuggets: [String]
        }

        func run() async throws {
            let (configuration, _) = try options.load()
            let store = try await options.openStore()
            // At most a hundred years back: a date far outside what a database can hold would not bind.
            let since = Date().addingTimeInterval(-Double(min(max(0, days), 36_500)) * 86_400)
            let entries = try await store.unansweredQuestions(since: since, limit: 100_000)
            let analyzer = try TextAnalyzer(language: configuration.matcher.language)
            let statuses = try await store.gapStatuses()
            let lines = GapClustering.clusters(entries, analyzer: analyzer).compactMap { cluster -> Line? in
                let status = statuses[cluster.key] ?? .open
                guard all || status == .open else { return nil }
                return Line(
                    key: cluster.key, status: status.rawValue, count: cluster.count, people: cluster.people, firstAsked: cluster.firstAsked,
                    lastAsked: cluster.lastAsked, samples: cluster.samples, nearestNuggets: cluster.nearestNuggets.map(\.nuggetID))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(lines), as: UTF8.self))
                return
            }
            let formatter = ISO8601DateFormatter()
            for line in lines {
                print("\(line.key)  \(line.count) question(s) from \(line.people) people, \(formatter.string(from: line.firstAsked)) … \(formatter.string(from: line.lastAsked))" + (line.status == "open" ? "" : "  [\(line.status)]"))
                for sample in line.samples { print("    \"\(sample)\"") }
                if !line.nearestNuggets.isEmpty { print("    nearest: \(line.nearestNuggets.joined(separator: ", "))") }
            }
            StandardError.print("\(lines.count) cluster(s) from \(entries.count) unanswered question(s) of the last \(days) days; mark one with: flowlearn gaps mark KEY done|ignored")
        }
    }

    struct Mark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a gap cluster done (a nugget covers it now), ignored, or open again.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The cluster's key, as `flowlearn gaps` prints it.")
        var key: String

        @Argument(help: "done, ignored or open.")
        var status: String

        func run() async throws {
            guard let decided = GapStatus(rawValue: status) else { throw ValidationError("status is done, ignored or open") }
            try await options.openStore().setGapStatus(decided, key: key, at: Date())
            StandardError.print("\(key): \(decided.rawValue)")
        }
    }
}
