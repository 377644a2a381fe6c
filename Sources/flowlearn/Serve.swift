import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import Foundation
import Hummingbird
import Logging

/// `flowlearn serve --config FILE`: the chat webhooks, the store and the poster, until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server with a configuration file.")

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Listen on this port instead of the configured one.")
    var port: Int?

    func run() async throws {
        let loaded = try options.load()
        var configuration = loaded.configuration
        if let port { configuration.server.port = port }
        let level = Logger.Level(rawValue: configuration.log.level) ?? .info
        LoggingSystem.bootstrap(
            FlowLearnLogging.factory(format: configuration.log.format, level: level), metadataProvider: FlowLearnLogging.requestIDProvider)
        var setup = ApplicationSetup(configuration: configuration, baseDirectory: loaded.baseDirectory)
        let app: any ApplicationProtocol
        do {
            // PostgreSQL connects and migrates here, before any route or service starts.
            setup.store = try await FlowLearnApplication.openStore(setup)
            app = try FlowLearnApplication.build(setup)
        } catch {
            StandardError.print("flowlearn: \(error)")
            throw ExitCode(2)
        }
        try await app.runService()
    }
}
