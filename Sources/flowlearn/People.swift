import ArgumentParser
import FlowLearnCore
import Foundation

/// `flowlearn people export|forget USER`: a person's data, for access and erasure requests.
struct People: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export or erase everything stored about one person.", subcommands: [Export.self, Forget.self])

    static func learner(_ key: String) throws -> Learner {
        guard let learner = Learner(key: key) else {
            throw ValidationError("USER is platform:team:user as FlowLearn keys learners, e.g. slack:T0001:U2147483697 or matrix::@alice:example.org")
        }
        return learner
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every row stored about a person, by table, as JSON.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The person: platform:team:user (team empty where the platform has none: matrix::@alice:example.org).")
        var user: String

        func run() async throws {
            let learner = try People.learner(user)
            print(String(decoding: try await options.openStore().exportPerson(learner), as: UTF8.self))
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a person's quizzes, cards, reviews, subscriptions, feedback and planned nudges; anonymise their questions.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The person: platform:team:user.")
        var user: String

        func run() async throws {
            let learner = try People.learner(user)
            let changed = try await options.openStore().forgetPerson(learner)
            for (table, count) in changed.sorted(by: { $0.key < $1.key }) where count > 0 { print("\(table): \(count)") }
            StandardError.print("forgot \(learner.key): \(changed.values.reduce(0, +)) row(s) deleted or anonymised")
        }
    }
}
