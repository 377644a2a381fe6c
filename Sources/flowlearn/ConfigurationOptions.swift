import FlowLearnConfig
import ArgumentParser
import FlowLearnServer
import FlowLearnStore
import Foundation

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

    /// The SQLite store the configuration names (`store.path`, relative to the configuration file).
    func openStore() throws -> SQLiteStore {
        let (configuration, base) = try load()
        return try SQLiteStore(path: ApplicationSetup(configuration: configuration, baseDirectory: base).resolve(configuration.store.path))
    }
}
