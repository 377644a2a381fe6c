import ArgumentParser
import FlowLearnConfig
import FlowLearnCore
import FlowLearnServer
import Foundation

/// `flowlearn content …`: the state of the content, for the people who write it.
struct ContentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content", abstract: "Report on the content: stale nuggets.", subcommands: [Stale.self])

    /// `flowlearn content stale [--json]`: nuggets whose `reviewed` date is older than
    /// `content.staleAfterDays`, by owner, most served first.
    struct Stale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List nuggets not reviewed within content.staleAfterDays, by owner, most served first.")

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .long, help: "Days after 'reviewed' at which a nugget is stale (default: content.staleAfterDays).")
        var staleAfterDays: Int?

        @Flag(name: .long, help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            let (configuration, base) = try options.load()
            let setup = ApplicationSetup(configuration: configuration, baseDirectory: base)
            let folder = setup.resolve(configuration.content.intents)
            let pack: ContentPack
            do {
                pack = try ContentLinter.loadPack(ContentDirectory.read(folder))
            } catch {
                StandardError.print("\(folder): \(error)")
                throw ExitCode(1)
            }
            let served = try await options.openStore().servedCounts()
            let policy = StalePolicy(afterDays: staleAfterDays ?? configuration.content.staleAfterDays, now: Date())
            let stale = StaleNugget.list(pack.nuggets, served: served, policy: policy)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(stale), as: UTF8.self))
                return
            }
            var owner: String?
            for nugget in stale {
                if nugget.owner != owner {
                    owner = nugget.owner
                    print("\n\(nugget.owner.isEmpty ? "(no owner)" : nugget.owner)")
                }
                print("  \(nugget.id)  \"\(nugget.title)\"  reviewed \(nugget.reviewed) (\(nugget.daysSinceReview) days ago)  served \(nugget.served)")
            }
            StandardError.print("\(stale.count) of \(pack.nuggets.count) nuggets not reviewed in the last \(policy.afterDays) days")
        }
    }
}
