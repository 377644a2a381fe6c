import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import FlowLearnStore
import Foundation

/// `flowlearn poisoned`: inbound events set aside after failing or crashing the server twice.
struct Poisoned: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List inbound events set aside as poisoned (they failed or crashed the server twice and are skipped).")

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "How many to show.")
    var limit = 50

    func run() async throws {
        let store = try await options.openStore()
        let events = try await store.poisonedEvents(limit: max(0, limit))
        let formatter = ISO8601DateFormatter()
        for event in events {
            print("\(formatter.string(from: event.poisonedAt))  \(event.platform)  \(event.eventID)  attempts \(event.attempts)  first seen \(formatter.string(from: event.firstSeen))  \(event.reason)")
        }
        if events.isEmpty { StandardError.print("no poisoned events") }
    }
}
