import ArgumentParser
import FlowLearnCore
import FlowLearnPoster
import FlowLearnServer
import Foundation
import Logging

/// `flowlearn nudges status|plan|run`: the nudge outbox for operators and tests.
struct Nudges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Daily nudges: outbox status, what would be sent at an instant, or plan and deliver once.",
        subcommands: [Status.self, Plan.self, Run.self])

    /// The store, content and poster from the configuration, as `serve` builds them.
    struct Context {
        let setup: ApplicationSetup
        let store: any LearningStore
        let content: ContentLibrary

        init(_ options: ConfigurationOptions) async throws {
            let (configuration, base) = try options.load()
            var logger = Logger(label: "flowlearn")
            logger.logLevel = Logger.Level(rawValue: configuration.log.level) ?? .info
            setup = ApplicationSetup(configuration: configuration, baseDirectory: base, logger: logger)
            store = try await options.openStore()
            content = try ContentLibrary(
                folder: setup.resolve(configuration.content.intents), settings: configuration.matcher, quiz: configuration.quiz,
                logger: logger)
        }
    }

    static func instant(_ text: String?) throws -> Date {
        guard let text else { return Date() }
        guard let date = FSRSHistory.parse(text) else {
            throw ValidationError("--at '\(text)' is not a UTC time like 2026-12-01T14:30:00Z")
        }
        return date
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscribers and the outbox by state, with the dead letters.")
        @OptionGroup var options: ConfigurationOptions
        @Option(name: .long, help: "How many dead letters to list.") var limit = 20

        func run() async throws {
            let store = try await options.openStore()
            let status = try await store.nudgeStatus(deadLimit: limit)
            print("subscribers: \(status.subscribers)")
            for state in [NudgeOutboxItem.State.pending, .sending, .sent, .dead] {
                print("\(state.rawValue): \(status.counts[state] ?? 0)")
            }
            for item in status.dead {
                print("dead  \(FSRSHistory.format(item.dueAt))  \(item.recipient)  attempts=\(item.attempts)  error=\(item.lastError ?? "-")")
            }
        }
    }

    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what would be sent at an instant (who, what, why) without sending.")
        @OptionGroup var options: ConfigurationOptions
        @Option(name: .long, help: "UTC instant, e.g. 2026-12-01T14:30:00Z (default: now).") var at: String?

        func run() async throws {
            let context = try await Context(options)
            let now = try Nudges.instant(at)
            let planning = NudgePlanning(
                settings: context.setup.configuration.nudges, slackAPIBaseURL: context.setup.configuration.slack.apiBaseURL,
                content: context.content, store: context.store)
            let planned = try await planning.plan(at: now)
            for nudge in planned {
                let what: String
                switch nudge.content {
                case .nugget(let id): what = "nugget \(id)"
                case .question(let id): what = "question \(id)"
                }
                print("\(FSRSHistory.format(nudge.dueAt))  \(nudge.recipient)  \(nudge.localDate) \(nudge.slot)  \(what)  (\(nudge.reason))")
            }
            StandardError.print("\(planned.count) nudge(s) due at \(FSRSHistory.format(now))")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plan the nudges due at an instant, write them to the outbox, and deliver the outbox once.")
        @OptionGroup var options: ConfigurationOptions
        @Option(name: .long, help: "UTC instant to plan for (default: now).") var at: String?

        func run() async throws {
            let context = try await Context(options)
            let now = try Nudges.instant(at)
            let poster = CurlPoster(settings: context.setup.configuration.poster, logger: Logger(label: "flowlearn.poster"))
            defer { poster.shutdown() }
            let (planning, courier) = FlowLearnApplication.nudgeWorkers(context.setup, content: context.content, store: context.store, poster: poster)
            // Nudges sent from here are xAPI statements too: kept in the outbox for `serve` to deliver.
            context.store.keepLearningRecords(context.setup.configuration.xapi.enabled)
            let requeued = try await context.store.requeueInFlight()
            if requeued > 0 { StandardError.print("\(requeued) nudge(s) were in flight at the last stop; sending them again") }
            let (planned, added) = try await planning.planAndEnqueue(at: now)
            StandardError.print("\(planned.count) nudge(s) due, \(added) new in the outbox")
            let (sent, failed) = try await courier.deliverDue(at: { now })
            print("sent \(sent), failed attempts \(failed)")
        }
    }
}
