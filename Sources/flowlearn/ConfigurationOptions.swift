import FlowLearnConfig
import ArgumentParser
import FlowLearnServer
import FlowLearnCore
import Foundation
import Logging

/// `--config FILE`, shared by the commands that read the server's configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (JSON); see config.example.json.")
    var config = "config.example.json"

    /// The validated configuration and the folder its relative paths start from; exits 2 with one
    /// line naming the key when the file is wrong.
    func load() throws -> (configuration: FlowLearnConfiguration, baseDirectory: String) {
        do {
            let configuration = try ConfigurationLoader.load(path: config)
            return (configuration, URL(fileURLWithPath: config).deletingLastPathComponent().path)
        } catch {
            StandardError.print("flowlearn: \(error)")
            throw ExitCode(2)
        }
    }

    /// The store the configuration names: SQLite at `store.path` (relative to the configuration
    /// file), or PostgreSQL at `store.url`, connected and migrated; exits 1 saying why when it cannot be opened.
    func openStore() async throws -> any LearningStore {
        let (configuration, base) = try load()
        do {
            var quiet = Logger(label: "flowlearn")
            quiet.logLevel = .warning  // the command's own output is what the person reads
            return try await FlowLearnApplication.openStore(ApplicationSetup(configuration: configuration, baseDirectory: base, logger: quiet))
        } catch {
            StandardError.print("flowlearn: \(error)")
            throw ExitCode(1)
        }
    }
}
