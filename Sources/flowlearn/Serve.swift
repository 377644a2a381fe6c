import ArgumentParser
import FlowLearnCore
import FlowLearnServer
import Foundation
import Hummingbird
import Logging

/// `flowlearn serve --config FILE`: the chat webhooks, the store and the poster, until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server with a configuration file.")

    @Option(name: .long, help: "Configuration file (JSON); see config.example.json.")
    var config = "config.example.json"

    @Option(name: .long, help: "Listen on this port instead of the configured one.")
    var port: Int?

    func run() async throws {
        var configuration: FlowLearnConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: config)
        } catch {
            StandardError.print("flowlearn: \(error)")
            throw ExitCode(2)
        }
        if let port { configuration.server.port = port }
        let level = Logger.Level(rawValue: configuration.log.level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let base = (URL(fileURLWithPath: config).deletingLastPathComponent().path)
        let setup = ApplicationSetup(configuration: configuration, baseDirectory: base)
        let app: any ApplicationProtocol
        do {
            app = try FlowLearnApplication.build(setup)
        } catch {
            StandardError.print("flowlearn: \(error)")
            throw ExitCode(2)
        }
        try await app.runService()
    }
}
