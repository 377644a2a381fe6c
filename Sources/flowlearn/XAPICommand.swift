import ArgumentParser
import Foundation

/// `flowlearn xapi status` and `flowlearn xapi requeue`: the xAPI outbox, and putting statements
/// the learning record store refused back in the queue once the cause is fixed.
struct XAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xapi", abstract: "The outbox of xAPI statements for the learning record store.",
        subcommands: [Status.self, Requeue.self], defaultSubcommand: Status.self)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many statements wait, and how many were set aside.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let counts = try await options.openStore().learningRecordCounts()
            print("pending: \(counts.pending)\nset aside: \(counts.rejected)")
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put the statements the LRS refused (or that failed too often) back in the queue; serve sends them again.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let count = try await options.openStore().requeueRejectedLearningRecords()
            StandardError.print("\(count) statement(s) back in the queue")
        }
    }
}
